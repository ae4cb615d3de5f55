import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { TextTokenizer } from '../../../engine/src/generate/tokenizer';
import { DataError, type DataOptions, prepareData } from '../../../engine/src/training/data';
import type { TokenizedExample } from '../../../engine/src/training/batching';

const fixtures = path.resolve(__dirname, '../../../../test/fixtures/training');
const mixed = path.join(fixtures, 'mixed.jsonl');
let root: string;
let tokenizer: TextTokenizer;
let modelFolder: ReturnType<typeof loadModelFolder>;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-data-'));
  modelFolder = loadModelFolder(createTinyModel({ out: root, arch: 'qwen3', seed: 0 }).dir);
  tokenizer = await TextTokenizer.create(modelFolder.tokenizerJson, modelFolder.tokenizerConfig, modelFolder.dir);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

const defaults: DataOptions = { labels: 'assistant', maxLength: 128, overLength: 'drop', evalSplit: 0, evalFiles: [], seed: 1 };

/** The text of the tokens that carry loss, per example. */
/** The trained tokens of an example as text, untrained runs shown as '|'. */
function trainedText(example: TokenizedExample, by: TextTokenizer = tokenizer): string {
  return example.tokens.map((id, t) => (example.targetWeights[t]! > 0 ? by.decode([id], false) : '|')).join('').replace(/\|+/g, '|');
}

/** The test model's tokenizer with another chat template (and any other tokenizer_config entries). */
function withTemplate(chatTemplate: unknown, config: Record<string, unknown> = {}): Promise<TextTokenizer> {
  return TextTokenizer.create(modelFolder.tokenizerJson, { ...modelFolder.tokenizerConfig, chat_template: chatTemplate, ...config }, modelFolder.dir);
}

test('assistant turns carry the loss by default; the linter\'s invalid records, no-trainable and over-long records are reported with their lines', () => {
  const data = prepareData([mixed], tokenizer, defaults);
  const report = data.report;
  assert.deepEqual(report.invalid.map((r) => r.line), [3, 4]);
  assert.match(report.invalid[0]!.reason, /^invalid-json/);
  assert.match(report.invalid[1]!.reason, /^no-assistant-turn/);
  assert.deepEqual(report.noTrainableTokens.map((r) => r.line), [2]);
  assert.deepEqual(report.overLength.map((r) => r.line), [5]);
  assert.equal(report.trainExamples, 2);
  assert.equal(trainedText(data.train[0]!), '|Paris.<|im_end|>|<think>\n\n</think>\n\nMadrid.<|im_end|>|');
  assert.equal(trainedText(data.train[1]!), '|<think>\n\n</think>\n\nOne, two, three.<|im_end|>|');
});

test('label modes: all turns, or the last assistant turn only', () => {
  const all = prepareData([mixed], tokenizer, { ...defaults, labels: 'all' });
  assert.ok(trainedText(all.train[0]!).includes('Capital of France?'));
  assert.ok(trainedText(all.train[0]!).includes('Paris.'));
  // weight 0 still excludes the assistant turn, but its user turn now trains
  assert.equal(all.report.noTrainableTokens.length, 0);
  const last = prepareData([mixed], tokenizer, { ...defaults, labels: 'last-assistant' });
  assert.equal(trainedText(last.train[0]!), '|<think>\n\n</think>\n\nMadrid.<|im_end|>|');
});

test('over-long records are truncated when asked, and an eval split holds records out repeatably', () => {
  const truncated = prepareData([mixed], tokenizer, { ...defaults, overLength: 'truncate' });
  assert.equal(truncated.report.overLength.length, 1);
  assert.equal(truncated.train.length, 3);
  assert.ok(truncated.train.every((e) => e.tokens.length <= 128));
  const instructions = path.join(fixtures, 'instructions.jsonl');
  const split = prepareData([instructions], tokenizer, { ...defaults, evalSplit: 0.25 });
  assert.equal(split.report.trainExamples, 9);
  assert.equal(split.report.evalExamples, 3);
  assert.deepEqual(prepareData([instructions], tokenizer, { ...defaults, evalSplit: 0.25 }).eval.map((e) => e.tokens), split.eval.map((e) => e.tokens));
  const trainTexts = new Set(split.train.map((e) => e.tokens.join(',')));
  assert.ok(split.eval.every((e) => !trainTexts.has(e.tokens.join(','))), 'held-out records are not trained on');
  const separate = prepareData([mixed], tokenizer, { ...defaults, evalFiles: [path.join(fixtures, 'instructions.jsonl')] });
  assert.equal(separate.report.evalExamples, 12);
});

