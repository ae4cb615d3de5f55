/**
 * `tunesmith generate --model DIR [--adapter DIR] (--prompt TEXT | --messages FILE) [options]`
 * Streams the model's answer to stdout. The model runs in the engine process (the same one the
 * extension uses); Ctrl-C cancels at once and keeps what was generated.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { EngineChatMessage, EngineDevice, GenerateRequest } from '../../../protocol/messages';
import { EngineClient, EngineRequestError } from '../../../engine/src/client';
import { type CliCommand, UsageError } from '../command';

const help = `usage: tunesmith generate --model DIR (--prompt TEXT | --messages FILE) [options]

Generates an answer with a local Hugging Face model folder (or a Hugging Face cache entry) and
streams it to stdout.

  --model DIR            model folder, models--org--name cache folder, or org/name in the HF cache
  --adapter DIR          a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)
  --prompt TEXT          a user message (the model's chat template is applied; see --raw)
  --messages FILE        a JSON file: [{role, content}, ...], {"messages": [...]}, or one JSONL record;
                         a trailing assistant turn is dropped so the model writes it
  --raw                  send --prompt as raw text, without the chat template
  --max-tokens N         default 256
  --temperature T        0 = greedy (default: the model's generation_config, else 0.7)
  --top-k N  --top-p P  --repetition-penalty R
  --seed N               same seed, same answer
  --stop TEXT            stop string (repeatable)
  --device D             auto | cpu | webgpu | cuda (falls back to cpu, saying why)
  --quantize Q           none | int8 | int4 (quantised weights: faster, slightly different)
  --stats                print timing figures to stderr
`;

function number(value: string | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} (got '${value}')`);
  return parsed;
}

export function readMessagesFile(file: string): EngineChatMessage[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --messages file: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A JSONL file: take its first non-empty line.
    const line = text.split('\n').find((l) => l.trim() !== '');
    try {
      value = line === undefined ? undefined : JSON.parse(line);
    } catch (error) {
      throw new UsageError(`--messages file is neither JSON nor JSONL: ${(error as Error).message}`);
    }
  }
  const list = Array.isArray(value) ? value : (value as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError('--messages file must hold a non-empty list of {role, content} messages (or {"messages": [...]})');
  const messages = list.map((entry, index) => {
    const message = entry as { role?: unknown; content?: unknown };
    if (typeof message.role !== 'string' || typeof message.content !== 'string') throw new UsageError(`--messages entry ${index + 1} needs string "role" and "content"`);
    return { role: message.role, content: message.content };
  });
  while (messages.length > 1 && messages[messages.length - 1]!.role === 'assistant') messages.pop();
  return messages;
}

export const command: CliCommand = {
  name: 'generate',
  summary: 'generate an answer with a local model (and optional LoRA adapter), streamed to stdout',
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        model: { type: 'string' },
        adapter: { type: 'string' },
        prompt: { type: 'string' },
        messages: { type: 'string' },
        raw: { type: 'boolean' },
        'max-tokens': { type: 'string' },
        temperature: { type: 'string' },
        'top-k': { type: 'string' },
        'top-p': { type: 'string' },
        'repetition-penalty': { type: 'string' },
        seed: { type: 'string' },
        stop: { type: 'string', multiple: true },
        device: { type: 'string' },
        quantize: { type: 'string' },
        threads: { type: 'string' },
        stats: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    if (values.model === undefined) throw new UsageError(`--model is required\n\n${help}`);
    if ((values.prompt === undefined) === (values.messages === undefined)) throw new UsageError('give exactly one of --prompt and --messages');
    const device = (values.device ?? 'auto') as EngineDevice;
    if (!['auto', 'cpu', 'webgpu', 'cuda'].includes(device)) throw new UsageError(`--device must be auto, cpu, webgpu or cuda (got '${values.device}')`);
    const quantization = (values.quantize ?? 'none') as 'none' | 'int8' | 'int4';
    if (!['none', 'int8', 'int4'].includes(quantization)) throw new UsageError(`--quantize must be none, int8 or int4 (got '${values.quantize}')`);
    const sampling: GenerateRequest.Params['sampling'] = {};
    const temperature = number(values.temperature, 'temperature', false);
    const topK = number(values['top-k'], 'top-k', true);
    const topP = number(values['top-p'], 'top-p', false);
    const repetitionPenalty = number(values['repetition-penalty'], 'repetition-penalty', false);
    const seed = number(values.seed, 'seed', true);
    if (temperature !== undefined) sampling.temperature = temperature;
    if (topK !== undefined) sampling.topK = topK;
    if (topP !== undefined) sampling.topP = topP;
    if (repetitionPenalty !== undefined) sampling.repetitionPenalty = repetitionPenalty;
    if (seed !== undefined) sampling.seed = seed;
    const maxTokens = number(values['max-tokens'], 'max-tokens', true) ?? 256;
    const threads = number(values.threads, 'threads', true);
    const messages = values.messages !== undefined ? readMessagesFile(values.messages) : values.raw ? undefined : [{ role: 'user', content: values.prompt! }];

    const engine = new EngineClient({ onLog: (line) => process.stderr.write(`engine: ${line}\n`) });
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      // Loading stages go to stderr on a terminal only, so piped stdout/stderr stay clean.
      const showProgress = process.stderr.isTTY === true;
      const model = await engine.request(
        'engine/loadModel',
        { path: values.model, device, quantization, ...(threads !== undefined ? { threads } : {}) },
        {
          onNotification: (method, params) => {
            if (showProgress && method === 'engine/progress') process.stderr.write(`tunesmith: ${(params as { message: string }).message}\n`);
          },
        },
      );
      if (model.deviceNote !== undefined) process.stderr.write(`tunesmith: ${model.deviceNote}\n`);
      let adapterId: string | undefined;
      if (values.adapter !== undefined) adapterId = (await engine.request('engine/loadAdapter', { modelId: model.modelId, path: values.adapter })).adapterId;
      let useMessages = messages;
      if (useMessages !== undefined && !model.hasChatTemplate) {
        if (values.messages !== undefined) throw new UsageError('this model has no chat template, so --messages cannot be used; pass --prompt (sent as raw text)');
        useMessages = undefined;
      }
      const result = await engine.request(
        'engine/generate',
        {
          modelId: model.modelId,
          ...(adapterId !== undefined ? { adapterId } : {}),
          ...(useMessages !== undefined ? { messages: useMessages } : { prompt: values.prompt! }),
          maxTokens,
          sampling,
          ...(values.stop !== undefined ? { stopStrings: values.stop } : {}),
        },
        {
          signal: controller.signal,
          onNotification: (method, params) => {
            if (method === 'engine/generate/token') process.stdout.write((params as { text: string }).text);
          },
        },
      );
      process.stdout.write('\n');
      if (values.stats) {
        process.stderr.write(
          `${result.promptTokens} prompt tokens, ${result.generatedTokens} generated (${result.finishReason}); ` +
            `time to first token ${result.timeToFirstTokenMs.toFixed(0)} ms, ${result.decodeTokensPerSecond.toFixed(1)} tokens/s; ` +
            `load ${model.loadMs.toFixed(0)} ms on ${model.device}\n`,
        );
      }
      return result.finishReason === 'cancelled' ? 130 : 0;
    } catch (error) {
      if (error instanceof EngineRequestError) {
        process.stderr.write(`tunesmith: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await engine.dispose();
    }
  },
};
