/** `tunesmith lint` and `tunesmith stats` as a user runs them (the built CLI), and the programmatic lintFiles(). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { lintFiles, readDatasetFileAsync } from '../../../server/src/service/files';
import { lintDocument } from '../../../server/src/service/linter';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const cli = path.join(root, 'dist', 'cli', 'tunesmith.js');
const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
const brokenLine = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant" "content": "Hello"}]}';
/** 1-based column of the token the parser stops at: the second "content" key. */
const badColumn = brokenLine.indexOf('"content": "Hello"') + 1;
const many = (prefix: string): string[] => Array.from({ length: 12 }, (_, index) => chat(`${prefix} question ${index} about ${['cats', 'dogs', 'ships', 'stars'][index % 4]} ${index * 13}`, `Answer ${index}.`));

/** Runs `body` in a fresh temporary folder, removed afterwards (also when it fails). */
function withFolder<T>(prefix: string, body: (folder: string) => T): T {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  const remove = (): void => rmSync(folder, { recursive: true, force: true });
  let result: T;
  try {
    result = body(folder);
  } catch (error) {
    remove();
    throw error;
  }
  if (result instanceof Promise) return result.finally(remove) as T;
  remove();
  return result;
}

function run(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tunesmith lint / stats', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-cli-'));
    writeFileSync(path.join(folder, 'clean.jsonl'), many('Clean').join('\n') + '\n');
    const broken = [...many('Broken')];
    broken[2] = brokenLine;
    broken[5] = chat('Trailing', 'Space at the end ');
    writeFileSync(path.join(folder, 'broken.jsonl'), broken.join('\n') + '\n');
    writeFileSync(path.join(folder, 'warn.jsonl'), [...many('Warn'), chat('Why?', 'Because. ')].join('\n') + '\n');
    mkdirSync(path.join(folder, 'split'));
    writeFileSync(path.join(folder, 'split', 'train.jsonl'), [...many('Train'), chat('What is 2+2?', '4')].join('\n') + '\n');
    writeFileSync(path.join(folder, 'split', 'eval.json'), JSON.stringify([{ instruction: 'What is 2+2?', input: '', output: '4' }], null, 2));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('exits 0 on a clean file', () => {
    const result = run(folder, 'lint', 'clean.jsonl');
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.trim(), '');
  });

  it('exits 1 on errors and prints 1-based JSON items', () => {
    const result = run(folder, 'lint', '--format', 'json', 'broken.jsonl');
    assert.equal(result.status, 1);
    const items = JSON.parse(result.stdout) as { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; rule: string; message: string }[];
    const invalid = items.find((item) => item.rule === 'invalid-json');
    assert.deepEqual(invalid && { ...invalid, message: undefined }, { file: 'broken.jsonl', line: 3, column: badColumn, endLine: 3, endColumn: badColumn + 9, severity: 'error', rule: 'invalid-json', message: undefined });
    const whitespace = items.find((item) => item.rule === 'whitespace');
    assert.equal(whitespace?.line, 6);
    assert.equal(whitespace?.severity, 'warning');
  });

  it('exits 1 when warnings exceed --max-warnings, 0 otherwise', () => {
    assert.equal(run(folder, 'lint', 'warn.jsonl').status, 0);
    assert.equal(run(folder, 'lint', '--max-warnings', '0', 'warn.jsonl').status, 1);
    assert.equal(run(folder, 'lint', '--max-warnings', '1', 'warn.jsonl').status, 0);
    // -1 is no limit, as in ESLint, written as a separate argument or with '='.
    assert.equal(run(folder, 'lint', '--max-warnings', '-1', 'warn.jsonl').status, 0);
    assert.equal(run(folder, 'lint', '--max-warnings=-1', 'warn.jsonl').status, 0);
    assert.equal(run(folder, 'lint', '--max-warnings', '-2', 'warn.jsonl').status, 2);
  });

  it('exits 2 on usage errors', () => {
    assert.equal(run(folder, 'lint', '--format', 'xml', 'clean.jsonl').status, 2);
    assert.equal(run(folder, 'lint', '--max-warnings', 'many').status, 2);
    assert.equal(run(folder, 'lint', 'no-such-file.jsonl').status, 2);
  });

  it('writes SARIF 2.1.0 for code scanning', () => {
    const result = run(folder, 'lint', '--format', 'sarif', 'broken.jsonl');
    const sarif = JSON.parse(result.stdout) as { version: string; runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const run0 = sarif.runs[0];
    assert.equal(run0?.tool.driver.name, 'tunesmith');
    const invalid = run0?.results.find((entry) => entry.ruleId === 'invalid-json');
    assert.equal(invalid?.level, 'error');
    assert.equal(run0?.tool.driver.rules[invalid?.ruleIndex ?? -1]?.id, 'invalid-json');
    assert.deepEqual(invalid?.locations[0]?.physicalLocation.region, { startLine: 3, startColumn: badColumn, endLine: 3, endColumn: badColumn + 9 });
    assert.equal(invalid?.locations[0]?.physicalLocation.artifactLocation.uri, 'broken.jsonl');
  });

  it('finds train/eval leakage across files and reads the config file', () => {
    const result = run(path.join(folder, 'split'), 'lint', '--format', 'json', '.');
    const items = JSON.parse(result.stdout) as { file: string; rule: string; line: number }[];
    const leaks = items.filter((item) => item.rule === 'cross-file-duplicate');
    assert.deepEqual(leaks.map((item) => `${item.file}:${item.line}`).sort(), ['eval.json:2', 'train.jsonl:13']);
    writeFileSync(path.join(folder, 'split', 'tunesmith.json'), JSON.stringify({ rules: { 'cross-file-duplicate': 'off', 'too-few-examples': 'off' } }));
    const quiet = JSON.parse(run(path.join(folder, 'split'), 'lint', '--format', 'json', '.').stdout) as { rule: string }[];
    assert.deepEqual(quiet.filter((item) => item.rule === 'cross-file-duplicate'), []);
  });

  it('prints statistics', () => {
    const result = run(folder, 'stats', '--json', 'clean.jsonl');
    assert.equal(result.status, 0);
    const [statistics] = JSON.parse(result.stdout) as { file: string; records: number; format: string; turns: number; roles: Record<string, number>; tokens: { estimated: boolean } }[];
    assert.equal(statistics?.file, 'clean.jsonl');
    assert.equal(statistics?.records, 12);
    assert.equal(statistics?.format, 'openai-chat');
    assert.deepEqual(statistics?.roles, { user: 12, assistant: 12 });
    assert.equal(statistics?.tokens.estimated, true);
    assert.match(run(folder, 'stats', 'clean.jsonl').stdout, /records\s+12/);
    assert.deepEqual(JSON.parse(run(folder, 'stats', '--format', 'json', 'clean.jsonl').stdout), JSON.parse(result.stdout), '--format json is --json');
    assert.equal(run(folder, 'stats', '--format', 'xml', 'clean.jsonl').status, 2);
  });
});

