/**
 * Trainer checkpoints: one file, `checkpoint.safetensors`, holding the LoRA tensors, the AdamW moments
 * and (in the safetensors `__metadata__`) the trainer's position: optimizer step, epoch, position in
 * the shuffled data, random-generator state and the run's settings. Written atomically, so a kill -9 at
 * any moment leaves either the previous checkpoint or the new one, never a torn file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicFile';
import type { ParameterTensor } from './optimizer';

export const checkpointFileName = 'checkpoint.safetensors';

/** Where the trainer is, beyond the tensors. Plain JSON. */
export interface TrainerPosition {
  /** Optimizer steps completed. */
  step: number;
  /** 0-based epoch the next micro-batch belongs to. */
  epoch: number;
  /** Index of the next micro-batch in that epoch's shuffled order. */
  batchInEpoch: number;
  /** Random-generator state after the shuffle of the current epoch. */
  randomState: number;
  /** Tokens trained on so far. */
  tokens: number;
  /** A fingerprint of the settings and data, so a resume with different ones is refused. */
  runFingerprint: string;
  /** The losses logged so far, to keep the history continuous across a resume. */
  lossHistory: { step: number; loss: number }[];
}

export interface Checkpoint {
  position: TrainerPosition;
  parameters: { name: string; shape: number[]; data: Float32Array }[];
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

interface HeaderEntry {
  dtype: 'F32';
  shape: number[];
  data_offsets: [number, number];
}

/** Serialises float32 tensors and string metadata in the safetensors layout. */
export function encodeSafetensors(tensors: { name: string; shape: readonly number[]; data: Float32Array }[], metadata: Record<string, string>): Uint8Array[] {
  const header: Record<string, HeaderEntry | Record<string, string>> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const bytes = tensor.data.byteLength;
    header[tensor.name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let headerText = JSON.stringify(header);
  // Pad to 8 bytes so the data that follows is aligned, as the format recommends.
  headerText += ' '.repeat((8 - ((Buffer.byteLength(headerText) + 8) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  return [length, headerBytes, ...tensors.map((t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
}

/** Reads a float32-only safetensors file written by `encodeSafetensors`. */
export function decodeSafetensors(bytes: Buffer): { tensors: Map<string, { shape: number[]; data: Float32Array }>; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) throw new Error('not a safetensors file (too short)');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLength > bytes.byteLength) throw new Error('not a safetensors file (header runs past the end)');
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = entry as HeaderEntry;
    if (dtype !== 'F32') throw new Error(`tensor ${name}: dtype ${dtype} unsupported in checkpoints`);
    const start = dataStart + offsets[0];
    const end = dataStart + offsets[1];
    if (end > bytes.byteLength) throw new Error(`tensor ${name} runs past the end of the file`);
    // Copy so the tensor is aligned and independent of the file buffer.
    const data = new Float32Array((end - start) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(start, end));
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata };
}

export function writeCheckpoint(folder: string, checkpoint: Checkpoint): string {
  const tensors: { name: string; shape: readonly number[]; data: Float32Array }[] = [];
  checkpoint.parameters.forEach((p, i) => {
    tensors.push({ name: `parameter/${p.name}`, shape: p.shape, data: p.data });
    tensors.push({ name: `adam_m/${p.name}`, shape: p.shape, data: checkpoint.firstMoments[i]! });
    tensors.push({ name: `adam_v/${p.name}`, shape: p.shape, data: checkpoint.secondMoments[i]! });
  });
  const target = path.join(folder, checkpointFileName);
  writeFileAtomic(target, encodeSafetensors(tensors, { 'tunesmith.trainer': JSON.stringify(checkpoint.position), format: 'tunesmith-checkpoint-1' }));
  return target;
}

/** Reads the checkpoint in `folder` for the given parameter names; null when there is none. */
export function readCheckpoint(folder: string, parameters: readonly ParameterTensor[]): Checkpoint | null {
  const file = path.join(folder, checkpointFileName);
  if (!fs.existsSync(file)) return null;
  const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file));
  const positionText = metadata['tunesmith.trainer'];
  if (positionText === undefined) throw new Error(`${file} is not a Tunesmith checkpoint`);
  const position = JSON.parse(positionText) as TrainerPosition;
  const take = (name: string, expected: ParameterTensor): Float32Array => {
    const tensor = tensors.get(name);
    if (tensor === undefined) throw new Error(`${file} lacks ${name}; it was written for a different adapter`);
    if (tensor.data.length !== expected.data.length) throw new Error(`${file}: ${name} has ${tensor.data.length} values, expected ${expected.data.length}`);
    return tensor.data;
  };
  return {
    position,
    parameters: parameters.map((p) => ({ name: p.name, shape: [...p.shape], data: take(`parameter/${p.name}`, p) })),
    firstMoments: parameters.map((p) => take(`adam_m/${p.name}`, p)),
    secondMoments: parameters.map((p) => take(`adam_v/${p.name}`, p)),
  };
}
