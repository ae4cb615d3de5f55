/**
 * The inference requests of the engine process: load/unload models and adapters, generate with
 * streamed tokens, report and release memory.
 */
import {
  EngineProgressNotification,
  EngineStatusRequest,
  type EngineMemoryReport,
  type EngineModelInfo,
  GenerateRequest,
  GenerateTokenNotification,
  LoadAdapterRequest,
  LoadModelRequest,
  ReleaseMemoryRequest,
  UnloadAdapterRequest,
  UnloadModelRequest,
} from '../../../protocol/messages';
import { generate } from '../generate/generator';
import type { SamplingOptions } from '../generate/sampler';
import { TextTokenizer } from '../generate/tokenizer';
import { loadCompatibleAdapter } from '../lora/compatibility';
import { AdapterError, type LoraAdapter } from '../lora/peft';
import { elementCount } from '../graph/ir';
import { loadModelFolder } from '../model/folder';
import { LoadedModel } from '../runtime/model';
import { quantizedLinear } from '../runtime/quantize';
import { EngineError, registerHandler } from './dispatcher';

interface ModelEntry {
  info: EngineModelInfo;
  model: LoadedModel;
  tokenizer: TextTokenizer;
  key: string;
}

interface AdapterEntry {
  modelId: string;
  adapter: LoraAdapter;
}

const models = new Map<string, ModelEntry>();
const adapters = new Map<string, AdapterEntry>();
let nextId = 1;

export function memoryReport(): EngineMemoryReport {
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    external: usage.external,
    peakRss: process.resourceUsage().maxRSS * 1024,
    models: [...models.keys()],
    adapters: [...adapters.keys()],
  };
}

/** A loaded model by id, for other engine features (training reuses the loaded folder). */
export function loadedModel(modelId: string): { model: LoadedModel; tokenizer: TextTokenizer } {
  const entry = models.get(modelId);
  if (entry === undefined) throw new EngineError('no-such-model', `no loaded model '${modelId}' (load it first)`);
  return entry;
}

async function unloadModel(modelId: string): Promise<boolean> {
  const entry = models.get(modelId);
  if (entry === undefined) return false;
  models.delete(modelId);
  for (const [adapterId, adapter] of adapters) if (adapter.modelId === modelId) adapters.delete(adapterId);
  await entry.model.release();
  return true;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new EngineError('invalid-request', `${name} must be a non-empty string`);
  return value;
}

registerHandler(LoadModelRequest.method, async (raw, context) => {
  const params = raw as LoadModelRequest.Params;
  const started = performance.now();
  const progress = (stage: EngineProgressNotification.Params['stage'], message: string): void =>
    context.notify(EngineProgressNotification.method, { stage, message } satisfies EngineProgressNotification.Params);
  progress('reading', `reading ${params.path}`);
  const folder = loadModelFolder(requireString(params.path, 'path'));
  const quantization = params.quantization ?? 'none';
  const key = `${folder.dir}|${params.device ?? 'auto'}|${quantization}`;
  for (const entry of models.values()) if (entry.key === key) return entry.info;
  const model = await LoadedModel.load(folder, {
    device: params.device ?? 'auto',
    ...(params.threads !== undefined ? { threads: params.threads } : {}),
    ...(quantization !== 'none' ? { linearOverride: quantizedLinear(quantization === 'int4' ? 4 : 8) } : {}),
    onProgress: progress,
  });
  progress('loading-tokenizer', 'loading the tokenizer and chat template');
  const tokenizer = await TextTokenizer.create(folder.tokenizerJson, folder.tokenizerConfig, folder.dir);
  const modelId = `model-${nextId++}`;
  let parameters = 0;
  const dtypes = new Set<string>();
  for (const tensor of folder.tensors.values()) {
    parameters += elementCount(tensor.shape);
    dtypes.add(tensor.dtype);
  }
  const info: EngineModelInfo = {
    modelId,
    path: folder.dir,
    architecture: folder.config.architecture,
    parameters,
    layers: folder.config.numLayers,
    hiddenSize: folder.config.hiddenSize,
    vocabSize: folder.config.vocabSize,
    weightDtypes: [...dtypes].sort(),
    device: model.device,
    ...(model.deviceNote !== undefined ? { deviceNote: model.deviceNote } : {}),
    hasChatTemplate: tokenizer.chatTemplate !== undefined,
    loadMs: performance.now() - started,
    memoryBytes: process.memoryUsage().rss,
  };
  models.set(modelId, { info, model, tokenizer, key });
  return info;
});

registerHandler(UnloadModelRequest.method, async (raw) => {
  const params = raw as UnloadModelRequest.Params;
  return { released: await unloadModel(requireString(params.modelId, 'modelId')) };
});