test('per-turn weights scale the loss of their tokens', () => {
  const file = path.join(root, 'weights.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'first', weight: 1 }, { role: 'user', content: 'b' }, { role: 'assistant', content: 'second' }] })}\n`);
  const data = prepareData([file], tokenizer, defaults);
  const weights = new Set(data.train[0]!.targetWeights.filter((w) => w > 0));
  assert.deepEqual([...weights], [1]);
  const zero = path.join(root, 'zero.jsonl');
  fs.writeFileSync(zero, `${JSON.stringify({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'skip me', weight: 0 }, { role: 'user', content: 'b' }, { role: 'assistant', content: 'learn me' }] })}\n`);
  const text = trainedText(prepareData([zero], tokenizer, defaults).train[0]!);
  assert.ok(!text.includes('skip me') && text.includes('learn me'), text);
});

test('plain text trains with the tokens the tokenizer adds around any text (a BOS, as TRL tokenizes text), as the linter counts it', async () => {
  const file = path.join(root, 'plain.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ text: 'The sky is blue.' })}\n`);
  const json = modelFolder.tokenizerJson as { added_tokens: { id: number; content: string }[] };
  const bos = json.added_tokens.find((token) => token.content === '<|im_start|>');
  assert.ok(bos, 'the test tokenizer has <|im_start|>');
  const withBos = await TextTokenizer.create({ ...json, post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<|im_start|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }], pair: [{ SpecialToken: { id: '<|im_start|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }], special_tokens: { '<|im_start|>': { id: '<|im_start|>', ids: [bos.id], tokens: ['<|im_start|>'] } } } }, modelFolder.tokenizerConfig, modelFolder.dir);
  const plain = prepareData([file], tokenizer, defaults).train[0]!;
  const started = prepareData([file], withBos, defaults).train[0]!;
  assert.equal(started.tokens[0], bos.id, 'the example starts with the BOS');
  assert.deepEqual(started.tokens.slice(1), plain.tokens, 'then the same tokens as without a post-processor');
  assert.equal(tokenizer.decode(plain.tokens, false), `The sky is blue.${tokenizer.eosToken ?? ''}`);
});

test('template-free segments train as written: joined with nothing between them, loss only on the segments labelled true', () => {
  const file = path.join(root, 'segments.jsonl');
  const segments = [{ label: false, text: 'Question: what is two plus two?\n' }, { label: true, text: 'Answer: four.' }, { label: false, text: ' (checked)' }];
  fs.writeFileSync(file, `${JSON.stringify({ segments })}\n`);
  const example = prepareData([file], tokenizer, defaults).train[0]!;
  assert.equal(tokenizer.decode(example.tokens, false), 'Question: what is two plus two?\nAnswer: four. (checked)', 'no separator, no end token added');
  assert.equal(trainedText(example), '|Answer: four.|');
});

test('an answer made only of tool calls trains its call and end token (Qwen3 renders it otherwise as the last message)', () => {
  const file = path.join(root, 'tool-call.jsonl');
  const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_1', content: '21 C' }, { role: 'assistant', content: 'It is 21 C.' }] })}\n`);
  const data = prepareData([file], tokenizer, { ...defaults, maxLength: 512 });
  assert.deepEqual(data.report.invalid, [], 'before, the record was rejected: "does not reproduce turn 2 verbatim"');
  // The arguments reach the template as an object (transformers' convention), as the linter counts them.
  assert.equal(trainedText(data.train[0]!), '|<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>|<think>\n\n</think>\n\nIt is 21 C.<|im_end|>|');
});

test('tool-call arguments written as a JSON string and a tools column written as a JSON string reach the template as JSON values', async () => {
  // As Llama 3.1's and Mistral's templates do: the arguments through tojson, the tools as a list of function specs.
  const template =
    "{% if tools %}{{ '<tools>' }}{% for tool in tools %}{{ tool.name + ';' }}{% endfor %}{{ '</tools>' }}{% endif %}" +
    "{% for message in messages %}{{ '<|' + message['role'] + '|>' }}{% if message.tool_calls %}{% for call in message.tool_calls %}{{ call.function.name + ' ' + (call.function.arguments | tojson) }}{% endfor %}{% else %}{{ message['content'] }}{% endif %}{{ '<|end|>' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";
  const toolTokenizer = await withTemplate(template);
  const file = path.join(root, 'tool-strings.jsonl');
  const openai = { messages: [{ role: 'user', content: 'Weather in Paris?' }, { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, { role: 'tool', tool_call_id: 'call_1', content: '21 C' }, { role: 'assistant', content: 'It is 21 C.' }] };
  // LLaMA-Factory's ShareGPT layout keeps the tools column as a JSON string.
  const sharegpt = { conversations: [{ from: 'human', value: 'Weather in Rome?' }, { from: 'gpt', value: 'Sunny.' }], tools: JSON.stringify([{ name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]) };
  fs.writeFileSync(file, `${JSON.stringify(openai)}\n`);
  const calls = prepareData([file], toolTokenizer, { ...defaults, maxLength: 512 });
  assert.deepEqual(calls.report.invalid, []);
  const text = toolTokenizer.decode(calls.train[0]!.tokens, false);
  // Before, the string went through tojson a second time: "{\"city\":\"Paris\"}".
  assert.ok(text.includes('get_weather {"city": "Paris"}<|end|>'), text);
  fs.writeFileSync(file, `${JSON.stringify(sharegpt)}\n`);
  const tools = prepareData([file], toolTokenizer, { ...defaults, maxLength: 512 });
  assert.deepEqual(tools.report.invalid, []);
  assert.ok(toolTokenizer.decode(tools.train[0]!.tokens, false).startsWith('<tools>get_weather;</tools>'), 'the tools column is read as a list');
});

test("earlier answers train their end-of-turn marker when the template closes the conversation with eos_token (Phi-3's layout)", async () => {
  // Phi-3-mini's template: each message ends with <|end|>, and the conversation with eos_token unless a reply is prompted.
  const phi3 = "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";
  const phiTokenizer = await withTemplate(phi3, { eos_token: '<|endoftext|>' });
  const file = path.join(root, 'phi3.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Count to 3.' }, { role: 'assistant', content: '1, 2, 3.' }] })}\n`);
  const example = prepareData([file], phiTokenizer, defaults).train[0]!;
  const trained = trainedText(example, phiTokenizer);
  // Before, the first answer trained without <|end|>: the model never learnt to end a turn.
  assert.equal(trained, '|Hello!<|end|>\n|1, 2, 3.<|end|>\n<|endoftext|>');
});

test('KTO examples labelled false are left out and reported: supervised training would teach the completions they reject', () => {
  const file = path.join(root, 'kto.jsonl');
  const rows = [
    { prompt: 'The capital of France is', completion: ' Paris.', label: true },
    { prompt: 'The capital of France is', completion: ' Berlin.', label: false },
    { prompt: 'Two plus two is', completion: ' four.', label: true },
  ];
  fs.writeFileSync(file, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  const data = prepareData([file], tokenizer, defaults);
  assert.equal(data.train.length, 2);
  assert.ok(data.train.every((example) => !trainedText(example).includes('Berlin')));
  assert.deepEqual(data.report.invalid.map((item) => item.line), [2]);
  assert.match(data.report.invalid[0]!.reason, /^KTO label false: an undesirable completion/);
});

test("a LLaMA-Factory dataset_info.json beside the file and the folder's tunesmith.json decide as in the linter", () => {
  // Custom columns and role tags, named only by dataset_info.json: the linter reads them, so the trainer must too.
  const folder = fs.mkdtempSync(path.join(root, 'llamafactory-'));
  const info = { custom: { file_name: 'chats.json', formatting: 'sharegpt', columns: { messages: 'turns', system: 'persona' }, tags: { role_tag: 'speaker', content_tag: 'text', user_tag: 'me', assistant_tag: 'bot' } } };
  fs.writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify(info));
  const chats = path.join(folder, 'chats.json');
  fs.writeFileSync(chats, JSON.stringify([{ persona: 'Be kind.', turns: [{ speaker: 'me', text: 'Hi' }, { speaker: 'bot', text: 'Hello friend.' }] }]));
  const data = prepareData([chats], tokenizer, defaults);
  // Before, every record was rejected: "missing-field: This record matches no dataset format".
  assert.deepEqual(data.report.invalid, []);
  assert.equal(trainedText(data.train[0]!), '|<think>\n\n</think>\n\nHello friend.<|im_end|>|');
  assert.ok(tokenizer.decode(data.train[0]!.tokens, false).includes('Be kind.'), 'the system column is read');
  // A rule the user turned off in tunesmith.json rejects nothing (object arguments: tool-call-schema, an error by default).
  const calls = path.join(folder, 'calls.jsonl');
  const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Rome' } } };
  fs.writeFileSync(calls, `${JSON.stringify({ messages: [{ role: 'user', content: 'Weather in Rome?' }, { role: 'assistant', tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_1', content: 'sunny' }, { role: 'assistant', content: 'Sunny.' }] })}\n`);
  assert.match(prepareData([calls], tokenizer, { ...defaults, maxLength: 512 }).report.invalid[0]?.reason ?? '', /^tool-call-schema/);
  fs.writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ rules: { 'tool-call-schema': 'off' } }));
  assert.deepEqual(prepareData([calls], tokenizer, { ...defaults, maxLength: 512 }).report.invalid, []);
});

test('a tunesmith.json that does not parse stops the data preparation with its place, instead of training with the defaults', () => {
  const folder = fs.mkdtempSync(path.join(root, 'broken-config-'));
  const file = path.join(folder, 'data.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] })}\n`);
  fs.writeFileSync(path.join(folder, 'tunesmith.json'), '{\n  "rules": { "whitespace": "error", }\n}\n');
  assert.throws(() => prepareData([file], tokenizer, defaults), (error: Error) => error instanceof DataError && error.message.startsWith(`${path.join(folder, 'tunesmith.json')}:2:37: not valid JSON`));
});

test("a cue-less template that rewrites the prompt (Mistral's system message) trains the answer with its lead-in space, as the model writes it", async () => {
  // Mistral-7B-Instruct-v0.3's layout: the system message goes into the last user message only, so the prompt
  // rendered alone differs from the conversation; the answer follows [/INST] after a space, with no role cue.
  const mistral =
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set system = messages[0]['content'] %}{% set rest = messages[1:] %}{% else %}{% set rest = messages %}{% endif %}" +
    "{% for message in rest %}{% if message['role'] == 'user' %}{% if loop.last and system is defined %}{{ '[INST] ' + system + '\\n\\n' + message['content'] + '[/INST]' }}{% else %}{{ '[INST] ' + message['content'] + '[/INST]' }}{% endif %}" +
    "{% else %}{{ ' ' + message['content'] + eos_token }}{% endif %}{% endfor %}";
  const mistralTokenizer = await withTemplate(mistral);
  const file = path.join(root, 'mistral.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }, { role: 'assistant', content: 'Paris.' }] })}\n`);
  const example = prepareData([file], mistralTokenizer, defaults).train[0]!;
  const trained = trainedText(example, mistralTokenizer);
  // Before: "|Paris.<|im_end|>", the space tokenized alone and untrained (one token more than TRL's " Paris").
  assert.equal(trained, '| Paris.<|im_end|>');
  assert.deepEqual(example.tokens, mistralTokenizer.encode(mistralTokenizer.decode(example.tokens, false), false), 'the same tokens as the whole rendering');
});

test('a chat_template list renders conversations with tools through its "tool_use" template, as transformers does', async () => {
  const simple = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
  const toolUse =
    "{% if tools %}{{ '<|im_start|>system\\ntools:' }}{% for tool in tools %}{{ tool.function.name }}{% endfor %}{{ '<|im_end|>\\n' }}{% endif %}" +
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + (message['content'] or '') }}{% if message.tool_calls %}{% for call in message.tool_calls %}{{ 'call ' + call.function.name }}{% endfor %}{% endif %}{{ '<|im_end|>\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
  const namedTokenizer = await withTemplate([{ name: 'default', template: simple }, { name: 'tool_use', template: toolUse }]);
  const file = path.join(root, 'named-templates.jsonl');
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Oslo"}' } };
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'Weather in Oslo?' }, { role: 'assistant', content: '', tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_1', content: 'cold' }, { role: 'assistant', content: 'Cold.' }], tools })}\n`);
  const example = prepareData([file], namedTokenizer, { ...defaults, maxLength: 512 }).train[0]!;
  const trained = trainedText(example, namedTokenizer);
  // Before, the default template dropped the tools and the call: "|<|im_end|>|Cold.<|im_end|>|".
  assert.equal(trained, '|call get_weather<|im_end|>|Cold.<|im_end|>|');
  assert.ok(namedTokenizer.decode(example.tokens, false).startsWith('<|im_start|>system\ntools:get_weather<|im_end|>'));
  // Without tools, the default template.
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] })}\n`);
  assert.equal(namedTokenizer.decode(prepareData([file], namedTokenizer, defaults).train[0]!.tokens, false), '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n');
});

test('the rendering is tokenized whole, as TRL does: a token joining the role cue to an answer\'s leading newlines stays with the cue', async () => {
  const chatml = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
  const chatmlTokenizer = await withTemplate(chatml);
  const file = path.join(root, 'leading-newlines.jsonl');
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: '\n\nAnswer after blank lines.' }] })}\n`);
  const example = prepareData([file], chatmlTokenizer, defaults).train[0]!;
  // Before, "\n" (cue) and "\n\n" (answer) were tokenized apart: a token sequence the model never reads, one token longer.
  assert.deepEqual(example.tokens, chatmlTokenizer.encode('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n\n\nAnswer after blank lines.<|im_end|>\n', false));
  const trained = trainedText(example, chatmlTokenizer);
  assert.equal(trained, '|Answer after blank lines.<|im_end|>|');
});

test('a tool result the template drops does not hide the answer that repeats its words (Phi-3 with tool calls)', async () => {
  // Phi-3-mini's template writes only system, user and assistant messages.
  const phi3 = "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + '<|end|>\\n' }}{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\\n' + message['content'] + '<|end|>\\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";
  const phiTokenizer = await withTemplate(phi3, { eos_token: '<|endoftext|>' });
  const file = path.join(root, 'phi3-tools.jsonl');
  const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Rome"}' } };
  fs.writeFileSync(file, `${JSON.stringify({ messages: [{ role: 'user', content: 'Weather in Rome?' }, { role: 'assistant', content: '', tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_1', content: 'warm' }, { role: 'assistant', content: 'It is warm in Rome.' }] })}\n`);
  const data = prepareData([file], phiTokenizer, defaults);
  // Before: "does not reproduce turn 4 verbatim" ("warm" was found inside the answer, and the answer searched after it).
  assert.deepEqual(data.report.invalid, []);
  const example = data.train[0]!;
  const trained = trainedText(example, phiTokenizer);
  assert.equal(trained, '|<|end|>\n|It is warm in Rome.<|end|>\n<|endoftext|>');
});
