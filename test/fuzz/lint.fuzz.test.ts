/**
 * Fuzz test (bounded time, runs in CI with the unit tests): random and mutated records must never
 * make the linter or the editor features throw or hang, and every range must lie inside the document.
 * TUNESMITH_FUZZ_SECONDS sets the budget (default 4 s); TUNESMITH_FUZZ_SEED reproduces a run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../server/src/service/config';
import { DatasetDocument, type FileKind } from '../../server/src/service/document';
import { codeActions, codeLenses, completion, documentSymbols, foldingRanges, hover } from '../../server/src/service/features/editor';
import { datasetStatistics } from '../../server/src/service/features/statistics';
import { buildFacts, lintDocument } from '../../server/src/service/linter';
import { DatasetSession } from '../../server/src/service/session';

const seconds = Number(process.env.TUNESMITH_FUZZ_SECONDS ?? 4);
const seed = Number(process.env.TUNESMITH_FUZZ_SEED ?? Date.now() % 100000);

function generator(initial: number): () => number {
  let state = initial >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

const seeds = [
  { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi 😀' }, { role: 'assistant', content: 'Hello!' }] },
  { messages: [{ role: 'user', content: [{ type: 'text', text: 'Look' }] }, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a": 1}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'r' }, { role: 'assistant', content: 'Done', weight: 1 }], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }] },
  { conversations: [{ from: 'human', value: 'a' }, { from: 'function_call', value: '{"name": "f", "arguments": {}}' }, { from: 'observation', value: '{}' }, { from: 'gpt', value: 'b' }], tools: '[{"name": "f"}]', system: 's' },
  { instruction: 'Translate', input: 'chat', output: 'cat', history: [['q', 'a']] },
  { prompt: 'p', completion: 'c' },
  { prompt: [{ role: 'user', content: 'q' }], chosen: [{ role: 'assistant', content: 'good' }], rejected: [{ role: 'assistant', content: 'bad' }] },
  { input: { messages: [{ role: 'user', content: 'q' }] }, preferred_output: [{ role: 'assistant', content: 'a' }], non_preferred_output: [{ role: 'assistant', content: 'b' }] },
  { conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'a' }, rejected: { from: 'gpt', value: 'b' } },
  { text: 'plain {{name}} <|im_end|> sk-abcdefghijklmnopqrstuvwxyz12 caf\uFFFD' },
];

const junk = ['', ' ', '"', '\\', '{', '}', '[', ']', ',', ':', 'null', '1e999', '-', '\u0000', '\uFFFD', '\uD83D', '\r', '\n', '\r\n', '😀', 'true', '"role"', '"content"', '\u2028', 'Ã©', '{{x}}'];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 4 ? 5 : 8));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return Math.floor(next() * 1e6) / (next() < 0.5 ? 1 : 7);
    case 3:
    case 4:
      return junk[Math.floor(next() * junk.length)] + String.fromCharCode(Math.floor(next() * 0x3000));
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const keys = ['role', 'content', 'messages', 'conversations', 'from', 'value', 'instruction', 'output', 'tool_calls', 'function', 'arguments', 'id', 'type', 'name', 'weight', 'tools', 'text', 'chosen', 'rejected', 'prompt'];
      const object: Record<string, unknown> = {};
      for (let index = Math.floor(next() * 5); index > 0; index--) object[keys[Math.floor(next() * keys.length)] ?? 'x'] = randomValue(next, depth + 1);
      return object;
    }
  }
}

/** Mutates a JSON text: splices junk in, deletes spans, duplicates spans. */
function mutate(text: string, next: () => number): string {
  let result = text;
  for (let step = Math.floor(next() * 4); step >= 0; step--) {
    const at = Math.floor(next() * (result.length + 1));
    const kind = next();
    if (kind < 0.4) result = result.slice(0, at) + (junk[Math.floor(next() * junk.length)] ?? '') + result.slice(at);
    else if (kind < 0.7) result = result.slice(0, at) + result.slice(Math.min(result.length, at + Math.floor(next() * 8)));
    else result = result.slice(0, at) + result.slice(at, at + Math.floor(next() * 20)) + result.slice(at);
  }
  return result;
}

