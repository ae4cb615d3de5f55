/** The real language server over the real protocol: pull diagnostics, exact ranges, edits, statistics. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { serverBundle, startServer, type TestServer } from './lspClient';

interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  source: string;
  message: string;
  codeDescription?: { href: string };
}

describe('language server over LSP', { skip: existsSync(serverBundle) ? false : 'run `npm run build` first' }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
  });

  const pull = async (uri: string): Promise<Diagnostic[]> => {
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; items: Diagnostic[] };
    assert.equal(report.kind, 'full');
    return report.items;
  };

  it('reports invalid JSON at the exact token, then clears it after an edit', async () => {
    const uri = 'file:///tmp/tunesmith-protocol/broken.jsonl';
    const good = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}';
    const broken = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant" "content": "Hello!"}]}';
    const text = [good, broken, good.replace('Hi', 'Hey')].join('\n');
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text } });
    const items = await pull(uri);
    const invalid = items.filter((item) => item.code === 'invalid-json');
    assert.equal(invalid.length, 1, JSON.stringify(items));
    const column = broken.indexOf('"content": "Hello');
    assert.deepEqual(invalid[0]?.range, { start: { line: 1, character: column }, end: { line: 1, character: column + '"content"'.length } });
    assert.equal(invalid[0]?.severity, 1);
    assert.equal(invalid[0]?.source, 'tunesmith');
    assert.match(invalid[0]?.message ?? '', /expected ',' or '}'/);
    const href = invalid[0]?.codeDescription?.href ?? '';
    assert.match(href, /^file:.*\/docs\/rules\/invalid-json\.md$/);
    assert.ok(existsSync(fileURLToPath(href)), `docs page ${href} exists`);

    // Insert the missing comma: the line parses and the diagnostic goes away.
    const commaAt = broken.indexOf('"assistant"') + '"assistant"'.length;
    server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 1, character: commaAt }, end: { line: 1, character: commaAt } }, text: ',' }],
    });
    const after = await pull(uri);
    assert.deepEqual(after.filter((item) => item.code === 'invalid-json'), []);
  });

  it('answers "unchanged" when the client already holds the current diagnostics, and the full list when they change', async () => {
    const uri = 'file:///tmp/tunesmith-protocol/result-ids.jsonl';
    const record = (question: string, answer: string): string => JSON.stringify({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] });
    // The copy on the last line gets duplicate-record, a file-level finding whose fix data is built on every lint.
    const lines = [record('Name a colour', 'Blue. '), record('Name a fruit', 'Apple'), record('Name a tree', 'Oak'), record('Name a fruit', 'Apple')];
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: lines.join('\n') } });
    type Report = { kind: string; resultId?: string; items?: Diagnostic[] };
    const request = (previousResultId?: string): Promise<Report> => server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId }) as Promise<Report>;
    const first = await request();
    assert.equal(first.kind, 'full');
    assert.ok(first.resultId !== undefined && first.resultId.length > 0);
    const whitespace = (report: Report): Diagnostic[] => (report.items ?? []).filter((item) => item.code === 'whitespace');
    assert.deepEqual(whitespace(first).map((item) => item.range.start.line), [0]);
    assert.deepEqual(first.items?.filter((item) => item.code === 'duplicate-record').map((item) => item.range.start.line), [3]);
    const edit = async (line: number, text: string, version: number): Promise<void> => {
      server.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: (lines[line] ?? '').length } }, text }],
      });
      lines[line] = text;
    };
    // An edit that leaves the diagnostics as they were: the client keeps its list.
    await edit(2, record('Name a tree', 'Birch'), 2);
    const same = await request(first.resultId);
    assert.deepEqual(same, { kind: 'unchanged', resultId: first.resultId });
    // A client without the previous id (or with a stale one) still gets the whole list.
    const fresh = await request('stale');
    assert.equal(fresh.kind, 'full');
    assert.deepEqual(fresh.items, first.items);
    // An edit that changes them: a new id and the new list.
    await edit(1, record('Name a fruit', ' Apple'), 3);
    const changed = await request(first.resultId);
    assert.equal(changed.kind, 'full');
    assert.notEqual(changed.resultId, first.resultId);
    assert.deepEqual(whitespace(changed).map((item) => item.range.start.line), [0, 1]);
    // Inserting a line above moves the ranges: that is a change too.
    server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }] });
    const moved = await request(changed.resultId);
    assert.equal(moved.kind, 'full');
    assert.deepEqual(whitespace(moved).map((item) => item.range.start.line), [1, 2]);
  });

  it('answers the dataset statistics request', async () => {
    const uri = 'file:///tmp/tunesmith-protocol/stats.jsonl';
    const lines = ['{"instruction": "Add 2 and 2", "input": "", "output": "4"}', '{"instruction": "Name a colour", "input": "", "output": "Blue"}', '{"instruction": "Add 2 and 2", "input": "", "output": "4"}'];
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: lines.join('\r\n') + '\r\n' } });
    const statistics = (await server.connection.sendRequest('tunesmith/datasetStatistics', { uri })) as { records: number; format: string; duplicates: number; turns: number; roles: Record<string, number>; tokens: { estimated: boolean; max: number } };
    assert.equal(statistics.records, 3);
    assert.equal(statistics.format, 'alpaca');
    assert.equal(statistics.duplicates, 1);
    assert.equal(statistics.turns, 6);
    assert.deepEqual(statistics.roles, { user: 3, assistant: 3 });
    assert.equal(statistics.tokens.estimated, true);
    assert.ok(statistics.tokens.max > 0);
  });

  it('re-lints with new settings after a configuration change', async () => {
    const uri = 'file:///tmp/tunesmith-protocol/settings.jsonl';
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: '{"text": "only one example"}\n' } });
    const before = await pull(uri);
    assert.equal(before.filter((item) => item.code === 'too-few-examples').length, 1);
    const refreshes = server.refreshRequests;
    server.settings = { rules: { 'too-few-examples': 'off' } };
    server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    for (let attempt = 0; attempt < 50 && server.refreshRequests === refreshes; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(server.refreshRequests > refreshes, 'the server asked the client to re-pull diagnostics');
    const afterChange = await pull(uri);
    assert.deepEqual(afterChange.filter((item) => item.code === 'too-few-examples'), []);
  });

  it('shows the problems of a tunesmith.json once, with where they are, and still lints with the rest of it', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-config-'));
    const configured = await startServer(folder);
    try {
      writeFileSync(path.join(folder, 'tunesmith.json'), '{\n  "rules": {"near-duplicate": "warnin", "secret-pii": "off"},\n  "model": "no-such-model",\n  "minExamples": 0\n}\n');
      const record = '{"messages": [{"role": "user", "content": "Name a colour"}, {"role": "assistant", "content": "Blue. "}]}';
      const uri = pathToFileURL(path.join(folder, 'train.jsonl')).href;
      configured.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: `${record}\n` } });
      const report = (await configured.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
      // minExamples 0 from the file applies although other entries are wrong.
      assert.deepEqual(report.items.map((item) => item.code), ['whitespace']);
      await configured.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
      const config = path.join(folder, 'tunesmith.json');
      const shown = configured.shownMessages;
      assert.equal(shown.length, 3, shown.join('\n'));
      assert.ok(shown.some((message) => message.startsWith(`Tunesmith: ${config}:2:31: rules.near-duplicate:`) && message.includes('did you mean "warning"')), shown.join('\n'));
      assert.ok(shown.some((message) => message.includes(`${config}:2:`) && message.includes('secret-pii') && message.includes('secrets-pii')), shown.join('\n'));
      assert.ok(shown.some((message) => message.startsWith(`Tunesmith: ${config}:3:12: model: cannot load a tokenizer from ${path.join(folder, 'no-such-model')}`)), shown.join('\n'));
    } finally {
      await configured.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('finds train/eval leakage against an unopened file beside the open one, and follows it on disk', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-leak-'));
    try {
      const shared = '{"messages": [{"role": "user", "content": "What is the boiling point of water at sea level?"}, {"role": "assistant", "content": "100 degrees Celsius."}]}';
      const own = '{"messages": [{"role": "user", "content": "Name a prime number."}, {"role": "assistant", "content": "Seven."}]}';
      writeFileSync(path.join(folder, 'eval.jsonl'), `${shared}\n`);
      writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'not-a-dataset' }));
      const uri = pathToFileURL(path.join(folder, 'train.jsonl')).href;
      const refreshes = server.refreshRequests;
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: `${own}\n${shared}\n` } });
      // The folder is read in the background; the server asks for a re-pull once eval.jsonl counts.
      for (let attempt = 0; attempt < 100 && server.refreshRequests === refreshes; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(server.refreshRequests > refreshes, 'the server asked for fresh diagnostics after reading the folder');
      const leaks = (await pull(uri)).filter((item) => item.code === 'cross-file-duplicate');
      assert.equal(leaks.length, 1, JSON.stringify(leaks));
      assert.equal(leaks[0]?.range.start.line, 1);
      assert.match(leaks[0]?.message ?? '', /eval\.jsonl \(line 1\)/);

      // eval.jsonl is deleted on disk: the leak goes away.
      unlinkSync(path.join(folder, 'eval.jsonl'));
      const beforeDelete = server.refreshRequests;
      server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(folder, 'eval.jsonl')).href, type: 3 }] });
      for (let attempt = 0; attempt < 100 && server.refreshRequests === beforeDelete; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual((await pull(uri)).filter((item) => item.code === 'cross-file-duplicate'), []);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('forgets the disk files of a folder whose open files close together ("Close All"), also one still being read', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-close-all-'));
    try {
      const shared = '{"messages": [{"role": "user", "content": "What is the capital of France?"}, {"role": "assistant", "content": "Paris."}]}';
      const chat = (user: string, answer: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: answer }] });
      mkdirSync(path.join(folder, 'data'));
      mkdirSync(path.join(folder, 'other'));
      // Enough records that reading train.jsonl back takes a while.
      const many = Array.from({ length: 20_000 }, (_, index) => chat(`Question ${index} about spiders?`, `Answer ${index}.`)).join('\n');
      const files = { train: `${shared}\n${many}\n`, eval: `${chat('Why is the sky blue?', 'Scattering.')}\n` };
      const uriOf = (name: string): string => pathToFileURL(path.join(folder, 'data', `${name}.jsonl`)).href;
      for (const [name, text] of Object.entries(files)) {
        writeFileSync(path.join(folder, 'data', `${name}.jsonl`), text);
        server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(name), languageId: 'jsonl', version: 1, text } });
      }
      for (const name of Object.keys(files)) await pull(uriOf(name));
      // Closing train.jsonl starts reading it back from disk for eval.jsonl; eval.jsonl closes while that read runs.
      server.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf('train') } });
      await new Promise((resolve) => setTimeout(resolve, 10));
      server.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf('eval') } });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const test = pathToFileURL(path.join(folder, 'other', 'test.jsonl')).href;
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: test, languageId: 'jsonl', version: 1, text: `${shared}\n${chat('Name a river.', 'Nile.')}\n` } });
      assert.deepEqual((await pull(test)).filter((item) => item.code === 'cross-file-duplicate'), []);
      server.connection.sendNotification('textDocument/didClose', { textDocument: { uri: test } });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('lints a file from disk that the editor cannot share, and answers its statistics', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-disk-'));
    try {
      const file = path.join(folder, 'big.jsonl');
      const good = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}';
      const misspelt = '{"messages": [{"role": "usr", "content": "Hey"}, {"role": "assistant", "content": "Hello!"}]}';
      writeFileSync(file, `${good}\n${misspelt}\n`);
      const column = misspelt.indexOf('"usr"');
      const uri = pathToFileURL(file).href;
      const result = (await server.connection.sendRequest('tunesmith/lintFromDisk', { uri })) as { diagnostics: Diagnostic[]; statistics: { records: number; format: string } | null };
      const role = result.diagnostics.find((item) => item.code === 'unknown-role');
      assert.deepEqual(role?.range, { start: { line: 1, character: column }, end: { line: 1, character: column + 5 } });
      assert.equal(role?.source, 'tunesmith');
      assert.equal(result.statistics?.records, 2);
      assert.equal(result.statistics?.format, 'openai-chat');
      // Not kept open: a pull for it afterwards finds no document.
      assert.deepEqual(await pull(uri), []);
      await assert.rejects(server.connection.sendRequest('tunesmith/lintFromDisk', { uri: 'untitled:Untitled-1' }), /reads only files on disk/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
