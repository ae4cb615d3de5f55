/** Format detection and the canonical conversation of every format, with paths back into the source. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { hintFromDatasetInfo } from '../../../server/src/service/datasetInfo';
import { closest, detectShape, editDistance, normalise, shapeForForcedFormat, type FormatHint } from '../../../server/src/service/formats';
import { modelTokenCounter } from '../../../server/src/service/modelTokens';
import { forceableFormats, resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument } from '../../../server/src/service/document';
import { lintDocument } from '../../../server/src/service/linter';
import { DatasetSession } from '../../../server/src/service/session';
import { lint, renderDiagnostics } from './helpers';
import { layoutlessChatFitsFile, mixedFormatRuleId } from '../../../server/src/service/rules/mixed-formats';

function summary(value: unknown) {
  const shape = detectShape(value);
  const conversation = normalise(value, shape);
  return { shape, format: conversation.format, turns: conversation.turns.map((turn) => `${turn.role}${turn.trainable ? '*' : ''}:${turn.content}`), rejected: conversation.rejected?.map((turn) => turn.content) };
}

function summary2(value: unknown, hint: FormatHint) {
  const shape = detectShape(value, hint);
  const conversation = normalise(value, shape, hint.mapping);
  return { shape, turns: conversation.turns.map((turn) => `${turn.role}${turn.trainable ? '*' : ''}:${turn.content}`) };
}

describe('formats', () => {
  it('OpenAI chat with content parts, weights and tool calls', () => {
    const value = { messages: [{ role: 'developer', content: 'Be brief' }, { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'here' }] }, { role: 'assistant', content: 'Draft', weight: 0 }, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c', content: 'r' }, { role: 'assistant', content: 'Done' }] };
    assert.deepEqual(summary(value), { shape: 'openai-chat', format: 'openai-chat', turns: ['system:Be brief', 'user:Look\n\nhere', 'assistant:Draft', 'assistant*:', 'tool:r', 'assistant*:Done'], rejected: undefined });
    const conversation = normalise(value, 'openai-chat');
    assert.deepEqual(conversation.turns[1]?.parts.map((part) => part.path), [['messages', 1, 'content', 0, 'text'], ['messages', 1, 'content', 2, 'text']]);
    assert.deepEqual(conversation.turns[3]?.toolCalls, [{ path: ['messages', 3, 'tool_calls', 0], id: 'c', name: 'f', arguments: '{}' }]);
    assert.equal(conversation.turns[4]?.toolCallId, 'c');
  });
  it('per-turn loss weights: OpenAI weight, and loss_weight in OpenAI and ShareGPT turns', () => {
    const chat = normalise({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', loss_weight: 0.5 }, { role: 'user', content: 'q2' }, { role: 'assistant', content: 'b', loss_weight: 0 }] }, 'openai-chat');
    assert.deepEqual(chat.turns.map((turn) => [turn.trainable, turn.weight]), [[false, undefined], [true, 0.5], [false, undefined], [false, 0]]);
    const sharegpt = normalise({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a', loss_weight: 2 }] }, 'sharegpt');
    assert.deepEqual(sharegpt.turns.map((turn) => [turn.trainable, turn.weight]), [[false, undefined], [true, 2]]);
    assert.deepEqual(lint('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "loss_weight": 0.5}]}\n').diagnostics.filter((d) => d.rule === 'unknown-key'), []);
  });
  it("Axolotl's template-free input_output segments: raw text, trained where labelled true", () => {
    const value = { segments: [{ label: true, text: '<s>Hello\n' }, { label: false, text: 'goodbye ' }, { label: true, text: 'farewell</s>' }] };
    assert.deepEqual(summary(value), { shape: 'segments', format: 'text', turns: ['assistant*:<s>Hello\n', 'user:goodbye ', 'assistant*:farewell</s>'], rejected: undefined });
    assert.deepEqual(normalise(value, 'segments').turns.map((turn) => turn.contentPath), [['segments', 0, 'text'], ['segments', 1, 'text'], ['segments', 2, 'text']]);
    const questions = ['Capital of Peru?', 'Largest ocean on Earth?', 'Who wrote Hamlet?', 'Boiling point of water in Celsius?', 'Fastest land animal?', 'Chemical symbol for gold?', 'How many legs has a spider?', 'Tallest mountain in Africa?', 'Author of War and Peace?', 'Planet closest to the Sun?'];
    const clean = questions.map((question, index) => JSON.stringify({ segments: [{ label: false, text: `<s>Q: ${question}\n` }, { label: true, text: `A: answer number ${index}.</s>` }] })).join('\n') + '\n';
    assert.deepEqual(lint(clean).diagnostics.map((d) => `${d.rule}: ${d.message}`), []);
  });
  it('ShareGPT with system and tools columns, function calls and observations', () => {
    const value = { conversations: [{ from: 'human', value: 'q' }, { from: 'function_call', value: '{"name": "f", "arguments": {"a": 1}}' }, { from: 'observation', value: 'r' }, { from: 'gpt', value: 'a' }], system: 's', tools: '[]' };
    assert.deepEqual(summary(value), { shape: 'sharegpt', format: 'sharegpt', turns: ['system:s', 'user:q', 'assistant*:', 'tool:r', 'assistant*:a'], rejected: undefined });
    assert.deepEqual(normalise(value, 'sharegpt').turns[2]?.toolCalls.map((call) => [call.name, call.arguments]), [['f', { a: 1 }]]);
  });
  it('Alpaca with input and history', () => {
    assert.deepEqual(summary({ instruction: 'Translate', input: 'chat', output: 'cat', system: 's', history: [['q', 'a']] }).turns, ['system:s', 'user:q', 'assistant*:a', 'user:Translate\nchat', 'assistant*:cat']);
  });
  it('prompt/completion and text', () => {
    assert.deepEqual(summary({ prompt: 'p', completion: 'c' }), { shape: 'prompt-completion', format: 'prompt-completion', turns: ['user:p', 'assistant*:c'], rejected: undefined });
    assert.deepEqual(summary({ text: 'all of it' }), { shape: 'text', format: 'text', turns: ['assistant*:all of it'], rejected: undefined });
  });
  it('preference pairs: TRL, OpenAI DPO, LLaMA-Factory ShareGPT and Alpaca', () => {
    assert.deepEqual(summary({ prompt: 'q', chosen: 'good', rejected: 'bad' }), { shape: 'preference-trl', format: 'preference', turns: ['user:q', 'assistant*:good'], rejected: ['bad'] });
    assert.deepEqual(summary({ prompt: [{ role: 'user', content: 'q' }], chosen: [{ role: 'assistant', content: 'good' }], rejected: [{ role: 'assistant', content: 'bad' }] }).rejected, ['bad']);
    assert.deepEqual(summary({ input: { messages: [{ role: 'user', content: 'q' }] }, preferred_output: [{ role: 'assistant', content: 'good' }], non_preferred_output: [{ role: 'assistant', content: 'bad' }] }), { shape: 'preference-openai', format: 'preference', turns: ['user:q', 'assistant*:good'], rejected: ['bad'] });
    assert.deepEqual(summary({ conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'good' }, rejected: { from: 'gpt', value: 'bad' } }), { shape: 'preference-sharegpt', format: 'preference', turns: ['user:q', 'assistant*:good'], rejected: ['bad'] });
    assert.deepEqual(summary({ instruction: 'q', input: '', chosen: 'good', rejected: 'bad' }).shape, 'preference-alpaca');
    // Axolotl rlhf.qmd chat_template.default: messages, then one chosen and one rejected message object.
    assert.deepEqual(summary({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'q' }], chosen: { role: 'assistant', content: 'good' }, rejected: { role: 'assistant', content: 'bad' } }), { shape: 'preference-messages', format: 'preference', turns: ['system:s', 'user:q', 'assistant*:good'], rejected: ['bad'] });
    // Axolotl chatml.ultra: TRL takes the prompt from the answers and ignores the string.
    assert.deepEqual(summary({ prompt: 'q', chosen: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'good' }], rejected: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'bad' }] }), { shape: 'preference-trl', format: 'preference', turns: ['user:q', 'assistant*:good'], rejected: ['q', 'bad'] });
  });
  it('dataset_info.json columns and tags', () => {
    const hint = hintFromDatasetInfo(JSON.stringify({ d: { file_name: './d.json', formatting: 'sharegpt', columns: { messages: 'dialog', system: 'sys' }, tags: { role_tag: 'speaker', content_tag: 'text', user_tag: 'client', assistant_tag: 'agent' } } }), 'd.json');
    assert.ok(hint);
    const value = { dialog: [{ speaker: 'client', text: 'q' }, { speaker: 'agent', text: 'a' }], sys: 'be nice' };
    const shape = detectShape(value, hint);
    assert.equal(shape, 'sharegpt');
    assert.deepEqual(normalise(value, shape, hint.mapping).turns.map((turn) => `${turn.role}:${turn.content}`), ['system:be nice', 'user:q', 'assistant:a']);
    assert.equal(hintFromDatasetInfo('{"other": {"file_name": "x.json"}}', 'd.json'), undefined);
  });
  it("dataset_info.json pre-training entry (LLaMA-Factory data/README.md: columns {prompt: text}) reads plain text from the prompt column", () => {
    const problems = (info: unknown, records: unknown[]): string[] => {
      const hint = hintFromDatasetInfo(JSON.stringify({ c4_demo: { file_name: 'c4_demo.jsonl', ...(info as object) } }), 'c4_demo.jsonl');
      assert.ok(hint);
      const document = DatasetDocument.parse(records.map((record) => JSON.stringify(record)).join('\n') + '\n', 'jsonl');
      const { settings } = resolveSettings({ minExamples: 0 });
      return lintDocument(document, 'file:///c4_demo.jsonl', settings, { hint }).diagnostics.map((item) => `${item.rule} ${item.range.start.line}:${item.range.start.character} ${item.message}`);
    };
    assert.deepEqual(problems({ columns: { prompt: 'text' } }, [{ text: 'Glaciers carve U-shaped valleys.' }, { text: 'The Danube reaches the Black Sea.' }]), []);
    const hint = hintFromDatasetInfo(JSON.stringify({ p: { file_name: 'p.jsonl', columns: { prompt: 'body' } } }), 'p.jsonl');
    assert.ok(hint);
    assert.equal(hint.forced, 'text');
    assert.deepEqual(summary2({ body: 'Plain text.' }, hint), { shape: 'text', turns: ['assistant*:Plain text.'] });
    assert.deepEqual(problems({ columns: { prompt: 'body' } }, [{ text: 'wrong column' }]), ['missing-field 0:0 The record is missing the required "body" field (string). Add it.']);
    // With a response column it stays instruction data.
    assert.deepEqual(problems({ columns: { prompt: 'text', response: 'output' } }, [{ text: 'q' }]).map((line) => line.split(' ')[0]), ['missing-field']);
  });
  it('a LLaMA-Factory ranking record that lacks an answer stays a preference record (no mixed-formats)', () => {
    const hint = hintFromDatasetInfo(JSON.stringify({ r: { file_name: 'r.json', ranking: true } }), 'r.json');
    assert.ok(hint);
    assert.equal(detectShape({ instruction: 'q', input: '', chosen: 'good' }, hint), 'preference-alpaca');
    assert.equal(shapeForForcedFormat('preference', { instruction: 'q', input: '' }, hint), 'preference-alpaca');
    const sharegptHint = hintFromDatasetInfo(JSON.stringify({ r: { file_name: 'r.json', formatting: 'sharegpt', ranking: true } }), 'r.json');
    assert.ok(sharegptHint);
    assert.equal(shapeForForcedFormat('preference', { conversations: [{ from: 'human', value: 'q' }], chosen: { from: 'gpt', value: 'a' } }, sharegptHint), 'preference-sharegpt');
  });
  it('dataset_info.json kto_tag and media columns: a label must be a boolean, media paths a string or a list', () => {
    const hint = hintFromDatasetInfo(JSON.stringify({ k: { file_name: 'k.json', formatting: 'sharegpt', columns: { messages: 'messages', kto_tag: 'label', images: 'pics' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' } } }), 'k.json');
    assert.ok(hint);
    const record = (label: string, pics: string) => `{"messages": [{"role": "user", "content": "<image>q${label.length}"}, {"role": "assistant", "content": "a"}], "label": ${label}, "pics": ${pics}}`;
    const text = [record('true', '["a.png"]'), record('false', '"b.png"'), record('"yes"', '7')].join('\n') + '\n';
    const last = text.split('\n')[2] ?? '';
    const document = DatasetDocument.parse(text, 'jsonl');
    const { settings } = resolveSettings({ minExamples: 0 });
    const problems = lintDocument(document, 'file:///k.json', settings, { hint }).diagnostics.map((item) => `${item.rule} ${item.range.start.line}:${item.range.start.character} ${item.message}`);
    assert.deepEqual(problems, [`wrong-type 2:${last.indexOf('"yes"', last.indexOf('"label"'))} "label" must be a boolean, not a string: a KTO label is true for a desirable completion and false for an undesirable one; LLaMA-Factory reads any other value as no label and drops the example from KTO training.`, `wrong-type 2:${last.lastIndexOf('7')} "pics" must be a list or a string, not a number.`]);
  });
  it('dataset_info.json media columns: LLaMA-Factory needs one placeholder per image, so none at all is reported too', () => {
    const hint = hintFromDatasetInfo(JSON.stringify({ m: { file_name: 'm.json', formatting: 'sharegpt', columns: { messages: 'messages', images: 'images' }, tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' } } }), 'm.json');
    assert.ok(hint);
    const text = '{"messages": [{"role": "user", "content": "Who are they?"}, {"role": "assistant", "content": "Players."}], "images": ["1.jpg"]}\n{"messages": [{"role": "user", "content": "<image>Who?"}, {"role": "assistant", "content": "Fans."}], "images": ["2.jpg"]}\n';
    const { settings } = resolveSettings({ minExamples: 0 });
    const problems = lintDocument(DatasetDocument.parse(text, 'jsonl'), 'file:///m.json', settings, { hint }).diagnostics.map((item) => `${item.rule} ${item.range.start.line} ${item.message.slice(0, 60)}`);
    assert.deepEqual(problems, ['media-placeholders 0 "images" lists 1 image but no message holds a <image> placeh']);
  });
  it('dataset_info.json: a system, tools or history column its entry does not list is reported (LLaMA-Factory drops it)', () => {
    const problems = (info: unknown, records: unknown[]): string[] => {
      const hint = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', ...(info as object) } }), 'd.jsonl');
      assert.ok(hint);
      const document = DatasetDocument.parse(records.map((record) => JSON.stringify(record)).join('\n') + '\n', 'jsonl');
      const { settings } = resolveSettings({ minExamples: 0 });
      const line = JSON.stringify(records[0]);
      return lintDocument(document, 'file:///d.jsonl', settings, { hint }).diagnostics.map((item) => `${item.rule} ${item.severity} ${line.slice(item.range.start.character, item.range.end.character)} ${item.message.slice(0, 40)}`);
    };
    const alpaca = { instruction: 'Continue.', input: '', output: 'Done.', history: [['Hi', 'Hello']] };
    assert.deepEqual(problems({}, [alpaca]), ['unknown-key warning "history" LLaMA-Factory ignores "history" here: th']);
    assert.deepEqual(problems({ columns: { prompt: 'instruction', query: 'input', response: 'output', history: 'history' } }, [alpaca]), []);
    const sharegpt = { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], system: 'Be brief.', tools: '' };
    assert.deepEqual(problems({ formatting: 'sharegpt', columns: { messages: 'conversations' } }, [sharegpt]), ['unknown-key warning "system" LLaMA-Factory ignores "system" here: the']);
    assert.deepEqual(problems({ formatting: 'sharegpt', columns: { messages: 'conversations', system: 'system' } }, [sharegpt]), [], 'an empty tools column loses nothing');
  });
  it('dataset_info.json: a system, tools, history or (Alpaca) input column written by its default name where the entry renames it is reported', () => {
    const lint = (info: unknown, record: unknown): { found: string[]; fixes: string[] } => {
      const hint = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', ...(info as object) } }), 'd.jsonl');
      assert.ok(hint);
      const line = JSON.stringify(record);
      const { settings } = resolveSettings({ minExamples: 0 });
      const diagnostics = lintDocument(DatasetDocument.parse(`${line}\n`, 'jsonl'), 'file:///d.jsonl', settings, { hint }).diagnostics;
      return {
        found: diagnostics.map((item) => `${item.rule} ${line.slice(item.range.start.character, item.range.end.character)} ${item.message}`),
        fixes: diagnostics.flatMap((item) => (item.fix?.kind === 'rename-key' ? [item.fix.replacement] : [])),
      };
    };
    const tags = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' };
    const chat = { messages: [{ role: 'user', content: 'Who are you?' }, { role: 'assistant', content: 'A pirate.' }], system: 'Be a pirate.' };
    const renamed = lint({ formatting: 'sharegpt', columns: { messages: 'messages', system: 'sys_prompt' }, tags }, chat);
    assert.deepEqual(renamed.found, ['unknown-key "system" LLaMA-Factory ignores "system" here: the dataset_info.json entry for this file reads the system column from "sys_prompt", so this record trains without it. Rename it to "sys_prompt", or change the entry\'s "columns".']);
    assert.deepEqual(renamed.fixes, ['sys_prompt']);
    const both = lint({ formatting: 'sharegpt', columns: { messages: 'messages', system: 'sys_prompt' }, tags }, { ...chat, sys_prompt: 'Be kind.' });
    assert.match(both.found.join('\n'), /Merge it into "sys_prompt"/);
    assert.deepEqual(both.fixes, [], 'no rename onto a key the record has');
    assert.deepEqual(lint({ formatting: 'sharegpt', columns: { messages: 'messages', system: 'sys_prompt' }, tags }, { messages: chat.messages, sys_prompt: 'Be a pirate.' }).found, []);
    const alpaca = lint({ columns: { prompt: 'q', response: 'a', system: 'sys' } }, { q: 'Name a bird.', a: 'Robin.', system: 'Be brief.' });
    assert.equal(alpaca.found.length, 1);
    assert.match(alpaca.found[0] ?? '', /^unknown-key "system" LLaMA-Factory ignores "system" here: .* reads the system column from "sys"/);
    assert.deepEqual(lint({ columns: { prompt: 'q', response: 'a', system: 'sys' } }, { q: 'Name a bird.', a: 'Robin.', system: '' }).found, [], 'an empty column loses nothing');
    // Alpaca's query column read from another name: an "input" the record still writes is dropped.
    const query = lint({ columns: { prompt: 'question', query: 'context', response: 'answer' } }, { question: 'Convert 0.375 to a fraction.', input: 'In lowest terms.', context: '', answer: '3/8.' });
    assert.deepEqual(query.found, ['unknown-key "input" LLaMA-Factory ignores "input" here: the dataset_info.json entry for this file reads the query column from "context", so this record trains without it. Merge it into "context", or change the entry\'s "columns".']);
    assert.deepEqual(lint({ columns: { prompt: 'question', query: 'context', response: 'answer' } }, { question: 'Convert 0.375.', input: 'Lowest terms.', answer: '3/8.' }).fixes, ['context']);
    // A required column written only by its default name: missing-field names that key and renames it (one finding).
    const onlyDefault = lint({ columns: { prompt: 'question', response: 'reply' } }, { question: 'Largest desert?', output: 'The Sahara.' });
    assert.deepEqual(onlyDefault.found, ['missing-field "output" The record is missing the required "reply" field (string). Its text is under "output", which LLaMA-Factory does not read here: this file\'s dataset_info.json entry reads the response column from "reply". Rename it to "reply" (quick fix), or change the entry\'s "columns".']);
    assert.deepEqual(onlyDefault.fixes, ['reply']);
    // Beside the column the entry reads, it is dropped: said at its key.
    assert.match(lint({ columns: { prompt: 'question', response: 'reply' } }, { question: 'Largest desert?', reply: 'Antarctica.', output: 'The Sahara.' }).found.join('\n'), /^unknown-key "output" LLaMA-Factory ignores "output" here: .* reads the response column from "reply".* Merge it into "reply"/);
    // So is an images column the entry reads from another name (the images would be dropped, or the placeholders not match).
    const images = lint({ formatting: 'sharegpt', columns: { messages: 'conversations', images: 'pics' } }, { conversations: [{ from: 'human', value: '<image>What tree?' }, { from: 'gpt', value: 'An oak.' }], images: ['tree.jpg'] });
    assert.ok(images.found.some((item) => /^unknown-key "images" LLaMA-Factory ignores "images" here: .* reads the images column from "pics"/.test(item)), images.found.join('\n'));
    assert.ok(images.fixes.includes('pics'));
    // ShareGPT turns under "conversations" where the entry reads "dialog".
    const dialog = lint({ formatting: 'sharegpt', columns: { messages: 'dialog' } }, { conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello.' }] });
    assert.deepEqual(dialog.fixes, ['dialog']);
    assert.match(dialog.found.join('\n'), /^missing-field "conversations" .*reads the messages column from "dialog"/);
    // Where another column is read from "input", it is read, not dropped.
    assert.deepEqual(lint({ columns: { prompt: 'input', query: 'context', response: 'answer' } }, { input: 'Convert 0.375.', context: '', answer: '3/8.' }).found, []);
  });
  it('dataset_info.json tags: a role whose tag the entry leaves out is reported (LLaMA-Factory sets it to none and skips the example)', () => {
    const tags = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', function_tag: 'function_call' };
    const hint = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', formatting: 'sharegpt', tags } }), 'd.jsonl');
    assert.ok(hint);
    const call = { from: 'function_call', value: '{"name": "f", "arguments": {}}' };
    const line = JSON.stringify({ conversations: [{ from: 'human', value: 'q' }, call, { from: 'observation', value: '1' }, { from: 'gpt', value: 'a' }] });
    const document = DatasetDocument.parse(`${line}\n`, 'jsonl');
    const { settings } = resolveSettings({ minExamples: 0 });
    const problems = lintDocument(document, 'file:///d.jsonl', settings, { hint }).diagnostics.map((item) => `${item.rule} ${line.slice(item.range.start.character, item.range.end.character)} ${item.message}`);
    assert.deepEqual(problems, ['unknown-role "observation" "observation" is not among the tags this file\'s dataset_info.json entry lists: LLaMA-Factory sets every tag left out of "tags" to none, so it skips this example. Add "observation_tag": "observation" to the entry\'s tags.']);
    // Listed: clean. No "tags" at all: LLaMA-Factory's defaults apply.
    const listed = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', formatting: 'sharegpt', tags: { ...tags, observation_tag: 'observation' } } }), 'd.jsonl');
    const untagged = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', formatting: 'sharegpt' } }), 'd.jsonl');
    for (const other of [listed, untagged]) assert.deepEqual(lintDocument(DatasetDocument.parse(`${line}\n`, 'jsonl'), 'file:///d.jsonl', settings, { hint: other }).diagnostics, []);
    // A misspelt tag: the message names only the tags this file may use, and never suggests one the entry leaves out.
    const misspelt = JSON.stringify({ conversations: [{ from: 'human', value: 'q' }, { from: 'observatoin', value: '1' }, { from: 'gpt', value: 'a' }] });
    const [message] = lintDocument(DatasetDocument.parse(`${misspelt}\n`, 'jsonl'), 'file:///d.jsonl', settings, { hint }).diagnostics.filter((item) => item.rule === 'unknown-role').map((item) => item.message);
    assert.ok(message !== undefined);
    assert.match(message, /roles here are human, gpt, function_call\. Use one of them\.$/);
    assert.doesNotMatch(message, /did you mean "observation"/);
    // Tags without user_tag: no user name is right, so the message says which tag to add rather than suggest "human".
    const noUser = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', formatting: 'sharegpt', columns: { messages: 'messages' }, tags: { role_tag: 'role', content_tag: 'content', assistant_tag: 'assistant' } } }), 'd.jsonl');
    const openaiLine = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] });
    const userProblems = lintDocument(DatasetDocument.parse(`${openaiLine}\n`, 'jsonl'), 'file:///d.jsonl', settings, { hint: noUser }).diagnostics.map((item) => `${item.rule} ${openaiLine.slice(item.range.start.character, item.range.end.character)} ${item.message}`);
    assert.deepEqual(userProblems, ['unknown-role "user" "user" is no role here: this file\'s dataset_info.json entry lists "tags" without user_tag, and LLaMA-Factory sets a tag left out to none, so it skips this example (and every other). Add "user_tag": "user" to the entry\'s tags.']);
  });
  it('names a tag the dataset_info.json entry gives as "tool" among the roles it suggests', () => {
    const tags = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', observation_tag: 'tool', function_tag: 'tool_call', system_tag: 'system' };
    const hint = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', formatting: 'sharegpt', columns: { messages: 'messages' }, tags } }), 'd.jsonl');
    const line = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'tool_call', content: '{"name": "f", "arguments": {}}' }, { role: 'observation', content: '1' }, { role: 'assistant', content: 'a' }] });
    const { settings } = resolveSettings({ minExamples: 0 });
    const messages = lintDocument(DatasetDocument.parse(`${line}\n`, 'jsonl'), 'file:///d.jsonl', settings, { hint }).diagnostics.filter((item) => item.rule === 'unknown-role').map((item) => item.message);
    assert.deepEqual(messages, ['Unknown role "observation": did you mean "tool"? Roles here are user, assistant, system, tool_call, tool.']);
  });
  it('picks the file format by majority and flags the others', () => {
    const text = ['{"instruction": "a", "output": "b"}', '{"instruction": "c", "output": "d"}', '{"text": "e"}'].join('\n');
    const result = lint(text);
    assert.equal(result.facts.format, 'alpaca');
    assert.deepEqual(result.diagnostics.filter((item) => item.rule === 'mixed-formats').map((item) => item.range), [{ start: { line: 2, character: 1 }, end: { line: 2, character: 7 } }]);
  });
});

describe('token counting', () => {
  const model = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'service', 'tiny-model');
  it('labels estimates, and counts exactly with a model folder (tokenizer.json + chat template)', async () => {
    const loaded = await modelTokenCounter(model);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
    const conversation = normalise({ messages: [{ role: 'user', content: 'Hello world' }, { role: 'assistant', content: 'hi there' }] }, 'openai-chat');
    // "<|user|> hello world\n<|assistant|> hi there\n": <| user |> hello world <| assistant |> hi <unk>
    assert.deepEqual(loaded.counter.count(conversation), { total: 10, trainable: 3, estimated: false });
    const estimated = lint('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "' + 'x'.repeat(400) + '"}]}\n', 'jsonl', { maxTokens: 50 });
    assert.match(estimated.diagnostics.find((item) => item.rule === 'too-long')?.message ?? '', /about \d+ tokens \(estimate/);
  });
  it('reports a model folder that cannot be loaded without failing', async () => {
    const loaded = await modelTokenCounter(path.join(model, 'missing'));
    assert.equal(loaded.ok, false);
    assert.match(loaded.ok ? '' : loaded.error, /cannot load a tokenizer/);
  });
  it('rejects a tokenizer.json or tokenizer_config.json the tokenizers library would not read, saying what and where', async () => {
    const base = JSON.parse(fs.readFileSync(path.join(model, 'tokenizer.json'), 'utf8')) as { model: Record<string, unknown> };
    const config = fs.readFileSync(path.join(model, 'tokenizer_config.json'), 'utf8');
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-tokenizer-'));
    let folders = 0;
    const loadWith = async (tokenizer: string, tokenizerConfig = config): Promise<string> => {
      // A folder each: a loaded tokenizer is kept per folder.
      const each = path.join(folder, String(folders++));
      fs.mkdirSync(each);
      fs.writeFileSync(path.join(each, 'tokenizer.json'), tokenizer);
      fs.writeFileSync(path.join(each, 'tokenizer_config.json'), tokenizerConfig);
      const loaded = await modelTokenCounter(each);
      return loaded.ok ? 'loaded' : loaded.error;
    };
    try {
      const withModel = (change: Record<string, unknown>): string => JSON.stringify({ ...base, model: { ...base.model, ...change } });
      assert.equal(await loadWith(JSON.stringify(base)), 'loaded');
      assert.match(await loadWith(withModel({ type: 'Unigramz' })), /its model type "Unigramz" is not one of BPE, WordPiece, WordLevel, Unigram/);
      assert.match(await loadWith(withModel({ type: 'WordLevel', vocab: ['a', 'b'] })), /a WordLevel model's "vocab" must be an object of token: id/);
      assert.match(await loadWith(withModel({ type: 'BPE', vocab: { a: 0 }, merges: undefined })), /a BPE model needs its "merges" list/);
      assert.match(await loadWith('{\n  "version": "1.0",\n  "model" {}\n}'), /tokenizer\.json is not valid JSON \(.*line 3, column 11\)/);
      assert.match(await loadWith(JSON.stringify(base), '{\n "chat_template": "x",\n}'), /tokenizer_config\.json is not valid JSON \(.*line 3, column 1\)/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('edit distance for "did you mean"', () => {
  it('counts an adjacent transposition as one edit', () => {
    const cases: [string, string, number][] = [['gtp', 'gpt', 1], ['asistant', 'assistant', 1], ['assitant', 'assistant', 1], ['asisstant', 'assistant', 1], ['kitten', 'sitting', 3], ['ca', 'abc', 3], ['', 'abc', 3], ['same', 'same', 0], ['conversatoins', 'conversations', 1]];
    for (const [a, b, expected] of cases) assert.equal(editDistance(a, b), expected, `${a} -> ${b}`);
  });
  it('exits early above the limit, and never below the true distance', () => {
    assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3);
    assert.equal(editDistance('badc', 'abcd', 2), 2, 'two transpositions stay within the limit');
  });
  it('TRL prompt-only and stepwise supervision records are their own formats, with nothing trained in a prompt', () => {
    assert.deepEqual(summary({ prompt: 'The sky is' }), { shape: 'prompt-only', format: 'prompt-only', turns: ['user:The sky is'], rejected: undefined });
    assert.deepEqual(summary({ prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Sky color?' }], answer: 'blue' }), { shape: 'prompt-only', format: 'prompt-only', turns: ['system:Be brief.', 'user:Sky color?'], rejected: undefined });
    const stepwise = { prompt: 'Is 9.8 > 9.11?', completions: ['0.8 > 0.11.', 'So yes.'], labels: [true, true] };
    assert.deepEqual(summary(stepwise), { shape: 'stepwise', format: 'stepwise', turns: ['user:Is 9.8 > 9.11?', 'assistant*:0.8 > 0.11.\nSo yes.'], rejected: undefined });
    assert.deepEqual(normalise(stepwise, 'stepwise').turns[1]?.parts.map((part) => [part.path, part.offset]), [[['completions', 0], 0], [['completions', 1], 12]]);
    // A record that meant to have an answer stays prompt/completion (or preference): missing-field and unknown-key say what to write.
    assert.equal(detectShape({ prompt: 'a', label: false }), 'prompt-completion');
    assert.equal(detectShape({ prompt: 'a', completon: 'b' }), 'prompt-completion');
    assert.equal(detectShape({ prompt: 'a', complete: 'b' }), 'prompt-completion');
    assert.equal(detectShape({ prompt: 'a', response: 'b' }), 'prompt-completion');
    assert.equal(detectShape({ prompt: 'a', choosen: 'b', rejectd: 'c' }), 'preference-trl');
    // Among records with answers, a prompt-only record is one whose answer is missing (missing-field); elsewhere it is another format.
    assert.equal(mixedFormatRuleId('prompt-only', 'prompt-completion'), 'missing-field');
    assert.equal(mixedFormatRuleId('prompt-only', 'preference'), 'missing-field');
    assert.equal(mixedFormatRuleId('prompt-only', 'openai-chat'), 'mixed-formats');
    assert.equal(mixedFormatRuleId('stepwise', 'prompt-completion'), 'mixed-formats');
  });
  it('Axolotl argilla and intel DPO columns are preference pairs with the question as the prompt', () => {
    assert.deepEqual(summary({ system: 'Be brief.', instruction: 'Name a prime.', chosen_response: '7', rejected_response: '8' }), { shape: 'preference-argilla', format: 'preference', turns: ['system:Be brief.', 'user:Name a prime.', 'assistant*:7'], rejected: ['8'] });
    assert.deepEqual(summary({ question: 'Boiling point of water?', chosen: '100 C.', rejected: '50 C.' }), { shape: 'preference-intel', format: 'preference', turns: ['user:Boiling point of water?', 'assistant*:100 C.'], rejected: ['50 C.'] });
    // A dataset_info.json that declares Alpaca: LLaMA-Factory reads only its own columns, so the answers must be renamed.
    const hint = hintFromDatasetInfo(JSON.stringify({ d: { file_name: 'd.jsonl', formatting: 'alpaca' } }), 'd.jsonl');
    assert.ok(hint);
    const document = DatasetDocument.parse(JSON.stringify({ instruction: 'Name a prime.', chosen_response: '7', rejected_response: '8' }) + '\n', 'jsonl');
    const { settings } = resolveSettings({ minExamples: 0 });
    const messages = lintDocument(document, 'file:///d.jsonl', settings, { hint }).diagnostics.filter((item) => item.rule === 'missing-field').map((item) => item.message);
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /chatml\.argilla.*rename "chosen_response" to "chosen" and "rejected_response" to "rejected"/);
  });
  it('Axolotl per-message training flags decide what is trained, whatever the role', () => {
    const conversation = normalise({ messages: [{ role: 'system', content: 's', train: false }, { role: 'user', content: 'q', training: true }, { role: 'assistant', content: 'a', train: false, weight: 1 }, { role: 'assistant', content: 'b' }] }, 'openai-chat');
    assert.deepEqual(conversation.turns.map((turn) => turn.trainable), [false, true, false, true]);
    // A masked answer weighs 0, so conversions keep the mask (OpenAI weight 0) or decline (ShareGPT, Alpaca have none).
    const masked = normalise({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a', train: false }, { from: 'human', value: 'q2' }, { from: 'gpt', value: 'b' }] }, 'sharegpt');
    assert.deepEqual(masked.turns.map((turn) => [turn.trainable, turn.weight]), [[false, undefined], [false, 0], [false, undefined], [true, undefined]]);
  });
  it('every format detection knows can be forced by the setting and the config file (prompt-only and stepwise too)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { enum?: string[] }> } | { properties: Record<string, { enum?: string[] }> }[] } };
    const enumOf = ([] as { properties: Record<string, { enum?: string[] }> }[]).concat(manifest.contributes.configuration).map((section) => section.properties['tunesmith.format']?.enum).find((values) => values !== undefined);
    assert.deepEqual(enumOf, [...forceableFormats]);
    for (const format of ['prompt-only', 'stepwise'] as const) {
      const { settings, warnings } = resolveSettings({ format });
      assert.equal(settings.format, format);
      assert.deepEqual(warnings, []);
    }
    const rules = (text: string, format: string) => lint(text, 'jsonl', { format: format as 'auto' }).diagnostics.map((item) => `${item.rule} ${item.range.start.line}`);
    // Forced prompt-only: a prompt with an answer column is a GRPO record; a prompt/completion record is not.
    assert.deepEqual(rules('{"prompt": "The sky is"}\n{"prompt": [{"role": "user", "content": "Sky?"}], "answer": "blue"}\n', 'prompt-only'), []);
    assert.deepEqual(rules('{"prompt": "The sky is"}\n{"prompt": "Grass is", "completion": " green."}\n', 'prompt-only'), ['mixed-formats 1']);
    // Forced stepwise: the labels are checked against the steps.
    assert.deepEqual(rules('{"prompt": "Q", "completions": ["a.", "b."], "labels": [true, false]}\n{"prompt": "Q", "completions": ["a."], "labels": [true, 1]}\n', 'stepwise'), ['wrong-type 1', 'wrong-type 1']);
    assert.deepEqual(rules('{"prompt": "Q", "completions": ["a."], "labels": [true]}\n{"prompt": "Q", "completion": " a."}\n', 'stepwise'), ['unknown-key 1', 'mixed-formats 1']);
  });
  it('suggests the transposed role', () => {
    assert.equal(closest('gtp', ['human', 'gpt', 'system'], 2), 'gpt');
  });
});

describe('a layout-less chat list fits a file of either turn layout in its column', () => {
  it('an empty "messages" list fits from/value messages, an empty "conversations" list fits role/content conversations', () => {
    assert.equal(layoutlessChatFitsFile({ messages: [] }, detectShape({ messages: [] }), 'sharegpt-messages'), true);
    assert.equal(layoutlessChatFitsFile({ conversations: [] }, detectShape({ conversations: [] }), 'chat-conversations'), true);
    assert.equal(layoutlessChatFitsFile({ messages: [1, null] }, 'openai-chat', 'sharegpt-messages'), true);
  });
  it('not a list in the other column, nor one whose turns show a layout', () => {
    // classic ShareGPT ("conversations") beside {"messages": []}: another column, another format
    assert.equal(layoutlessChatFitsFile({ messages: [] }, 'openai-chat', 'sharegpt'), false);
    assert.equal(layoutlessChatFitsFile({ messages: [{ role: 'user', content: 'Hi' }] }, 'openai-chat', 'sharegpt-messages'), false);
    assert.equal(layoutlessChatFitsFile({ conversations: [{ from: 'human', value: 'Hi' }] }, 'sharegpt', 'chat-conversations'), false);
    assert.equal(layoutlessChatFitsFile({ messages: 'none' }, 'openai-chat', 'sharegpt-messages'), false);
  });
});

describe("the file's format when two formats have as many records", () => {
  it('is the one that comes first in the file, after edits as when the file is read afresh', () => {
    const openai = JSON.stringify({ messages: [{ role: 'user', content: 'Name a planet.' }, { role: 'assistant', content: 'Mars.' }] });
    const alpaca = JSON.stringify({ instruction: 'Name an ocean.', input: '', output: 'The Pacific.' });
    const promptCompletion = JSON.stringify({ prompt: 'Name a river.', completion: 'The Nile.' });
    const uri = 'file:///test/tie.jsonl';
    const { settings } = resolveSettings({ minExamples: 0 });
    const session = new DatasetSession(() => ({ settings }));
    session.open(uri, `${openai}\n${alpaca}\n`);
    session.lint(uri);
    // Record 1 becomes prompt/completion: one of each, and prompt/completion now comes first.
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: openai.length } }, text: promptCompletion }]);
    const render = renderDiagnostics;
    const edited = render(session.lint(uri)?.diagnostics ?? []);
    assert.deepEqual(edited, render(lint(`${promptCompletion}\n${alpaca}\n`).diagnostics));
    assert.ok(edited.some((item) => item.startsWith('mixed-formats {"start":{"line":1,') && item.includes('the file has as many records in each format and starts in prompt-completion')), edited.join('\n'));
  });
});
