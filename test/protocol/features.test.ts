/** Editor features through the real server: a quick fix applied from a pulled diagnostic, hover, outline, folding, completion, code lens. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { serverBundle, startServer, type TestServer } from './lspClient';

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
interface Diagnostic {
  range: Range;
  code: string;
  message: string;
  source: string;
  data?: unknown;
}
interface CodeAction {
  title: string;
  kind: string;
  edit?: { changes: Record<string, { range: Range; newText: string }[]> };
  data?: unknown;
  disabled?: { reason: string };
}

describe('editor features over LSP', { skip: existsSync(serverBundle) ? false : 'run `npm run build` first' }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
  });

  const uri = 'file:///tmp/tunesmith-protocol/features.jsonl';
  const lines = [
    '{"messages": [{"role": "user", "content": "How do tides work?"}, {"role": "asistant", "content": "The Moon pulls the oceans."}]}',
    '{"messages": [{"role": "user", "content": "Name a planet"}, {"role": "assistant", "content": "Mars"}]}',
  ];

  it('pulls a diagnostic, asks for its quick fix and gets the exact edit', async () => {
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: lines.join('\n') + '\n' } });
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] };
    const role = report.items.find((item) => item.code === 'unknown-role');
    assert.ok(role, JSON.stringify(report.items));
    const column = (lines[0] ?? '').indexOf('"asistant"');
    assert.deepEqual(role.range, { start: { line: 0, character: column }, end: { line: 0, character: column + 10 } });
    const actions = (await server.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: role.range, context: { diagnostics: [role] } })) as CodeAction[];
    const fix = actions.find((action) => action.kind === 'quickfix');
    assert.equal(fix?.title, 'Replace role with "assistant"');
    assert.deepEqual(fix?.edit?.changes[uri], [{ range: role.range, newText: '"assistant"' }]);
    assert.ok(actions.some((action) => action.title === 'Convert record 1 to ShareGPT' || action.title.startsWith('Convert the whole file')), actions.map((action) => action.title).join(', '));
  });

  it('hovers a record', async () => {
    const hover = (await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 5 } })) as { contents: { kind: string; value: string } };
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /\*\*Record 2\*\* · OpenAI chat · 2 turns/);
    assert.match(hover.contents.value, /trainable/);
  });

  it('lists the records in the outline by their first user words', async () => {
    const symbols = (await server.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string; range: Range }[];
    assert.deepEqual(symbols.map((symbol) => symbol.name), ['1: How do tides work?', '2: Name a planet']);
    assert.equal(symbols[1]?.range.start.line, 1);
  });

  it('completes role values and puts a preview lens on each record', async () => {
    const position = { line: 1, character: (lines[1] ?? '').indexOf('"user"') + 1 };
    const items = (await server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position })) as { label: string }[];
    assert.ok(items.some((item) => item.label === 'assistant'));
    const lenses = (await server.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as { command: { command: string; arguments: unknown[] } }[];
    assert.equal(lenses.length, 2);
    assert.deepEqual(lenses[1]?.command.arguments, [{ uri, recordIndex: 1 }]);
    assert.equal(lenses[1]?.command.command, 'tunesmith.previewExample');
  });

  it('sends a record conversion that cannot be done as a disabled action with its reason (the client shows disabled actions)', async () => {
    const refusedUri = 'file:///tmp/tunesmith-protocol/refused.jsonl';
    const record = '{"messages": [{"role": "user", "content": "Weather in Oslo?"}, {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}]}, {"role": "tool", "tool_call_id": "call_1", "content": "3 C"}, {"role": "assistant", "content": "It is 3 C."}]}';
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: refusedUri, languageId: 'jsonl', version: 1, text: `${record}\n` } });
    await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: refusedUri } });
    const at = { line: 0, character: 2 };
    const actions = (await server.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: refusedUri }, range: { start: at, end: at }, context: { diagnostics: [] } })) as CodeAction[];
    assert.deepEqual(actions.filter((action) => action.disabled !== undefined), [
      { title: 'Cannot convert record 1 to Alpaca', kind: 'refactor.rewrite', disabled: { reason: 'Alpaca cannot hold tool calls or their results.' } },
      { title: 'Cannot convert the whole file to Alpaca', kind: 'refactor.rewrite.convertFile', disabled: { reason: 'Alpaca cannot hold tool calls or their results.' } },
    ]);
  });

  it('offers whole-file and record conversions and fix-all without edits, and fills them in when one is chosen', async () => {
    const fileUri = 'file:///tmp/tunesmith-protocol/whole-file.jsonl';
    const records = [
      '{"messages": [{"role": "user", "content": "Name a colour"}, {"role": "assistant", "content": "Blue "}]}',
      '{"messages": [{"role": "usr", "content": "Name a fruit"}, {"role": "assistant", "content": "Apple"}]}',
    ];
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: fileUri, languageId: 'jsonl', version: 1, text: `${records.join('\n')}\n` } });
    await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: fileUri } });
    const at = { line: 0, character: 2 };
    const actions = (await server.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: fileUri }, range: { start: at, end: at }, context: { diagnostics: [] } })) as CodeAction[];
    const convert = actions.find((action) => action.title.startsWith('Convert the whole file to ShareGPT'));
    const fixAll = actions.find((action) => action.kind === 'source.fixAll.tunesmith');
    assert.ok(convert && fixAll, actions.map((action) => action.title).join(', '));
    assert.equal(convert.edit, undefined);
    assert.equal(fixAll.edit, undefined);
    const resolved = (await server.connection.sendRequest('codeAction/resolve', convert)) as CodeAction;
    const converted = resolved.edit?.changes[fileUri] ?? [];
    assert.equal(converted.length, 1, 'the record with a misspelt role cannot be converted and stays');
    assert.deepEqual(JSON.parse(converted[0]?.newText ?? ''), { conversations: [{ from: 'human', value: 'Name a colour' }, { from: 'gpt', value: 'Blue ' }] });
    // The record's own conversion too: writing out a large record's converted text waits until it is chosen.
    const convertRecord = actions.find((action) => action.title === 'Convert record 1 to ShareGPT');
    assert.ok(convertRecord, actions.map((action) => action.title).join(', '));
    assert.equal(convertRecord.edit, undefined);
    const recordResolved = (await server.connection.sendRequest('codeAction/resolve', convertRecord)) as CodeAction;
    assert.deepEqual(recordResolved.edit?.changes[fileUri]?.map((edit) => [edit.range, JSON.parse(edit.newText) as unknown]), [
      [{ start: { line: 0, character: 0 }, end: { line: 0, character: records[0]?.length ?? 0 } }, { conversations: [{ from: 'human', value: 'Name a colour' }, { from: 'gpt', value: 'Blue ' }] }],
    ]);
    const fixed = (await server.connection.sendRequest('codeAction/resolve', fixAll)) as CodeAction;
    assert.deepEqual(fixed.edit?.changes[fileUri]?.map((edit) => [edit.range.start.line, edit.newText]), [
      [0, '{"messages": [{"role": "user", "content": "Name a colour"}, {"role": "assistant", "content": "Blue"}]}'],
      [1, '{"messages": [{"role": "user", "content": "Name a fruit"}, {"role": "assistant", "content": "Apple"}]}'],
    ]);
  });

  it('offers no quick fix for a diagnostic of an older version (an edit moved the records under it) until the next pull', async () => {
    const staleUri = 'file:///tmp/tunesmith-protocol/stale.jsonl';
    const ocean = '{"messages": [{"role": "user", "content": "Largest ocean?"}, {"role": "assistant", "content": "The Pacific."}]}';
    const planet = '{"messages": [{"role": "usr", "content": "Name a planet"}, {"role": "assistant", "content": "Mars"}]}';
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: staleUri, languageId: 'jsonl', version: 1, text: `${ocean}\n${planet}\n` } });
    const before = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: staleUri } })) as { items: Diagnostic[] };
    const role = before.items.find((item) => item.code === 'unknown-role');
    assert.ok(role);
    // A record typed above: line 1 now holds the ocean record.
    server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: staleUri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `${ocean.replace('Largest ocean?', 'Deepest lake?')}\n` }] });
    const quickFixes = async (diagnostic: Diagnostic) => ((await server.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: staleUri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[]).filter((action) => action.kind === 'quickfix');
    assert.deepEqual(await quickFixes(role), []);
    const after = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: staleUri } })) as { items: Diagnostic[] };
    const moved = after.items.find((item) => item.code === 'unknown-role');
    assert.equal(moved?.range.start.line, 2);
    assert.equal((await quickFixes(moved))[0]?.title, 'Replace role with "user"');
  });

  it('folds multi-line records of a JSON array', async () => {
    const jsonUri = 'file:///tmp/tunesmith-protocol/features.json';
    const text = '[\n  {\n    "instruction": "a",\n    "output": "b"\n  },\n  {"instruction": "c", "output": "d"}\n]\n';
    server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: jsonUri, languageId: 'json', version: 1, text } });
    const ranges = (await server.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri: jsonUri } })) as { startLine: number; endLine: number }[];
    assert.deepEqual(ranges.map((range) => [range.startLine, range.endLine]), [[1, 4]]);
  });
});
