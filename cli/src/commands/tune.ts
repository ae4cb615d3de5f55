/**
 * `tunesmith tune DATASET... --model DIR --out ADAPTER_DIR [options]`
 * LoRA fine-tuning in the engine process. A progress bar on a terminal; with --json one JSON object per
 * line per progress event, ending with {"type":"summary",...}. Ctrl-C stops after the current
 * micro-batch and keeps a checkpoint (resume with --resume); a second Ctrl-C stops the engine at once.
 */
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import type { EngineDevice, TrainingEvent, TrainingRequest, TrainingSummary, TrainingTarget } from '../../../protocol/messages';
import { EngineClient, EngineRequestError } from '../../../engine/src/client';
import { brokenConfigFor } from '../../../server/src/service/configFile';
import { type CliCommand, UsageError } from '../command';

const help = `usage: tunesmith tune DATASET... --model DIR --out ADAPTER_DIR [options]

Fine-tunes a LoRA adapter on dataset files (any format the linter reads; records it rejects with an
error are skipped and listed) and writes it in the PEFT format (adapter_config.json +
adapter_model.safetensors), with a checkpoint for --resume.

  --model DIR              model folder, models--org--name cache folder, or org/name in the HF cache
  --out DIR                adapter folder (created; holds checkpoint.safetensors while training)
  --epochs N | --steps N   length of the run (default 3 epochs)
  --lr X                   peak learning rate (default 2e-4)
  --rank R  --alpha A      LoRA rank and alpha (default 8 and 16; scale = alpha / rank)
  --targets LIST           modules to adapt, comma-separated from q,k,v,o,gate,up,down (default all)
  --eval FILE              evaluation file (repeatable)    --eval-split F   hold out a fraction (0..0.5)
  --eval-every N           evaluate every N steps (default: at the end only)
  --labels MODE            assistant (default) | all | last-assistant: which turns carry the loss
  --max-length N           tokens per example (default 2048 or the model's limit)
  --over-length ACTION     drop (default) | truncate
  --no-pack                one example per row (default: pack short examples, attention kept per example)
  --batch-tokens N         tokens per micro-batch, rows x padded length (default 4096)
  --grad-accum N           micro-batches per optimizer step (default 1)
  --warmup N               warmup steps (default 0)   --schedule cosine|linear|constant (default cosine)
  --weight-decay X         AdamW weight decay (default 0)   --max-grad-norm X   clipping (default 1, 0 = off)
  --seed N                 same seed, same run (default 42)
  --checkpoint-every N     steps between checkpoints (default 50)
  --resume                 continue from the checkpoint in --out
  --device D               auto | cpu | webgpu | cuda      --threads N   CPU threads
  --json                   JSON lines on stdout instead of the progress bar
`;