registerHandler(LoadAdapterRequest.method, async (raw) => {
  const params = raw as LoadAdapterRequest.Params;
  const { model } = loadedModel(requireString(params.modelId, 'modelId'));
  // Adapters from Axolotl/LLaMA-Factory/TRL too: output folders, checkpoints, the HF cache; base model and shapes checked.
  let loaded: ReturnType<typeof loadCompatibleAdapter>;
  try {
    loaded = loadCompatibleAdapter(requireString(params.path, 'path'), model.folder, { allowOtherBase: params.allowOtherBase === true });
  } catch (error) {
    if (error instanceof AdapterError) throw new EngineError('adapter-invalid', error.message);
    throw error;
  }
  const { adapter, report } = loaded;
  const dir = report.adapterDir;
  try {
    model.checkAdapter(adapter);
  } catch (error) {
    throw new EngineError('adapter-invalid', (error as Error).message);
  }
  const adapterId = `adapter-${nextId++}`;
  adapters.set(adapterId, { modelId: params.modelId, adapter });
  const first = adapter.modules.values().next().value!;
  const targets = [...new Set([...adapter.modules.keys()].map((name) => name.split('.').pop()!))].sort();
  return {
    adapterId,
    modelId: params.modelId,
    path: dir,
    rank: first.rank,
    alpha: typeof adapter.peftConfig['lora_alpha'] === 'number' ? adapter.peftConfig['lora_alpha'] : first.rank,
    targetModules: targets,
    modules: adapter.modules.size,
    ...(report.notes.length > 0 ? { notes: report.notes } : {}),
  } satisfies LoadAdapterRequest.Result;
});

registerHandler(UnloadAdapterRequest.method, async (raw) => {
  const params = raw as UnloadAdapterRequest.Params;
  return { released: adapters.delete(requireString(params.adapterId, 'adapterId')) };
});

function pick<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}

registerHandler(GenerateRequest.method, async (raw, context) => {
  const params = raw as GenerateRequest.Params;
  const { model, tokenizer } = loadedModel(requireString(params.modelId, 'modelId'));
  let adapter: LoraAdapter | undefined;
  if (params.adapterId !== undefined) {
    const entry = adapters.get(params.adapterId);
    if (entry === undefined || entry.modelId !== params.modelId) throw new EngineError('invalid-request', `no adapter '${params.adapterId}' loaded for ${params.modelId}`);
    adapter = entry.adapter;
  }
  if ((params.messages === undefined) === (params.prompt === undefined)) throw new EngineError('invalid-request', 'give either messages or prompt');
  const defaults = model.folder.generation;
  const given = params.sampling ?? {};
  const sampling: SamplingOptions = { temperature: pick(given.temperature, defaults.temperature, 0.7)! };
  const topK = pick(given.topK, defaults.topK);
  const topP = pick(given.topP, defaults.topP);
  const repetitionPenalty = pick(given.repetitionPenalty, defaults.repetitionPenalty);
  if (topK !== undefined) sampling.topK = topK;
  if (topP !== undefined) sampling.topP = topP;
  if (repetitionPenalty !== undefined) sampling.repetitionPenalty = repetitionPenalty;
  if (given.seed !== undefined) sampling.seed = given.seed;
  const maxTokens = params.maxTokens ?? 256;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new EngineError('invalid-request', `maxTokens must be a whole number >= 1 (got ${maxTokens})`);
  const result = await generate(
    model,
    tokenizer,
    {
      prompt:
        params.messages !== undefined
          ? { messages: params.messages.map((m) => ({ ...m })), ...(params.chatTemplateOptions !== undefined ? { templateOptions: params.chatTemplateOptions } : {}) }
          : { text: params.prompt! },
      maxTokens,
      sampling,
      ...(params.stopStrings !== undefined ? { stopStrings: params.stopStrings } : {}),
      ...(adapter !== undefined ? { adapter } : {}),
    },
    {
      signal: context.signal,
      onText: (text, tokenId) => context.notify(GenerateTokenNotification.method, { text, tokenId } satisfies GenerateTokenNotification.Params),
    },
  );
  return { text: result.text, finishReason: result.finishReason, ...result.stats } satisfies GenerateRequest.Result;
});

registerHandler(ReleaseMemoryRequest.method, async (raw) => {
  const params = (raw ?? {}) as ReleaseMemoryRequest.Params;
  const ids = params.modelIds ?? [...models.keys()];
  for (const id of ids) await unloadModel(id);
  // Give freed JS memory back before reporting (when node runs with --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  return memoryReport();
});

registerHandler(EngineStatusRequest.method, async () => memoryReport());
