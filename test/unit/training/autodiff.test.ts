import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { emitModel } from '../../../engine/src/graph/onnx';
import assert from 'node:assert/strict';
import { attr } from '../../../engine/src/graph/ir';
import { GraphBuilder } from '../../../engine/src/graph/builder';
import { addGradients, AutodiffError, softmaxLogSumExp } from '../../../engine/src/training/autodiff';
import { constant64, gradcheck, type InputSpec } from './gradcheck';
import type { Value } from '../../../engine/src/graph/ir';

/** Every rule is checked in float64 (onnxruntime has double kernels for all ops used here). */
const TOLERANCE = 1e-7;

interface Case {
  name: string;
  inputs: InputSpec[];
  build: (graph: GraphBuilder, values: Value[]) => Value;
}

const cases: Case[] = [
  { name: 'Add with broadcasting', inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [4] }], build: (g, [a, b]) => g.add(a!, b!) },
  { name: 'Add broadcasting both ways', inputs: [{ name: 'a', shape: [2, 1, 4] }, { name: 'b', shape: [3, 1] }], build: (g, [a, b]) => g.add(a!, b!) },
  { name: 'Sub', inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [2, 1] }], build: (g, [a, b]) => g.sub(a!, b!) },
  { name: 'Mul', inputs: [{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [1, 4] }], build: (g, [a, b]) => g.mul(a!, b!) },
  { name: 'Mul of a value with itself', inputs: [{ name: 'a', shape: [5] }], build: (g, [a]) => g.mul(a!, a!) },
  { name: 'Div', inputs: [{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [3, 1], positive: true }], build: (g, [a, b]) => g.div(a!, b!) },
  { name: 'Pow (square)', inputs: [{ name: 'x', shape: [3, 4] }], build: (g, [x]) => g.pow(x!, constant64(g, [2], [])) },
  { name: 'Pow (fractional)', inputs: [{ name: 'x', shape: [6], positive: true }], build: (g, [x]) => g.pow(x!, constant64(g, [-0.5], [])) },
  { name: 'Sqrt', inputs: [{ name: 'x', shape: [2, 3], positive: true }], build: (g, [x]) => g.sqrt(x!) },
  { name: 'Reciprocal', inputs: [{ name: 'x', shape: [4], positive: true }], build: (g, [x]) => g.reciprocal(x!) },
  { name: 'Neg', inputs: [{ name: 'x', shape: [4] }], build: (g, [x]) => g.neg(x!) },
  { name: 'Exp', inputs: [{ name: 'x', shape: [4] }], build: (g, [x]) => g.exp(x!) },
  { name: 'Log', inputs: [{ name: 'x', shape: [4], positive: true }], build: (g, [x]) => g.log(x!) },
  { name: 'Sigmoid', inputs: [{ name: 'x', shape: [2, 5] }], build: (g, [x]) => g.sigmoid(x!) },
  { name: 'SiLU as x·sigmoid(x)', inputs: [{ name: 'x', shape: [2, 5] }], build: (g, [x]) => g.mul(x!, g.sigmoid(x!)) },
  { name: 'Tanh', inputs: [{ name: 'x', shape: [5] }], build: (g, [x]) => g.op('Tanh', [x!], [{ dtype: x!.dtype, shape: x!.shape }])[0]! },
  { name: 'Cos and Sin', inputs: [{ name: 'x', shape: [5] }], build: (g, [x]) => g.add(g.cos(x!), g.sin(x!)) },
  {
    name: 'Where',
    inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3] }],
    build: (g, [a, b]) => g.where(g.constant('bool', [1, 0, 1, 0, 0, 1], [2, 3]), a!, b!),
  },
  { name: 'ReduceMean keepdims', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, [x]) => g.reduceMean(x!, [-1], true) },
  { name: 'ReduceMean over two axes, no keepdims', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, [x]) => g.reduceMean(x!, [0, 2], false) },
  { name: 'ReduceSum', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, [x]) => g.reduceSum(x!, [1], false) },
  { name: 'Softmax', inputs: [{ name: 'x', shape: [2, 3, 5] }], build: (g, [x]) => g.softmax(x!, -1) },
  {
    name: 'Softmax read only by a product with V (attention context)',
    inputs: [{ name: 'x', shape: [2, 3, 5] }, { name: 'v', shape: [2, 5, 4] }],
    build: (g, [x, v]) => g.mul(g.matmul(g.softmax(x!, -1), v!), constant64(g, [1.5, -1, 0.5, 2], [4])),
  },
  {
    name: 'Softmax read by a product and another op',
    inputs: [{ name: 'x', shape: [2, 3, 5] }, { name: 'v', shape: [2, 5, 4] }],
    build: (g, [x, v]) => {
      const p = g.softmax(x!, -1);
      return g.add(g.reduceSum(g.matmul(p, v!), [-1], true), g.reduceSum(g.mul(p, p), [-1], true));
    },
  },
  { name: 'LogSoftmax', inputs: [{ name: 'x', shape: [3, 5] }], build: (g, [x]) => g.op('LogSoftmax', [x!], [{ dtype: x!.dtype, shape: x!.shape }], { axis: attr.int(-1) })[0]! },
  {
    name: 'ReduceLogSumExp',
    inputs: [{ name: 'x', shape: [3, 5] }],
    build: (g, [x]) => g.op('ReduceLogSumExp', [x!], [{ dtype: x!.dtype, shape: [3, 1] }], { axes: attr.ints([1]), keepdims: attr.int(1) })[0]!,
  },
  {
    name: 'ReduceLogSumExp without keepdims',
    inputs: [{ name: 'x', shape: [2, 3, 4] }],
    build: (g, [x]) => g.op('ReduceLogSumExp', [x!], [{ dtype: x!.dtype, shape: [2, 4] }], { axes: attr.ints([1]), keepdims: attr.int(0) })[0]!,
  },
  {
    name: 'log-sum-exp from the softmax (softmaxLogSumExp), no keepdims',
    inputs: [{ name: 'x', shape: [3, 5] }],
    build: (g, [x]) => g.mul(softmaxLogSumExp(g, x!, 1, false).logSumExp, constant64(g, [1, -2, 0.5], [3])),
  },
  {
    name: 'log-sum-exp from the softmax, keepdims, first axis, x also read elsewhere',
    inputs: [{ name: 'x', shape: [4, 3] }],
    build: (g, [x]) => g.add(softmaxLogSumExp(g, x!, 0, true).logSumExp, g.reduceSum(g.mul(x!, x!), [0], true)),
  },
  { name: 'Transpose', inputs: [{ name: 'x', shape: [2, 3, 4, 2] }], build: (g, [x]) => g.transpose(x!, [0, 2, 1, 3]) },
  { name: 'Reshape', inputs: [{ name: 'x', shape: [2, 3, 4] }], build: (g, [x]) => g.mul(g.reshape(x!, [2, 12]), constant64(g, [2], [])) },
  { name: 'Squeeze and Unsqueeze', inputs: [{ name: 'x', shape: [2, 1, 3] }], build: (g, [x]) => g.unsqueeze(g.squeeze(x!, [1]), [0]) },
  { name: 'Concat', inputs: [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [2, 2] }], build: (g, [a, b]) => g.concat([a!, g.mul(b!, b!)], 1) },
  {
    name: 'Slice (rotate-half as in RoPE)',
    inputs: [{ name: 'x', shape: [2, 3, 6] }],
    build: (g, [x]) => g.concat([g.neg(g.slice(x!, [3], [2 ** 31 - 1], [-1])), g.slice(x!, [0], [3], [-1])], -1),
  },
  { name: 'Slice with a negative start', inputs: [{ name: 'x', shape: [4, 5] }], build: (g, [x]) => g.slice(x!, [-3, 1], [2 ** 31 - 1, 4], [0, 1]) },
  { name: 'Expand', inputs: [{ name: 'x', shape: [3, 1] }], build: (g, [x]) => g.expand(x!, g.constant('int64', [2, 3, 4]), [2, 3, 4]) },
  { name: 'MatMul 2-D', inputs: [{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [4, 2] }], build: (g, [a, b]) => g.matmul(a!, b!) },
  { name: 'MatMul batched activation x 2-D weight', inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [4, 5] }], build: (g, [a, b]) => g.matmul(a!, b!) },
  { name: 'MatMul batched x batched', inputs: [{ name: 'a', shape: [2, 2, 3, 4] }, { name: 'b', shape: [2, 2, 4, 3] }], build: (g, [a, b]) => g.matmul(a!, b!) },
  { name: 'MatMul with a broadcast batch', inputs: [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [1, 4, 2] }], build: (g, [a, b]) => g.matmul(a!, b!) },
  {
    name: 'Gemm with transposes',
    inputs: [{ name: 'a', shape: [4, 3] }, { name: 'b', shape: [5, 4] }, { name: 'c', shape: [5] }],
    build: (g, [a, b, c]) => g.gemm(a!, b!, c!, { transA: true, transB: true, alpha: 0.7, beta: 1 }),
  },
  {
    name: 'Gemm input read by several products (gradients accumulate through C)',
    inputs: [{ name: 'x', shape: [4, 3] }, { name: 'b', shape: [5, 3] }, { name: 'd', shape: [3, 2] }],
    build: (g, [x, b, d]) => {
      const first = g.gemm(x!, b!, undefined, { transB: true, alpha: 0.5 });
      const second = g.gemm(g.mul(x!, x!), d!);
      const third = g.gemm(x!, d!, undefined, { alpha: 2 });
      const fourth = g.gemm(g.transpose(x!, [1, 0]), d!, undefined, { transA: true });
      return g.add(g.reduceSum(first, [1], false), g.reduceSum(g.mul(g.add(second, third), fourth), [1], false));
    },
  },
  {
    name: 'Gather (embedding lookup, repeated ids)',
    inputs: [{ name: 'table', shape: [5, 3] }],
    build: (g, [table]) => g.gather(table!, g.constant('int64', [1, 3, 1, 0, 4, 1], [2, 3])),
  },
  {
    name: 'GatherElements',
    inputs: [{ name: 'x', shape: [3, 4] }],
    build: (g, [x]) => g.op('GatherElements', [x!, g.constant('int64', [0, 3, 3, 1, 2, 2], [3, 2])], [{ dtype: x!.dtype, shape: [3, 2] }], { axis: attr.int(1) })[0]!,
  },
  {
    name: 'Cast round trip (float64 -> float32 -> float64)',
    inputs: [{ name: 'x', shape: [4] }],
    build: (g, [x]) => g.cast(g.cast(x!, 'float32'), 'float64'),
  },
  {
    name: 'RMSNorm composite',
    inputs: [{ name: 'x', shape: [2, 3, 4] }, { name: 'w', shape: [4] }],
    build: (g, [x, w]) => g.mul(g.div(x!, g.sqrt(g.add(g.reduceMean(g.mul(x!, x!), [-1], true), constant64(g, [1e-5], [])))), w!),
  },
];

