import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { LoadedModel } from '../../../engine/src/runtime/model';
import type { TinyModelOptions } from '../../../engine/src/tiny/createTinyModel';
import { maxAbsDiff, removeTempDirs, smallModel } from './helpers';
import { type ReferenceConfig, ReferenceModel } from './reference';

after(removeTempDirs);

const TOKENS = [5, 300, 17, 42, 511, 0, 128, 9];

const variants: Record<string, Omit<TinyModelOptions, 'out'>> = {
  'llama: GQA, tied embeddings': { arch: 'llama' },
  'llama: q/k/v/o biases, untied, bf16 weights': { arch: 'llama', dtype: 'bfloat16', configOverrides: { attention_bias: true, tie_word_embeddings: false } },
  'qwen2: q/k/v biases, untied, fp16 weights': { arch: 'qwen2', dtype: 'float16', configOverrides: { tie_word_embeddings: false } },
  'qwen3: tied embeddings, bf16 weights': { arch: 'qwen3', dtype: 'bfloat16' },
  'qwen3: q/k RMSNorm, llama3 RoPE scaling': {
    arch: 'qwen3',
    configOverrides: { rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 } },
  },
  'mistral: multi-head attention, rope theta 1e6': { arch: 'mistral', configOverrides: { num_key_value_heads: 4, rope_theta: 1e6 } },
};

describe('ONNX forward pass matches a float64 reference', () => {
  for (const [label, options] of Object.entries(variants)) {
    test(label, async () => {
      const dir = smallModel(options);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as ReferenceConfig;
      const reference = new ReferenceModel(config, path.join(dir, 'model.safetensors')).forward(TOKENS);
      const expected = Float64Array.from(reference.flatMap((row) => Array.from(row)));
      const spread = Math.max(...expected) - Math.min(...expected);
      assert.ok(spread > 1, `logits should vary (spread ${spread})`);
      // Plain-op attention (the differentiable graph) and the fused GroupQueryAttention kernel.
      for (const fusedAttention of [false, true]) {
        const model = await LoadedModel.load(dir, { device: 'cpu', logits: 'all', loraTargets: [], fusedAttention });
        try {
          const { logits, rows } = await model.forward(TOKENS);
          assert.equal(rows, TOKENS.length);
          const diff = maxAbsDiff(logits, expected);
          assert.ok(diff < 1e-4, `fusedAttention ${fusedAttention}: max |onnx - reference| = ${diff}`);
        } finally {
          await model.release();
        }
      }
    });
  }
});

describe('KV cache', () => {
  for (const fusedAttention of [false, true]) {
  test(`decoding token by token equals recomputing the whole sequence (fusedAttention ${fusedAttention})`, async () => {
    const dir = smallModel({ arch: 'qwen3' });
    const model = await LoadedModel.load(dir, { device: 'cpu', logits: 'all', loraTargets: [], fusedAttention });
    try {
      const full = await model.forward(TOKENS);
      let step = await model.forward(TOKENS.slice(0, 3));
      assert.ok(maxAbsDiff(step.logits, full.logits.subarray(0, 3 * model.config.vocabSize)) < 1e-5);
      for (let i = 3; i < TOKENS.length; i++) {
        step = await model.forward([TOKENS[i]!], step.cache);
        assert.equal(step.cache.length, i + 1);
        const expected = full.logits.subarray(i * model.config.vocabSize, (i + 1) * model.config.vocabSize);
        assert.ok(maxAbsDiff(step.logits, expected) < 1e-5, `position ${i}`);
      }
    } finally {
      await model.release();
    }
  });
  }
});
