/**
 * From tokenized examples to the training graph's feeds: length bucketing, optional packing of short
 * examples into shared rows (each keeps its own positions and attention block through `segment_ids`),
 * padding, and the shifted labels and loss weights.
 */
import { IGNORE_INDEX } from './trainingGraph';
import type { SeededRandom } from './random';

/** One example after the chat template and tokenizer. */
export interface TokenizedExample {
  /** Index among the examples the trainer was given (stable across epochs and resumes). */
  index: number;
  tokens: readonly number[];
  /**
   * Weight of the loss for predicting tokens[t] (from tokens[0..t-1]); 0 where no loss is taken.
   * targetWeights[0] is never used (nothing predicts the first token).
   */
  targetWeights: readonly number[];
}

export interface BatchingOptions {
  /** Upper bound on rows x padded length per micro-batch. */
  tokensPerBatch: number;
  /** Upper bound on rows per micro-batch. */
  maxRows: number;
  /** Rows are at most this long (examples were truncated or dropped before). */
  maxLength: number;
  /** Pack several short examples into one row. */
  pack: boolean;
  /** Padded lengths are rounded up to a multiple of this, so onnxruntime sees few distinct shapes. */
  lengthMultiple: number;
  padTokenId: number;
}

/** A row: the examples laid end to end in it. */
export type RowPlan = number[];
/** A micro-batch: rows of similar length. */
export type BatchPlan = RowPlan[];

export interface Batch {
  rows: number;
  length: number;
  inputIds: BigInt64Array;
  positionIds: BigInt64Array;
  attentionMask: BigInt64Array;
  segmentIds: BigInt64Array;
  labels: BigInt64Array;
  lossWeights: Float32Array;
  /** Sum of the loss weights (the loss is divided by it). */
  weightSum: number;
  /** Real (non-padding) tokens. */
  tokens: number;
  /** Positions that carry a loss. */
  targets: number;
}

/** First-fit decreasing: packs example indices into rows of at most `capacity` tokens. */
export function packRows(examples: readonly TokenizedExample[], capacity: number): RowPlan[] {
  const order = [...examples].sort((a, b) => b.tokens.length - a.tokens.length || a.index - b.index);
  const rows: { used: number; items: number[] }[] = [];
  for (const example of order) {
    const length = example.tokens.length;
    const row = rows.find((r) => r.used + length <= capacity);
    if (row === undefined) rows.push({ used: length, items: [example.index] });
    else {
      row.used += length;
      row.items.push(example.index);
    }
  }
  return rows.map((r) => r.items);
}

/**
 * The micro-batches of one epoch: rows sorted by length and cut into batches under the token budget,
 * then the batch order shuffled by `random` (so similar lengths share a batch, but the order of
 * batches varies by epoch and seed).
 */
export function planEpoch(examples: readonly TokenizedExample[], options: BatchingOptions, random: SeededRandom): BatchPlan[] {
  const byIndex = new Map(examples.map((e) => [e.index, e]));
  const shuffled = random.shuffle([...examples]);
  const rows: RowPlan[] = options.pack ? random.shuffle(packRows(shuffled, options.maxLength)) : shuffled.map((e) => [e.index]);
  const rowLength = (row: RowPlan): number => row.reduce((sum, i) => sum + byIndex.get(i)!.tokens.length, 0);
  const lengths = new Map(rows.map((row) => [row, rowLength(row)]));
  // Stable sort by length keeps the shuffled order among equal lengths.
  rows.sort((a, b) => lengths.get(a)! - lengths.get(b)!);
  const batches: BatchPlan[] = [];
  let current: RowPlan[] = [];
  let currentLength = 0;
  for (const row of rows) {
    const padded = roundUp(lengths.get(row)!, options.lengthMultiple, options.maxLength);
    const newLength = Math.max(currentLength, padded);
    if (current.length > 0 && (current.length >= options.maxRows || newLength * (current.length + 1) > options.tokensPerBatch)) {
      batches.push(current);
      current = [];
    }
    current.push(row);
    currentLength = current.length === 1 ? padded : newLength;
  }
  if (current.length > 0) batches.push(current);
  return random.shuffle(batches);
}

function roundUp(length: number, multiple: number, cap: number): number {
  return Math.min(Math.max(cap, length), Math.ceil(length / multiple) * multiple);
}

/** Lays out a planned micro-batch as the graph's input arrays. */
export function materializeBatch(plan: BatchPlan, examples: ReadonlyMap<number, TokenizedExample>, options: Pick<BatchingOptions, 'lengthMultiple' | 'maxLength' | 'padTokenId'>): Batch {
  const rowLengths = plan.map((row) => row.reduce((sum, i) => sum + examples.get(i)!.tokens.length, 0));
  const longest = Math.max(...rowLengths);
  const length = roundUp(longest, options.lengthMultiple, Math.max(options.maxLength, longest));
  const rows = plan.length;
  const size = rows * length;
  const batch: Batch = {
    rows,
    length,
    inputIds: new BigInt64Array(size).fill(BigInt(options.padTokenId)),
    positionIds: new BigInt64Array(size),
    attentionMask: new BigInt64Array(size),
    segmentIds: new BigInt64Array(size),
    labels: new BigInt64Array(size).fill(BigInt(IGNORE_INDEX)),
    lossWeights: new Float32Array(size),
    weightSum: 0,
    tokens: 0,
    targets: 0,
  };
  plan.forEach((row, r) => {
    let offset = r * length;
    row.forEach((exampleIndex, segment) => {
      const example = examples.get(exampleIndex)!;
      const n = example.tokens.length;
      for (let t = 0; t < n; t++) {
        const at = offset + t;
        batch.inputIds[at] = BigInt(example.tokens[t]!);
        batch.positionIds[at] = BigInt(t);
        batch.attentionMask[at] = 1n;
        batch.segmentIds[at] = BigInt(segment + 1);
        // Position t predicts token t+1 of the same example; the last token predicts nothing, so
        // nothing leaks across the boundary to the next packed example.
        if (t + 1 < n) {
          const weight = example.targetWeights[t + 1]!;
          if (weight > 0) {
            batch.labels[at] = BigInt(example.tokens[t + 1]!);
            batch.lossWeights[at] = weight;
            batch.weightSum += weight;
            batch.targets++;
          }
        }
      }
      batch.tokens += n;
      offset += n;
    });
  });
  return batch;
}