describe('tunesmith lint --format json with thousands of problems', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  it('writes them in batches, as JSON.stringify would write the whole array', () => {
    withFolder('tunesmith-many-', (folder) => {
    writeFileSync(path.join(folder, 'many.jsonl'), Array.from({ length: 2500 }, (_, index) => chat(`Question ${index} about item ${index * 7919}?`, `Answer ${index}. `)).join('\n') + '\n');
    const result = run(folder, 'lint', '--format', 'json', 'many.jsonl');
    const items = JSON.parse(result.stdout) as { rule: string }[];
    assert.equal(items.filter((item) => item.rule === 'whitespace').length, 2500);
    assert.equal(result.stdout, `${JSON.stringify(items, null, 2)}\n`);
    });
  });
});

describe('a file too large for the memory the process may use', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  it('is refused with what it needs and how to give it, not linted into "heap out of memory"', () => {
    withFolder('tunesmith-heap-', (folder) => {
    writeFileSync(path.join(folder, 'short.jsonl'), Array.from({ length: 150_000 }, (_, index) => JSON.stringify({ text: `t${index}` })).join('\n') + '\n');
    const small = spawnSync(process.execPath, ['--max-old-space-size=96', cli, 'lint', 'short.jsonl'], { cwd: folder, encoding: 'utf8' });
    assert.equal(small.status, 1, small.stderr);
    assert.match(small.stdout, /The file has 150,000 records \(.*\): linting it needs about 0\.2 GB of memory, more than this process may use \(0\.\d GB\), so it was not linted\. .*NODE_OPTIONS=--max-old-space-size=\d+/);
    const enough = spawnSync(process.execPath, ['--max-old-space-size=1024', cli, 'lint', 'short.jsonl'], { cwd: folder, encoding: 'utf8' });
    assert.equal(enough.status, 0, enough.stdout);
    });
  });
});

describe('tunesmith stats on a file it cannot read', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  it('says so and exits 1 whatever the unreadable-file rule\'s severity, printing no statistics for it', () => {
    withFolder('tunesmith-stats-', (folder) => {
    writeFileSync(path.join(folder, 'binary.jsonl'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8, 9, 0, 0, 0]));
    writeFileSync(path.join(folder, 'good.jsonl'), many('Stats').join('\n') + '\n');
    for (const severity of ['warning', 'off']) {
      writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ rules: { 'unreadable-file': severity } }));
      const result = run(folder, 'stats', '--format', 'json', 'binary.jsonl', 'good.jsonl');
      assert.equal(result.status, 1, severity);
      assert.match(result.stderr, /binary\.jsonl: .*binary/i, severity);
      assert.deepEqual((JSON.parse(result.stdout) as { file: string }[]).map((file) => file.file), ['good.jsonl'], severity);
    }
    });
  });
});

