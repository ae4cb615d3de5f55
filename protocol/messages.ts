/**
 * Every message that crosses a process or webview boundary in Tunesmith, typed in one place.
 *
 * Sections:
 *  1. Language server <-> extension client: custom LSP requests and notifications.
 *  2. Extension host / CLI <-> engine child process.
 *  3. Extension host <-> preview webview.
 *
 * Each message is one namespace with its method (or `type`) string and typed params/result, so both
 * sides import the same definition. Changing a message here is a protocol change: update docs/protocol.md.
 */

// ---------------------------------------------------------------------------------------------
// 1. Language server <-> client
// ---------------------------------------------------------------------------------------------

/** Record formats the language service recognises. */
export type RecordFormat =
  | 'openai-chat'
  | 'sharegpt'
  | 'alpaca'
  | 'prompt-completion'
  | 'text'
  | 'preference'
  | 'unknown';

/** Summary statistics of one dataset document, computed by the language server. */
export interface DatasetStatistics {
  uri: string;
  format: RecordFormat;
  records: number;
  /** Records that failed to parse or normalise. */
  invalidRecords: number;
  turns: number;
  tokens: { p50: number; p90: number; max: number; total: number; estimated: boolean };
  roles: Record<string, number>;
  duplicates: number;
}

/** `tunesmith/datasetStatistics`: statistics of an open document. Returns null for non-dataset files. */
export namespace DatasetStatisticsRequest {
  export const method = 'tunesmith/datasetStatistics';
  export interface Params {
    uri: string;
  }
  export type Result = DatasetStatistics | null;
}

// ---------------------------------------------------------------------------------------------
// 2. Engine process
// ---------------------------------------------------------------------------------------------

// ----- 2b. Training (LoRA fine-tuning in the engine process) -----------------------------------

/** LoRA target modules, by their Hugging Face projection names without the `_proj` suffix. */
export type TrainingTarget = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';

/** Which turns the loss covers. */
export type TrainingLabelMode = 'assistant' | 'all' | 'last-assistant';

/** Everything a training run needs; paths are absolute. Omitted fields take the defaults in docs/training.md. */
export interface TrainingRequest {
  datasets: string[];
  model: string;
  out: string;
  /** Separate evaluation file(s), or a fraction of the training records held out (0..0.5). */
  evalFiles?: string[];
  evalSplit?: number;
  epochs?: number;
  /** Optimizer steps; overrides epochs when given. */
  steps?: number;
  learningRate?: number;
  rank?: number;
  alpha?: number;
  targets?: TrainingTarget[];
  warmupSteps?: number;
  decay?: 'cosine' | 'linear' | 'constant';
  weightDecay?: number;
  maxGradNorm?: number;
  gradientAccumulation?: number;
  /** Micro-batch budget: rows x padded length. */
  batchTokens?: number;
  maxLength?: number;
  overLength?: 'drop' | 'truncate';
  pack?: boolean;
  labels?: TrainingLabelMode;
  seed?: number;
  checkpointEvery?: number;
  evalEvery?: number;
  resume?: boolean;
  device?: 'auto' | 'cpu' | 'webgpu' | 'cuda';
  threads?: number;
}

/** What the data pipeline kept, skipped and why (sent once before the first step). */
export interface TrainingDataReport {
  files: { path: string; records: number; format: string }[];
  trainExamples: number;
  evalExamples: number;
  trainTokens: number;
  /** Records the linter rejects (an error-severity diagnostic), with where and why. */
  invalid: { file: string; line: number; reason: string }[];
  /** Records with no token that carries a loss (e.g. no assistant turn), reported rather than dropped silently. */
  noTrainableTokens: { file: string; line: number }[];
  /** Records longer than maxLength: dropped or truncated per `overLength`. */
  overLength: { file: string; line: number; tokens: number }[];
  overLengthAction: 'drop' | 'truncate';
}

export type TrainingEvent =
  | { type: 'data'; report: TrainingDataReport }
  | { type: 'started'; totalSteps: number; resumedFromStep: number; device: string; parameters: number; trainableParameters: number }
  | {
      type: 'step';
      step: number;
      totalSteps: number;
      /** Fractional epoch (1.5 = half way through the second epoch). */
      epoch: number;
      loss: number;
      learningRate: number;
      gradNorm: number;
      tokensPerSecond: number;
      elapsedSeconds: number;
      etaSeconds: number;
      /** Resident memory now and at its peak, bytes. */
      memoryBytes: number;
      peakMemoryBytes: number;
    }
  | { type: 'eval'; step: number; evalLoss: number; evalTokens: number }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'log'; message: string };

export interface TrainingSummary {
  steps: number;
  epochs: number;
  finalLoss: number | null;
  finalEvalLoss: number | null;
  tokensPerSecond: number;
  seconds: number;
  peakMemoryBytes: number;
  /** The PEFT adapter folder; null when cancelled before the end (the checkpoint remains for --resume). */
  adapterPath: string | null;
  cancelled: boolean;
}

/** `engine/train/start`: starts a run; progress arrives as TrainingEventNotification; resolves with the summary. */
export namespace TrainStartRequest {
  export const method = 'engine/train/start';
  export type Params = TrainingRequest;
  export type Result = TrainingSummary;
}

/** `engine/train/cancel`: stops the run at once; it ends with a summary whose `cancelled` is true. */
export namespace TrainCancelNotification {
  export const method = 'engine/train/cancel';
  export type Params = Record<string, never>;
}

/** `engine/train/event`: one progress event of the running training. */
export namespace TrainingEventNotification {
  export const method = 'engine/train/event';
  export type Params = TrainingEvent;
}

// ---------------------------------------------------------------------------------------------
// 3. Preview webview
// ---------------------------------------------------------------------------------------------

export {};
