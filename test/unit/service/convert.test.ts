/** Record conversion between OpenAI chat, ShareGPT and Alpaca: what converts, and what is refused because it would be lost. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeActions } from '../../../server/src/service/features/editor';
import { applyEdits, lint, parse } from './helpers';

const uri = 'file:///test/data.jsonl';
const at = { line: 0, character: 1 };

/** The record on line 1 converted by its code action to `target` (a title suffix), or undefined when none is offered. */
function converted(record: unknown, target: 'ShareGPT' | 'Alpaca' | 'OpenAI chat'): unknown {
  const text = `${JSON.stringify(record)}\n`;
  const { document, facts } = parse(text);
  const action = codeActions(document, facts, uri, { start: at, end: at }, []).find((candidate) => candidate.title === `Convert record 1 to ${target}`);
  if (action === undefined) return undefined;
  return JSON.parse(applyEdits(text, action.edit?.changes?.[uri] ?? []));
}

const weatherTool = { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

describe('record conversion', () => {
  it('puts the results of parallel tool calls in one observation turn, so ShareGPT positions stay valid', () => {
    const record = {
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { role: 'assistant', content: null, tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Rome"}' } },
        ] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 18}' },
        { role: 'tool', tool_call_id: 'call_2', content: '{"temp": 24}' },
        { role: 'assistant', content: 'Paris 18 °C, Rome 24 °C.' },
      ],
      tools: [weatherTool],
    };
    const sharegpt = converted(record, 'ShareGPT') as { conversations: { from: string; value: string }[] };
    assert.deepEqual(sharegpt.conversations.map((turn) => turn.from), ['human', 'function_call', 'observation', 'gpt']);
    assert.equal(sharegpt.conversations[2]?.value, '{"temp": 18}\n</tool_response>\n<tool_response>\n{"temp": 24}');
    assert.deepEqual(JSON.parse(sharegpt.conversations[1]?.value ?? ''), [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_weather', arguments: { city: 'Rome' } }]);
    const errors = lint(`${JSON.stringify(sharegpt)}\n`).diagnostics.filter((item) => item.severity === 'error');
    assert.deepEqual(errors, [], 'the converted record passes the ShareGPT position checks');
  });

  it('does not convert to ShareGPT an answer that says something beside its tool calls (the text would be lost)', () => {
    const record = {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 18}' },
        { role: 'assistant', content: '18 °C.' },
      ],
      tools: [weatherTool],
    };
    assert.equal(converted(record, 'ShareGPT'), undefined);
    const silent = structuredClone(record);
    (silent.messages[1] as { content: string | null }).content = null;
    assert.notEqual(converted(silent, 'ShareGPT'), undefined, 'the same record without the text converts');
  });

  it('does not convert image parts into text-only formats, but keeps the text parts of other records', () => {
    const withImage = { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }, { role: 'assistant', content: 'A cat.' }] };
    assert.equal(converted(withImage, 'ShareGPT'), undefined);
    assert.equal(converted(withImage, 'Alpaca'), undefined);
    const textParts = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Name a colour' }] }, { role: 'assistant', content: 'Blue.' }] };
    assert.deepEqual(converted(textParts, 'Alpaca'), { instruction: 'Name a colour', input: '', output: 'Blue.' });
  });

  it('round-trips a plain conversation through ShareGPT and back', () => {
    const record = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Largest ocean?' }, { role: 'assistant', content: 'The Pacific.' }] };
    const sharegpt = converted(record, 'ShareGPT');
    assert.deepEqual(sharegpt, { conversations: [{ from: 'human', value: 'Largest ocean?' }, { from: 'gpt', value: 'The Pacific.' }], system: 'Be brief.' });
    assert.deepEqual(converted(sharegpt, 'OpenAI chat'), record);
  });
});
