/**
 * What the benchmarks share: their command-line options, the statistics they print, and the random
 * model shaped like SmolLM2-135M that engine, training and preview figures are measured on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTinyModel } from '../engine/src/tiny/createTinyModel';

/** SmolLM2-135M's config.json shapes (HuggingFaceTB/SmolLM2-135M), over the tiny model's Llama defaults. */
export const SMOLLM2_135M = {
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  head_dim: 64,
  rope_theta: 100000,
  max_position_embeddings: 8192,
  tie_word_embeddings: true,
};

/** `--quick`, `--NAME VALUE` and numeric options of a bench's command line. */
export class BenchArguments {
  constructor(private readonly args: readonly string[] = process.argv.slice(2)) {}

  has(flag: string): boolean {
    return this.args.includes(`--${flag}`);
  }

  get quick(): boolean {
    return this.has('quick');
  }

  option(name: string): string | undefined {
    const index = this.args.indexOf(`--${name}`);
    return index >= 0 ? this.args[index + 1] : undefined;
  }

  /** A positive number, or undefined when the option is absent; anything else stops the bench with a clear message. */
  positiveNumber(name: string): number | undefined {
    const text = this.option(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number (got '${text}')`);
    return value;
  }

  /** The arguments after `--NAME` (a bench re-running itself in a child process). */
  after(name: string): string[] {
    return this.args.slice(this.args.indexOf(`--${name}`) + 1);
  }
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** The value below which `fraction` of the values lie (nearest rank); NaN for none. */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The random SmolLM2-135M-shaped model (fp32, 538 MB), written once to
 * $TMPDIR/tunesmith-bench/smollm2-135m-random and reused by every bench; delete it to free the space.
 * Std 0.02 as Hugging Face initialises it (the tiny model's larger default is for learning, not speed).
 */
export function smolLM2ShapedModel(): string {
  const dir = path.join(os.tmpdir(), 'tunesmith-bench', 'smollm2-135m-random');
  if (!fs.existsSync(path.join(dir, 'model.safetensors'))) {
    const started = performance.now();
    console.log(`writing a random SmolLM2-135M-shaped model to ${dir} (once)...`);
    createTinyModel({ out: dir, arch: 'llama', seed: 1, vocabSize: 49152, initStd: 0.02, configOverrides: SMOLLM2_135M });
    console.log(`  written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return dir;
}
