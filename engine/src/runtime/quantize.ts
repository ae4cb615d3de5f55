/**
 * Optional weight quantisation: projections (and the LM head) become onnxruntime's MatMulNBits
 * (com.microsoft) with 4- or 8-bit blockwise asymmetric weights, quantised here at load time from
 * the checkpoint. Decoding reads 4-8x fewer weight bytes per token, at a small logit error.
 */
import type { GraphBuilder } from '../graph/builder';
import { attr, type Value } from '../graph/ir';
import type { LinearOverride } from '../model/decoder';
import { readTensorAsFloat32, type TensorLocation } from '../model/safetensors';

export interface QuantizedWeight {
  /** [N, blocks, blockSize * bits / 8] packed codes. */
  codes: Uint8Array;
  /** [N * blocks] float32. */
  scales: Float32Array;
  /** Packed zero points: [N * ceil(blocks * bits / 8)]. */
  zeroPoints: Uint8Array;
  blocks: number;
}

/** Blockwise asymmetric quantisation of an [N, K] row-major weight along K. */
export function quantizeWeight(weight: Float32Array, n: number, k: number, bits: 4 | 8, blockSize: number): QuantizedWeight {
  const blocks = Math.ceil(k / blockSize);
  const levels = (1 << bits) - 1;
  const blobSize = (blockSize * bits) / 8;
  const codes = new Uint8Array(n * blocks * blobSize);
  const scales = new Float32Array(n * blocks);
  const zeroBytesPerRow = Math.ceil((blocks * bits) / 8);
  const zeroPoints = new Uint8Array(n * zeroBytesPerRow);
  for (let row = 0; row < n; row++) {
    for (let block = 0; block < blocks; block++) {
      const start = row * k + block * blockSize;
      const end = Math.min(row * k + k, start + blockSize);
      let min = 0;
      let max = 0;
      for (let i = start; i < end; i++) {
        const w = weight[i]!;
        if (w < min) min = w;
        if (w > max) max = w;
      }
      const scale = max > min ? (max - min) / levels : 1;
      const zero = Math.min(levels, Math.max(0, Math.round(-min / scale)));
      scales[row * blocks + block] = scale;
      if (bits === 8) zeroPoints[row * zeroBytesPerRow + block] = zero;
      else zeroPoints[row * zeroBytesPerRow + (block >> 1)]! |= zero << ((block & 1) * 4);
      const blob = (row * blocks + block) * blobSize;
      for (let i = 0; i < blockSize; i++) {
        const w = start + i < end ? weight[start + i]! : 0;
        const q = Math.min(levels, Math.max(0, Math.round(w / scale) + zero));
        if (bits === 8) codes[blob + i] = q;
        else codes[blob + (i >> 1)]! |= q << ((i & 1) * 4);
      }
    }
  }
  return { codes, scales, zeroPoints, blocks };
}

export interface QuantizeOptions {
  blockSize?: number;
  /** Bits for the LM head (its error lands on the logits directly); default: 8. */
  headBits?: 4 | 8;
  /** MatMulNBits accuracy_level: 4 computes with int8 activations (fastest on CPU), 0 keeps float. */
  accuracyLevel?: number;
}

/** A LinearOverride that turns every projection it sees into MatMulNBits. */
export function quantizedLinear(bits: 4 | 8, options: QuantizeOptions = {}): LinearOverride {
  const blockSize = options.blockSize ?? 32;
  const accuracyLevel = options.accuracyLevel ?? 4;
  const cache = new Map<string, Value[]>();
  return (g: GraphBuilder, x: Value, weight: TensorLocation, outFeatures: number): Value => {
    const [n, k] = weight.shape as [number, number];
    const isHead = weight.name === 'lm_head.weight' || weight.name === 'model.embed_tokens.weight';
    const useBits = isHead ? (options.headBits ?? 8) : bits;
    if (n !== outFeatures) throw new Error(`${weight.name}: expected ${outFeatures} rows, found ${n}`);
    let inputs = cache.get(weight.name);
    if (inputs === undefined) {
      const q = quantizeWeight(readTensorAsFloat32(weight), n, k, useBits, blockSize);
      const base = `${weight.name}.q${useBits}`;
      inputs = [
        g.initializer(`${base}.codes`, 'uint8', [n, q.blocks, (blockSize * useBits) / 8], q.codes),
        g.initializer(`${base}.scales`, 'float32', [n * q.blocks], new Uint8Array(q.scales.buffer)),
        g.initializer(`${base}.zero_points`, 'uint8', [q.zeroPoints.length], q.zeroPoints),
      ];
      cache.set(weight.name, inputs);
    }
    const rows = x.shape?.[0] ?? 'tokens';
    return g.op('MatMulNBits', [x, ...inputs], [{ dtype: 'float32', shape: [rows, n] }], {
      K: attr.int(k),
      N: attr.int(n),
      bits: attr.int(useBits),
      block_size: attr.int(blockSize),
      accuracy_level: attr.int(accuracyLevel),
    }, 'com.microsoft')[0]!;
  };
}