for (const c of cases) {
  test(`gradient rule: ${c.name}`, async () => {
    // A Cast to float32 on the path limits the finite differences to float32 precision.
    // (the cast is linear, so a large finite-difference step costs no truncation error there).
    const isCast = c.name.startsWith('Cast');
    const result = await gradcheck(c.inputs, c.build, isCast ? { step: 1e-2 } : {});
    const tolerance = isCast ? 1e-5 : TOLERANCE;
    assert.ok(result.worstRelativeError < tolerance, `worst relative error ${result.worstRelativeError} at ${result.where}`);
  });
}

test('a missing rule names the op and where to add it', () => {
  const g = new GraphBuilder();
  const x = g.input('x', 'float64', [3]);
  const y = g.op('Erf', [x], [{ dtype: 'float64', shape: [3] }])[0]!;
  const loss = g.op('ReduceSum', [y], [{ dtype: 'float64', shape: [] }], { keepdims: attr.int(0) })[0]!;
  assert.throws(() => addGradients(g, loss, [x]), (error: unknown) => error instanceof AutodiffError && /'Erf'/.test(error.message));
});

test('nodes that do not depend on a parameter get no backward pass', () => {
  const g = new GraphBuilder();
  const frozen = g.input('frozen', 'float32', [4, 4]);
  const x = g.input('x', 'float32', [2, 4]);
  const p = g.input('p', 'float32', [4, 4]);
  // h = x·frozen does not depend on p: its MatMul must not be differentiated.
  const h = g.matmul(x, frozen);
  const y = g.matmul(h, p);
  const loss = g.op('ReduceSum', [y], [{ dtype: 'float32', shape: [] }], { keepdims: attr.int(0) })[0]!;
  const before = g.nodes.length;
  const { differentiatedNodes, gradients } = addGradients(g, loss, [p]);
  assert.equal(differentiatedNodes, 2); // ReduceSum and the second MatMul
  assert.ok(gradients.has('p'));
  assert.ok(!g.nodes.slice(before).some((n) => n.inputs.includes('frozen')), 'no backward node reads the frozen weight');
});