function number(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} (got '${value}')`);
  return parsed;
}

function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

const TARGETS: readonly TrainingTarget[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];

/** Parses the command line into a training request (exported for tests). */
export function parseTuneArgs(args: string[]): { request: TrainingRequest; json: boolean } | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      epochs: { type: 'string' },
      steps: { type: 'string' },
      lr: { type: 'string' },
      rank: { type: 'string' },
      alpha: { type: 'string' },
      targets: { type: 'string' },
      eval: { type: 'string', multiple: true },
      'eval-split': { type: 'string' },
      'eval-every': { type: 'string' },
      labels: { type: 'string' },
      'max-length': { type: 'string' },
      'over-length': { type: 'string' },
      'no-pack': { type: 'boolean' },
      'batch-tokens': { type: 'string' },
      'grad-accum': { type: 'string' },
      warmup: { type: 'string' },
      schedule: { type: 'string' },
      'weight-decay': { type: 'string' },
      'max-grad-norm': { type: 'string' },
      seed: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      resume: { type: 'boolean' },
      device: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError(`give at least one dataset file\n\n${help}`);
  if (values.model === undefined) throw new UsageError(`--model is required\n\n${help}`);
  if (values.out === undefined) throw new UsageError(`--out is required\n\n${help}`);
  if (values.epochs !== undefined && values.steps !== undefined) throw new UsageError('give --epochs or --steps, not both');
  if (values.eval !== undefined && values['eval-split'] !== undefined) throw new UsageError('give --eval or --eval-split, not both');
  let targets: TrainingTarget[] | undefined;
  if (values.targets !== undefined) {
    targets = values.targets.split(',').map((t) => t.trim().replace(/_proj$/, '')).filter((t) => t !== '') as TrainingTarget[];
    const unknown = targets.filter((t) => !TARGETS.includes(t));
    if (unknown.length > 0 || targets.length === 0) throw new UsageError(`--targets takes a comma-separated list from ${TARGETS.join(',')} (unknown: ${unknown.join(', ') || 'none given'})`);
  }
  const request: TrainingRequest = { datasets: positionals.map((p) => path.resolve(p)), model: values.model, out: path.resolve(values.out) };
  const set = <K extends keyof TrainingRequest>(key: K, value: TrainingRequest[K] | undefined): void => {
    if (value !== undefined) request[key] = value;
  };
  set('epochs', number(values.epochs, 'epochs', false));
  set('steps', number(values.steps, 'steps', true));
  set('learningRate', number(values.lr, 'lr', false));
  set('rank', number(values.rank, 'rank', true));
  set('alpha', number(values.alpha, 'alpha', false));
  set('targets', targets);
  set('evalFiles', values.eval?.map((f) => path.resolve(f)));
  set('evalSplit', number(values['eval-split'], 'eval-split', false));
  set('evalEvery', number(values['eval-every'], 'eval-every', true));
  set('labels', oneOf(values.labels, 'labels', ['assistant', 'all', 'last-assistant'] as const));
  set('maxLength', number(values['max-length'], 'max-length', true));
  set('overLength', oneOf(values['over-length'], 'over-length', ['drop', 'truncate'] as const));
  if (values['no-pack']) request.pack = false;
  set('batchTokens', number(values['batch-tokens'], 'batch-tokens', true));
  set('gradientAccumulation', number(values['grad-accum'], 'grad-accum', true));
  set('warmupSteps', number(values.warmup, 'warmup', true));
  set('decay', oneOf(values.schedule, 'schedule', ['cosine', 'linear', 'constant'] as const));
  set('weightDecay', number(values['weight-decay'], 'weight-decay', false));
  set('maxGradNorm', number(values['max-grad-norm'], 'max-grad-norm', false));
  set('seed', number(values.seed, 'seed', true));
  set('checkpointEvery', number(values['checkpoint-every'], 'checkpoint-every', true));
  if (values.resume) request.resume = true;
  set('device', oneOf(values.device, 'device', ['auto', 'cpu', 'webgpu', 'cuda'] as const satisfies readonly EngineDevice[]));
  set('threads', number(values.threads, 'threads', true));
  return { request, json: values.json ?? false };
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

const megabytes = (bytes: number): string => `${Math.round(bytes / 1048576)} MB`;

/** Human output: a redrawn progress line on a terminal, plain lines otherwise. */
class ProgressPrinter {
  private lastEvalLoss: number | undefined;
  private lineOpen = false;
  private lastPlainStep = 0;

  constructor(private readonly tty: boolean) {}

  private line(text: string): void {
    if (this.lineOpen) process.stderr.write('\n');
    this.lineOpen = false;
    process.stderr.write(`${text}\n`);
  }

  event(event: TrainingEvent): void {
    switch (event.type) {
      case 'data': {
        const r = event.report;
        this.line(`data: ${r.trainExamples} training examples (${r.trainTokens} tokens), ${r.evalExamples} for evaluation`);
        if (r.invalid.length > 0) {
          this.line(`skipped ${r.invalid.length} record(s):`);
          for (const item of r.invalid.slice(0, 20)) this.line(`  ${item.file}:${item.line}: ${item.reason}`);
          if (r.invalid.length > 20) this.line(`  ... and ${r.invalid.length - 20} more`);
        }
        if (r.noTrainableTokens.length > 0) this.line(`skipped ${r.noTrainableTokens.length} record(s) with no trainable tokens: ${r.noTrainableTokens.slice(0, 10).map((x) => `${path.basename(x.file)}:${x.line}`).join(', ')}`);
        if (r.overLength.length > 0) this.line(`${r.overLengthAction === 'drop' ? 'dropped' : 'truncated'} ${r.overLength.length} over-long record(s): ${r.overLength.slice(0, 10).map((x) => `${path.basename(x.file)}:${x.line} (${x.tokens} tokens)`).join(', ')}`);
        break;
      }
      case 'started':
        this.line(`training ${event.trainableParameters.toLocaleString('en')} LoRA parameters for ${event.totalSteps} steps on ${event.device}${event.resumedFromStep > 0 ? `, resuming at step ${event.resumedFromStep}` : ''}`);
        break;
      case 'step': {
        const width = 24;
        const filled = Math.round((event.step / event.totalSteps) * width);
        const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
        const evalText = this.lastEvalLoss === undefined ? '' : ` eval ${this.lastEvalLoss.toFixed(4)}`;
        const text = `step ${event.step}/${event.totalSteps} [${bar}] loss ${event.loss.toFixed(4)}${evalText} lr ${event.learningRate.toExponential(2)} ${Math.round(event.tokensPerSecond)} tok/s ETA ${duration(event.etaSeconds)} mem ${megabytes(event.memoryBytes)}`;
        if (this.tty) {
          process.stderr.write(`\r\x1b[2K${text}`);
          this.lineOpen = true;
        } else if (event.step === event.totalSteps || event.step - this.lastPlainStep >= Math.max(1, Math.floor(event.totalSteps / 20))) {
          this.lastPlainStep = event.step;
          this.line(text);
        }
        break;
      }
      case 'eval':
        this.lastEvalLoss = event.evalLoss;
        if (!this.tty) this.line(`eval at step ${event.step}: loss ${event.evalLoss.toFixed(4)}`);
        break;
      case 'checkpoint':
        if (!this.tty) this.line(`checkpoint at step ${event.step}`);
        break;
      case 'log':
        this.line(event.message);
        break;
    }
  }

  summary(summary: TrainingSummary): void {
    const losses = `final loss ${summary.finalLoss?.toFixed(4) ?? 'n/a'}${summary.finalEvalLoss !== null ? `, eval loss ${summary.finalEvalLoss.toFixed(4)}` : ''}`;
    if (summary.cancelled) {
      this.line(`stopped at step ${summary.steps} (${losses}); continue with --resume`);
    } else {
      this.line(`done: ${summary.steps} steps in ${duration(summary.seconds)}, ${losses}, ${Math.round(summary.tokensPerSecond)} tokens/s, peak memory ${megabytes(summary.peakMemoryBytes)}`);
      this.line(`adapter: ${summary.adapterPath}`);
    }
  }
}

export const command: CliCommand = {
  name: 'tune',
  summary: 'fine-tune a LoRA adapter on dataset files (PEFT format out)',
  async run(args: string[]): Promise<number> {
    const parsed = parseTuneArgs(args);
    if (parsed === 'help') {
      process.stdout.write(help);
      return 0;
    }
    const { request, json } = parsed;
    // A tunesmith.json that does not parse stops the run before the model loads, with exit 2 as in `tunesmith lint`.
    const configError = brokenConfigFor([...request.datasets, ...(request.evalFiles ?? [])]);
    if (configError !== undefined) {
      if (json) process.stdout.write(`${JSON.stringify({ type: 'error', code: 'invalid-config', message: configError })}\n`);
      process.stderr.write(`tunesmith: ${configError}\n`);
      return 2;
    }
    const printer = new ProgressPrinter(process.stderr.isTTY === true);
    const writeJson = (value: unknown): void => {
      process.stdout.write(`${JSON.stringify(value)}\n`);
    };
    const engine = new EngineClient({ onLog: (line) => process.stderr.write(`engine: ${line}\n`) });
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts === 1) {
        if (!json) process.stderr.write('\nstopping after this batch (Ctrl-C again to stop at once)...\n');
        controller.abort();
      } else {
        void engine.dispose();
      }
    };
    process.on('SIGINT', onSigint);
    // Whoever reads stdout went away (e.g. `| head`): stop the run rather than crash on EPIPE.
    const onStdoutError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EPIPE') controller.abort();
    };
    process.stdout.on('error', onStdoutError);
    try {
      const summary = await engine.request('engine/train/start', request, {
        signal: controller.signal,
        onNotification: (method, params) => {
          if (method !== 'engine/train/event') return;
          if (json) writeJson(params);
          else printer.event(params as TrainingEvent);
        },
      });
      if (json) writeJson({ type: 'summary', ...summary });
      else printer.summary(summary);
      return summary.cancelled ? 130 : 0;
    } catch (error) {
      if (error instanceof EngineRequestError) {
        if (json) writeJson({ type: 'error', code: error.code, message: error.message });
        process.stderr.write(`tunesmith: ${error.message}\n`);
        return interrupts > 0 ? 130 : 1;
      }
      throw error;
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.stdout.removeListener('error', onStdoutError);
      await engine.dispose();
    }
  },
};
