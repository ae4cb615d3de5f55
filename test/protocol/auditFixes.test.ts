/**
 * Fixes from a protocol audit, over the real server: disk files of a folder stop counting once its
 * last document closes, a setting changed while workspace/configuration is answered is not lost,
 * misspelt rule ids in the editor settings are reported, and the `files` globs are applied by the
 * server itself.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { serverBundle, startServer, type TestServer } from './lspClient';

interface Diagnostic {
  severity: number;
  code: string;
  message: string;
}

const skip = existsSync(serverBundle) ? false : 'run `npm run build` first';

function chat(user: string, assistant: string): string {
  return JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
}

/** Distinct, clean chat records (one per line). */
function records(count: number, seed: string): string[] {
  return Array.from({ length: count }, (_, index) => chat(`Question ${seed} ${index}: what is ${index * 7 + 3} plus ${index + 11}?`, `It is ${index * 8 + 14}, adding the two numbers.`));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function open(server: TestServer, uri: string, text: string, languageId = 'jsonl'): void {
  server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
}

function close(server: TestServer, uri: string): void {
  server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
}

async function pull(server: TestServer, uri: string): Promise<Diagnostic[]> {
  const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; items: Diagnostic[] };
  assert.equal(report.kind, 'full');
  return report.items;
}

/** Pulls until `accept` takes the diagnostics (the server reads disk files asynchronously); returns the last ones. */
async function pullUntil(server: TestServer, uri: string, accept: (items: Diagnostic[]) => boolean, timeoutMs = 5000): Promise<Diagnostic[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await pull(server, uri);
    if (accept(items) || Date.now() > deadline) return items;
    await sleep(50);
  }
}

const leaks = (items: Diagnostic[]): Diagnostic[] => items.filter((item) => item.code === 'cross-file-duplicate');