describe('.json files a folder or glob turns up that hold no examples', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  it('skips last run\'s --format json report and a list of words with a note, and lints them when named', () => {
    withFolder('tunesmith-report-', (folder) => {
    writeFileSync(path.join(folder, 'data.jsonl'), many('Report').join('\n') + '\n');
    writeFileSync(path.join(folder, 'broken.jsonl'), `${brokenLine}\n`);
    const report = run(folder, 'lint', '--format', 'json');
    assert.equal(report.status, 1);
    writeFileSync(path.join(folder, 'report.json'), report.stdout);
    writeFileSync(path.join(folder, 'stopwords.json'), '["a", "the"]');
    // A dataset whose every record misspells its key is still linted (its records could be examples).
    writeFileSync(path.join(folder, 'typo.json'), JSON.stringify([{ mesages: [{ role: 'user', content: 'Hi' }] }]));
    const again = run(folder, 'lint', '--format', 'json');
    const files = [...new Set((JSON.parse(again.stdout) as { file: string }[]).map((item) => item.file))].sort();
    assert.deepEqual(files, ['broken.jsonl', 'typo.json'], 'data.jsonl is clean; the report and the word list are skipped');
    assert.match(again.stderr, /report\.json was skipped: none of its records is in a dataset format \(the first object's keys: "file", "line"/);
    assert.match(again.stderr, /stopwords\.json was skipped: none of its records is an object/);
    const named = JSON.parse(run(folder, 'lint', '--format', 'json', 'stopwords.json').stdout) as { rule: string }[];
    assert.ok(named.some((item) => item.rule === 'not-an-object'));
    });
  });
});

/** Runs the CLI as a user without root's right to read any folder: root itself runs it as nobody (runuser, util-linux). */
const asUser = process.getuid?.() === 0 ? (existsSync('/usr/sbin/runuser') ? ['/usr/sbin/runuser', '-u', 'nobody', '--', process.execPath] : undefined) : [process.execPath];
/** Whether that user can run the built CLI (a checkout in a folder only root may enter cannot be). */
const userRunsCli = asUser !== undefined && existsSync(cli) && spawnSync(asUser[0] ?? '', [...asUser.slice(1), '-e', `require('node:fs').accessSync(${JSON.stringify(cli)}, 4)`]).status === 0;

describe('a folder that cannot be read', { skip: !existsSync(cli) ? 'run `npm run build` first' : !userRunsCli ? 'no user without the right to read any folder can run the built CLI here (root without runuser, or a checkout only root may enter)' : false }, () => {
  it('is said, not left out silently; named, it is the reason given', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-locked-'));
    try {
      chmodSync(folder, 0o755);
      mkdirSync(path.join(folder, 'open'));
      mkdirSync(path.join(folder, 'locked'));
      writeFileSync(path.join(folder, 'open', 'a.jsonl'), many('Open').join('\n') + '\n');
      writeFileSync(path.join(folder, 'locked', 'b.jsonl'), many('Locked').join('\n') + '\n');
      chmodSync(path.join(folder, 'locked'), 0o000);
      const [command = process.execPath, ...prefix] = asUser ?? [];
      const lint = (...args: string[]) => spawnSync(command, [...prefix, cli, 'lint', ...args], { cwd: folder, encoding: 'utf8' });
      const all = lint();
      assert.equal(all.status, 0);
      assert.match(all.stderr, /locked: the folder cannot be read \(no permission\), so its dataset files were not linted/);
      const named = lint('locked');
      assert.equal(named.status, 2);
      assert.match(named.stderr, /locked: the folder cannot be read/);
      assert.doesNotMatch(named.stderr, /No dataset files/);
    } finally {
      chmodSync(path.join(folder, 'locked'), 0o755);
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('a nearest config file that cannot be read', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  it('stops the run (exit 2) naming it, rather than using the one further up', () => {
    withFolder('tunesmith-config-', (folder) => {
    writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'off' } }));
    mkdirSync(path.join(folder, 'sub', 'tunesmith.json'), { recursive: true });
    writeFileSync(path.join(folder, 'sub', 'data.jsonl'), [...many('Config'), chat('Why?', 'Because. ')].join('\n') + '\n');
    const result = run(folder, 'lint', 'sub/data.jsonl');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /sub[\\/]tunesmith\.json: cannot be read \(it is a folder\)/);
    assert.equal(run(folder, 'stats', 'sub/data.jsonl').status, 2);
    });
  });
});

