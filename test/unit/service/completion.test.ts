/** Completion inside the objects nested in OpenAI records: tool calls, their functions, tool specs and content parts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompletionItem } from 'vscode-languageserver-types';
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

describe('completion where the record tells its format by its list key, or nothing does yet', () => {
  it('offers ShareGPT tags and keys in the first ShareGPT record of a file', () => {
    assert.deepEqual(labels('{"conversations": [{"from": "human", "value": "Hi"}, {"from": |}]}'), ['human', 'gpt', 'system', 'function_call', 'observation']);
    assert.deepEqual(labels('{"conversations": [{"|"}]}'), ['from', 'value']);
  });
  it('offers the top-level keys of every main format in the first record of a new file', () => {
    const offered = labels('{"|"}');
    for (const key of ['messages', 'conversations', 'instruction', 'output', 'prompt', 'completion', 'chosen', 'text']) assert.ok(offered.includes(key), `${key} in ${offered.join(' ')}`);
  });
  it('offers nothing right after a key or value string, where a colon or comma comes next', () => {
    assert.deepEqual(labels('{"messages"|}'), []);
    assert.deepEqual(labels('{"instruction": "x", "output": "y" |}'), []);
  });
});

describe('completion in a record alone in its file', () => {
  it('offers the keys of the format its own keys name, not OpenAI chat by default', () => {
    assert.ok(labels('{"instruction": "x", "|"}').includes('output'));
    assert.ok(!labels('{"instruction": "x", "|"}').includes('messages'));
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

/** Completion where `|` stands in `lines` (the marked line among records of the file's format). */
function itemsIn(lines: readonly string[], kind: 'jsonl' | 'json' = 'jsonl'): { items: CompletionItem[]; text: string; line: number; character: number } {
  const line = lines.findIndex((candidate) => candidate.includes('|'));
  const character = (lines[line] ?? '').indexOf('|');
  const text = `${lines.join('\n').replace('|', '')}\n`;
  const { document, facts } = parse(text, kind);
  return { items: completion(document, facts, { line, character }), text, line, character };
}

/** The marked line after accepting `label`, as VS Code applies an item: its text edit, or its insert text over the word before the cursor. */
function acceptedIn(lines: readonly string[], label: string): string {
  const { items, text, line, character } = itemsIn(lines);
  const item = items.find((candidate) => candidate.label === label);
  assert.ok(item, `${label} is offered`);
  const row = text.split('\n')[line] ?? '';
  if (item.textEdit !== undefined && 'range' in item.textEdit) {
    const { range, newText } = item.textEdit;
    assert.equal(range.start.line, line);
    assert.equal(range.end.line, line);
    return row.slice(0, range.start.character) + newText + row.slice(range.end.character);
  }
  const wordStart = character - (/[A-Za-z_-]*$/.exec(row.slice(0, character))?.[0].length ?? 0);
  return row.slice(0, wordStart) + (item.insertText ?? item.label) + row.slice(character);
}