/** A temporary workspace folder with a server on it; removed afterwards. */
async function withWorkspace(run: (folder: string, server: TestServer) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-audit-'));
  const server = await startServer(folder);
  try {
    await run(folder, server);
  } finally {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

function writeFile(folder: string, relative: string, text: string): string {
  const file = path.join(folder, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return pathToFileURL(file).href;
}

describe('audit fixes over LSP', { skip }, () => {
  it('drops a folder\'s disk files once its last open document closes (no leakage into other folders)', async () => {
    await withWorkspace(async (folder, server) => {
      const text = `${records(12, 'a').join('\n')}\n`;
      const data = writeFile(folder, 'A/data.jsonl', text);
      const evaluation = writeFile(folder, 'A/eval.jsonl', text);
      open(server, data, text);
      open(server, evaluation, text);
      await pull(server, data); // an open document counts for the others once linted
      assert.equal(leaks(await pullUntil(server, evaluation, (items) => leaks(items).length === 12)).length, 12, 'both open: eval.jsonl leaks into data.jsonl');
      // eval.jsonl stays open: the closed data.jsonl is read back from disk and still counts for it.
      close(server, data);
      await sleep(300);
      const stillOpen = await pull(server, evaluation);
      assert.equal(leaks(stillOpen).length, 12, JSON.stringify(stillOpen.map((item) => item.message).slice(0, 2)));
      assert.match(leaks(stillOpen)[0]?.message ?? '', /data\.jsonl/);
      // The folder's last document closes: its files no longer count for files elsewhere.
      close(server, evaluation);
      await sleep(300);
      const other = pathToFileURL(path.join(folder, 'B', 'other.jsonl')).href;
      open(server, other, text);
      await sleep(300);
      const items = await pull(server, other);
      assert.deepEqual(leaks(items).map((item) => item.message), [], 'before: 12 warnings naming data.jsonl, read back when it closed');
      close(server, other);
      // Opening a document in A again reads its files again.
      open(server, data, text);
      assert.equal(leaks(await pullUntil(server, data, (found) => leaks(found).length === 12)).length, 12, 'eval.jsonl on disk counts again');
    });
  });

  it('uses a setting changed while the server waited for workspace/configuration', async () => {
    await withWorkspace(async (folder, server) => {
      // The client answers 300 ms late (VS Code busy), with the settings of the moment the request came.
      server.connection.onRequest('workspace/configuration', async (params: { items: unknown[] }) => {
        const settings = server.settings;
        await sleep(300);
        return params.items.map(() => settings);
      });
      const lines = records(12, 'b');
      lines[4] = chat('Name a colour', 'Blue.  ');
      const uri = pathToFileURL(path.join(folder, 'data.jsonl')).href;
      open(server, uri, `${lines.join('\n')}\n`);
      const first = pull(server, uri);
      await sleep(100); // the server asked for the settings; the old answer is on its way
      server.settings = { rules: { whitespace: 'error' } };
      server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await first;
      for (const attempt of ['next pull', 'the pull after']) {
        const whitespace = (await pull(server, uri)).filter((item) => item.code === 'whitespace');
        assert.deepEqual(whitespace.map((item) => item.severity), [1], `${attempt}: before, the stale answer was kept until the next change`);
      }
    });
  });

  it('warns about a misspelt rule id in the editor settings, as in tunesmith.json', async () => {
    await withWorkspace(async (folder, server) => {
      server.settings = { rules: { 'secret-pii': 'off' } };
      const uri = pathToFileURL(path.join(folder, 'data.jsonl')).href;
      open(server, uri, `${records(3, 'c').join('\n')}\n`);
      await pull(server, uri);
      const deadline = Date.now() + 3000;
      while (!server.shownMessages.some((message) => message.includes('secret-pii')) && Date.now() < deadline) await sleep(20);
      const warning = server.shownMessages.find((message) => message.includes('secret-pii'));
      assert.ok(warning !== undefined, `no warning: ${JSON.stringify(server.shownMessages)}`);
      assert.match(warning, /no rule has this id/);
      assert.match(warning, /"secrets-pii"/);
    });
  });

  it('applies the files globs to JSON documents itself (clients without the VS Code middleware)', async () => {
    await withWorkspace(async (folder, server) => {
      const lines = records(12, 'd');
      lines[2] = chat('Name a colour', 'Blue. ');
      const array = `[\n${lines.join(',\n')}\n]\n`;
      const json = pathToFileURL(path.join(folder, 'data', 'arr.json')).href;
      const jsonl = pathToFileURL(path.join(folder, 'data', 'lines.jsonl')).href;
      const outside = pathToFileURL(path.join(os.tmpdir(), `tunesmith-audit-outside-${process.pid}`, 'arr.json')).href;
      open(server, json, array, 'json');
      open(server, jsonl, `${lines.join('\n')}\n`);
      open(server, outside, array, 'json');
      const whitespace = (items: Diagnostic[]): number => items.filter((item) => item.code === 'whitespace').length;
      assert.equal(whitespace(await pull(server, json)), 1, 'the default globs take the JSON array');
      server.settings = { files: ['other/**/*.json'] };
      server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.deepEqual(await pull(server, json), [], 'outside the globs (relative to the workspace folder): not a dataset');
      assert.equal(await server.connection.sendRequest('tunesmith/datasetStatistics', { uri: json }), null);
      // Its records no longer count for the others' leakage either.
      assert.deepEqual(leaks(await pull(server, jsonl)), []);
      assert.equal(whitespace(await pull(server, jsonl)), 1, 'JSON Lines files are always linted');
      // Outside any workspace folder the whole path is matched, as the VS Code client does.
      assert.deepEqual(await pull(server, outside), []);
      server.settings = { files: ['data/*.json'] };
      server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.equal(whitespace(await pull(server, json)), 1, 'matched again: linted again');
      server.settings = {};
      server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.equal(whitespace(await pull(server, outside)), 1, 'the default globs take a JSON file outside the workspace folder too');
    });
  });
});

describe('settings changed during a large first lint (over LSP)', { skip }, () => {
  it('lints with the new settings, not the defaults seen while they were read again', async () => {
    await withWorkspace(async (folder, server) => {
      // Answers come at once until the change, then 1 s late: the first lint ends while the new settings are read.
      let delay = 0;
      let answered = 0;
      server.connection.onRequest('workspace/configuration', async (params: { items: unknown[] }) => {
        const settings = server.settings;
        if (delay > 0) await sleep(delay);
        answered++;
        return params.items.map(() => settings);
      });
      const lines = records(20000, 'e');
      for (let index = 0; index < lines.length; index += 2000) lines[index] = chat(`Name colour ${index}`, 'Blue.  ');
      const uri = pathToFileURL(path.join(folder, 'big.jsonl')).href;
      open(server, uri, `${lines.join('\n')}\n`);
      const started = Date.now();
      const first = pull(server, uri);
      while (answered === 0) await sleep(1);
      await sleep(20); // its records are being checked in slices
      delay = 1000;
      server.settings = { rules: { whitespace: 'error' } };
      server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      const second = await pull(server, uri);
      const firstItems = await first;
      const whitespace = second.filter((item) => item.code === 'whitespace');
      assert.equal(whitespace.length, 10);
      assert.deepEqual([...new Set(whitespace.map((item) => item.severity))], [1], `before: the first lint's default settings were kept (${Date.now() - started} ms, first pull ${firstItems.length} items)`);
    });
  });
});

describe('a folder of large dataset shards beside a small open file (over LSP)', { skip }, () => {
  it('reads at most 128 MB of sibling files in all, in name order (a folder of shards must not cost gigabytes)', async () => {
    await withWorkspace(async (folder, server) => {
      const first = records(12, 'shard-a');
      const third = records(12, 'shard-c');
      // 50 MB each: a dozen records, then a line of spaces (blank: no record), so each costs its size to read but little else.
      const shard = (lines: string[]): string => `${lines.join('\n')}\n${' '.repeat(50 * 1024 * 1024)}\n`;
      writeFile(folder, 'train-00000-of-00003.jsonl', shard(first));
      writeFile(folder, 'train-00001-of-00003.jsonl', shard(records(12, 'shard-b')));
      writeFile(folder, 'train-00002-of-00003.jsonl', shard(third));
      // The open file repeats records of the first shard and of the third, which is past the budget.
      const text = `${[...first, ...third].join('\n')}\n`;
      const uri = writeFile(folder, 'sample.jsonl', text);
      open(server, uri, text);
      const found = await pullUntil(server, uri, (items) => leaks(items).length >= 12, 30_000);
      assert.equal(leaks(found).length, 12, 'the first shard is read');
      assert.ok(leaks(found).every((item) => /train-00000-of-00003\.jsonl/.test(item.message)));
      // The second shard is read next; the third would take the folder over 128 MB, so it is left out.
      await sleep(3000);
      const later = leaks(await pull(server, uri));
      assert.deepEqual(later.filter((item) => /train-00002/.test(item.message)).map((item) => item.message), [], 'before: every shard was read (4 GB for 31 shards of 60 MB)');
    });
  });
});

describe('a sibling shard of many small records (over LSP)', { skip }, () => {
  it('is not read when its records would take the folder over about 300k (memory goes with records)', async () => {
    await withWorkspace(async (folder, server) => {
      const shared = records(12, 'tiny');
      // 25 MB of 80-byte records, the repeated ones last: about 320k records, under the byte limits.
      const tiny = Array.from({ length: 320_000 }, (_, index) => `{"messages":[{"role":"user","content":"q${index}"},{"role":"assistant","content":"a${index}"}]}`);
      // Siblings are read in name order: once the small one (after it) counts, the shard was read or skipped.
      writeFile(folder, 'a-tiny-records.jsonl', `${[...tiny, ...shared.slice(6)].join('\n')}\n`);
      writeFile(folder, 'b-small.jsonl', `${shared.slice(0, 6).join('\n')}\n`);
      const text = `${shared.join('\n')}\n`;
      const uri = writeFile(folder, 'sample.jsonl', text);
      open(server, uri, text);
      const found = leaks(await pullUntil(server, uri, (items) => leaks(items).some((item) => /b-small/.test(item.message)), 60_000));
      assert.equal(found.filter((item) => /b-small/.test(item.message)).length, 6, 'the small sibling is read');
      assert.deepEqual(found.filter((item) => /a-tiny-records/.test(item.message)).map((item) => item.message), [], 'the shard of 320k records is not');
    });
  });
});

describe('tunesmith.maxFileSize from the client settings (over LSP)', { skip }, () => {
  it('refuses a file over it on its first open, not only after it is reopened', async () => {
    await withWorkspace(async (folder, server) => {
      server.settings = { maxFileSize: 100_000 };
      const text = `${records(2000, 'f').join('\n')}\n`;
      assert.ok(text.length > 100_000);
      const uri = pathToFileURL(path.join(folder, 'big.jsonl')).href;
      open(server, uri, text);
      const items = await pull(server, uri);
      assert.deepEqual(items.map((item) => item.code), ['unreadable-file'], 'before: linted whole with the default limit seen when it opened');
      assert.match(items[0]?.message ?? '', /more than tunesmith\.maxFileSize \(100000\)/);
    });
  });
});

describe('one file open under two URIs (over LSP)', { skip }, () => {
  it('is not reported as leaking into itself (a symbolic link to its folder, a percent-encoded path)', async () => {
    await withWorkspace(async (folder, server) => {
      const text = `${records(12, 'g').join('\n')}\n`;
      const real = writeFile(folder, 'real/train.jsonl', text);
      symlinkSync(path.join(folder, 'real'), path.join(folder, 'linked'), 'dir');
      const linked = pathToFileURL(path.join(folder, 'linked', 'train.jsonl')).href;
      const encoded = real.replace(/train\.jsonl$/, 'tr%61in.jsonl');
      for (const uri of [real, linked, encoded]) open(server, uri, text);
      await sleep(500);
      for (const uri of [real, linked, encoded]) assert.deepEqual(leaks(await pull(server, uri)).map((item) => item.message), [], `${uri}: before, 12 warnings "The same example is in ../real/train.jsonl"`);
      // A real copy elsewhere still leaks.
      const copy = writeFile(folder, 'other/train.jsonl', text);
      open(server, copy, text);
      assert.equal(leaks(await pullUntil(server, copy, (items) => leaks(items).length === 12)).length, 12);
    });
  });
});
