/**
 * `tunesmith lint` and `stats` on the layouts users have (symlinked snapshots, virtualenvs, large
 * non-dataset JSON), bad globs and --model values as usage errors, readable sizes, and output
 * conventions (SARIF within GitHub's limits, usage on stderr, NO_COLOR).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { itemsWithinLimit, noColorRequested, toSarif, withoutRelativeLinks, type JsonLintItem } from '../../../cli/src/commands/lint';
import { lintFiles, readableSize } from '../../../server/src/service/files';
import { globToRegExp, GlobSyntaxError } from '../../../server/src/service/glob';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const cli = path.join(root, 'dist', 'cli', 'tunesmith.js');
const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
const dataset = (prefix: string): string => Array.from({ length: 12 }, (_, index) => chat(`${prefix} question ${index} about ${['cats', 'dogs', 'ships', 'stars'][index % 4]} ${index * 13}`, `Answer ${index}.`)).join('\n') + '\n';
const withUnknownRole = (prefix: string): string => dataset(prefix) + JSON.stringify({ messages: [{ role: 'user', content: `${prefix} extra` }, { role: 'asistant', content: 'Typo.' }] }) + '\n';

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(folder: string, relative: string, content: string): string {
  const file = path.join(folder, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

const item = (severity: JsonLintItem['severity'], line: number): JsonLintItem => ({ file: 'a.jsonl', line, column: 1, endLine: line, endColumn: 2, severity, rule: 'whitespace', message: `problem ${line}` });

describe('globs', () => {
  it('an unbalanced brace is a GlobSyntaxError that says where, not a RegExp error', () => {
    assert.throws(() => globToRegExp('{a,b.jsonl'), (error: unknown) => error instanceof GlobSyntaxError && /the '\{' at character 1 is never closed/.test(error.message));
    assert.throws(() => globToRegExp('*}.jsonl', 2), (error: unknown) => error instanceof GlobSyntaxError && /the '\}' at character 4 closes no '\{'/.test(error.message));
  });

  it('a comma is an alternative only inside braces; nested braces work', () => {
    assert.equal(globToRegExp('x,y*.jsonl').test('x,y1.jsonl'), true);
    assert.equal(globToRegExp('x,y*.jsonl').test('xz.jsonl'), false);
    assert.equal(globToRegExp('{train,eval{,-small}}.jsonl').test('eval-small.jsonl'), true);
    assert.equal(globToRegExp('{train,eval{,-small}}.jsonl').test('train-small.jsonl'), false);
    // Classes, as the editor reads tunesmith.files.
    assert.equal(globToRegExp('split[0-9].jsonl').test('split1.jsonl'), true);
    assert.equal(globToRegExp('split[!0-9].jsonl').test('split1.jsonl'), false);
  });

  it('"?" is one character, an emoji (two UTF-16 units) too, as bash reads it', () => {
    assert.equal(globToRegExp('x?.jsonl').test('x😀.jsonl'), true);
    assert.equal(globToRegExp('x?.jsonl').test('xé.jsonl'), true);
    assert.equal(globToRegExp('x?.jsonl').test('xab.jsonl'), false);
    assert.equal(globToRegExp('x?.jsonl').test('x/.jsonl'), false);
  });
});

describe('readable sizes', () => {
  it('prints bytes, KB and MB, with a decimal only when the size is not whole', () => {
    assert.equal(readableSize(10), '10 bytes');
    assert.equal(readableSize(20_000), '19.5 KB');
    assert.equal(readableSize(1024 * 1024), '1 MB');
    assert.equal(readableSize(512 * 1024 * 1024), '512 MB');
  });
});

describe('SARIF within GitHub limits, with links that work', () => {
  it('keeps the first results by severity (errors first, in their order) and says how many were left out', () => {
    const items = [item('warning', 1), item('error', 2), item('info', 3), item('error', 4), item('warning', 5)];
    assert.deepEqual(itemsWithinLimit(items, 3).map((kept) => kept.line), [1, 2, 4]);
    const sarif = toSarif(items, { version: '1.0.0', maxResults: 3 }) as { runs: { results: { level: string }[]; invocations?: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[] };
    const run0 = sarif.runs[0];
    assert.deepEqual(run0?.results.map((result) => result.level), ['warning', 'error', 'error']);
    assert.equal(run0?.invocations?.[0]?.executionSuccessful, true);
    assert.match(run0?.invocations?.[0]?.toolExecutionNotifications[0]?.message.text ?? '', /^2 of 5 problems were left out .* at most 3 results per run/);
    const within = toSarif(items, { version: '1.0.0' }) as { runs: { results: unknown[]; invocations?: unknown }[] };
    assert.equal(within.runs[0]?.results.length, 5);
    assert.equal(within.runs[0]?.invocations, undefined);
  });

  it('caps at 25,000 results by default', () => {
    const items = Array.from({ length: 25_001 }, (_, index) => item(index === 25_000 ? 'error' : 'warning', index + 1));
    const sarif = toSarif(items, '1.0.0') as { runs: { results: { level: string }[] }[] };
    assert.equal(sarif.runs[0]?.results.length, 25_000);
    assert.equal(sarif.runs[0]?.results.filter((result) => result.level === 'error').length, 1, 'the error is kept over a warning');
  });

  it('gives each rule a helpUri, and help without links relative to the docs folder', () => {
    const sarif = toSarif([], { version: '1.0.0', ruleHelp: () => '# x\n\nSee [the settings](../configuration.md), [a rule](unknown-key.md), [a site](https://example.org/a) and [below](#below).', ruleHelpUri: (id) => `file:///docs/rules/${id}.md` }) as {
      runs: { tool: { driver: { rules: { id: string; helpUri?: string; help: { text: string; markdown?: string } }[] } } }[];
    };
    for (const rule of sarif.runs[0]?.tool.driver.rules ?? []) {
      assert.equal(rule.helpUri, `file:///docs/rules/${rule.id}.md`);
      assert.doesNotMatch(rule.help.text, /See docs\/rules/, 'no path that exists only in tunesmith\'s repository');
      assert.equal(rule.help.markdown, '# x\n\nSee the settings, a rule, [a site](https://example.org/a) and [below](#below).');
    }
    assert.equal(withoutRelativeLinks('![logo](img/logo.png) [x](./a.md "title")'), 'logo x');
  });
});

describe('NO_COLOR', () => {
  it('any non-empty value turns colour off', () => {
    assert.equal(noColorRequested({ NO_COLOR: '1' }), true);
    assert.equal(noColorRequested({ NO_COLOR: 'false' }), true);
    assert.equal(noColorRequested({ NO_COLOR: '' }), false);
    assert.equal(noColorRequested({}), false);
  });
});

describe('tunesmith lint and stats on real layouts', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-layouts-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('follows symlinked dataset files in a folder and through a glob (Hugging Face snapshots)', () => {
    const hub = path.join(folder, 'hub');
    write(hub, 'blobs/abc123', withUnknownRole('Snapshot'));
    mkdirSync(path.join(hub, 'snapshots', 'rev1'), { recursive: true });
    symlinkSync(path.join('..', '..', 'blobs', 'abc123'), path.join(hub, 'snapshots', 'rev1', 'train.jsonl'));
    for (const target of ['snapshots', 'snapshots/*/*.jsonl']) {
      const result = run(hub, ['lint', '--format', 'json', target]);
      assert.equal(result.status, 1, `${target}: ${result.stderr}`);
      const items = JSON.parse(result.stdout) as { file: string; rule: string }[];
      assert.deepEqual(
        items.filter((entry) => entry.rule === 'unknown-role').map((entry) => entry.file),
        [path.join('snapshots', 'rev1', 'train.jsonl')],
        target,
      );
    }
  });

  it('lints a file two links point at once (no leak reported between them), ends a link loop, reports a dangling link', () => {
    const links = path.join(folder, 'links');
    write(links, 'data/blob', dataset('Linked'));
    write(links, 'outside.jsonl', dataset('Outside the folder asked for'));
    mkdirSync(path.join(links, 'snap', 'a'), { recursive: true });
    mkdirSync(path.join(links, 'snap', 'b'), { recursive: true });
    symlinkSync(path.join('..', '..', 'data', 'blob'), path.join(links, 'snap', 'a', 'train.jsonl'));
    symlinkSync(path.join('..', '..', 'data', 'blob'), path.join(links, 'snap', 'b', 'train.jsonl'));
    symlinkSync('..', path.join(links, 'snap', 'loop'));
    const linked = run(links, ['lint', '--format', 'json', 'snap']);
    assert.equal(linked.status, 0, linked.stderr);
    assert.deepEqual(JSON.parse(linked.stdout), [], 'one file, linted once: no cross-file-duplicate, and nothing from outside snap/');
    symlinkSync(path.join('..', 'annex', 'objects', 'missing'), path.join(links, 'snap', 'eval.jsonl'));
    const dangling = run(links, ['lint', '--format', 'json', 'snap']);
    assert.equal(dangling.status, 1, dangling.stderr);
    const items = JSON.parse(dangling.stdout) as { file: string; rule: string; message: string }[];
    assert.deepEqual(items.map((entry) => `${entry.file} ${entry.rule}`), [`${path.join('snap', 'eval.jsonl')} unreadable-file`]);
    assert.match(items[0]?.message ?? '', /symbolic link to '\.\.\/annex\/objects\/missing', which does not exist/);
    // Named on the command line, the same link is the same finding (not a usage error).
    const named = run(links, ['lint', '--format', 'json', path.join('snap', 'eval.jsonl')]);
    assert.equal(named.status, 1, named.stderr);
    assert.deepEqual((JSON.parse(named.stdout) as { rule: string }[]).map((entry) => entry.rule), ['unreadable-file']);
  });

  it('does not lint Python environments and caches when no paths are given', () => {
    const project = path.join(folder, 'python');
    write(project, 'data/train.jsonl', dataset('Python'));
    const patch = JSON.stringify([{ op: 'add', path: '/a', value: 1 }]);
    for (const skipped of ['.venv/lib/python3.11/site-packages/pkg/data.json', 'venv/lib/site-packages/pkg/fixtures.json', 'env/lib/site-packages/pkg/x.json', 'pkg/__pycache__/x.json', '.tox/py311/x.json', '.mypy_cache/3.11/x.json', '.pytest_cache/v/x.json']) write(project, skipped, patch);
    const result = run(project, ['lint', '--format', 'json']);
    assert.equal(result.status, 0, result.stdout);
    assert.deepEqual(JSON.parse(result.stdout), []);
  });

  it('makes a bad glob a usage error naming the pattern, on the command line (lint, stats) and in the config file', () => {
    const globs = path.join(folder, 'globs');
    write(globs, 'g/a.jsonl', dataset('Glob a'));
    for (const [command, pattern, why] of [
      ['lint', 'g/{a,b.jsonl', "the '{' at character 3 is never closed with '}'"],
      ['lint', 'g/*}.jsonl', "the '}' at character 4 closes no '{'"],
      ['stats', 'g/{a,b.jsonl', "the '{' at character 3 is never closed with '}'"],
    ] as const) {
      const result = run(globs, [command, pattern]);
      assert.equal(result.status, 2, `${command} ${pattern}: ${result.stderr}`);
      assert.equal(result.stderr, `tunesmith: '${pattern}' is not a valid glob: ${why}.\n`);
      assert.equal(result.stdout, '');
    }
    const config = path.join(globs, 'config');
    write(config, 'data/a.jsonl', dataset('Config glob'));
    write(config, 'tunesmith.json', '{\n  "files": ["data/*.jsonl", "{a,b.jsonl"]\n}\n');
    const configured = run(config, ['lint', '--format', 'json']);
    assert.equal(configured.status, 0, configured.stderr);
    assert.equal(configured.stderr, `tunesmith: ${path.join(config, 'tunesmith.json')}:2:29: files: '{a,b.jsonl' is not a valid glob: the '{' at character 1 is never closed with '}'; it was ignored\n`);
  });

  it('reads a class ([ab], [!c]) as a glob on the command line and in the config file, as the editor does', () => {
    const classes = path.join(folder, 'classes');
    for (const name of ['a', 'b', 'c']) write(classes, `data/${name}.jsonl`, dataset(`Class ${name}`));
    write(classes, 'data/d1/x.jsonl', dataset('Class d1'));
    write(classes, 'data/d3/x.jsonl', dataset('Class d3'));
    const files = (args: string[], cwd = classes): string[] => {
      const result = run(cwd, ['stats', '--json', ...args]);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      return (JSON.parse(result.stdout) as { file: string }[]).map((entry) => entry.file.split(path.sep).join('/'));
    };
    assert.deepEqual(files(['data/[ab].jsonl']), ['data/a.jsonl', 'data/b.jsonl']);
    assert.deepEqual(files(['data/[!ab].jsonl']), ['data/c.jsonl']);
    assert.deepEqual(files(['data/d[12]/*.jsonl']), ['data/d1/x.jsonl']);
    write(classes, 'configured/tunesmith.json', '{ "files": ["../data/[bc].jsonl"] }\n');
    // Outside the working folder, the files are shown with their full paths.
    assert.deepEqual(files([], path.join(classes, 'configured')), ['b', 'c'].map((name) => path.join(classes, 'data', `${name}.jsonl`).split(path.sep).join('/')));
  });

  it('warns, at its place, about a config "files" entry that matches nothing, and says "!" exclusions are not supported', () => {
    const unmatched = path.join(folder, 'unmatched');
    write(unmatched, 'data/keep.jsonl', dataset('Keep'));
    write(unmatched, 'data/skip.jsonl', dataset('Skip'));
    write(unmatched, 'tunesmith.json', '{\n  "files": ["data/*.jsonl", "!data/skip.jsonl", "eval/*.jsonl"]\n}\n');
    const result = run(unmatched, ['lint', '--format', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const config = path.join(unmatched, 'tunesmith.json');
    assert.equal(
      result.stderr,
      `tunesmith: ${config}:2:29: files: '!data/skip.jsonl': "!" exclusions are not supported, so nothing was left out; list the files or folders to lint instead\n` +
        `tunesmith: ${config}:2:49: "files" entry 'eval/*.jsonl' matches no dataset file.\n`,
    );
  });

  it('makes a --model folder that does not load a usage error (exit 2), while the config file\'s model only warns', () => {
    const models = path.join(folder, 'models');
    write(models, 't.jsonl', dataset('Model'));
    const lint = run(models, ['lint', '--format', 'json', '--model', 'nothere', 't.jsonl']);
    assert.equal(lint.status, 2);
    assert.match(lint.stderr, /--model: .*cannot load a tokenizer from .*nothere: no such folder/);
    assert.equal(run(models, ['stats', '--model', 'nothere', 't.jsonl']).status, 2);
    write(models, 'tunesmith.json', JSON.stringify({ model: 'nothere' }));
    const configured = run(models, ['lint', '--format', 'json', 't.jsonl']);
    assert.equal(configured.status, 0, configured.stderr);
    assert.match(configured.stderr, /tunesmith\.json:1:10: .*no such folder/);
  });

  it('says sizes over maxFileSize readably, and skips a large .json found by a glob with a note', async () => {
    const sizes = path.join(folder, 'sizes');
    write(sizes, 'tunesmith.json', JSON.stringify({ maxFileSize: 20_000 }));
    write(sizes, 'train.jsonl', dataset('Sizes'));
    write(sizes, 'models/tiny/tokenizer.json', JSON.stringify({ model: { vocab: Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`token${index}`, index])) } }));
    const found = run(sizes, ['lint', '--format', 'json']);
    assert.equal(found.status, 0, found.stdout);
    assert.deepEqual(JSON.parse(found.stdout), []);
    assert.match(found.stderr, /^tunesmith: models\/tiny\/tokenizer\.json is \d+\.\d KB, over the 19\.5 KB limit \(maxFileSize\), so it was skipped/);
    const named = run(sizes, ['lint', '--format', 'json', 'models/tiny/tokenizer.json']);
    assert.equal(named.status, 1, 'named on the command line, it stays an error');
    assert.match((JSON.parse(named.stdout) as { message: string }[])[0]?.message ?? '', /^The file is \d+\.\d KB, over the 19\.5 KB limit \(maxFileSize\)/);
    write(sizes, 'big/data.jsonl', dataset('Big').repeat(20));
    const result = await lintFiles(['big'], { cwd: sizes });
    const big = result.files[0]?.diagnostics.find((diagnostic) => diagnostic.rule === 'unreadable-file');
    assert.match(big?.message ?? '', /^The file is \d+\.\d KB, over the 19\.5 KB limit/, 'a .jsonl found in a folder stays an error');
  });

  it('stats says on stderr which files could not be read and exits 1, printing the others apart (not as empty datasets)', () => {
    const unreadable = path.join(folder, 'unreadable');
    write(unreadable, 'good.jsonl', dataset('Readable'));
    write(unreadable, 'also.jsonl', dataset('Also readable'));
    writeFileSync(path.join(unreadable, 'wide.jsonl'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(dataset('Wide'), 'utf16le')]));
    const result = run(unreadable, ['stats', 'good.jsonl', 'wide.jsonl', 'also.jsonl']);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^tunesmith: wide\.jsonl: .*UTF-16/m);
    assert.doesNotMatch(result.stdout, /wide\.jsonl/);
    assert.match(result.stdout, /^also\.jsonl\n[^]*\n\ngood\.jsonl\n/, 'a blank line between the files (in path order)');
    const alone = run(unreadable, ['stats', '--json', 'wide.jsonl']);
    assert.equal(alone.status, 1);
    assert.equal(alone.stdout, '[]\n');
  });

  it('stats names a JSON file given that is not a dataset', () => {
    const notes = path.join(folder, 'notes');
    write(notes, 'notes.json', JSON.stringify({ title: 'x', tags: ['a'] }));
    const result = run(notes, ['stats', 'notes.json']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^tunesmith: notes\.json is not a dataset \(a JSON dataset is an array of records/);
  });

  it('bare `tunesmith` is a usage error: usage on stderr, nothing on stdout', () => {
    const result = run(folder, []);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^usage: tunesmith <command>/);
    const help = run(folder, ['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: tunesmith <command>/);
  });

  it('honours NO_COLOR on a terminal', { skip: existsSync('/usr/bin/script') ? false : 'needs script(1) for a terminal' }, () => {
    const colours = path.join(folder, 'colours');
    write(colours, 'e.jsonl', withUnknownRole('Colour'));
    const onTerminal = (noColor: string): string => spawnSync('/usr/bin/script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} lint e.jsonl`, '/dev/null'], { cwd: colours, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: noColor } }).stdout;
    assert.match(onTerminal(''), /\u001b\[31m/, 'coloured on a terminal (control)');
    assert.doesNotMatch(onTerminal('1'), /\u001b\[/);
  });
});
