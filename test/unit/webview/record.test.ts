// Host-side logic of the preview that needs no VS Code: which record the cursor is in and what the models are asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { previewTarget, previewTargetOfLine } from '../../../client/src/preview/record';

const jsonl = [
  JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }, { role: 'assistant', content: 'Paris.' }] }),
  '',
  JSON.stringify({ messages: [{ role: 'user', content: 'Weather in Oslo?' }, { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] }, { role: 'tool', tool_call_id: 'c1', content: '{"temp":3}' }, { role: 'user', content: 'And in Rome?' }, { role: 'assistant', content: 'Sunny, 18°C.' }] }),
  '{"messages": [{"role": "user", "content": "unfinished',
].join('\n');

const options = { uri: 'file:///w/chat.jsonl', fileName: 'chat.jsonl', kind: 'jsonl' as const };

test('the record under the cursor: turns, the prompt up to the last user turn, and the reference', () => {
  const target = previewTarget(jsonl, { position: { line: 0, character: 10 } }, options);
  assert.ok(target !== undefined);
  assert.equal(target.record.recordIndex, 0);
  assert.equal(target.record.format, 'openai-chat');
  assert.deepEqual(target.record.turns.map((turn) => turn.role), ['system', 'user', 'assistant']);
  assert.equal(target.record.promptTurnIndex, 1);
  assert.equal(target.record.reference, 'Paris.');
  assert.deepEqual(target.messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }]);
  assert.equal(target.record.problem, undefined);
});

test('a blank line belongs to the record before it; multi-turn records answer the last user turn with tool calls written out', () => {
  assert.equal(previewTarget(jsonl, { position: { line: 1, character: 0 } }, options)?.record.recordIndex, 0);
  const target = previewTarget(jsonl, { position: { line: 2, character: 3 } }, options);
  assert.ok(target !== undefined);
  assert.equal(target.record.recordIndex, 1);
  assert.equal(target.record.line, 2);
  assert.equal(target.record.promptTurnIndex, 3);
  assert.equal(target.record.reference, 'Sunny, 18°C.');
  assert.deepEqual(target.record.turns[1]?.toolCalls, [{ name: 'get_weather', arguments: '{\n  "city": "Oslo"\n}' }]);
  assert.equal(target.messages?.length, 4);
  assert.equal(target.messages?.[1]?.content, '[tool call] get_weather({\n  "city": "Oslo"\n})');
  assert.equal(target.messages?.[2]?.role, 'tool');
});

test('a record being typed (invalid JSON) explains why nothing is generated', () => {
  const target = previewTarget(jsonl, { position: { line: 3, character: 5 } }, options);
  assert.ok(target !== undefined);
  assert.equal(target.messages, undefined);
  assert.match(target.record.problem ?? '', /not valid JSON yet/);
});

test('a record index from a code lens, in a pretty-printed JSON array of ShareGPT records', () => {
  const json = JSON.stringify([
    { conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello!' }] },
    { system: 'You are terse.', conversations: [{ from: 'human', value: 'Name a colour' }, { from: 'gpt', value: 'Blue.' }] },
  ], null, 2);
  const target = previewTarget(json, { index: 1 }, { uri: 'file:///w/s.json', fileName: 's.json', kind: 'json' });
  assert.ok(target !== undefined);
  assert.equal(target.record.format, 'sharegpt');
  assert.deepEqual(target.record.turns.map((turn) => `${turn.role}/${turn.writtenRole}`), ['system/system', 'user/human', 'assistant/gpt']);
  assert.deepEqual(target.messages, [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Name a colour' }]);
  assert.equal(target.record.line, 13);
});

test('records with nothing to answer say why', () => {
  const noUser = previewTarget(JSON.stringify({ messages: [{ role: 'assistant', content: 'x' }] }), { index: 0 }, options);
  assert.match(noUser?.record.problem ?? '', /no user turn/);
  const emptyUser = previewTarget(JSON.stringify({ instruction: '  ', input: '', output: 'x' }), { index: 0 }, options);
  assert.match(emptyUser?.record.problem ?? '', /empty/);
  const text = previewTarget(JSON.stringify({ text: 'just text' }), { index: 0 }, options);
  assert.match(text?.record.problem ?? '', /Plain text/);
  assert.equal(previewTarget('', { position: { line: 0, character: 0 } }, options), undefined);
});

test('an Alpaca record joins instruction and input as the prompt', () => {
  const target = previewTarget(JSON.stringify({ instruction: 'Translate to French', input: 'cat', output: 'chat' }), { index: 0 }, options);
  assert.equal(target?.record.format, 'alpaca');
  assert.equal(target?.record.reference, 'chat');
  assert.equal(target?.messages?.length, 1);
  assert.match(target?.messages?.[0]?.content ?? '', /Translate to French[\s\S]*cat/);
});

test('the one-line JSONL path gives the same preview as parsing the whole file', () => {
  const lines = jsonl.split('\n');
  const whole = previewTarget(jsonl, { position: { line: 2, character: 0 } }, options);
  const single = previewTargetOfLine(lines[2] ?? '', 2, 1, options);
  assert.deepEqual(single?.record, whole?.record);
  assert.deepEqual(single?.messages, whole?.messages);
  assert.deepEqual(single?.source, whole?.source);
});
