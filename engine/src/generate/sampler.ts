/**
 * Next-token choice from logits, in Hugging Face's order: repetition penalty, then greedy
 * (temperature 0) or temperature, top-k, top-p and a draw from a seeded generator.
 */
import { SeededRandom } from './random';

export interface SamplingOptions {
  /** 0 = greedy. */
  temperature: number;
  /** 0 or undefined = no top-k. */
  topK?: number;
  /** 1 or undefined = no top-p. */
  topP?: number;
  /** 1 or undefined = none; > 1 discourages tokens already present. */
  repetitionPenalty?: number;
  seed?: number;
}

export class SamplingError extends Error {}

export function validateSampling(options: SamplingOptions): void {
  const { temperature, topK, topP, repetitionPenalty } = options;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new SamplingError(`temperature must be >= 0 (got ${temperature})`);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 0)) throw new SamplingError(`top-k must be a whole number >= 0 (got ${topK})`);
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new SamplingError(`top-p must be in (0, 1] (got ${topP})`);
  if (repetitionPenalty !== undefined && !(repetitionPenalty > 0)) throw new SamplingError(`repetition penalty must be > 0 (got ${repetitionPenalty})`);
}

export class Sampler {
  private readonly random: SeededRandom;

  constructor(private readonly options: SamplingOptions) {
    validateSampling(options);
    this.random = new SeededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** Chooses the next token from one row of logits (not modified). */
  sample(logits: Float32Array, previousTokens: Iterable<number>): number {
    const { temperature, topK, topP, repetitionPenalty } = this.options;
    const scores = Float32Array.from(logits);
    if (repetitionPenalty !== undefined && repetitionPenalty !== 1) {
      for (const token of new Set(previousTokens)) {
        const score = scores[token];
        if (score !== undefined) scores[token] = score > 0 ? score / repetitionPenalty : score * repetitionPenalty;
      }
    }
    if (temperature === 0) return argmax(scores);

    // Candidates: the top-k (or all), as indices sorted by score, descending.
    const k = topK !== undefined && topK > 0 ? Math.min(topK, scores.length) : scores.length;
    const candidates = k < scores.length ? topIndices(scores, k) : sortedIndices(scores);
    const max = scores[candidates[0]!]!;
    const weights = new Float64Array(candidates.length);
    let total = 0;
    for (let i = 0; i < candidates.length; i++) {
      const w = Math.exp((scores[candidates[i]!]! - max) / temperature);
      weights[i] = w;
      total += w;
    }
    let kept = candidates.length;
    if (topP !== undefined && topP < 1) {
      // Smallest prefix whose probability reaches top-p (at least one token).
      let cumulative = 0;
      for (let i = 0; i < candidates.length; i++) {
        cumulative += weights[i]! / total;
        if (cumulative >= topP) {
          kept = i + 1;
          break;
        }
      }
      total = 0;
      for (let i = 0; i < kept; i++) total += weights[i]!;
    }
    let draw = this.random.next() * total;
    for (let i = 0; i < kept; i++) {
      draw -= weights[i]!;
      if (draw < 0) return candidates[i]!;
    }
    return candidates[kept - 1]!;
  }
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Indices of the k largest scores, largest first (ties: lower index first). */
function topIndices(scores: Float32Array, k: number): number[] {
  // A small sorted buffer is fast for the usual k (20-100) against a 150k vocabulary.
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    if (best.length === k && score <= scores[best[k - 1]!]!) continue;
    let position = best.length;
    while (position > 0 && scores[best[position - 1]!]! < score) position--;
    best.splice(position, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

function sortedIndices(scores: Float32Array): number[] {
  const indices = Array.from({ length: scores.length }, (_, i) => i);
  return indices.sort((a, b) => scores[b]! - scores[a]! || a - b);
}
