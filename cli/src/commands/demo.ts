/**
 * `tunesmith demo [--dir WORKSPACE]`: the whole loop on the built-in example workspace, in one command:
 * lint every dataset file, make the tiny demo model, fine-tune a LoRA adapter on the chat example, and
 * preview base model vs adapter vs the reference answer for a few of its prompts.
 * Everything it writes goes under <workspace>/.tunesmith-cache (model, adapter); the datasets are
 * only read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EngineClient } from '../../../engine/src/client';
import type { EngineChatMessage, TrainingEvent } from '../../../protocol/messages';
import { type CliCommand, UsageError } from '../command';

const help = `usage: tunesmith demo [--dir WORKSPACE] [--steps N]

Runs Tunesmith's whole loop on the example workspace (default: examples/ of this repository):
lint the dataset files, create the tiny demo model, fine-tune a LoRA adapter on openai-chat.jsonl,
then answer a few of its prompts with the base model and with the adapter, next to the reference.
`;

/** The chat dataset the demo tunes on, relative to the workspace. */
const TRAINING_FILE = 'openai-chat.jsonl';
const PREVIEW_PROMPTS = 3;

interface ChatRecord {
  messages: EngineChatMessage[];
}

/** Answers side by side read best on one line each; a random base model may ramble over many. */
function oneLine(text: string, limit = 100): string {
  const flat = text.trim().replace(/\s*\n\s*/g, ' ⏎ ');
  if (flat === '') return '(empty answer)';
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

function section(title: string): void {
  process.stdout.write(`\n== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}\n`);
}

const subcommands: Record<'lint' | 'create-tiny-model', () => Promise<CliCommand>> = {
  lint: () => import('./lint.js').then((m) => m.command),
  'create-tiny-model': () => import('./create-tiny-model.js').then((m) => m.command),
};

async function runSubcommand(name: keyof typeof subcommands, args: string[]): Promise<number> {
  return (await subcommands[name]()).run(args);
}

/** Reads the chat records whose last turn is the assistant's reference answer. */
function readChatRecords(file: string): ChatRecord[] {
  const records: ChatRecord[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as Partial<ChatRecord>;
      const messages = record.messages;
      if (Array.isArray(messages) && messages.length >= 2 && messages[messages.length - 1]?.role === 'assistant') records.push({ messages });
    } catch {
      // Broken lines are the linter's business; the demo previews the good ones.
    }
  }
  return records;
}

export const command: CliCommand = {
  name: 'demo',
  summary: 'lint the example workspace, fine-tune the tiny model on it and preview answers',
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: { dir: { type: 'string' }, steps: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    const workspace = path.resolve(values.dir ?? path.join(__dirname, '..', '..', 'examples'));
    const steps = values.steps === undefined ? 60 : Number(values.steps);
    if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps must be a whole number >= 1 (got '${values.steps}')`);
    const trainingFile = path.join(workspace, TRAINING_FILE);
    if (!fs.existsSync(trainingFile)) throw new UsageError(`${trainingFile} not found: --dir must name a workspace with ${TRAINING_FILE}`);
    const cache = path.join(workspace, '.tunesmith-cache');
    const modelDir = path.join(cache, 'demo-model');
    const adapterDir = path.join(cache, 'demo-adapter');

    section('1. Lint the example datasets');
    // The workspace holds deliberately broken files (examples/defects), so findings are expected here.
    const lintExit = await runSubcommand('lint', [workspace]);
    process.stdout.write(lintExit === 0 ? 'lint: clean\n' : 'lint: the findings above are the planted defects of examples/defects\n');

    section('2. Create the tiny demo model');
    if (fs.existsSync(path.join(modelDir, 'config.json'))) process.stdout.write(`using ${modelDir}\n`);
    else if ((await runSubcommand('create-tiny-model', ['--out', modelDir, '--seed', '0'])) !== 0) return 1;

    section(`3. Fine-tune a LoRA adapter on ${TRAINING_FILE}`);
    const engine = new EngineClient({ onLog: (line) => process.stderr.write(`engine: ${line}\n`) });
    try {
      let lastLoss: number | undefined;
      let firstLoss: number | undefined;
      const summary = await engine.request(
        'engine/train/start',
        { datasets: [trainingFile], model: modelDir, out: adapterDir, steps, learningRate: 3e-3, rank: 16, alpha: 32, seed: 7 },
        {
          onNotification: (_method, params) => {
            const event = params as TrainingEvent;
            if (event.type !== 'step') return;
            firstLoss ??= event.loss;
            lastLoss = event.loss;
            if (event.step % 10 === 0 || event.step === steps) process.stdout.write(`step ${event.step}/${steps}  loss ${event.loss.toFixed(4)}\n`);
          },
        },
      );
      if (summary.adapterPath === null) {
        process.stderr.write('tunesmith demo: training ended without an adapter\n');
        return 1;
      }
      const adapterPath = summary.adapterPath;
      process.stdout.write(
        `adapter written to ${adapterPath}` +
          (firstLoss !== undefined && lastLoss !== undefined ? ` (loss ${firstLoss.toFixed(3)} -> ${lastLoss.toFixed(3)})` : '') +
          '\n',
      );

      section('4. Preview: base model vs adapter vs reference');
      // Loading progress matters for big models; the tiny one loads before a bar could be drawn.
      const model = await engine.request('engine/loadModel', { path: modelDir, device: 'cpu', quantization: 'none' }, { onNotification: () => undefined });
      const adapter = await engine.request('engine/loadAdapter', { modelId: model.modelId, path: adapterPath });
      for (const record of readChatRecords(trainingFile).slice(0, PREVIEW_PROMPTS)) {
        const prompt = record.messages.slice(0, -1);
        const reference = record.messages[record.messages.length - 1]!.content;
        // Streamed tokens are not needed here: the demo prints whole answers, side by side.
        const answer = async (adapterId?: string): Promise<string> => {
          const params = { modelId: model.modelId, ...(adapterId !== undefined ? { adapterId } : {}), messages: prompt, maxTokens: 40, sampling: { temperature: 0 } };
          const result = await engine.request('engine/generate', params, { onNotification: () => undefined });
          // Qwen3's template marks non-thinking answers with an empty think block; it is not part of the answer.
          return oneLine(result.text.replace(/^\s*<think>\s*<\/think>\s*/, ''));
        };
        process.stdout.write(`\nprompt:    ${prompt[prompt.length - 1]!.content}\n`);
        process.stdout.write(`base:      ${await answer()}\n`);
        process.stdout.write(`adapter:   ${await answer(adapter.adapterId)}\n`);
        process.stdout.write(`reference: ${reference}\n`);
      }
    } finally {
      await engine.dispose();
    }
    process.stdout.write('\nDone. Open the examples folder in VS Code with Tunesmith installed to do the same in the editor.\n');
    return 0;
  },
};
