import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isExcludedJsonPath, looksLikeRecordArray } from '../../../client/src/datasetSniff';

describe('looksLikeRecordArray', () => {
  const cases: Array<[string, boolean, string]> = [
    ['[{"instruction": "x"}]', true, 'an array of objects'],
    ['\uFEFF\n  [\n\t {\n', true, 'a BOM, blank lines and indentation before the first record'],
    ['[', false, 'a bare bracket (the rest not written yet)'],
    ['[]', false, 'an empty array'],
    ['[1, 2, 3]', false, 'an array of numbers'],
    ['[["a", "b"]]', false, 'an array of arrays'],
    ['{"data": [{"a": 1}]}', false, 'an object at the top'],
    ['', false, 'an empty file'],
    ['// comment\n[{}]', false, 'JSON with comments is configuration, not a dataset'],
  ];
  for (const [text, expected, description] of cases) {
    it(`${expected ? 'accepts' : 'rejects'} ${description}`, () => {
      assert.equal(looksLikeRecordArray(text), expected);
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
