/**
 * Large files the server reads from disk (tunesmith/lintFromDisk for files VS Code does not sync, and
 * a large eval.jsonl beside an open train.jsonl) are read and checked in slices: requests about the
 * other documents are answered meanwhile instead of waiting seconds behind them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { serverBundle, startServer, type TestServer } from './lspClient';

const chat = (question: string, answer: string): string => JSON.stringify({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] });
const words = ['river', 'stone', 'copper', 'lantern', 'meadow', 'violin', 'harbor', 'saffron', 'glacier', 'orchid', 'falcon', 'velvet', 'canyon', 'ember', 'quartz', 'willow'];

/** About `megabytes` of distinct chat records. */
function writeLargeJsonl(file: string, megabytes: number): void {
  const descriptor = openSync(file, 'w');
  let written = 0;
  for (let index = 0; written < megabytes * 1024 * 1024; ) {
    const lines: string[] = [];
    for (let count = 0; count < 1000; count++, index++) {
      const pick = (offset: number): string => words[(index * (offset + 3) + offset + Math.floor(index / 7)) % words.length] ?? 'x';
      lines.push(chat(`Question ${index}: how does the ${pick(1)} relate to the ${pick(2)} and the ${pick(3)}?`, `Answer ${index}: the ${pick(4)} ${pick(5)} ${pick(6)}, ${'detail '.repeat(12)}`));
    }
    const text = `${lines.join('\n')}\n`;
    writeSync(descriptor, text);
    written += text.length;
  }
  closeSync(descriptor);
}