describe('lintFiles()', () => {
  it('reports the byte order mark of a JSON array file read from disk, at the start, with positions after it as an editor counts them', async () => {
    await withFolder('tunesmith-bom-', async (folder) => {
    const records = JSON.stringify([{ instruction: 'Name a prime.', input: '', output: 'Seven.' }, { instruction: 'Name a colour.', input: '', output: ' Blue.' }]);
    writeFileSync(path.join(folder, 'marked.json'), `\ufeff${records}`);
    writeFileSync(path.join(folder, 'plain.json'), records);
    // A JSON Lines file's mark is skipped by pyarrow: not reported.
    writeFileSync(path.join(folder, 'marked.jsonl'), `\ufeff${JSON.stringify({ instruction: 'Name a prime.', input: '', output: 'Seven.' })}\n`);
    // One at a time: together, the same records in several files are leakage.
    const found = async (name: string) => (await lintFiles([name], { cwd: folder, overrides: { minExamples: 0 } })).files[0]?.diagnostics.map((item) => `${item.rule}@${item.range.start.line}:${item.range.start.character}`);
    const whitespaceColumn = records.indexOf('" Blue."');
    assert.deepEqual(await found('marked.json'), ['invalid-json@0:0', `whitespace@0:${whitespaceColumn + 1}`]);
    assert.deepEqual(await found('plain.json'), [`whitespace@0:${whitespaceColumn + 1}`]);
    assert.deepEqual(await found('marked.jsonl'), []);
    // The language server reads files that are not open (eval.json beside train.json) asynchronously.
    const { settings } = resolveSettings({ minExamples: 0 });
    const fromServer = await readDatasetFileAsync(path.join(folder, 'marked.json'), settings, undefined, () => Promise.resolve());
    assert.deepEqual(lintDocument(fromServer, 'file:///marked.json', settings).diagnostics.map((item) => `${item.rule}@${item.range.start.line}:${item.range.start.character}`), ['invalid-json@0:0', `whitespace@0:${whitespaceColumn + 1}`]);
    const json = JSON.parse(run(folder, 'lint', 'marked.json', '--format', 'json').stdout) as { rule: string; line: number; column: number }[];
    assert.deepEqual(json.map((item) => [item.rule, item.line, item.column]).filter(([rule]) => rule === 'invalid-json'), [['invalid-json', 1, 1]]);
    });
  });
  it('honours a LLaMA-Factory dataset_info.json next to the file', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-info-'));
    try {
      writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify({ mine: { file_name: 'mine.json', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' } } }));
      const text = JSON.stringify([{ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }, { messages: [{ role: 'human', content: 'Hey' }, { role: 'assistant', content: 'Yo' }] }], null, 1);
      writeFileSync(path.join(folder, 'mine.json'), text);
      const humanLine = text.split('\n').findIndex((line) => line.includes('"human"'));
      const humanColumn = (text.split('\n')[humanLine] ?? '').indexOf('"human"');
      const result = await lintFiles(['mine.json'], { cwd: folder, overrides: { minExamples: 0 }, statistics: true });
      const file = result.files[0];
      assert.equal(file?.statistics?.format, 'sharegpt');
      const problems = file?.diagnostics.map((item) => `${item.rule}@${item.range.start.line}:${item.range.start.character}`);
      assert.deepEqual(problems, [`unknown-role@${humanLine}:${humanColumn}`]);
      assert.match(file?.diagnostics[0]?.message ?? '', /did you mean "user"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
  it('reads records under a key ({"data": [...]}) in the custom columns that dataset_info.json names', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-info-'));
    try {
      writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify({ support: { file_name: 'support.json', formatting: 'sharegpt', columns: { messages: 'dialog' }, tags: { role_tag: 'speaker', content_tag: 'text', user_tag: 'customer', assistant_tag: 'agent' } } }));
      const text = JSON.stringify({ data: [{ dialog: [{ speaker: 'customer', text: 'Hi' }, { speaker: 'agent', text: 'Hello' }] }, { dialog: [{ speaker: 'customer', text: 'Hey' }, { speaker: 'agnet', text: 'Yo' }] }] }, null, 1);
      writeFileSync(path.join(folder, 'support.json'), text);
      const result = await lintFiles(['support.json'], { cwd: folder, overrides: { minExamples: 0 } });
      const line = text.split('\n').findIndex((entry) => entry.includes('"agnet"'));
      assert.deepEqual(result.files[0]?.diagnostics.map((item) => `${item.rule}@${item.range.start.line}`), ['records-under-key@1', `unknown-role@${line}`]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
