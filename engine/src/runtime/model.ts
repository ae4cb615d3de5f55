/**
 * A loaded model: the folder, its inference session (KV cache in/out, LoRA inputs), and one forward
 * step. Base and adapter outputs come from the same session: an adapter is only a different set of
 * LoRA feeds (rank 0 tensors when no adapter is active).
 */
import * as ort from 'onnxruntime-node';
import type { GraphBuilder } from '../graph/builder';
import type { LoraAdapter } from '../lora/peft';
import { buildDecoderGraph, FUSED_ROPE_POSITIONS, type LinearOverride, LORA_MODULES, type LoraModule, moduleName, moduleShape } from '../model/decoder';
import { loadModelFolder, type ModelFolder } from '../model/folder';
import { createSession, type Device, type SessionSettings } from './session';

export type DeviceSetting = 'auto' | Device;

export interface LoadOptions {
  device?: DeviceSetting;
  /** Modules that accept LoRA adapters (default: all seven projections). [] builds a base-only graph. */
  loraTargets?: readonly LoraModule[];
  /** 'last' for generation; 'all' returns logits for every position (tests, scoring). */
  logits?: 'last' | 'all';
  threads?: number;
  /** Let idle onnxruntime threads spin (default true; see SessionSettings.spinning). */
  spinning?: boolean;
  /**
   * Pack weights into onnxruntime's GEMM layout at load (default true): one copy of the fp32 weights
   * in RAM. false uses them in place from the memory-mapped safetensors files (about 0.65 GB less
   * resident memory for a 135M model) but decodes about 1.5x slower (the GEMM packs per call).
   */
  prepackWeights?: boolean;
  /** Called as loading moves from stage to stage (a big model takes seconds). */
  onProgress?: (stage: 'reading' | 'building-graph' | 'creating-session', message: string) => void;
  /** Replaces projections (quantised weights); see ./quantize.ts. */
  linearOverride?: LinearOverride;
  /** One GroupQueryAttention kernel per layer (default true); false uses plain ops. */
  fusedAttention?: boolean;
}

export interface KvCache {
  /** Number of positions already in the cache. */
  length: number;
  tensors: Record<string, ort.Tensor>;
}

export interface ForwardResult {
  /** Row-major [rows, vocab]: one row for 'last', one per new token for 'all'. */
  logits: Float32Array;
  rows: number;
  cache: KvCache;
}

export class LoadedModel {
  private readonly zeroLoraFeeds: Record<string, ort.Tensor> = {};
  private readonly adapterFeeds = new WeakMap<LoraAdapter, Record<string, ort.Tensor>>();
  private released = false;

  private constructor(
    readonly folder: ModelFolder,
    readonly session: ort.InferenceSession,
    readonly device: Device,
    /** Why the requested device was not used, when it fell back. */
    readonly deviceNote: string | undefined,
    readonly loraTargets: readonly LoraModule[],
    readonly timings: { readMs: number; buildMs: number; createMs: number },
    readonly fusedAttention: boolean,
  ) {
    const config = folder.config;
    for (let layer = 0; layer < config.numLayers; layer++) {
      for (const module of loraTargets) {
        const shape = moduleShape(config, module);
        const name = moduleName(layer, module);
        this.zeroLoraFeeds[`${name}.lora_A`] = new ort.Tensor('float32', new Float32Array(0), [0, shape.in]);
        this.zeroLoraFeeds[`${name}.lora_B`] = new ort.Tensor('float32', new Float32Array(0), [shape.out, 0]);
      }
    }
  }

  get config(): ModelFolder['config'] {
    return this.folder.config;
  }

  /** Longest sequence (prompt + answer) this session handles. */
  get contextLength(): number {
    return this.fusedAttention ? Math.min(this.config.maxPositionEmbeddings, FUSED_ROPE_POSITIONS) : this.config.maxPositionEmbeddings;
  }

  static async load(modelDir: string | ModelFolder, options: LoadOptions = {}): Promise<LoadedModel> {
    const started = performance.now();
    if (typeof modelDir === 'string') options.onProgress?.('reading', `reading ${modelDir}`);
    const folder = typeof modelDir === 'string' ? loadModelFolder(modelDir) : modelDir;
    const readMs = performance.now() - started;
    options.onProgress?.(
      'building-graph',
      `building the ${folder.config.architecture} graph (${folder.config.numLayers} layers${options.linearOverride ? ', quantising weights' : ''})`,
    );
    const loraTargets = options.loraTargets ?? LORA_MODULES;
    const graph = buildDecoderGraph(folder.config, { find: (name) => folder.tensors.get(name) }, {
      kvCache: true,
      logits: options.logits ?? 'last',
      loraTargets,
      fusedAttention: options.fusedAttention ?? true,
      loraScale: 'folded',
      ...(options.linearOverride ? { linearOverride: options.linearOverride } : {}),
    });
    options.onProgress?.('creating-session', `creating the onnxruntime session (${(folder.weightBytes / 2 ** 20).toFixed(0)} MiB of weights)`);
    const { session, device, note, buildMs, createMs } = await createWithFallback(graph, options.device ?? 'auto', options.threads, {
      ...(options.spinning !== undefined ? { spinning: options.spinning } : {}),
      ...(options.prepackWeights === false ? { config: { 'session.disable_prepacking': '1' } } : {}),
    });
    return new LoadedModel(folder, session, device, note, loraTargets, { readMs, buildMs, createMs }, options.fusedAttention ?? true);
  }

