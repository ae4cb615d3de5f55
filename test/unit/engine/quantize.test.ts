import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SeededRandom } from '../../../engine/src/generate/random';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { quantizedLinear, quantizeWeight } from '../../../engine/src/runtime/quantize';
import { removeTempDirs, smallModel } from './helpers';

after(removeTempDirs);

function dequantize(q: ReturnType<typeof quantizeWeight>, n: number, k: number, bits: 4 | 8, blockSize: number): Float32Array {
  const out = new Float32Array(n * k);
  const zeroBytesPerRow = Math.ceil((q.blocks * bits) / 8);
  const blobSize = (blockSize * bits) / 8;
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < k; col++) {
      const block = Math.floor(col / blockSize);
      const within = col % blockSize;
      const blob = (row * q.blocks + block) * blobSize;
      const code = bits === 8 ? q.codes[blob + within]! : (q.codes[blob + (within >> 1)]! >> ((within & 1) * 4)) & 15;
      const zero = bits === 8 ? q.zeroPoints[row * zeroBytesPerRow + block]! : (q.zeroPoints[row * zeroBytesPerRow + (block >> 1)]! >> ((block & 1) * 4)) & 15;
      out[row * k + col] = (code - zero) * q.scales[row * q.blocks + block]!;
    }
  }
  return out;
}

describe('quantised weights (MatMulNBits)', () => {
  test('blockwise quantisation round-trips within half a step', () => {
    const random = new SeededRandom(1);
    const [n, k] = [8, 96];
    const weight = Float32Array.from({ length: n * k }, () => random.normal());
    for (const bits of [4, 8] as const) {
      const q = quantizeWeight(weight, n, k, bits, 32);
      const restored = dequantize(q, n, k, bits, 32);
      for (let i = 0; i < weight.length; i++) {
        const step = q.scales[Math.floor(i / k) * q.blocks + Math.floor((i % k) / 32)]!;
        assert.ok(Math.abs(restored[i]! - weight[i]!) <= step / 2 + 1e-6, `bits ${bits}, element ${i}`);
      }
    }
  });

  test('int8 and int4 sessions stay close to fp32 logits', async () => {
    const dir = smallModel({ arch: 'llama', initStd: 0.05 });
    const tokens = [4, 80, 160, 320, 11, 9];
    const logitsOf = async (bits?: 4 | 8): Promise<Float32Array> => {
      const model = await LoadedModel.load(dir, { device: 'cpu', logits: 'all', loraTargets: [], ...(bits ? { linearOverride: quantizedLinear(bits) } : {}) });
      try {
        return Float32Array.from((await model.forward(tokens)).logits);
      } finally {
        await model.release();
      }
    };
    const reference = await logitsOf();
    const relativeRms = (other: Float32Array): number => {
      let error = 0;
      let norm = 0;
      for (let i = 0; i < reference.length; i++) {
        error += (other[i]! - reference[i]!) ** 2;
        norm += reference[i]! ** 2;
      }
      return Math.sqrt(error / norm);
    };
    const int8 = relativeRms(await logitsOf(8));
    const int4 = relativeRms(await logitsOf(4));
    assert.ok(int8 > 0 && int8 < 0.02, `int8 relative RMS error ${int8}`);
    assert.ok(int4 > int8 && int4 < 0.25, `int4 relative RMS error ${int4}`);
  });
});
