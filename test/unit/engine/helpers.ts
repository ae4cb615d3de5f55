/** Shared helpers for the engine tests: small random models in temporary folders. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTinyModel, type TinyModelOptions } from '../../../engine/src/tiny/createTinyModel';

const roots: string[] = [];

export function tempDir(prefix = 'tunesmith-engine-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of roots.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A very small model (2 layers, hidden 64, vocabulary 512) with every weight randomised, for exact comparisons. */
export function smallModel(options: Omit<TinyModelOptions, 'out'> = {}): string {
  const dir = path.join(tempDir(), 'model');
  createTinyModel({
    arch: 'llama',
    seed: 7,
    vocabSize: 512,
    initStd: 0.1,
    randomizeNorms: true,
    ...options,
    out: dir,
    configOverrides: { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, ...options.configOverrides },
  });
  return dir;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
