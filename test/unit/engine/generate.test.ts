import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generate, PREFILL_CHUNK } from '../../../engine/src/generate/generator';
import { argmax, Sampler, SamplingError } from '../../../engine/src/generate/sampler';
import { TextTokenizer } from '../../../engine/src/generate/tokenizer';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { removeTempDirs, smallModel } from './helpers';

after(removeTempDirs);

describe('sampler', () => {
  const logits = Float32Array.from([0.1, 2.0, 1.9, -1, 0.5]);

  test('greedy, top-k 1 and a tiny top-p all pick the best token', () => {
    assert.equal(new Sampler({ temperature: 0 }).sample(logits, []), 1);
    for (let seed = 0; seed < 20; seed++) {
      assert.equal(new Sampler({ temperature: 1, topK: 1, seed }).sample(logits, []), 1);
      assert.equal(new Sampler({ temperature: 1, topP: 0.01, seed }).sample(logits, []), 1);
    }
  });

  test('top-k 2 only ever draws the two best tokens, and both', () => {
    const seen = new Set<number>();
    const sampler = new Sampler({ temperature: 1, topK: 2, seed: 5 });
    for (let i = 0; i < 200; i++) seen.add(sampler.sample(logits, []));
    assert.deepEqual([...seen].sort(), [1, 2]);
  });

  test('the repetition penalty moves greedy away from a repeated token', () => {
    assert.equal(new Sampler({ temperature: 0, repetitionPenalty: 1.2 }).sample(logits, [1]), 2);
  });

  test('a seed repeats the draws; bad settings are refused', () => {
    const draw = (seed: number): number[] => {
      const sampler = new Sampler({ temperature: 1.5, seed });
      return Array.from({ length: 30 }, () => sampler.sample(logits, []));
    };
    assert.deepEqual(draw(3), draw(3));
    assert.notDeepEqual(draw(3), draw(4));
    assert.throws(() => new Sampler({ temperature: -1 }), SamplingError);
    assert.throws(() => new Sampler({ temperature: 1, topP: 0 }), SamplingError);
  });
});

describe('generation', () => {
  let model: LoadedModel;
  let tokenizer: TextTokenizer;

  before(async () => {
    const dir = smallModel({ arch: 'qwen3', vocabSize: 2048, initStd: 0.3 });
    const folder = loadModelFolder(dir);
    model = await LoadedModel.load(folder, { device: 'cpu' });
    tokenizer = await TextTokenizer.create(folder.tokenizerJson, folder.tokenizerConfig, folder.dir);
  });
  after(async () => model.release());

  test('the trimmed Qwen tokenizer round-trips text and the chat template renders Qwen turns', () => {
    const text = 'Hello, wörld! 123 — ünïcode ✓';
    assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
    const prompt = tokenizer.applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true });
    assert.ok(prompt.startsWith('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n'), JSON.stringify(prompt));
    const noThinking = tokenizer.applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: true, extra: { enable_thinking: false } });
    assert.ok(noThinking.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n'), JSON.stringify(noThinking));
    const ids = tokenizer.encode(prompt);
    assert.equal(ids[0], tokenizer.tokenId('<|im_start|>'));
    assert.ok(tokenizer.endTokenIds(model.folder.generation.eosTokenIds).has(tokenizer.tokenId('<|im_end|>')!));
  });

  test('greedy generation is repeatable and the streamed pieces add up to the text', async () => {
    const pieces: string[] = [];
    const request = { prompt: { messages: [{ role: 'user', content: 'Tell me a story.' }] }, maxTokens: 12, sampling: { temperature: 0 } };
    const first = await generate(model, tokenizer, request, { onText: (text) => pieces.push(text) });
    const second = await generate(model, tokenizer, request);
    assert.deepEqual(first.tokens, second.tokens);
    assert.equal(pieces.join(''), first.text);
    assert.equal(first.text, tokenizer.decode(first.tokens));
    assert.ok(first.tokens.length > 0);
    assert.ok(first.stats.timeToFirstTokenMs > 0);
  });

  test('seeded sampling repeats for a seed and differs across seeds', async () => {
    const run = async (seed: number): Promise<number[]> =>
      (await generate(model, tokenizer, { prompt: { text: 'Once upon a time' }, maxTokens: 16, sampling: { temperature: 1.2, seed } })).tokens;
    assert.deepEqual(await run(1), await run(1));
    assert.notDeepEqual(await run(1), await run(2));
  });

  test('max tokens and stop strings end generation; stop text is not emitted', async () => {
    const limited = await generate(model, tokenizer, { prompt: { text: 'abc' }, maxTokens: 5, sampling: { temperature: 0.8, seed: 9 } });
    assert.equal(limited.finishReason, 'max-tokens');
    assert.equal(limited.tokens.length, 5);
    // Use a piece of a free-running answer as the stop string.
    const free = await generate(model, tokenizer, { prompt: { text: 'abc' }, maxTokens: 40, sampling: { temperature: 0.8, seed: 9 } });
    const stop = free.text.slice(10, 13);
    assert.equal(stop.length, 3, `need some text to stop on: ${JSON.stringify(free.text)}`);
    const streamed: string[] = [];
    const stopped = await generate(model, tokenizer, { prompt: { text: 'abc' }, maxTokens: 40, sampling: { temperature: 0.8, seed: 9 }, stopStrings: [stop] }, { onText: (t) => streamed.push(t) });
    assert.equal(stopped.finishReason, 'stop-string');
    assert.equal(stopped.text, free.text.slice(0, free.text.indexOf(stop)));
    assert.equal(streamed.join(''), stopped.text);
  });

  test('a prompt longer than one prefill chunk gives the same answer as the tokens one by one', async () => {
    const prompt = Array.from({ length: PREFILL_CHUNK + 37 }, (_, i) => (i * 31) % 500);
    const chunked = await generate(model, tokenizer, { prompt: { tokens: prompt }, maxTokens: 4, sampling: { temperature: 0 } });
    let step = await model.forward(prompt.slice(0, 100));
    for (let offset = 100; offset < prompt.length; offset += 200) step = await model.forward(prompt.slice(offset, offset + 200), step.cache);
    let next = argmax(step.logits);
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) {
      expected.push(next);
      step = await model.forward([next], step.cache);
      next = argmax(step.logits);
    }
    assert.deepEqual(chunked.tokens.slice(0, 4), expected.slice(0, chunked.tokens.length));
  });

  test('cancellation stops at once', async () => {
    const controller = new AbortController();
    let count = 0;
    const result = await generate(
      model,
      tokenizer,
      { prompt: { text: 'go' }, maxTokens: 500, sampling: { temperature: 1, seed: 1 } },
      {
        signal: controller.signal,
        onText: () => {
          count++;
          if (count === 3) controller.abort();
        },
      },
    );
    assert.equal(result.finishReason, 'cancelled');
    assert.ok(result.tokens.length <= 4, `generated ${result.tokens.length} tokens after cancel`);
  });
});