test("softmax·V: the softmax backward takes its row sums from the context, not from a pass over the probabilities", () => {
  const g = new GraphBuilder();
  const scores = g.input('scores', 'float32', [2, 3, 5]);
  const v = g.input('v', 'float32', [2, 5, 4]);
  const probabilities = g.softmax(scores, -1);
  const context = g.matmul(probabilities, v);
  const weights = g.constant('float32', [1.5, -1, 0.5, 2], [4]);
  const loss = g.op('ReduceSum', [g.mul(context, weights)], [{ dtype: 'float32', shape: [] }], { keepdims: attr.int(0) })[0]!;
  const before = g.nodes.length;
  addGradients(g, loss, [scores, v]);
  const backward = g.nodes.slice(before);
  // One product with the probabilities remains: y·(dy - rowsum); the rowsum reads the context.
  assert.equal(backward.filter((n) => n.op === 'Mul' && n.inputs.includes(probabilities.name)).length, 1);
  assert.ok(backward.some((n) => n.op === 'Mul' && n.inputs.includes(context.name)), 'the row sums read the context');
});

test('a Gemm input read by several products: its gradient contributions ride on Gemm C, with no Add', () => {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [4, 3]);
  const w1 = g.input('w1', 'float32', [5, 3]);
  const w2 = g.input('w2', 'float32', [6, 3]);
  const w3 = g.input('w3', 'float32', [2, 3]);
  const sum = (v: Value): Value => g.op('ReduceSum', [v], [{ dtype: 'float32', shape: [] }], { keepdims: attr.int(0) })[0]!;
  const loss = g.add(g.add(sum(g.gemm(x, w1, undefined, { transB: true })), sum(g.gemm(x, w2, undefined, { transB: true }))), sum(g.gemm(x, w3, undefined, { transB: true })));
  const before = g.nodes.length;
  const { gradients } = addGradients(g, loss, [x]);
  const backward = g.nodes.slice(before);
  const producer = backward.find((n) => n.outputs.includes(gradients.get('x')!.name))!;
  assert.equal(producer.op, 'Gemm');
  assert.equal(producer.inputs.length, 3, 'the last product takes the earlier ones as C');
  assert.ok(!backward.some((n) => n.op === 'Add' && n.inputs.some((i) => backward.some((m) => m.op === 'Gemm' && m.outputs.includes(i)))), 'no Add sums the products');
});

