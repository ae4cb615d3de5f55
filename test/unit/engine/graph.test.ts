import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, GraphError } from '../../../engine/src/graph/builder';
import { bytesOf } from '../../../engine/src/graph/ir';
import { createSession } from '../../../engine/src/runtime/session';

describe('graph builder', () => {
  test('tracks dtypes and shapes, symbolic dims included', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 'sequence', 8]);
    const w = g.initializer('w', 'float32', [8, 3], new Uint8Array(8 * 3 * 4));
    assert.deepEqual(g.matmul(x, w).shape, ['batch', 'sequence', 3]);
    assert.deepEqual(g.add(x, g.scalar(1)).shape, ['batch', 'sequence', 8]);
    assert.deepEqual(g.transpose(x, [0, 2, 1]).shape, ['batch', 8, 'sequence']);
    assert.deepEqual(g.reshape(g.input('y', 'float32', [4, 6]), [2, -1]).shape, [2, 12]);
    assert.deepEqual(g.reduceMean(x, [-1]).shape, ['batch', 'sequence', 1]);
    assert.deepEqual(g.unsqueeze(x, [1]).shape, ['batch', 1, 'sequence', 8]);
    assert.deepEqual(g.concat([x, x], -1).shape, ['batch', 'sequence', 16]);
    assert.deepEqual(g.slice(x, [2], [6], [2]).shape, ['batch', 'sequence', 4]);
    assert.equal(g.cast(x, 'float16').dtype, 'float16');
    assert.equal(g.less(x, x).dtype, 'bool');
    assert.throws(() => g.add(x, g.input('z', 'int64', [8])), GraphError);
    assert.throws(() => g.matmul(x, g.initializer('bad', 'float32', [5, 2], new Uint8Array(40))), GraphError);
    assert.throws(() => g.input('x', 'float32', [1]), /defined twice/);
  });

  test('emitted graphs run in onnxruntime and compute what they say', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2, 3]);
    const weight = g.initializer('weight', 'float32', [4, 3], bytesOf(Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1])));
    const bias = g.constant('float32', [0.5, -0.5, 0, 1]);
    const projected = g.add(g.gemm(x, weight, undefined, { transB: true }), bias); // [2, 4]
    const probabilities = g.softmax(projected, -1);
    // Renaming an output that later nodes still use must keep them wired.
    g.output(projected, 'projected');
    const doubled = g.mul(projected, g.scalar(2));
    g.output(doubled, 'doubled');
    g.output(probabilities, 'probabilities');
    const positions = g.range(g.scalar(0, 'int64'), g.scalar(4, 'int64'), g.scalar(1, 'int64'));
    g.output(g.where(g.lessOrEqual(positions, g.scalar(1, 'int64')), g.scalar(1), g.scalar(-1)), 'signs');
    g.output(g.reduceMean(g.slice(x, [-2], [3], [1]), [-1], false), 'tail_mean');
    assert.ok(!g.nodes.some((node) => node.op === 'Identity'), 'outputs are renamed, not copied');

    const { session } = await createSession(g);
    const input = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const out = await session.run({ x: new ort.Tensor('float32', input, [2, 3]) });
    const expectedProjected = [1.5, 1.5, 3, 7, 4.5, 4.5, 6, 16];
    assert.deepEqual(Array.from(out['projected']!.data as Float32Array), expectedProjected);
    assert.deepEqual(Array.from(out['doubled']!.data as Float32Array), expectedProjected.map((v) => v * 2));
    const row = expectedProjected.slice(0, 4).map(Math.exp);
    const total = row.reduce((s, v) => s + v, 0);
    Array.from(out['probabilities']!.data as Float32Array)
      .slice(0, 4)
      .forEach((p, i) => assert.ok(Math.abs(p - row[i]! / total) < 1e-6));
    assert.deepEqual(Array.from(out['signs']!.data as Float32Array), [1, 1, -1, -1]);
    assert.deepEqual(Array.from(out['tail_mean']!.data as Float32Array), [2.5, 5.5]);
    await session.release();
  });
});
