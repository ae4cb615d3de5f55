/**
 * The server's own --stdio connection (server/src/handlers/stdioTransport.ts): it ends with its
 * client, and the reports it writes from kept bytes are what the client reads.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { serverBundle, startServer } from './lspClient';

describe('the stdio connection', () => {
  it('exits when its client closes stdin without shutting it down (code 1, as LSP says)', async () => {
    const child = spawn(process.execPath, [serverBundle, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.end();
    const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 5000))]);
    if (code === 'still running') child.kill();
    assert.equal(code, 1);
  });

  it('sends a report again after an edit with the same items the client first read, then the changed list', async () => {
    const server = await startServer();
    server.settings = { minExamples: 0 };
    try {
      const uri = 'file:///stdio-transport/data.jsonl';
      const record = (role: string, answer: string): string => JSON.stringify({ messages: [{ role, content: 'Name a planet' }, { role: 'assistant', content: answer }] });
      const lines = [record('usr', 'Mars'), record('user', 'Venus '), record('usr', 'Jupiter')];
      await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: `${lines.join('\n')}\n` } });
      type Report = { kind: string; resultId?: string; items?: { code?: string; range: { start: { line: number } } }[] };
      const first: Report = await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
      assert.equal(first.kind, 'full');
      // Line 1 breaks: a new error comes first, and the kept items of lines 0 and 2 are written again.
      await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, text: '' }] });
      const second: Report = await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: first.resultId });
      assert.equal(second.kind, 'full');
      const kept = (report: Report) => (report.items ?? []).filter((item) => item.range.start.line !== 1);
      assert.ok(kept(first).length >= 2, 'the unknown roles of lines 0 and 2');
      assert.deepEqual(kept(second), kept(first));
      assert.ok((second.items ?? []).some((item) => item.code === 'invalid-json' && item.range.start.line === 1));
    } finally {
      await server.stop();
    }
  });
});