function makeDocument(next: () => number): { text: string; kind: FileKind } {
  const records: string[] = [];
  for (let index = Math.floor(next() * 12); index >= 0; index--) {
    const base = next() < 0.6 ? (seeds[Math.floor(next() * seeds.length)] ?? {}) : randomValue(next, 0);
    const text = JSON.stringify(base, null, next() < 0.2 ? 2 : undefined) ?? 'null';
    records.push(next() < 0.5 ? mutate(text, next) : text);
  }
  if (next() < 0.5) return { text: records.map((record) => record.replace(/\n/g, ' ')).join(next() < 0.3 ? '\r\n' : '\n'), kind: 'jsonl' };
  const text = `[\n${records.join(',\n')}\n]`;
  return { text: next() < 0.3 ? mutate(text, next) : text, kind: 'json' };
}

function assertInside(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, what: string): void {
  // Lines as the editor counts them: CRLF, LF and a lone CR each end one.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const position of [range.start, range.end]) {
    assert.ok(position.line >= 0 && position.line <= lines.length, `${what}: line ${position.line} outside ${lines.length} lines`);
    const line = lines[position.line] ?? '';
    assert.ok(position.character >= 0 && position.character <= line.length + 1, `${what}: column ${position.character} outside line ${position.line} (${line.length})`);
  }
  assert.ok(range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character), `${what}: range ends before it starts`);
}

describe(`fuzz (seed ${seed}, ${seconds} s)`, () => {
  it('lints random and mutated datasets without throwing, with ranges inside the document', () => {
    const next = generator(seed);
    const { settings } = resolveSettings({ minExamples: 3, maxTokens: 64 });
    const deadline = Date.now() + seconds * 1000;
    let documents = 0;
    while (Date.now() < deadline) {
      const { text, kind } = makeDocument(next);
      const context = `seed ${seed}, document ${documents}: ${JSON.stringify(text.slice(0, 300))}`;
      try {
        const document = DatasetDocument.parse(text, kind);
        const facts = buildFacts(document, `file:///fuzz.${kind}`, settings);
        const result = lintDocument(document, `file:///fuzz.${kind}`, settings, { facts });
        for (const diagnostic of result.diagnostics) assertInside(text, diagnostic.range, `${diagnostic.rule} (${context})`);
        const lines = text.split('\n').length;
        const position = { line: Math.floor(next() * lines), character: Math.floor(next() * 40) };
        const range = { start: position, end: position };
        codeActions(document, facts, 'file:///fuzz', range, result.diagnostics.map((diagnostic) => ({ range: diagnostic.range, message: diagnostic.message, source: 'tunesmith', code: diagnostic.rule, data: { fix: diagnostic.fix, recordIndex: diagnostic.recordIndex } })));
        hover(document, facts, position);
        completion(document, facts, position);
        documentSymbols(document, facts);
        foldingRanges(document);
        codeLenses(document, 'file:///fuzz');
        if (document.isDataset) datasetStatistics(document, facts, 'file:///fuzz');
      } catch (error) {
        assert.fail(`${error instanceof Error ? error.stack : String(error)}\n${context}`);
      }
      documents++;
    }
    assert.ok(documents > 10, `only ${documents} documents in ${seconds} s`);
  });

  it('applies random edits incrementally without throwing', () => {
    const next = generator(seed + 1);
    const { settings } = resolveSettings({ minExamples: 0 });
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///fuzz-edits.jsonl';
    session.open(uri, seeds.map((value) => JSON.stringify(value)).join('\n'));
    const deadline = Date.now() + (seconds * 1000) / 2;
    let edits = 0;
    while (Date.now() < deadline) {
      const document = session.get(uri);
      const lineCount = Math.max(1, document?.lineCount ?? 1);
      const line = Math.floor(next() * lineCount);
      const character = Math.floor(next() * 60);
      const text = next() < 0.3 ? '\n' : (junk[Math.floor(next() * junk.length)] ?? '');
      session.change(uri, [{ range: { start: { line, character }, end: { line, character: character + Math.floor(next() * 3) } }, text }]);
      if (edits % 10 === 0) session.lint(uri);
      edits++;
    }
    assert.ok(edits > 10);
    assert.ok(session.lint(uri) !== undefined);
  });
});
