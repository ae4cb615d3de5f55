import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../engine/src/graph/builder';
import { emitModel } from '../../../engine/src/graph/onnx';
import { addMaskedCrossEntropy, addProjectedCrossEntropy, IGNORE_INDEX } from '../../../engine/src/training/trainingGraph';
import { gradcheck } from './gradcheck';
import { SeededRandom } from '../../../engine/src/training/random';

const tokens = 6;
const hidden = 4;
const vocab = 9;
const labels = [3, IGNORE_INDEX, 0, 8, 8, IGNORE_INDEX];
const weights = [1, 1, 0.5, 2, 1, 1];

/** Both loss forms on logits = hidden · headᵀ, as graphs of the builder. */
function build(form: 'projected' | 'log-softmax', g: GraphBuilder, x: ReturnType<GraphBuilder['input']>, head: ReturnType<GraphBuilder['input']>) {
  const labelValue = g.constant('int64', labels, [1, tokens]);
  const weightValue = g.initializer(g.uniqueName('w'), x.dtype, [1, tokens], x.dtype === 'float64' ? new Uint8Array(Float64Array.from(weights).buffer) : new Uint8Array(Float32Array.from(weights).buffer));
  const logits2d = g.gemm(x, head, undefined, { transB: true });
  if (form === 'projected') return addProjectedCrossEntropy(g, logits2d, x, head, labelValue, weightValue);
  return addMaskedCrossEntropy(g, g.reshape(logits2d, [1, tokens, vocab], [1, tokens, vocab]), labelValue, weightValue);
}

test('the projected cross-entropy equals the log-softmax form, ignores -100 labels and weighs tokens', async () => {
  const random = new SeededRandom(4);
  const x = Float64Array.from({ length: tokens * hidden }, () => random.normal());
  const head = Float64Array.from({ length: vocab * hidden }, () => random.normal());
  const losses: number[] = [];
  for (const form of ['projected', 'log-softmax'] as const) {
    const g = new GraphBuilder();
    const xv = g.input('x', 'float64', [tokens, hidden]);
    const hv = g.input('head', 'float64', [vocab, hidden]);
    g.output(build(form, g, xv, hv), 'loss');
    const session = await ort.InferenceSession.create(emitModel(g).bytes);
    const result = await session.run({ x: new ort.Tensor('float64', x, [tokens, hidden]), head: new ort.Tensor('float64', head, [vocab, hidden]) });
    losses.push(Number(result['loss']!.data[0]));
    await session.release();
  }
  // Reference in plain TypeScript.
  let expected = 0;
  for (let t = 0; t < tokens; t++) {
    if (labels[t]! < 0) continue;
    const logits = Array.from({ length: vocab }, (_, v) => Array.from({ length: hidden }, (_, h) => x[t * hidden + h]! * head[v * hidden + h]!).reduce((a, b) => a + b, 0));
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((sum, l) => sum + Math.exp(l - max), 0));
    expected += weights[t]! * (lse - logits[labels[t]!]!);
  }
  assert.ok(Math.abs(losses[0]! - expected) < 1e-10, `projected ${losses[0]} vs ${expected}`);
  assert.ok(Math.abs(losses[1]! - expected) < 1e-10, `log-softmax ${losses[1]} vs ${expected}`);
});

for (const form of ['projected', 'log-softmax'] as const) {
  test(`gradients of the ${form} cross-entropy match finite differences`, async () => {
    const result = await gradcheck([{ name: 'x', shape: [tokens, hidden] }, { name: 'head', shape: [vocab, hidden] }], (g, [x, head]) => {
      const loss = build(form, g, x!, head!);
      return g.reshape(loss, [1], [1]);
    });
    assert.ok(result.worstRelativeError < 1e-7, `worst relative error ${result.worstRelativeError} at ${result.where}`);
  });
}
