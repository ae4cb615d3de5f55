/**
 * The stdio encoder writes diagnostic reports from bytes kept per diagnostic: its output must be
 * exactly JSON.stringify's, for reports and every other message, also when items are sent again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageBytes } from '../../../server/src/handlers/stdioTransport';

const diagnostic = (line: number, message: string) => ({
  range: { start: { line, character: 2 }, end: { line, character: 9 } },
  severity: 1,
  source: 'tunesmith',
  code: 'unknown-role',
  message,
  codeDescription: { href: 'file:///ext/docs/rules/unknown-role.md' },
});

function assertSameAsStringify(message: unknown): void {
  assert.equal(messageBytes(message).toString('utf8'), JSON.stringify(message));
}

describe('stdio message encoder', () => {
  const first = diagnostic(0, 'Unknown role "usr": did you mean "user"?');
  // Non-ASCII and characters JSON escapes: kept bytes are UTF-8 of the escaped JSON.
  const second = diagnostic(3, 'Rôle «usr» \u2028 with a "quote", a \\ and a tab\t — 日本語 😀');

  it('writes a full report as JSON.stringify does', () => {
    assertSameAsStringify({ jsonrpc: '2.0', id: 7, result: { kind: 'full', resultId: '12', items: [first, second] } });
  });

  it('writes the same bytes when the kept items are sent again, in another order and with new ones', () => {
    messageBytes({ jsonrpc: '2.0', id: 1, result: { kind: 'full', resultId: '1', items: [first, second] } });
    const third = diagnostic(5, 'A third one');
    assertSameAsStringify({ jsonrpc: '2.0', id: 2, result: { kind: 'full', resultId: '2', items: [second, third, first] } });
    assertSameAsStringify({ jsonrpc: '2.0', id: 3, result: { kind: 'full', resultId: '3', items: [third] } });
  });

  it('writes other messages unchanged: unchanged reports, empty reports, requests, notifications, errors', () => {
    assertSameAsStringify({ jsonrpc: '2.0', id: 4, result: { kind: 'unchanged', resultId: '3' } });
    assertSameAsStringify({ jsonrpc: '2.0', id: 5, result: { kind: 'full', items: [] } });
    assertSameAsStringify({ jsonrpc: '2.0', id: 6, result: null });
    assertSameAsStringify({ jsonrpc: '2.0', id: 8, result: [first] });
    assertSameAsStringify({ jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'kind full items' } });
    assertSameAsStringify({ jsonrpc: '2.0', id: 9, error: { code: -32602, message: 'bad' } });
  });

  it('parses back to the report that was sent', () => {
    const report = { jsonrpc: '2.0', id: 10, result: { kind: 'full', resultId: '4', items: [first, second, first] } };
    assert.deepEqual(JSON.parse(messageBytes(report).toString('utf8')), report);
  });
});
