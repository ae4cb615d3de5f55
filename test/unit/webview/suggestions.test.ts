import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hintFromDatasetInfo } from '../../../server/src/service/datasetInfo';
import { previewTarget } from '../../../client/src/preview/record';
import { filterNearDuplicates, newRecordValue, parseSuggestions, pickExamples, recordInsertion, suggestionPrompt } from '../../../client/src/preview/suggestions';

test('the model answer is parsed into instructions, list markers and chatter removed', () => {
  const text = 'Here are new instructions:\n1. Explain how rainbows form in simple words.\n2) Write a haiku about autumn leaves.\n- Summarise the plot of Hamlet in two sentences.\n\nok\n3. 12345678';
  assert.deepEqual(parseSuggestions(text), ['Explain how rainbows form in simple words.', 'Write a haiku about autumn leaves.', 'Summarise the plot of Hamlet in two sentences.']);
});

test('near-duplicates of existing instructions and of each other are filtered (ROUGE-L >= 0.7)', () => {
  const existing = ['Write a short poem about the sea at night.'];
  const candidates = ['Write a short poem about the sea at dawn.', 'List three uses of baking soda in cleaning.', 'List three uses of baking soda for cleaning.', 'Explain recursion to a child.'];
  const result = filterNearDuplicates(candidates, existing);
  assert.deepEqual(result.kept, ['List three uses of baking soda in cleaning.', 'Explain recursion to a child.']);
  assert.equal(result.droppedAsDuplicates, 2);
});

test('examples are picked deterministically per seed, without repeats', () => {
  const pool = ['a1 x', 'b2 x', 'c3 x', 'd4 x', 'e5 x', 'a1 x'];
  const first = pickExamples(pool, 3, 42);
  assert.deepEqual(first, pickExamples(pool, 3, 42));
  assert.equal(new Set(first).size, 3);
  assert.ok(first.every((example) => pool.includes(example)));
  const prompt = suggestionPrompt(['Do X.', 'Do\nY.'], 4);
  assert.equal(prompt[0]?.role, 'user');
  assert.match(prompt[0]?.content ?? '', /1\. Do X\.\n2\. Do Y\.[\s\S]*Write 4 new instructions/);
});

test('new records take the file format, with an empty answer to write', () => {
  assert.deepEqual(newRecordValue('openai-chat', 'openai-chat', 'Q?', 'Be brief.'), { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Q?' }, { role: 'assistant', content: '' }] });
  assert.deepEqual(newRecordValue('sharegpt', 'sharegpt', 'Q?', undefined), { conversations: [{ from: 'human', value: 'Q?' }, { from: 'gpt', value: '' }] });
  assert.deepEqual(newRecordValue('alpaca', 'alpaca', 'Q?', undefined), { instruction: 'Q?', input: '', output: '' });
  assert.deepEqual(newRecordValue('prompt-completion', 'prompt-completion', 'Q?', undefined), { prompt: 'Q?', completion: '' });
});

test('JSONL: the new record goes on its own line after the record', () => {
  const insertion = recordInsertion('jsonl', { line: 4, character: 0, text: '{"a":1}' }, { b: 2 });
  assert.deepEqual(insertion, { line: 4, character: 7, text: '\n{"b":2}' });
});

test('JSON array: the new element follows with a comma, indented like its neighbour', () => {
  const recordText = '{\n    "instruction": "x",\n    "output": "y"\n  }';
  const insertion = recordInsertion('json', { line: 1, character: 2, text: recordText }, { instruction: 'Q?', output: '' });
  assert.deepEqual(insertion, { line: 4, character: 3, text: ',\n  {\n    "instruction": "Q?",\n    "output": ""\n  }' });
  const oneLine = recordInsertion('json', { line: 0, character: 1, text: '{"a":1}' }, { a: 2 });
  assert.deepEqual(oneLine, { line: 0, character: 8, text: ', {"a":2}' });
});

test('a dataset_info.json mapping (LLaMA-Factory) shapes both the preview and the new record', () => {
  const hint = hintFromDatasetInfo(JSON.stringify({ chat: { file_name: 'chat.json', formatting: 'sharegpt', columns: { messages: 'dialog' }, tags: { role_tag: 'speaker', content_tag: 'text', user_tag: 'customer', assistant_tag: 'agent' } } }), 'chat.json');
  assert.ok(hint !== undefined);
  const record = { dialog: [{ speaker: 'customer', text: 'Where is my parcel?' }, { speaker: 'agent', text: 'On its way.' }] };
  const target = previewTarget(JSON.stringify([record]), { index: 0 }, { uri: 'file:///w/chat.json', fileName: 'chat.json', kind: 'json', hint });
  assert.equal(target?.record.format, 'sharegpt');
  assert.deepEqual(target?.messages, [{ role: 'user', content: 'Where is my parcel?' }]);
  assert.equal(target?.record.reference, 'On its way.');
  assert.deepEqual(newRecordValue('sharegpt', target?.conversation?.shape, 'Cancel my order', undefined, hint.mapping), { dialog: [{ speaker: 'customer', text: 'Cancel my order' }, { speaker: 'agent', text: '' }] });
});
