import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { createSession } from '../../../engine/src/runtime/session';
import { type Batch, type BatchingOptions, materializeBatch, packRows, planEpoch, type TokenizedExample } from '../../../engine/src/training/batching';
import { batchFeeds, initialLoraParameters } from '../../../engine/src/training/trainer';
import { buildTrainingGraph, IGNORE_INDEX } from '../../../engine/src/training/trainingGraph';
import { SeededRandom } from '../../../engine/src/training/random';

function example(index: number, length: number, random: SeededRandom, vocab = 100): TokenizedExample {
  const tokens = Array.from({ length }, () => random.integer(vocab));
  return { index, tokens, targetWeights: tokens.map((_, t) => (t >= length / 2 ? (t % 3 === 0 ? 0.5 : 1) : 0)) };
}

const options: BatchingOptions = { tokensPerBatch: 64, maxRows: 4, maxLength: 32, pack: false, lengthMultiple: 8, padTokenId: 0 };

test('an epoch covers every example once, batches respect the token budget and group similar lengths', () => {
  const random = new SeededRandom(3);
  const examples = Array.from({ length: 40 }, (_, i) => example(i, 3 + random.integer(28), random));
  const byIndex = new Map(examples.map((e) => [e.index, e]));
  for (const pack of [false, true]) {
    const plan = planEpoch(examples, { ...options, pack }, new SeededRandom(1));
    const seen = plan.flat(2).sort((a, b) => a - b);
    assert.deepEqual(seen, examples.map((e) => e.index));
    for (const batch of plan) {
      const b = materializeBatch(batch, byIndex, options);
      assert.ok(b.rows * b.length <= Math.max(options.tokensPerBatch, options.maxLength), `batch ${b.rows}x${b.length} over budget`);
      assert.ok(b.length <= options.maxLength && b.length % options.lengthMultiple === 0);
    }
    // Same seed, same plan; another seed, another order.
    assert.deepEqual(planEpoch(examples, { ...options, pack }, new SeededRandom(1)), plan);
    assert.notDeepEqual(planEpoch(examples, { ...options, pack }, new SeededRandom(2)), plan);
  }
  const rows = packRows(examples, 32);
  for (const row of rows) assert.ok(row.reduce((sum, i) => sum + byIndex.get(i)!.tokens.length, 0) <= 32);
  assert.ok(rows.length < examples.length, 'packing puts several short examples in a row');
});

test('labels are shifted within each example, and never cross into the next packed example', () => {
  const a: TokenizedExample = { index: 0, tokens: [10, 11, 12, 13], targetWeights: [0, 0, 1, 0.5] };
  const b: TokenizedExample = { index: 1, tokens: [20, 21, 22], targetWeights: [1, 1, 1] };
  const batch = materializeBatch([[0, 1]], new Map([[0, a], [1, b]]), { lengthMultiple: 8, maxLength: 8, padTokenId: 0 });
  assert.equal(batch.length, 8);
  assert.deepEqual(Array.from(batch.inputIds, Number), [10, 11, 12, 13, 20, 21, 22, 0]);
  assert.deepEqual(Array.from(batch.positionIds, Number), [0, 1, 2, 3, 0, 1, 2, 0]);
  assert.deepEqual(Array.from(batch.segmentIds, Number), [1, 1, 1, 1, 2, 2, 2, 0]);
  assert.deepEqual(Array.from(batch.attentionMask, Number), [1, 1, 1, 1, 1, 1, 1, 0]);
  // Position 3 (last of a) must not predict 20 (first of b); b's first token is never a target.
  assert.deepEqual(Array.from(batch.labels, Number), [IGNORE_INDEX, 12, 13, IGNORE_INDEX, 21, 22, IGNORE_INDEX, IGNORE_INDEX]);
  assert.deepEqual(Array.from(batch.lossWeights), [0, 1, 0.5, 0, 1, 1, 0, 0]);
  assert.equal(batch.weightSum, 3.5);
  assert.equal(batch.tokens, 7);
});

test('packed rows give the same loss and LoRA gradients as the same examples in separate rows', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-pack-'));
  try {
    createTinyModel({ out: dir, arch: 'qwen2', seed: 4, vocabSize: 300, initStd: 0.1, configOverrides: { hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8 } });
    const folder = loadModelFolder(dir);
    const built = buildTrainingGraph(folder.config, { find: (name) => folder.tensors.get(name) }, { targets: ['q_proj', 'v_proj', 'down_proj'], rank: 4, withGradients: true });
    const { session } = await createSession(built.graph, { threads: 1 });
    const parameters = initialLoraParameters(built.parameters, 9);
    const random = new SeededRandom(8);
    for (const p of parameters) for (let i = 0; i < p.data.length; i++) p.data[i] = 0.1 * random.normal();
    const examples = [example(0, 9, random, 300), example(1, 6, random, 300), example(2, 4, random, 300)];
    const byIndex = new Map(examples.map((e) => [e.index, e]));
    const run = async (batch: Batch): Promise<Record<string, ort.Tensor>> => {
      const feeds: Record<string, ort.Tensor> = { ...batchFeeds(batch), lora_scale: new ort.Tensor('float32', Float32Array.of(2), []) };
      for (const p of parameters) feeds[p.name] = new ort.Tensor('float32', p.data, p.shape as number[]);
      return session.run(feeds);
    };
    const layout = { lengthMultiple: 8, maxLength: 24, padTokenId: 0 };
    const packed = await run(materializeBatch([[0, 1, 2]], byIndex, layout));
    const separate = await run(materializeBatch([[0], [1], [2]], byIndex, layout));
    const lossPacked = Number(packed['loss_sum']!.data[0]);
    const lossSeparate = Number(separate['loss_sum']!.data[0]);
    assert.ok(Math.abs(lossPacked - lossSeparate) < 1e-5 * Math.abs(lossSeparate), `loss ${lossPacked} vs ${lossSeparate}`);
    let worst = 0;
    for (const p of built.parameters) {
      const g1 = packed[`grad.${p.name}`]!.data as Float32Array;
      const g2 = separate[`grad.${p.name}`]!.data as Float32Array;
      let scale = 0;
      for (let i = 0; i < g2.length; i++) scale = Math.max(scale, Math.abs(g2[i]!));
      for (let i = 0; i < g1.length; i++) worst = Math.max(worst, Math.abs(g1[i]! - g2[i]!) / Math.max(scale, 1e-6));
    }
    assert.ok(worst < 1e-4, `gradients differ by ${worst} (relative to each tensor's largest)`);
    // Without the segment mask the packed row would leak: check the mask matters at all.
    const leaky = materializeBatch([[0, 1, 2]], byIndex, layout);
    leaky.segmentIds.fill(1n, 0, 19);
    const lossLeaky = Number((await run(leaky))['loss_sum']!.data[0]);
    assert.ok(Math.abs(lossLeaky - lossSeparate) > 1e-4, 'attending across examples changes the loss');
    await session.release();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