describe('completion while a record is typed', () => {
  const chat = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}';
  const sharegpt = '{"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello."}]}';
  const alpaca = '{"instruction": "Say hi.", "input": "", "output": "Hi."}';
  it('offers the columns of the records around an auto-closed `{}`', () => {
    assert.deepEqual(itemsIn([chat, chat, '{|}', chat]).items.map((item) => item.label).slice(0, 1), ['messages']);
    assert.ok(itemsIn([sharegpt, sharegpt, '{|}']).items.some((item) => item.label === 'conversations'));
    assert.ok(itemsIn([alpaca, alpaca, '{|}']).items.some((item) => item.label === 'instruction'));
    assert.ok(itemsIn(['{"text": "One."}', '{"text": "Two."}', '{|}']).items.some((item) => item.label === 'text'));
  });
  it('inserts a key with its colon, unless one is written already', () => {
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "user", |}]}'], 'content'), '{"messages": [{"role": "user", "content": }]}');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "user", "|"}]}'], 'content'), '{"messages": [{"role": "user", "content": }]}');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "user", "con|"}]}'], 'content'), '{"messages": [{"role": "user", "content": }]}');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "user", "|": "Hi"}]}'], 'content'), '{"messages": [{"role": "user", "content": "Hi"}]}');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "user", |: "Hi"}]}'], 'content'), '{"messages": [{"role": "user", "content": "Hi"}]}');
    // A string left open, as when quotes are not closed automatically: closed with the key's colon, or the value's quote.
    assert.equal(acceptedIn([chat, '{"mess|'], 'messages'), '{"messages": ');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "assi|'], 'assistant'), '{"messages": [{"role": "assistant"');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "assi|"}]}'], 'assistant'), '{"messages": [{"role": "assistant"}]}');
  });
  it('gives a key accepted before another member its comma, with the cursor before it', () => {
    const between = itemsIn([chat, '{"messages": [{"role": "user", | "content": "Hi"}]}']).items.find((item) => item.label === 'name');
    assert.equal(between?.insertText, '"name": $0,');
    assert.equal(between?.insertTextFormat, 2);
    const typedString = itemsIn([chat, '{"messages": [{"role": "user", "na|" "content": "Hi"}]}']).items.find((item) => item.label === 'name');
    assert.ok(typedString?.textEdit !== undefined && 'range' in typedString.textEdit);
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "user", "na|" "content": "Hi"}]}'], 'name').replace('$0', '"Ann"'), '{"messages": [{"role": "user", "name": "Ann", "content": "Hi"}]}');
    // Pretty-printed: the next key is on the next line.
    const pretty = ['[', '  {', '    "instruction": "Say hi.",', '    |', '    "output": "Hi."', '  }', ']'];
    const output = itemsIn(pretty, 'json').items.find((item) => item.label === 'input');
    assert.equal(output?.insertText, '"input": $0,');
    // Before a closing brace, or with the colon written, no comma.
    assert.equal(itemsIn([chat, '{"messages": [{"role": "user", |}]}']).items.find((item) => item.label === 'name')?.insertText, '"name": ');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": "user", "|": "Ann", "content": "Hi"}]}'], 'name'), '{"messages": [{"role": "user", "name": "Ann", "content": "Hi"}]}');
  });
  it('gives a role value accepted before another member its comma', () => {
    assert.equal(acceptedIn([chat, '{"messages": [{"role": | "content": "Hi"}]}'], 'user'), '{"messages": [{"role": "user", "content": "Hi"}]}');
    assert.equal(acceptedIn([chat, '{"messages": [{"role": |}]}'], 'user'), '{"messages": [{"role": "user"}]}');
  });
  it('does not offer a key written after the cursor in a record that does not parse yet', () => {
    const labels = itemsIn([chat, '{"messages": [{"role": "user", "|" "content": "Hi"}]}']).items.map((item) => item.label);
    assert.ok(!labels.includes('content') && !labels.includes('role') && labels.includes('name'), labels.join(' '));
    assert.ok(!itemsIn([chat, '{"|" "messages": [], "tools": []}']).items.some((item) => item.label === 'messages' || item.label === 'tools'));
  });
  it('offers the keys of OpenAI DPO records, their input and their messages', () => {
    const dpo = '{"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello."}], "non_preferred_output": [{"role": "assistant", "content": "Go away."}]}';
    const top = itemsIn([dpo, dpo, '{"input": {"messages": [{"role": "user", "content": "Hi"}]}, "|"}']).items.map((item) => item.label);
    assert.ok(top.includes('preferred_output') && top.includes('non_preferred_output') && !top.includes('chosen'), top.join(' '));
    const message = itemsIn([dpo, dpo, '{"input": {"messages": [{"|"}]}}']).items.map((item) => item.label);
    assert.ok(message.includes('role') && message.includes('content'), message.join(' '));
    const input = itemsIn([dpo, dpo, '{"input": {"messages": [], "|"}}']).items.map((item) => item.label);
    assert.ok(input.includes('tools') && !input.includes('messages'), input.join(' '));
  });
  it("offers a turn's keys in LLaMA-Factory's ShareGPT chosen and rejected turns", () => {
    const ranked = '{"conversations": [{"from": "human", "value": "Hi"}], "chosen": {"from": "gpt", "value": "Hello."}, "rejected": {"from": "gpt", "value": "Go away."}}';
    assert.deepEqual(itemsIn([ranked, ranked, '{"conversations": [{"from": "human", "value": "Hi"}], "chosen": {"from": "gpt", "|"}}']).items.map((item) => item.label), ['value']);
    const top = itemsIn([ranked, ranked, '{"conversations": [{"from": "human", "value": "Hi"}], "|"}']).items.map((item) => item.label);
    assert.ok(top.includes('chosen') && !top.includes('prompt'), top.join(' '));
  });
});

describe('completion follows the record\'s own turn layout and what is written', () => {
  it('offers from/value for a turn of from/value messages under "messages", and role/content under "conversations"', () => {
    // The record being typed does not parse: the one before it shows the layout.
    const keysAt = (record: string, typed: string): string[] => {
      const { document, facts } = parse(`${record}\n${typed.replace('|', '')}\n`);
      return completion(document, facts, { line: 1, character: typed.indexOf('|') }).map((item) => item.label);
    };
    assert.deepEqual(keysAt('{"messages": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}', '{"messages": [{"from": "human", "value": "Q"}, {"|"}]}'), ['from', 'value']);
    assert.deepEqual(keysAt('{"conversations": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}', '{"conversations": [{"role": "user", "content": "Q"}, {"|"}]}').slice(0, 2), ['role', 'content']);
  });
  it('offers no value once the value is written (accepting one would write two strings)', () => {
    assert.deepEqual(labels('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant"|}]}'), []);
    assert.deepEqual(labels('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant" |}]}'), []);
    assert.deepEqual(labels('{"messages": [{"role": "user", "weight": 1 |}]}'), []);
    // After the comma a key goes there again.
    assert.ok(labels('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "|"}]}').includes('content'));
  });
});

describe('completion of a key left open above the next key of a pretty-printed record', () => {
  it('replaces only the open string on its own line, and does not offer the key written below', () => {
    for (const eol of ['\n', '\r\n']) {
      const text = ['[', '  {', '    "instruction": "Say hi",', '    "ans', '    "output": "hi"', '  }', ']', ''].join(eol);
      const { document, facts } = parse(text, 'json');
      const items = completion(document, facts, { line: 3, character: 8 });
      assert.ok(items.length > 0, 'keys are offered');
      assert.ok(!items.some((item) => item.label === 'output' || item.label === 'instruction'), items.map((item) => item.label).join());
      for (const item of items) {
        const edit = item.textEdit as { range: { start: { line: number; character: number }; end: { line: number; character: number } } } | undefined;
        assert.deepEqual(edit?.range, { start: { line: 3, character: 4 }, end: { line: 3, character: 8 } }, JSON.stringify(eol));
      }
    }
  });
});
