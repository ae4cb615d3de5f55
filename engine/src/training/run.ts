/**
 * One training run from a protocol request: settings with their defaults, the model folder, the
 * tokenizer and chat template, the data pipeline, then the trainer. Used by the engine process's
 * `engine/train/start` handler (./handler.ts) and by tests in-process.
 */
import * as path from 'node:path';
import type { TrainingEvent, TrainingRequest, TrainingSummary, TrainingTarget } from '../../../protocol/messages';
import { TextTokenizer } from '../generate/tokenizer';
import type { LoraModule } from '../model/decoder';
import { loadModelFolder } from '../model/folder';
import type { DeviceSetting } from '../runtime/model';
import { prepareData } from './data';
import { defaultTrainerSettings, Trainer, type TrainerSettings } from './trainer';

export class TrainingRequestError extends Error {}

export const TARGET_MODULES: Record<TrainingTarget, LoraModule> = {
  q: 'q_proj',
  k: 'k_proj',
  v: 'v_proj',
  o: 'o_proj',
  gate: 'gate_proj',
  up: 'up_proj',
  down: 'down_proj',
};

/** Defaults for everything a request may leave out (documented in docs/training.md). */
export const requestDefaults = {
  epochs: 3,
  learningRate: 2e-4,
  rank: 8,
  alpha: 16,
  targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as TrainingTarget[],
  warmupSteps: 0,
  decay: 'cosine' as const,
  weightDecay: 0,
  maxGradNorm: 1,
  gradientAccumulation: 1,
  batchTokens: 4096,
  maxLength: 2048,
  overLength: 'drop' as const,
  pack: true,
  labels: 'assistant' as const,
  seed: 42,
  checkpointEvery: 50,
  evalEvery: 0,
};

function positiveInteger(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < (allowZero ? 0 : 1)) throw new TrainingRequestError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer (got ${v})`);
  return v;
}

function positiveNumber(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new TrainingRequestError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number (got ${v})`);
  return v;
}

export async function runTraining(request: TrainingRequest, emit: (event: TrainingEvent) => void, signal?: AbortSignal): Promise<TrainingSummary> {
  if (request.datasets.length === 0) throw new TrainingRequestError('no dataset files given');
  if (request.steps !== undefined && request.epochs !== undefined) throw new TrainingRequestError('give either epochs or steps, not both');
  const targets = (request.targets ?? requestDefaults.targets).map((t) => {
    const module = TARGET_MODULES[t];
    if (module === undefined) throw new TrainingRequestError(`unknown LoRA target '${t}' (choose from ${Object.keys(TARGET_MODULES).join(', ')})`);
    return module;
  });
  if (targets.length === 0) throw new TrainingRequestError('at least one LoRA target is needed');
  const evalSplit = request.evalSplit ?? 0;
  if (!(evalSplit >= 0 && evalSplit <= 0.5)) throw new TrainingRequestError(`the eval split must be between 0 and 0.5 (got ${evalSplit})`);
  const device: DeviceSetting = request.device ?? 'auto';

  const folder = loadModelFolder(request.model);
  const maxLength = positiveInteger('maxLength', request.maxLength, Math.min(requestDefaults.maxLength, folder.config.maxPositionEmbeddings));
  const tokenizer = await TextTokenizer.create(folder.tokenizerJson, folder.tokenizerConfig, folder.dir);
  const seed = positiveInteger('seed', request.seed, requestDefaults.seed, true);
  const data = prepareData(
    request.datasets.map((d) => path.resolve(d)),
    tokenizer,
    {
      labels: request.labels ?? requestDefaults.labels,
      maxLength,
      overLength: request.overLength ?? requestDefaults.overLength,
      evalSplit,
      evalFiles: (request.evalFiles ?? []).map((f) => path.resolve(f)),
      seed,
    },
  );
  emit({ type: 'data', report: data.report });

  const padTokenId = folder.generation.padTokenId ?? folder.generation.eosTokenIds[0] ?? 0;
  const batchTokens = positiveInteger('batchTokens', request.batchTokens, requestDefaults.batchTokens);
  const settings: TrainerSettings = {
    ...defaultTrainerSettings,
    out: path.resolve(request.out),
    targets,
    rank: positiveInteger('rank', request.rank, requestDefaults.rank),
    alpha: positiveNumber('alpha', request.alpha, requestDefaults.alpha),
    learningRate: positiveNumber('learningRate', request.learningRate, requestDefaults.learningRate),
    warmupSteps: positiveInteger('warmupSteps', request.warmupSteps, requestDefaults.warmupSteps, true),
    decay: request.decay ?? requestDefaults.decay,
    weightDecay: positiveNumber('weightDecay', request.weightDecay, requestDefaults.weightDecay, true),
    maxGradNorm: positiveNumber('maxGradNorm', request.maxGradNorm, requestDefaults.maxGradNorm, true),
    gradientAccumulation: positiveInteger('gradientAccumulation', request.gradientAccumulation, requestDefaults.gradientAccumulation),
    epochs: positiveNumber('epochs', request.epochs, requestDefaults.epochs),
    steps: request.steps === undefined ? undefined : positiveInteger('steps', request.steps, 1),
    batching: {
      tokensPerBatch: Math.max(batchTokens, maxLength),
      maxRows: 64,
      maxLength,
      pack: request.pack ?? requestDefaults.pack,
      lengthMultiple: 16,
      padTokenId,
    },
    seed,
    checkpointEvery: positiveInteger('checkpointEvery', request.checkpointEvery, requestDefaults.checkpointEvery, true),
    evalEvery: positiveInteger('evalEvery', request.evalEvery, requestDefaults.evalEvery, true),
    resume: request.resume ?? false,
    device,
    threads: request.threads,
  };
  const trainer = new Trainer(folder, settings, data, emit);
  const onAbort = (): void => trainer.cancel();
  if (signal !== undefined) {
    if (signal.aborted) trainer.cancel();
    signal.addEventListener('abort', onAbort);
  }
  try {
    return await trainer.run();
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
