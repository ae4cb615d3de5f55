import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCheckpoint, writeCheckpoint, checkpointFileName } from '../../../engine/src/training/checkpoint';

test('a checkpoint round-trips tensors, moments and position, and leaves no temporary file', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-ckpt-'));
  try {
    const parameters = [
      { name: 'layers.0.q.lora_A', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'layers.0.q.lora_B', shape: [3, 2], data: Float32Array.from([-1, 0.5, 0, 0, 7, 8]) },
    ];
    const position = { step: 12, epoch: 1, batchInEpoch: 3, randomState: 99, tokens: 1234, runFingerprint: 'abc', lossHistory: [{ step: 1, loss: 2.5 }] };
    writeCheckpoint(folder, {
      position,
      parameters,
      firstMoments: parameters.map((p) => p.data.map((x) => x * 2)),
      secondMoments: parameters.map((p) => p.data.map((x) => x * x)),
    });
    assert.deepEqual(fs.readdirSync(folder), [checkpointFileName]);
    const blank = parameters.map((p) => ({ ...p, data: new Float32Array(p.data.length) }));
    const loaded = readCheckpoint(folder, blank);
    assert.ok(loaded !== null);
    assert.deepEqual(loaded.position, position);
    assert.deepEqual(Array.from(loaded.parameters[1]!.data), [-1, 0.5, 0, 0, 7, 8]);
    assert.deepEqual(Array.from(loaded.firstMoments[0]!), [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(Array.from(loaded.secondMoments[1]!), [1, 0.25, 0, 0, 49, 64]);
    assert.throws(() => readCheckpoint(folder, [{ name: 'other', shape: [1], data: new Float32Array(1) }]), /lacks parameter\/other/);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('no checkpoint gives null', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-ckpt-'));
  assert.equal(readCheckpoint(folder, []), null);
  fs.rmSync(folder, { recursive: true, force: true });
});
