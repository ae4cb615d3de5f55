/**
 * config.json -> DecoderConfig: the one normalised description of a decoder-only transformer that the
 * graph description (./decoder.ts) builds from. Each supported Hugging Face architecture is one entry
 * in ARCHITECTURES that maps its config keys onto the shared traits; adding an architecture that is a
 * Llama variant is one entry here (plus, for a new kind of block, a branch in decoder.ts).
 */

export class ModelConfigError extends Error {}

export type RopeScaling =
  | { kind: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number }
  | { kind: 'linear'; factor: number };

export interface DecoderConfig {
  /** Hugging Face architecture class, e.g. 'Qwen3ForCausalLM'. */
  architecture: string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | undefined;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Biases on q/k/v projections (Qwen2). */
  qkvBias: boolean;
  /** Bias on the output projection. */
  oBias: boolean;
  /** Biases on gate/up/down projections. */
  mlpBias: boolean;
  /** Per-head RMSNorm of q and k before RoPE (Qwen3). */
  qkNorm: boolean;
}

type RawConfig = Record<string, unknown>;
type ArchitectureTraits = Pick<DecoderConfig, 'qkvBias' | 'oBias' | 'mlpBias' | 'qkNorm'>;

/** Supported architectures: how each one's config maps onto the shared decoder traits. */
export const ARCHITECTURES: Record<string, (raw: RawConfig) => ArchitectureTraits> = {
  LlamaForCausalLM: (raw) => ({
    qkvBias: bool(raw, 'attention_bias', false),
    oBias: bool(raw, 'attention_bias', false),
    mlpBias: bool(raw, 'mlp_bias', false),
    qkNorm: false,
  }),
  MistralForCausalLM: () => ({ qkvBias: false, oBias: false, mlpBias: false, qkNorm: false }),
  Qwen2ForCausalLM: () => ({ qkvBias: true, oBias: false, mlpBias: false, qkNorm: false }),
  Qwen3ForCausalLM: (raw) => ({
    qkvBias: bool(raw, 'attention_bias', false),
    oBias: bool(raw, 'attention_bias', false),
    mlpBias: false,
    qkNorm: true,
  }),
};

export const SUPPORTED_ARCHITECTURES = Object.keys(ARCHITECTURES);

export function parseDecoderConfig(raw: RawConfig, source = 'config.json'): DecoderConfig {
  const architectures = raw['architectures'];
  const architecture = Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : undefined;
  if (architecture === undefined) {
    throw new ModelConfigError(`${source}: no "architectures" entry; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`);
  }
  const traits = ARCHITECTURES[architecture];
  if (traits === undefined) {
    throw new ModelConfigError(`${source}: architecture ${architecture} is not supported; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`);
  }
  const activation = raw['hidden_act'] ?? raw['hidden_activation'] ?? 'silu';
  if (activation !== 'silu') throw new ModelConfigError(`${source}: hidden_act '${String(activation)}' is not supported (only silu)`);

  const hiddenSize = int(raw, 'hidden_size', source);
  const numHeads = int(raw, 'num_attention_heads', source);
  const numKvHeads = optionalInt(raw, 'num_key_value_heads') ?? numHeads;
  const headDim = optionalInt(raw, 'head_dim') ?? hiddenSize / numHeads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new ModelConfigError(`${source}: head dimension ${headDim} must be an even integer`);
  if (numHeads % numKvHeads !== 0) throw new ModelConfigError(`${source}: ${numHeads} attention heads are not a multiple of ${numKvHeads} key/value heads`);
  const maxPositionEmbeddings = optionalInt(raw, 'max_position_embeddings') ?? 4096;

  return {
    architecture,
    vocabSize: int(raw, 'vocab_size', source),
    hiddenSize,
    intermediateSize: int(raw, 'intermediate_size', source),
    numLayers: int(raw, 'num_hidden_layers', source),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: typeof raw['rms_norm_eps'] === 'number' ? raw['rms_norm_eps'] : 1e-6,
    ropeTheta: typeof raw['rope_theta'] === 'number' ? raw['rope_theta'] : 10000,
    ropeScaling: parseRopeScaling(raw['rope_scaling'], maxPositionEmbeddings, source),
    maxPositionEmbeddings,
    tieWordEmbeddings: bool(raw, 'tie_word_embeddings', false),
    ...traits(raw),
  };
}

function parseRopeScaling(value: unknown, maxPositions: number, source: string): RopeScaling | undefined {
  if (value === null || value === undefined) return undefined;
  const scaling = value as Record<string, unknown>;
  const kind = scaling['rope_type'] ?? scaling['type'];
  const factor = typeof scaling['factor'] === 'number' ? scaling['factor'] : 1;
  if (kind === 'default') return undefined;
  if (kind === 'linear') return { kind: 'linear', factor };
  if (kind === 'llama3') {
    return {
      kind: 'llama3',
      factor,
      lowFreqFactor: typeof scaling['low_freq_factor'] === 'number' ? scaling['low_freq_factor'] : 1,
      highFreqFactor: typeof scaling['high_freq_factor'] === 'number' ? scaling['high_freq_factor'] : 4,
      originalMaxPositionEmbeddings:
        typeof scaling['original_max_position_embeddings'] === 'number' ? scaling['original_max_position_embeddings'] : maxPositions,
    };
  }
  throw new ModelConfigError(`${source}: rope_scaling type '${String(kind)}' is not supported (supported: llama3, linear)`);
}

/**
 * RoPE inverse frequencies (float64), with llama3 or linear scaling applied as in Hugging Face's
 * `_compute_llama3_parameters` / `_compute_linear_scaling_rope_parameters`.
 */
export function ropeInverseFrequencies(config: Pick<DecoderConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): Float64Array {
  const half = config.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / config.ropeTheta ** ((2 * i) / config.headDim);
  const scaling = config.ropeScaling;
  if (scaling?.kind === 'linear') {
    for (let i = 0; i < half; i++) inv[i] = inv[i]! / scaling.factor;
  } else if (scaling?.kind === 'llama3') {
    const lowFreqWavelen = scaling.originalMaxPositionEmbeddings / scaling.lowFreqFactor;
    const highFreqWavelen = scaling.originalMaxPositionEmbeddings / scaling.highFreqFactor;
    for (let i = 0; i < half; i++) {
      const freq = inv[i]!;
      const wavelen = (2 * Math.PI) / freq;
      if (wavelen > lowFreqWavelen) {
        inv[i] = freq / scaling.factor;
      } else if (wavelen >= highFreqWavelen) {
        const smooth = (scaling.originalMaxPositionEmbeddings / wavelen - scaling.lowFreqFactor) / (scaling.highFreqFactor - scaling.lowFreqFactor);
        inv[i] = (1 - smooth) * (freq / scaling.factor) + smooth * freq;
      }
    }
  }
  return inv;
}

function int(raw: RawConfig, key: string, source: string): number {
  const value = raw[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ModelConfigError(`${source}: "${key}" must be a positive integer (got ${JSON.stringify(value)})`);
  }
  return value;
}

function optionalInt(raw: RawConfig, key: string): number | undefined {
  const value = raw[key];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function bool(raw: RawConfig, key: string, fallback: boolean): boolean {
  const value = raw[key];
  return typeof value === 'boolean' ? value : fallback;
}
