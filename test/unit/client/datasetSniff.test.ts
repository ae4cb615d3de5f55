import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFileSelectorPattern, forgetConfigFiles, isExcludedJsonPath, looksLikeDataset, matchesConfigFileGlobs, matchesGlob } from '../../../client/src/datasetSniff';

describe('looksLikeDataset', () => {
  const cases: Array<[string, boolean, string]> = [
    ['[{"instruction": "x"}]', true, 'an array of objects'],
    ['\uFEFF\n  [\n\t {\n', true, 'a BOM, blank lines and indentation before the first record'],
    ['[', false, 'a bare bracket (the rest not written yet)'],
    ['[]', true, 'an empty array (a dataset being started: the server says it has no examples)'],
    ['[1, 2, 3]', false, 'an array of numbers'],
    ['[["a", "b"]]', false, 'an array of arrays'],
    ['{"data": [{"a": 1}]}', true, 'records under one key'],
    ['{\n  "train" : [\n    {"instruction": "x"', true, 'records under one key, pretty-printed'],
    ['{"version": "1.0", "license": null, "count": 2, "train": [{"instruction": "x"', true, 'records under a key after plain header values'],
    ['{"name": "x", "version": "1.0.0", "private": true}', false, 'an object of plain values only'],
    ['{"name": "x", "keywords": ["a", "b"]}', false, 'plain values then a list of strings'],
    ['{"meta": {"n": 1}, "data": [{"a": 1}]}', false, 'an object value before the array (not read: the sniff stays cheap)'],
    ['{"messages": [{"role": "user", "content": "a"}]}\n{"messages": []}\n', true, 'JSON Lines in a .json file'],
    ['{"messages": [{"role": "user", "content": "a"}]}\r\n\r\n{"messages"', true, 'JSON Lines with CRLF and a blank line'],
    ['{ "retries": 3, "verbose": false }\n', false, 'a one-line settings object'],
    ['{\n  "name": "x",\n  "version": "1.0.0"\n}\n', false, 'a pretty-printed object'],
    ['{"compilerOptions": {"strict": true}}', false, 'an object holding an object'],
    ['{"files": ["a.ts", "b.ts"]}', false, 'an object holding a list of strings'],
    ['{\n  "instruction": "Name a colour.",\n  "output": "Blue."\n}\n', true, 'one Alpaca record (the server says to wrap it in an array)'],
    ['{"system": "Be brief.", "messages": [', true, 'one OpenAI chat record starting with its system key'],
    ['{"text": "hello"}', false, 'an object whose first key is only "text" (too common in configuration)'],
    ['', false, 'an empty file'],
    ['// comment\n[{}]', false, 'JSON with comments is configuration, not a dataset'],
  ];
  for (const [text, expected, description] of cases) {
    it(`${expected ? 'accepts' : 'rejects'} ${description}`, () => {
      assert.equal(looksLikeDataset(text), expected);
    });
  }
});

describe('isExcludedJsonPath', () => {
  it('excludes configuration files whatever the folder', () => {
    for (const filePath of [
      '/work/project/package.json',
      '/work/project/package-lock.json',
      '/work/project/tsconfig.json',
      '/work/project/tsconfig.build.json',
      'C:\\project\\jsconfig.json',
      '/work/project/.vscode/datasets.json',
      '/work/project/node_modules/some-package/data.json',
    ]) {
      assert.equal(isExcludedJsonPath(filePath), true, filePath);
    }
  });

  it('keeps dataset files, including ones whose names merely contain a config name', () => {
    for (const filePath of ['/work/data/train.json', '/work/data/package.json.d/alpaca.json', '/work/my-tsconfig-notes/sharegpt.json', 'relative/dpo.json']) {
      assert.equal(isExcludedJsonPath(filePath), false, filePath);
    }
  });
});

describe('matchesGlob (tunesmith.files, for files too large for the editor to share)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['data/train.json', '**/*.json', true],
    ['train.json', '**/*.json', true],
    ['/abs/path/train.json', '**/*.json', true],
    ['data/train.jsonl', '**/*.json', false],
    ['data/train.json', 'data/*.json', true],
    ['data/sub/train.json', 'data/*.json', false],
    ['data/sub/train.json', 'data/**/*.json', true],
    ['data/train.json', 'data/**/*.json', true],
    ['results/run.json', 'data/**', false],
    ['data/a/b/c.json', 'data/**', true],
    ['sets/eval.json', '**/{train,eval}.json', true],
    ['sets/test.json', '**/{train,eval}.json', false],
    ['split1.json', 'split[0-9].json', true],
    ['splitx.json', 'split[0-9].json', false],
    ['splitx.json', 'split[!0-9].json', true],
    ['a.b.json', 'a?b.json', true],
    ['a+b.json', 'a+b.json', true],
    ['aab.json', 'a+b.json', false],
    // Read as tunesmith lint reads the config file's "files": a comma outside braces is literal, an unbalanced brace matches nothing.
    ['x,y1.json', 'x,y*.json', true],
    ['xz.json', 'x,y*.json', false],
    ['train.json', '{train,eval.json', false],
    ['a[.json', 'a[.json', true],
  ];
  for (const [filePath, glob, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${filePath} against ${glob}`, () => {
      assert.equal(matchesGlob(filePath, glob), expected);
    });
  }
});


describe("the config file's files in the client (it wins over tunesmith.files, as in the server and the CLI)", () => {
  it('matches a file against the nearest tunesmith.json `files`, relative to that file; undefined when none sets files', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tunesmith-client-files-'));
    try {
      mkdirSync(path.join(root, 'datasets', 'train'), { recursive: true });
      const dataset = path.join(root, 'datasets', 'train', 'x.json');
      assert.equal(matchesConfigFileGlobs(dataset), undefined);
      writeFileSync(path.join(root, 'tunesmith.json'), JSON.stringify({ files: ['datasets/**/*.json'] }));
      // Read once per folder: a config file written later counts after forgetConfigFiles() (the extension's watcher).
      assert.equal(matchesConfigFileGlobs(dataset), undefined);
      forgetConfigFiles();
      assert.equal(matchesConfigFileGlobs(dataset), true);
      assert.equal(matchesConfigFileGlobs(path.join(root, 'other', 'x.json')), false);
      writeFileSync(path.join(root, 'datasets', 'tunesmith.json'), JSON.stringify({ maxTokens: 100 }));
      forgetConfigFiles();
      assert.equal(matchesConfigFileGlobs(dataset), undefined, 'the nearest config file sets no files: the setting decides');
      assert.equal(configFileSelectorPattern({ folder: root, globs: [] }, 'datasets/**/*.json'), `${root.split(path.sep).join('/')}/datasets/**/*.json`);
    } finally {
      forgetConfigFiles();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
