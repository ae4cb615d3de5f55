/**
 * The trainer loop: one onnxruntime session of the training graph (forward, loss, LoRA gradients),
 * gradient accumulation, global-norm clipping, AdamW and the learning-rate schedule in TypeScript,
 * periodic evaluation, atomic checkpoints and resume, and the final adapter in PEFT format.
 *
 * Repeatable: LoRA initialisation and each epoch's batch order derive from the seed alone, so a run
 * resumed from a checkpoint continues exactly as the uninterrupted run would have.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { TrainingEvent, TrainingSummary } from '../../../protocol/messages';
import type { ModelFolder } from '../model/folder';
import type { LoraModule } from '../model/decoder';
import { savePeftAdapter, type LoraModuleWeights } from '../lora/peft';
import { createWithFallback, type DeviceSetting } from '../runtime/model';
import { type BatchingOptions, type BatchPlan, materializeBatch, planEpoch, type Batch, type TokenizedExample } from './batching';
import { checkpointFileName, readCheckpoint, writeCheckpoint } from './checkpoint';
import { AdamW, clippingScale, globalNorm, type ParameterTensor } from './optimizer';
import { SeededRandom } from './random';
import { type DecayKind, learningRateAt } from './schedule';
import { buildTrainingGraph, type LoraParameterSpec } from './trainingGraph';

/** The training graph's inputs for one batch (the LoRA parameters and scale are fed beside them). */
export function batchFeeds(batch: Batch): Record<string, ort.Tensor> {
  const dims = [batch.rows, batch.length];
  return {
    input_ids: new ort.Tensor('int64', batch.inputIds, dims),
    position_ids: new ort.Tensor('int64', batch.positionIds, dims),
    attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
    segment_ids: new ort.Tensor('int64', batch.segmentIds, dims),
    labels: new ort.Tensor('int64', batch.labels, dims),
    loss_weights: new ort.Tensor('float32', batch.lossWeights, dims),
  };
}

export interface TrainerSettings {
  out: string;
  targets: readonly LoraModule[];
  rank: number;
  alpha: number;
  learningRate: number;
  /** Optimizer steps of linear warmup. */
  warmupSteps: number;
  decay: DecayKind;
  /** End of decay as a fraction of the peak rate. */
  finalLearningRateRatio: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Global-norm clipping threshold; 0 disables. */
  maxGradNorm: number;
  gradientAccumulation: number;
  /** Epochs to run, unless `steps` is given. */
  epochs: number;
  steps: number | undefined;
  batching: BatchingOptions;
  seed: number;
  /** Write a checkpoint every N optimizer steps (0: only at the end / on cancel). */
  checkpointEvery: number;
  /** Evaluate every N optimizer steps (0: only at the end). */
  evalEvery: number;
  resume: boolean;
  device: DeviceSetting;
  threads: number | undefined;
}

export const defaultTrainerSettings: Omit<TrainerSettings, 'out' | 'batching'> = {
  targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  rank: 8,
  alpha: 16,
  learningRate: 2e-4,
  warmupSteps: 0,
  decay: 'cosine',
  finalLearningRateRatio: 0,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  maxGradNorm: 1,
  gradientAccumulation: 1,
  epochs: 3,
  steps: undefined,
  seed: 42,
  checkpointEvery: 50,
  evalEvery: 0,
  resume: false,
  device: 'cpu',
  threads: undefined,
};

export interface TrainerData {
  train: TokenizedExample[];
  eval: TokenizedExample[];
  /** Changes when the data changes; part of the resume check. */
  fingerprint: string;
}

export class TrainerError extends Error {}

/**
 * Session settings for training graphs. Packed weight copies (onnxruntime's prepacking) help the M=1
 * products of decoding, not the long ones of training, and cost a copy of every weight. The memory
 * arena stays on, so a step's intermediates reuse memory the previous step touched: without it every
 * step page-faulted about 1.6 GB afresh (400k minor faults, 0.7-4 s of system time per step on a
 * SmolLM2-135M step at 512 tokens). The memory pattern (one planned block for all intermediates) is
 * off: it doubled the arena's peak. Measured in bench/train.ts's setting: step 1.59 -> 1.24 s, peak
 * 3.5 -> 2.3 GB, and the peak stays put across batch shapes.
 */
