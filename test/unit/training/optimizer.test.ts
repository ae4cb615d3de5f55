import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdamW, clipByGlobalNorm, clippingScale, globalNorm, type ParameterTensor } from '../../../engine/src/training/optimizer';
import { learningRateAt } from '../../../engine/src/training/schedule';
import { SeededRandom } from '../../../engine/src/training/random';

function tensor(name: string, values: number[]): ParameterTensor {
  return { name, shape: [values.length], data: Float32Array.from(values) };
}

test('AdamW first step moves each parameter by the learning rate against the gradient sign', () => {
  const p = tensor('p', [1, -2, 3]);
  const optimizer = new AdamW([p], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
  optimizer.step([Float32Array.from([0.5, -4, 0])], 0.1);
  // Bias-corrected first step: m̂ = g, v̂ = g², so the update is lr·g/|g| (0 where g = 0).
  assert.ok(Math.abs(p.data[0]! - 0.9) < 1e-6);
  assert.ok(Math.abs(p.data[1]! - -1.9) < 1e-6);
  assert.equal(p.data[2], 3);
});

test('AdamW weight decay is decoupled: with zero gradient it shrinks by lr·wd', () => {
  const p = tensor('p', [2]);
  const optimizer = new AdamW([p], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.5 });
  optimizer.step([Float32Array.from([0])], 0.1);
  assert.ok(Math.abs(p.data[0]! - 2 * (1 - 0.05)) < 1e-6);
});

test('AdamW second step matches the closed form', () => {
  const p = tensor('p', [0]);
  const optimizer = new AdamW([p], { beta1: 0.9, beta2: 0.99, epsilon: 0, weightDecay: 0 });
  optimizer.step([Float32Array.from([1])], 1);
  optimizer.step([Float32Array.from([3])], 1);
  const m = 0.9 * 0.1 + 0.1 * 3; // 0.39
  const v = 0.99 * 0.01 + 0.01 * 9; // 0.0999
  const update = m / (1 - 0.81) / Math.sqrt(v / (1 - 0.9801));
  assert.ok(Math.abs(p.data[0]! - (-1 - update)) < 1e-5, `got ${p.data[0]}`);
});

test('AdamW minimises a quadratic and its state round-trips', () => {
  const target = [3, -1, 0.5, 2];
  const p = tensor('p', [0, 0, 0, 0]);
  const optimizer = new AdamW([p], { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
  for (let s = 0; s < 600; s++) {
    optimizer.step([Float32Array.from(target.map((t, i) => 2 * (p.data[i]! - t)))], 0.05);
  }
  target.forEach((t, i) => assert.ok(Math.abs(p.data[i]! - t) < 1e-2, `p[${i}] = ${p.data[i]}`));
  const copy = tensor('p', Array.from(p.data));
  const restored = new AdamW([copy]);
  restored.load(optimizer.state());
  assert.equal(restored.steps, 600);
  optimizer.step([Float32Array.from([1, 1, 1, 1])], 0.01);
  restored.step([Float32Array.from([1, 1, 1, 1])], 0.01);
  assert.deepEqual(Array.from(copy.data), Array.from(p.data));
});

test('gradient clipping scales to the global norm and leaves small gradients alone', () => {
  const gradients = [Float32Array.from([3, 0]), Float32Array.from([0, 4])];
  assert.equal(clipByGlobalNorm(gradients, 1), 5);
  assert.ok(Math.abs(globalNorm(gradients) - 1) < 1e-5);
  const small = [Float32Array.from([0.1, 0.2])];
  clipByGlobalNorm(small, 1);
  assert.deepEqual(Array.from(small[0]!), [Math.fround(0.1), Math.fround(0.2)]);
});

test('warmup then cosine and linear decay', () => {
  const base = { peakLearningRate: 1, warmupSteps: 4, totalSteps: 14, finalRatio: 0 };
  assert.equal(learningRateAt(0, { ...base, decay: 'cosine' }), 0.25);
  assert.equal(learningRateAt(3, { ...base, decay: 'cosine' }), 1);
  assert.equal(learningRateAt(4, { ...base, decay: 'cosine' }), 1);
  assert.ok(Math.abs(learningRateAt(9, { ...base, decay: 'cosine' }) - 0.5) < 1e-12);
  assert.ok(Math.abs(learningRateAt(14, { ...base, decay: 'cosine' })) < 1e-12);
  assert.equal(learningRateAt(9, { ...base, decay: 'linear' }), 0.5);
  assert.equal(learningRateAt(9, { ...base, decay: 'constant' }), 1);
  assert.ok(Math.abs(learningRateAt(14, { ...base, decay: 'linear', finalRatio: 0.1 }) - 0.1) < 1e-12);
});

test('seeded random is repeatable and resumable from its snapshot', () => {
  const a = new SeededRandom(42);
  const first = [a.next(), a.next()];
  const snapshot = a.snapshot;
  const rest = [a.next(), a.next()];
  const b = new SeededRandom(42);
  assert.deepEqual([b.next(), b.next()], first);
  assert.deepEqual([SeededRandom.fromSnapshot(snapshot).next()], [rest[0]]);
  assert.notDeepEqual(new SeededRandom(43).next(), first[0]);
  const order = new SeededRandom(7).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('a gradient scale in the update equals scaling (and clipping) the gradients first', () => {
  const raw = Float32Array.from([3, -4, 0.5, 12]);
  const inverse = 1 / 4;
  const prescaled = Float32Array.from(raw, (g) => g * inverse);
  const norm = clipByGlobalNorm([prescaled], 1);
  assert.ok(norm > 1, 'the case clips');
  const a: ParameterTensor = { name: 'a', shape: [4], data: Float32Array.from([1, 2, 3, 4]) };
  const b: ParameterTensor = { name: 'b', shape: [4], data: Float32Array.from([1, 2, 3, 4]) };
  const first = new AdamW([a]);
  const second = new AdamW([b]);
  for (let step = 0; step < 3; step++) {
    first.step([prescaled], 0.01);
    second.step([raw], 0.01, inverse * clippingScale(globalNorm([raw]) * inverse, 1));
  }
  a.data.forEach((value, i) => assert.ok(Math.abs(value - b.data[i]!) < 1e-6, `parameter ${i}: ${value} vs ${b.data[i]}`));
  assert.equal(clippingScale(0.5, 1), 1);
  assert.equal(clippingScale(5, 0), 1);
});