test('the log-sum-exp from the softmax equals ReduceLogSumExp in float32, even 1000 apart, and its backward multiplies the forward softmax', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [3, 4]);
  const { logSumExp, probabilities } = softmaxLogSumExp(g, x, 1, false);
  g.output(logSumExp, 'lse');
  g.output(g.op('ReduceLogSumExp', [x], [{ dtype: 'float32', shape: [3] }], { axes: attr.ints([1]), keepdims: attr.int(0) })[0]!, 'reference');
  const loss = g.op('ReduceSum', [logSumExp], [{ dtype: 'float32', shape: [] }], { keepdims: attr.int(0) })[0]!;
  const before = g.nodes.length;
  const { gradients } = addGradients(g, loss, [x]);
  const backward = g.nodes.slice(before);
  assert.ok(!backward.some((n) => n.op === 'Softmax' || n.op === 'Exp'), 'no softmax recomputed');
  assert.ok(backward.some((n) => n.op === 'Mul' && n.inputs.includes(probabilities.name)));
  g.output(gradients.get('x')!, 'dx');
  const session = await ort.InferenceSession.create(emitModel(g).bytes);
  const values = Float32Array.of(1000, 0, -1000, 3, -50, -60, -70, -80, 0.5, 0.25, 0, 0.125);
  const result = await session.run({ x: new ort.Tensor('float32', values, [3, 4]) });
  await session.release();
  const lse = result['lse']!.data as Float32Array;
  const reference = result['reference']!.data as Float32Array;
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(lse[i]! - reference[i]!) <= 1e-6 * Math.max(1, Math.abs(reference[i]!)), `row ${i}: ${lse[i]} vs ${reference[i]}`);
  const dx = result['dx']!.data as Float32Array;
  for (let i = 0; i < 3; i++) {
    const row = Array.from(values.subarray(i * 4, i * 4 + 4));
    const max = Math.max(...row);
    const sum = row.reduce((a, v) => a + Math.exp(v - max), 0);
    row.forEach((v, j) => assert.ok(Math.abs(dx[i * 4 + j]! - Math.exp(v - max) / sum) < 1e-6, `dx[${i},${j}]`));
  }
});

test('ReduceMean over a dimension known only at run time divides by its run-time size', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', ['rows', 2]);
  const loss = g.op('ReduceSum', [g.reduceMean(x, [0], false)], [{ dtype: 'float32', shape: [] }], { keepdims: attr.int(0) })[0]!;
  g.output(addGradients(g, loss, [x]).gradients.get('x')!, 'dx');
  const session = await ort.InferenceSession.create(emitModel(g).bytes);
  const result = await session.run({ x: new ort.Tensor('float32', new Float32Array(10).fill(1), [5, 2]) });
  await session.release();
  assert.deepEqual(Array.from(result['dx']!.data as Float32Array), new Array<number>(10).fill(Math.fround(0.2)));
});