export const trainingSessionSettings = { memoryArena: true, memoryPattern: false, config: { 'session.disable_prepacking': '1' } };

/** Peak resident memory of this process (VmHWM on Linux; current RSS elsewhere). */
export function peakMemoryBytes(): number {
  try {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

/** Kaiming-uniform A (as PEFT's default init) and zero B, so training starts from the base model. */
export function initialLoraParameters(specs: readonly LoraParameterSpec[], seed: number): ParameterTensor[] {
  const random = new SeededRandom(seed ^ 0x5eed1071);
  return specs.map((spec) => {
    const data = new Float32Array(spec.shape[0] * spec.shape[1]);
    if (spec.kind === 'A') {
      const bound = 1 / Math.sqrt(spec.shape[1]);
      for (let i = 0; i < data.length; i++) data[i] = (2 * random.next() - 1) * bound;
    }
    return { name: spec.name, shape: spec.shape, data };
  });
}

function fingerprintOf(settings: TrainerSettings, folder: ModelFolder, data: TrainerData): string {
  const relevant = {
    model: folder.config,
    targets: settings.targets,
    rank: settings.rank,
    alpha: settings.alpha,
    learningRate: settings.learningRate,
    warmupSteps: settings.warmupSteps,
    decay: settings.decay,
    weightDecay: settings.weightDecay,
    maxGradNorm: settings.maxGradNorm,
    gradientAccumulation: settings.gradientAccumulation,
    epochs: settings.steps === undefined ? settings.epochs : undefined,
    steps: settings.steps,
    batching: settings.batching,
    seed: settings.seed,
    data: data.fingerprint,
  };
  return crypto.createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

/** Rounds a loss for display/events without losing what matters. */
function finite(value: number): number {
  return Number.isFinite(value) ? value : NaN;
}

export class Trainer {
  private cancelled = false;

  constructor(
    private readonly folder: ModelFolder,
    private readonly settings: TrainerSettings,
    private readonly data: TrainerData,
    private readonly emit: (event: TrainingEvent) => void,
  ) {}

  /** Stops after the current micro-batch; the run ends with a checkpoint and `cancelled: true`. */
  cancel(): void {
    this.cancelled = true;
  }

  async run(): Promise<TrainingSummary> {
    const { settings, folder, data } = this;
    const started = performance.now();
    if (data.train.length === 0) throw new TrainerError('no training examples left after filtering (see the data report)');
    const examplesByIndex = new Map<number, TokenizedExample>([...data.train, ...data.eval].map((e) => [e.index, e]));

    const built = buildTrainingGraph(folder.config, { find: (name) => folder.tensors.get(name) }, { targets: settings.targets, rank: settings.rank, withGradients: true });
    const { session, device, note } = await createWithFallback(built.graph, settings.device, settings.threads, trainingSessionSettings);
    if (note !== undefined) this.emit({ type: 'log', message: note });
    try {
      const parameters = initialLoraParameters(built.parameters, settings.seed);
      const optimizer = new AdamW(parameters, { beta1: settings.beta1, beta2: settings.beta2, epsilon: settings.epsilon, weightDecay: settings.weightDecay });
      const fingerprint = fingerprintOf(settings, folder, data);

      const epochPlans = new Map<number, BatchPlan[]>();
      const planFor = (epoch: number): BatchPlan[] => {
        let plan = epochPlans.get(epoch);
        if (plan === undefined) {
          plan = planEpoch(data.train, settings.batching, new SeededRandom(settings.seed * 1_000_003 + epoch));
          epochPlans.clear();
          epochPlans.set(epoch, plan);
        }
        return plan;
      };
      const batchesPerEpoch = planFor(0).length;
      const totalSteps = settings.steps ?? Math.max(1, Math.ceil((settings.epochs * batchesPerEpoch) / settings.gradientAccumulation));

      let step = 0;
      let epoch = 0;
      let batchInEpoch = 0;
      let tokensSeen = 0;
      let lossHistory: { step: number; loss: number }[] = [];
      if (settings.resume) {
        const checkpoint = readCheckpoint(settings.out, parameters);
        if (checkpoint !== null) {
          if (checkpoint.position.runFingerprint !== fingerprint) {
            throw new TrainerError(
              `the checkpoint in ${settings.out} was written by a run with different settings, model or data; resume with the same ones, or remove ${path.join(settings.out, checkpointFileName)}`,
            );
          }
          parameters.forEach((p, i) => p.data.set(checkpoint.parameters[i]!.data));
          optimizer.load({ step: checkpoint.position.step, firstMoments: checkpoint.firstMoments, secondMoments: checkpoint.secondMoments });
          ({ step, epoch, batchInEpoch } = checkpoint.position);
          tokensSeen = checkpoint.position.tokens;
          lossHistory = checkpoint.position.lossHistory;
        } else {
          this.emit({ type: 'log', message: `no checkpoint in ${settings.out}; starting from step 0` });
        }
      }
      const resumedFromStep = step;
      const trainableParameters = parameters.reduce((sum, p) => sum + p.data.length, 0);
      let baseParameters = 0;
      for (const tensor of folder.tensors.values()) baseParameters += tensor.shape.reduce((product, dim) => product * dim, 1);
      this.emit({ type: 'started', totalSteps, resumedFromStep, device, parameters: baseParameters, trainableParameters });

      const scale = new ort.Tensor('float32', Float32Array.of(settings.alpha / settings.rank), []);
      const parameterFeeds = (): Record<string, ort.Tensor> => {
        const feeds: Record<string, ort.Tensor> = { lora_scale: scale };
        for (const p of parameters) feeds[p.name] = new ort.Tensor('float32', p.data, p.shape as number[]);
        return feeds;
      };
      const gradientNames = built.parameters.map((p) => `grad.${p.name}`);
      const accumulated = parameters.map((p) => new Float32Array(p.data.length));

      const evaluate = async (): Promise<{ loss: number; tokens: number } | undefined> => {
        if (data.eval.length === 0) return undefined;
        const plans = planEpoch(data.eval, { ...settings.batching, pack: false }, new SeededRandom(0));
        let lossSum = 0;
        let weightSum = 0;
        let tokens = 0;
        const weights = parameterFeeds();
        for (const plan of plans) {
          const batch = materializeBatch(plan, examplesByIndex, settings.batching);
          if (batch.weightSum === 0) continue;
          const result = await session.run({ ...weights, ...batchFeeds(batch) }, ['loss_sum']);
          lossSum += Number(result['loss_sum']!.data[0]);
          weightSum += batch.weightSum;
          tokens += batch.tokens;
        }
        return weightSum > 0 ? { loss: lossSum / weightSum, tokens } : undefined;
      };

      const saveCheckpoint = (): void => {
        const file = writeCheckpoint(settings.out, {
          position: { step, epoch, batchInEpoch, randomState: settings.seed, tokens: tokensSeen, runFingerprint: fingerprint, lossHistory },
          parameters: parameters.map((p) => ({ name: p.name, shape: [...p.shape], data: p.data })),
          firstMoments: optimizer.state().firstMoments,
          secondMoments: optimizer.state().secondMoments,
        });
        this.emit({ type: 'checkpoint', step, path: file });
      };

      let lastLoss: number | null = lossHistory.length > 0 ? lossHistory[lossHistory.length - 1]!.loss : null;
      let lastEvalLoss: number | null = null;
      const runStarted = performance.now();
      let tokensThisRun = 0;
      let peak = peakMemoryBytes();

      while (step < totalSteps && !this.cancelled) {
        for (const a of accumulated) a.fill(0);
        let lossSum = 0;
        let weightSum = 0;
        for (let micro = 0; micro < settings.gradientAccumulation && !this.cancelled; micro++) {
          let plans = planFor(epoch);
          if (batchInEpoch >= plans.length) {
            epoch++;
            batchInEpoch = 0;
            plans = planFor(epoch);
          }
          const batch = materializeBatch(plans[batchInEpoch]!, examplesByIndex, settings.batching);
          batchInEpoch++;
          tokensSeen += batch.tokens;
          tokensThisRun += batch.tokens;
          if (batch.weightSum === 0) continue;
          const result = await session.run({ ...parameterFeeds(), ...batchFeeds(batch) }, ['loss_sum', ...gradientNames]);
          lossSum += Number(result['loss_sum']!.data[0]);
          weightSum += batch.weightSum;
          gradientNames.forEach((name, i) => {
            const gradient = result[name]!.data as Float32Array;
            const target = accumulated[i]!;
            for (let k = 0; k < target.length; k++) target[k] = target[k]! + gradient[k]!;
          });
        }
        if (this.cancelled) break;
        if (weightSum === 0) {
          step++;
          continue;
        }
        // Token-level mean over the whole accumulated batch, then clipping: both ride on the update's
        // gradient scale (one read of the gradients for the norm, none to rescale them).
        const inverse = 1 / weightSum;
        const gradNorm = globalNorm(accumulated) * inverse;
        const learningRate = learningRateAt(step, {
          peakLearningRate: settings.learningRate,
          warmupSteps: settings.warmupSteps,
          totalSteps,
          decay: settings.decay,
          finalRatio: settings.finalLearningRateRatio,
        });
        optimizer.step(accumulated, learningRate, inverse * clippingScale(gradNorm, settings.maxGradNorm));
        step++;
        const loss = lossSum * inverse;
        lastLoss = loss;
        lossHistory.push({ step, loss });
        if (lossHistory.length > 10_000) lossHistory = lossHistory.slice(-10_000);

        const elapsed = (performance.now() - runStarted) / 1000;
        const tokensPerSecond = tokensThisRun / Math.max(elapsed, 1e-9);
        const stepsThisRun = step - resumedFromStep;
        peak = Math.max(peak, peakMemoryBytes());
        this.emit({
          type: 'step',
          step,
          totalSteps,
          epoch: epoch + batchInEpoch / Math.max(1, planFor(epoch).length),
          loss: finite(loss),
          learningRate,
          gradNorm: finite(gradNorm),
          tokensPerSecond,
          elapsedSeconds: (performance.now() - started) / 1000,
          etaSeconds: (elapsed / Math.max(1, stepsThisRun)) * (totalSteps - step),
          memoryBytes: process.memoryUsage().rss,
          peakMemoryBytes: peak,
        });
        if (!Number.isFinite(loss)) throw new TrainerError(`the loss became ${loss} at step ${step}; lower the learning rate`);
        if (settings.evalEvery > 0 && step % settings.evalEvery === 0 && step < totalSteps) {
          const result = await evaluate();
          if (result !== undefined) {
            lastEvalLoss = result.loss;
            this.emit({ type: 'eval', step, evalLoss: result.loss, evalTokens: result.tokens });
          }
        }
        if (settings.checkpointEvery > 0 && step % settings.checkpointEvery === 0 && step < totalSteps) saveCheckpoint();
      }

      let adapterPath: string | null = null;
      if (this.cancelled) {
        if (step > resumedFromStep) saveCheckpoint();
      } else {
        const result = await evaluate();
        if (result !== undefined) {
          lastEvalLoss = result.loss;
          this.emit({ type: 'eval', step, evalLoss: result.loss, evalTokens: result.tokens });
        }
        saveCheckpoint();
        adapterPath = this.saveAdapter(built.parameters, parameters);
      }
      const seconds = (performance.now() - started) / 1000;
      const runSeconds = (performance.now() - runStarted) / 1000;
      return {
        steps: step,
        epochs: epoch + batchInEpoch / Math.max(1, planFor(epoch).length),
        finalLoss: lastLoss,
        finalEvalLoss: lastEvalLoss,
        tokensPerSecond: tokensThisRun / Math.max(runSeconds, 1e-9),
        seconds,
        peakMemoryBytes: Math.max(peak, peakMemoryBytes()),
        adapterPath,
        cancelled: this.cancelled,
      };
    } finally {
      await session.release();
    }
  }

  private saveAdapter(specs: readonly LoraParameterSpec[], parameters: readonly ParameterTensor[]): string {
    const modules = new Map<string, LoraModuleWeights>();
    const scale = this.settings.alpha / this.settings.rank;
    specs.forEach((spec, i) => {
      const module = spec.name.replace(/\.lora_[AB]$/, '');
      const entry = modules.get(module) ?? { a: new Float32Array(0), b: new Float32Array(0), rank: this.settings.rank, scale };
      if (spec.kind === 'A') entry.a = parameters[i]!.data;
      else entry.b = parameters[i]!.data;
      modules.set(module, entry);
    });
    savePeftAdapter(this.settings.out, { peftConfig: { r: this.settings.rank, lora_alpha: this.settings.alpha }, modules }, this.folder.dir);
    return this.settings.out;
  }
}