/** Hovers on `uri` every 10 ms while `work` runs: how long `work` took and the longest a hover waited. */
async function hoverWaitsDuring<T>(server: TestServer, uri: string, work: () => Promise<T>): Promise<{ workMs: number; longestWaitMs: number; hovers: number; result: T }> {
  let done = false;
  let longestWaitMs = 0;
  let hovers = 0;
  const polling = (async () => {
    while (!done) {
      const sent = Date.now();
      await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
      longestWaitMs = Math.max(longestWaitMs, Date.now() - sent);
      hovers++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const started = Date.now();
  const result = await work();
  const workMs = Date.now() - started;
  done = true;
  await polling;
  return { workMs, longestWaitMs, hovers, result };
}

describe('large files read from disk do not hold up other requests', { skip: existsSync(serverBundle) ? false : 'run `npm run build` first' }, () => {
  it('answers hovers on an open document while tunesmith/lintFromDisk reads and lints a 40 MB file', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-large-'));
    const server = await startServer(folder);
    try {
      mkdirSync(path.join(folder, 'large'));
      const large = path.join(folder, 'large', 'large.jsonl');
      writeLargeJsonl(large, 40);
      const small = pathToFileURL(path.join(folder, 'small.jsonl')).href;
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'jsonl', version: 1, text: `${chat('Name a colour', 'Blue.')}\n` } });
      await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: small } });
      const { workMs, longestWaitMs, hovers, result } = await hoverWaitsDuring(server, small, () => server.connection.sendRequest('tunesmith/lintFromDisk', { uri: pathToFileURL(large).href }) as Promise<{ statistics: { records: number } | null }>);
      assert.ok((result.statistics?.records ?? 0) > 50000, 'the large file was linted');
      // Before: every hover waited for the whole read and lint (the longest wait was nearly all of it).
      assert.ok(longestWaitMs < workMs * 0.4, `a hover waited ${longestWaitMs} ms of the ${workMs} ms the large file took (${hovers} hovers)`);
    } finally {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers hovers on an open document while tunesmith/lintFromDisk reads a 30 MB JSON array', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-large-'));
    const server = await startServer(folder);
    try {
      mkdirSync(path.join(folder, 'large'));
      // Written outside the workspace: beside small.jsonl it would be read for leakage meanwhile.
      const lines = path.join(os.tmpdir(), `tunesmith-lines-${process.pid}.jsonl`);
      writeLargeJsonl(lines, 30);
      const large = path.join(folder, 'large', 'large.json');
      const array = `[\n${readFileSync(lines, 'utf8').trimEnd().split('\n').join(',\n')}\n]\n`;
      writeFileSync(large, array);
      rmSync(lines);
      const small = pathToFileURL(path.join(folder, 'small.jsonl')).href;
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'jsonl', version: 1, text: `${chat('Name a colour', 'Blue.')}\n` } });
      await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: small } });
      const { workMs, longestWaitMs, hovers, result } = await hoverWaitsDuring(server, small, () => server.connection.sendRequest('tunesmith/lintFromDisk', { uri: pathToFileURL(large).href }) as Promise<{ statistics: { records: number } | null }>);
      assert.ok((result.statistics?.records ?? 0) > 40000, 'the large file was linted');
      assert.ok(longestWaitMs < workMs * 0.4, `a hover waited ${longestWaitMs} ms of the ${workMs} ms the large file took (${hovers} hovers)`);
    } finally {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers hovers on a small document while the first lint of a large open document runs', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-large-'));
    const server = await startServer(folder);
    try {
      // Written outside the workspace: beside the open files it would be read for leakage meanwhile.
      const lines = path.join(os.tmpdir(), `tunesmith-lines-${process.pid}.jsonl`);
      writeLargeJsonl(lines, 20);
      const small = pathToFileURL(path.join(folder, 'small.jsonl')).href;
      const large = pathToFileURL(path.join(folder, 'large.jsonl')).href;
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'jsonl', version: 1, text: `${chat('Name a colour', 'Blue.')}\n` } });
      await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: small } });
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: large, languageId: 'jsonl', version: 1, text: readFileSync(lines, 'utf8') } });
      rmSync(lines);
      const { workMs, longestWaitMs, hovers, result } = await hoverWaitsDuring(server, small, () => server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: large } }) as Promise<{ items: unknown[] }>);
      assert.ok(result.items.length > 0, 'the large document was linted');
      // Before: the first pull checked every record at once, and a hover waited for all of it.
      assert.ok(longestWaitMs < workMs * 0.4, `a hover waited ${longestWaitMs} ms of the ${workMs} ms the first lint took (${hovers} hovers)`);
    } finally {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('shows the hover and the outline of a large open document before its first lint ends', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-large-'));
    const server = await startServer(folder);
    try {
      const lines = path.join(os.tmpdir(), `tunesmith-lines-${process.pid}.jsonl`);
      writeLargeJsonl(lines, 20);
      const large = pathToFileURL(path.join(folder, 'large.jsonl')).href;
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: large, languageId: 'jsonl', version: 1, text: readFileSync(lines, 'utf8') } });
      rmSync(lines);
      const answered: string[] = [];
      const ask = async <T>(name: string, request: Promise<T>): Promise<T> => {
        const result = await request;
        answered.push(name);
        return result;
      };
      // VS Code asks for all of these as it opens the file; the pull comes first.
      const [report, symbols, hover] = await Promise.all([
        ask('diagnostics', server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: large } }) as Promise<{ items: unknown[] }>),
        ask('outline', server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: large } }) as Promise<{ name: string }[]>),
        ask('hover', server.connection.sendRequest('textDocument/hover', { textDocument: { uri: large }, position: { line: 4, character: 3 } }) as Promise<{ contents: { value: string } } | null>),
      ]);
      assert.ok(report.items.length > 0, 'the large document was linted');
      assert.match(symbols[4]?.name ?? '', /Question 4: how does the/);
      assert.match(hover?.contents.value ?? '', /Tokens:/);
      // Before, both waited for the whole first lint (seconds for 100k records).
      assert.deepEqual(answered, ['outline', 'hover', 'diagnostics']);
    } finally {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers hovers on train.jsonl while a 30 MB eval.jsonl beside it is read for leakage', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-large-'));
    const server = await startServer(folder);
    try {
      const evaluation = path.join(folder, 'eval.jsonl');
      writeLargeJsonl(evaluation, 30);
      const leaked = chat('Question 5: how does the harbor relate to the canyon and the ember?', 'Leaked.');
      writeFileSync(evaluation, `${leaked}\n`, { flag: 'a' });
      const train = pathToFileURL(path.join(folder, 'train.jsonl')).href;
      const refreshesBefore = server.refreshRequests;
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: train, languageId: 'jsonl', version: 1, text: `${chat('Name a colour', 'Blue.')}\n${leaked}\n` } });
      const { workMs, longestWaitMs, hovers } = await hoverWaitsDuring(server, train, async () => {
        // Until the server has read eval.jsonl (it asks the client to pull again) and train shows the leak.
        for (;;) {
          if (server.refreshRequests > refreshesBefore) {
            const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: train } })) as { items: { code: string }[] };
            if (report.items.some((item) => item.code === 'cross-file-duplicate')) return;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
      assert.ok(longestWaitMs < workMs * 0.4, `a hover waited ${longestWaitMs} ms of the ${workMs} ms until eval.jsonl counted (${hovers} hovers)`);
    } finally {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