  emptyCache(): KvCache {
    const { numLayers, numKvHeads, headDim } = this.config;
    const tensors: Record<string, ort.Tensor> = {};
    for (let layer = 0; layer < numLayers; layer++) {
      tensors[`past_key_values.${layer}.key`] = new ort.Tensor('float32', new Float32Array(0), [1, numKvHeads, 0, headDim]);
      tensors[`past_key_values.${layer}.value`] = new ort.Tensor('float32', new Float32Array(0), [1, numKvHeads, 0, headDim]);
    }
    return { length: 0, tensors };
  }

  /** Checks that an adapter fits this session's LoRA inputs. */
  checkAdapter(adapter: LoraAdapter): void {
    for (const module of adapter.modules.keys()) {
      const kind = module.split('.').pop() as LoraModule;
      if (!this.loraTargets.includes(kind)) {
        throw new Error(`the adapter targets ${kind}, but this model was loaded with LoRA inputs for ${this.loraTargets.join(', ') || 'no modules'}`);
      }
    }
  }

  private loraFeeds(adapter: LoraAdapter | undefined): Record<string, ort.Tensor> {
    if (adapter === undefined) return this.zeroLoraFeeds;
    const cached = this.adapterFeeds.get(adapter);
    if (cached !== undefined) return cached;
    this.checkAdapter(adapter);
    const feeds = { ...this.zeroLoraFeeds };
    for (const [module, weights] of adapter.modules) {
      const inFeatures = weights.a.length / weights.rank;
      const outFeatures = weights.b.length / weights.rank;
      // Each module's alpha/r is folded into B (the session is built with loraScale 'folded'), so
      // per-module alpha patterns need nothing from the graph.
      const scaledB = weights.b.map((value) => value * weights.scale);
      feeds[`${module}.lora_A`] = new ort.Tensor('float32', weights.a, [weights.rank, inFeatures]);
      feeds[`${module}.lora_B`] = new ort.Tensor('float32', scaledB, [outFeatures, weights.rank]);
    }
    this.adapterFeeds.set(adapter, feeds);
    return feeds;
  }

  /** Runs the new `tokens` after what `cache` holds; returns their logits and the extended cache. */
  async forward(tokens: readonly number[], cache: KvCache = this.emptyCache(), adapter?: LoraAdapter): Promise<ForwardResult> {
    if (this.released) throw new Error('the model was released');
    if (tokens.length === 0) throw new Error('forward needs at least one token');
    const vocab = this.config.vocabSize;
    for (const token of tokens) {
      if (!Number.isInteger(token) || token < 0 || token >= vocab) throw new Error(`token id ${token} is outside the vocabulary (0..${vocab - 1})`);
    }
    const total = cache.length + tokens.length;
    const feeds: Record<string, ort.Tensor> = {
      ...cache.tensors,
      ...this.loraFeeds(adapter),
      input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, (t) => BigInt(t)), [1, tokens.length]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, (_, i) => BigInt(cache.length + i)), [1, tokens.length]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
    };
    const outputs = await this.session.run(feeds);
    const next: Record<string, ort.Tensor> = {};
    for (let layer = 0; layer < this.config.numLayers; layer++) {
      next[`past_key_values.${layer}.key`] = outputs[`present.${layer}.key`]!;
      next[`past_key_values.${layer}.value`] = outputs[`present.${layer}.value`]!;
    }
    const logits = outputs['logits']!;
    return { logits: logits.data as Float32Array, rows: logits.dims[1]!, cache: { length: total, tensors: next } };
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

export async function createWithFallback(
  graph: GraphBuilder,
  setting: DeviceSetting,
  threads: number | undefined,
  extra: Pick<SessionSettings, 'memoryArena' | 'memoryPattern' | 'config' | 'spinning'> = {},
): Promise<{ session: ort.InferenceSession; device: Device; note: string | undefined; buildMs: number; createMs: number }> {
  const bundled = new Map(ort.listSupportedBackends().map((backend) => [backend.name, backend.bundled]));
  // auto: CUDA where the user installed its binaries, else CPU. WebGPU only on request (it may be a
  // software rasteriser, much slower than the CPU path).
  const order: Device[] = setting === 'auto' ? ['cuda', 'cpu'] : setting === 'cpu' ? ['cpu'] : [setting, 'cpu'];
  const reasons: string[] = [];
  for (const device of order) {
    if (device === 'cuda' && bundled.get('cuda') !== true && !cudaInstalled()) {
      if (setting !== 'auto') reasons.push('cuda: onnxruntime-node was installed without its CUDA binaries (reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12)');
      continue;
    }
    try {
      const created = await createSession(graph, { device, ...(threads !== undefined ? { threads } : {}), ...extra });
      return { session: created.session, device, note: reasons.length > 0 ? `${reasons.join('; ')}; using ${device}` : undefined, buildMs: created.buildMs, createMs: created.createMs };
    } catch (error) {
      if (device === 'cpu') throw error;
      reasons.push(`${device}: ${readableOrtError((error as Error).message)}`);
    }
  }
  throw new Error(`no device could run the model: ${reasons.join('; ')}`);
}

/** Whether onnxruntime-node's CUDA provider library was installed (ONNXRUNTIME_NODE_INSTALL=cuda12). */
function cudaInstalled(): boolean {
  try {
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const binaries = path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return fs.readdirSync(binaries).some((name) => name.includes('onnxruntime_providers_cuda'));
  } catch {
    return false;
  }
}

/** onnxruntime's messages start with a source path and a lambda signature; keep the sentence. */
function readableOrtError(message: string): string {
  const line = message.split('\n')[0] ?? message;
  const check = line.lastIndexOf(' was false. ');
  if (check >= 0) return line.slice(check + ' was false. '.length);
  return line.replace(/^\S*onnxruntime_src\S*\s+/, '');
}
