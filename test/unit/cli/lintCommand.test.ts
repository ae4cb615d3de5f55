/** `tunesmith lint` as CI runs it (the built CLI): exit codes, JSON columns, SARIF for code scanning, bad input. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const cli = path.join(root, 'dist', 'cli', 'tunesmith.js');
const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
const many = (prefix: string): string[] => Array.from({ length: 12 }, (_, index) => chat(`${prefix} question ${index} about ${['cats', 'dogs', 'ships', 'stars'][index % 4]} ${index * 13}`, `Answer ${index}.`));

function run(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; informationUri?: string; rules: { id: string; helpUri?: string; help: { text: string; markdown?: string } }[] } };
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[] }[];
  }[];
}

describe('tunesmith lint (exit codes, output formats, bad input)', { skip: existsSync(cli) ? false : 'run `npm run build` first' }, () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-lintcli-'));
    writeFileSync(path.join(folder, 'clean.jsonl'), many('Clean').join('\n') + '\n');
    const emoji = [...many('Emoji')];
    emoji[1] = chat('😀 Smile 😀 please', 'Here 😀 ');
    writeFileSync(path.join(folder, 'emoji.jsonl'), emoji.join('\n') + '\n');
    mkdirSync(path.join(folder, 'odd name#1'));
    writeFileSync(path.join(folder, 'odd name#1', 'data%.jsonl'), emoji.join('\n') + '\n');
    mkdirSync(path.join(folder, 'nothing here'));
    writeFileSync(path.join(folder, 'utf16.jsonl'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(chat('Hi', 'Hello'), 'utf16le')]));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('exits 2 on usage errors: an empty number, a missing file beside a good one, a folder without datasets, nothing to lint', () => {
    const empty = run(folder, 'lint', '--max-warnings', '', 'clean.jsonl');
    assert.equal(empty.status, 2, empty.stderr);
    assert.match(empty.stderr, /--max-warnings needs a non-negative whole number, or -1 for no limit \(got ''\)/);
    // An unknown option: named, without parseArgs' advice (its quote never closes); any command exits 2 on it.
    const unknown = run(folder, 'lint', 'clean.jsonl', '--bogus');
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr.split('\n')[0], "tunesmith: Unknown option '--bogus'.");
    assert.equal(run(folder, 'generate', '--bogus').status, 2);
    const missing = run(folder, 'lint', 'clean.jsonl', 'missing.jsonl');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /No such file, and no dataset files match: 'missing\.jsonl'/);
    const emptyFolder = run(folder, 'lint', 'nothing here');
    assert.equal(emptyFolder.status, 2);
    assert.match(emptyFolder.stderr, /No dataset files \(\.jsonl, \.ndjson, \.json\) in 'nothing here'/);
    if (process.platform !== 'win32') {
      // A named pipe is no folder: said so (and not read, which would wait for a writer).
      execFileSync('mkfifo', [path.join(folder, 'pipe.jsonl')]);
      const pipe = run(folder, 'lint', 'pipe.jsonl');
      assert.equal(pipe.status, 2);
      assert.match(pipe.stderr, /'pipe\.jsonl' is not a regular file \(a FIFO, socket or device\): name a dataset file\./);
      rmSync(path.join(folder, 'pipe.jsonl'));
    }
    const badFormat = run(folder, 'stats', '--format', 'xml', 'clean.jsonl');
    assert.equal(badFormat.status, 2);
    assert.match(badFormat.stderr, /--format must be text or json \(got 'xml'\)/);
    const nothing = run(path.join(folder, 'nothing here'), 'lint');
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /no dataset files to lint/);
    assert.equal(run(folder, 'stats', 'clean.jsonl', 'missing.jsonl').status, 2);
  });

  it('says so when a JSON file named on the command line is not a dataset, and exits 2 when nothing is left', () => {
    writeFileSync(path.join(folder, 'settings.json'), '{"editor.fontSize": 14}');
    const result = run(folder, 'lint', 'settings.json');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /settings\.json is not a dataset \(a JSON dataset is an array of records/);
    const beside = run(folder, 'lint', 'settings.json', 'clean.jsonl');
    assert.equal(beside.status, 0, beside.stderr);
  });

  it('exits 2, naming the place, when the config file is not valid JSON', () => {
    const sub = path.join(folder, 'badconfig');
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'a.jsonl'), many('Cfg').join('\n') + '\n');
    writeFileSync(path.join(sub, 'tunesmith.json'), '{\n  "rules": {"too-long": "off"}\n  "maxTokens": 10\n}\n');
    const result = run(sub, 'lint', 'a.jsonl');
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /tunesmith\.json:3:3: not valid JSON: /);
  });

  it('prints 1-based UTF-16 columns with an exclusive end, as ESLint does', () => {
    const result = run(folder, 'lint', '--format', 'json', 'emoji.jsonl');
    const items = JSON.parse(result.stdout) as { line: number; column: number; endLine: number; endColumn: number; rule: string }[];
    const whitespace = items.find((item) => item.rule === 'whitespace');
    const line = chat('😀 Smile 😀 please', 'Here 😀 ');
    // The trailing space after "Here 😀" (each emoji is two UTF-16 code units).
    const space = line.indexOf('Here 😀 ') + 'Here 😀'.length;
    assert.deepEqual(whitespace && { line: whitespace.line, column: whitespace.column, endLine: whitespace.endLine, endColumn: whitespace.endColumn }, { line: 2, column: space + 1, endLine: 2, endColumn: space + 2 });
  });

  it('writes SARIF that code scanning accepts: no placeholder URLs, encoded relative URIs, file: URIs outside the root, rule help', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'tunesmith-outside-'));
    try {
      writeFileSync(path.join(outside, 'far.jsonl'), [...many('Far'), chat('Trailing', 'space ')].join('\n') + '\n');
      const result = run(folder, 'lint', '--format', 'sarif', path.join('odd name#1', 'data%.jsonl'), path.join(outside, 'far.jsonl'));
      assert.doesNotMatch(result.stdout, /example\.invalid/);
      const sarif = JSON.parse(result.stdout) as SarifLog;
      assert.equal(sarif.version, '2.1.0');
      const run0 = sarif.runs[0];
      assert.ok(run0);
      assert.equal(run0.tool.driver.informationUri, undefined, 'package.json has no homepage: none is made up');
      assert.deepEqual(run0.originalUriBaseIds, { '%SRCROOT%': { uri: pathToFileURL(folder).href + '/' } });
      const uris = new Set(run0.results.map((entry) => JSON.stringify(entry.locations[0]?.physicalLocation.artifactLocation)));
      assert.deepEqual([...uris].sort(), [JSON.stringify({ uri: 'odd%20name%231/data%25.jsonl', uriBaseId: '%SRCROOT%' }), JSON.stringify({ uri: pathToFileURL(path.join(outside, 'far.jsonl')).href })].sort());
      for (const rule of run0.tool.driver.rules) {
        // No link to the page installed with tunesmith: code scanning shows it on another machine (help.markdown is the page).
        assert.equal(rule.helpUri, undefined);
        assert.match(rule.help.markdown ?? '', new RegExp(`^# ${rule.id}`), `${rule.id} has its docs page as help`);
        assert.doesNotMatch(rule.help.markdown ?? '', /\]\((?!https?:|#)/, `${rule.id}: no link relative to tunesmith's docs folder (it would resolve in the user's repository)`);
      }
      for (const entry of run0.results) {
        assert.ok(entry.message.text.length > 0);
        const region = entry.locations[0]?.physicalLocation.region;
        assert.ok(region !== undefined && region.startLine >= 1 && region.startColumn >= 1 && region.endColumn >= 1);
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('writes SARIF paths from the repository root when run in a subfolder (code scanning reads them from the root)', () => {
    const repository = mkdtempSync(path.join(tmpdir(), 'tunesmith-repo-'));
    try {
      mkdirSync(path.join(repository, '.git'));
      mkdirSync(path.join(repository, 'data', 'sets'), { recursive: true });
      writeFileSync(path.join(repository, 'data', 'sets', 'train.jsonl'), [...many('Repo'), chat('Trailing', 'space ')].join('\n') + '\n');
      const result = run(path.join(repository, 'data'), 'lint', '--format', 'sarif', '.');
      const run0 = (JSON.parse(result.stdout) as SarifLog).runs[0];
      assert.ok(run0);
      assert.deepEqual(run0.originalUriBaseIds, { '%SRCROOT%': { uri: pathToFileURL(repository).href + '/' } });
      assert.deepEqual([...new Set(run0.results.map((entry) => JSON.stringify(entry.locations[0]?.physicalLocation.artifactLocation)))], [JSON.stringify({ uri: 'data/sets/train.jsonl', uriBaseId: '%SRCROOT%' })]);
    } finally {
      rmSync(repository, { recursive: true, force: true });
    }
  });

  it('says so, without a stack trace, when the output cannot be written', { skip: existsSync('/dev/full') ? false : 'needs /dev/full' }, () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, [cli, 'lint', '--format', 'json', 'emoji.jsonl'], { cwd: folder, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^tunesmith: cannot write the output \(ENOSPC/);
      assert.doesNotMatch(result.stderr, /at .*\.js:\d+/);
    } finally {
      closeSync(full);
    }
  });

  it('refuses a UTF-16 file with a message that says how to fix it', () => {
    const result = run(folder, 'lint', '--format', 'json', 'utf16.jsonl');
    assert.equal(result.status, 1);
    const items = JSON.parse(result.stdout) as { rule: string; message: string }[];
    assert.deepEqual(items.map((item) => item.rule), ['unreadable-file']);
    assert.match(items[0]?.message ?? '', /UTF-16 LE .*Save it as UTF-8/);
  });
});
