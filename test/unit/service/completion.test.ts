/** Completion inside the objects nested in OpenAI records: tool calls, their functions, tool specs and content parts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completion } from '../../../server/src/service/features/editor';
import { parse } from './helpers';

/** Labels offered where `|` stands in the one-line record. */
function labels(line: string): string[] {
  const offset = line.indexOf('|');
  const { document, facts } = parse(`${line.replace('|', '')}\n`);
  return completion(document, facts, { line: 0, character: offset }).map((item) => item.label);
}

describe('completion in nested objects', () => {
  it('offers the keys of a tool call and of its function', () => {
    assert.deepEqual(labels('{"messages": [{"role": "assistant", "tool_calls": [{"|"}]}]}'), ['id', 'type', 'function']);
    assert.deepEqual(labels('{"messages": [{"role": "assistant", "tool_calls": [{"id": "call_1", "|"}]}]}'), ['type', 'function']);
    assert.deepEqual(labels('{"messages": [{"role": "assistant", "tool_calls": [{"type": "function", "function": {"|"}}]}]}'), ['name', 'arguments']);
    assert.deepEqual(labels('{"messages": [{"role": "assistant", "tool_calls": [{"type": "|"}]}]}'), ['function']);
  });
  it('offers the keys of a tool spec, not those of a message', () => {
    assert.deepEqual(labels('{"messages": [], "tools": [{"|"}]}'), ['type', 'function']);
    assert.deepEqual(labels('{"messages": [], "tools": [{"type": "function", "function": {"|"}}]}'), ['name', 'description', 'parameters', 'strict']);
  });
  it('offers the keys and types of a content part', () => {
    assert.deepEqual(labels('{"messages": [{"role": "user", "content": [{"|"}]}]}'), ['type', 'text', 'image_url', 'input_audio', 'file']);
    assert.deepEqual(labels('{"messages": [{"role": "user", "content": [{"type": "|"}]}]}'), ['text', 'image_url', 'input_audio', 'file']);
  });
});

describe('completion of a string still being typed', () => {
  /** The line after accepting `assistant` where `|` stands, as VS Code applies it: the word before the cursor is replaced. */
  function accepted(line: string): string {
    const offset = line.indexOf('|');
    const text = line.replace('|', '');
    const { document, facts } = parse(`${text}\n`);
    const item = completion(document, facts, { line: 0, character: offset }).find((candidate) => candidate.label === 'assistant');
    assert.ok(item, 'assistant is offered');
    const wordStart = offset - (/[A-Za-z_-]*$/.exec(text.slice(0, offset))?.[0].length ?? 0);
    return text.slice(0, wordStart) + (item.insertText ?? item.label) + text.slice(offset);
  }
  const before = '{"messages": [{"role": "user", "content": "Hi"}, {"role": ';
  it('after a lone opening quote at the end of the line (quotes not auto-closed): no second opening quote', () => {
    assert.equal(accepted(`${before}"|`), `${before}"assistant`);
  });
  it('in a string with no closing quote, in a closed one, and where no string is open yet', () => {
    assert.equal(accepted(`${before}"ass|`), `${before}"assistant`);
    assert.equal(accepted(`${before}"|"`), `${before}"assistant"`);
    assert.equal(accepted(`${before}|`), `${before}"assistant"`);
  });
});
