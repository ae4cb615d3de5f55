/**
 * The model description: one function that builds a decoder-only transformer's forward pass through
 * the GraphBuilder, for every supported architecture (traits in ./config.ts). The same description
 * yields the inference graph (KV cache in/out, logits of the last position) and a full-sequence graph
 * (all logits, no cache) that the training issue differentiates.
 *
 * Graph interface (names are stable; the runtime and the training graph rely on them):
 *   inputs   input_ids [batch, sequence] int64
 *            position_ids [batch, sequence] int64
 *            attention_mask [batch, total_sequence] int64 (1 = attend; total = past + sequence)
 *            past_key_values.{i}.key|value [batch, kv_heads, past_sequence, head_dim] float32 (kvCache)
 *            {module}.lora_A [lora_rank, in] and {module}.lora_B [out, lora_rank] float32, for each
 *              LoRA target module (e.g. model.layers.0.self_attn.q_proj), and lora_scale [] float32
 *              (absent with loraScale 'folded': B then arrives scaled by alpha/r)
 *   outputs  logits [batch, sequence | 1, vocab] float32
 *            present.{i}.key|value [batch, kv_heads, total_sequence, head_dim] float32 (kvCache)
 *
 * Activations between layers are 2-D [batch*sequence, hidden] so every projection is one Gemm with
 * transB against the Hugging Face [out, in] weight, read straight from the safetensors file.
 */
import { GraphBuilder } from '../graph/builder';
import { attr, type Value } from '../graph/ir';
import { type DecoderConfig, ropeInverseFrequencies } from './config';
import type { TensorLocation } from './safetensors';

export const LORA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraModule = (typeof LORA_MODULES)[number];

/** Where the weights come from; `linear` may be replaced (quantisation) without touching the description. */
export interface WeightSource {
  /** The tensor's location, or undefined when the checkpoint lacks it. */
  find(name: string): TensorLocation | undefined;
}

/** Replaces a plain projection by another implementation (e.g. MatMulNBits); returns undefined to keep Gemm. */
export type LinearOverride = (g: GraphBuilder, x: Value, weight: TensorLocation, outFeatures: number) => Value | undefined;

export interface DecoderGraphOptions {
  /** past_key_values inputs and present outputs, for incremental decoding. */
  kvCache: boolean;
  /** 'last': logits of the last position only (generation); 'all': every position (training, tests). */
  logits: 'all' | 'last';
  /** Modules that get LoRA A/B inputs (empty: a base-only graph). */
  loraTargets: readonly LoraModule[];
  /** Also output the final hidden states (before the LM head) as 'hidden_states'. */
  outputHiddenStates?: boolean;
  /**
   * Training with packed rows: a 'segment_ids' [batch, sequence] int64 input; a query attends only to
   * keys of its own segment (no cross-contamination between packed records). Needs kvCache: false.
   */
  packedSegments?: boolean;
  linearOverride?: LinearOverride;
  /**
   * Inference only (needs kvCache): attention, RoPE and the cache update as one onnxruntime
   * GroupQueryAttention kernel per layer instead of ~30 small ops. Not differentiable.
   */
  fusedAttention?: boolean;
  /**
   * 'input' (default): a lora_scale [] input multiplies the rank-r activation of every LoRA update
   * (training differentiates B unscaled). 'folded': the caller feeds B already scaled, one op fewer
   * per module, and there is no lora_scale input. Either way the update's sum with the base
   * projection rides on Gemm's C input.
   */
  loraScale?: 'input' | 'folded';
}

/** Longest context the fused path precomputes RoPE tables for. */
export const FUSED_ROPE_POSITIONS = 32768;

export class MissingWeightError extends Error {}

/** Hugging Face names: model.layers.{i}.self_attn.q_proj etc. */
export function moduleName(layer: number, module: LoraModule): string {
  const block = module.endsWith('_proj') && ['gate_proj', 'up_proj', 'down_proj'].includes(module) ? 'mlp' : 'self_attn';
  return `model.layers.${layer}.${block}.${module}`;
}

export function moduleShape(config: DecoderConfig, module: LoraModule): { in: number; out: number } {
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  switch (module) {
    case 'q_proj': return { in: config.hiddenSize, out: q };
    case 'k_proj': case 'v_proj': return { in: config.hiddenSize, out: kv };
    case 'o_proj': return { in: q, out: config.hiddenSize };
    case 'gate_proj': case 'up_proj': return { in: config.hiddenSize, out: config.intermediateSize };
    case 'down_proj': return { in: config.intermediateSize, out: config.hiddenSize };
  }
}

export function buildDecoderGraph(config: DecoderConfig, weights: WeightSource, options: DecoderGraphOptions): GraphBuilder {
  const g = new GraphBuilder(config.architecture);
  const { hiddenSize, numHeads, numKvHeads, headDim } = config;
  const groups = numHeads / numKvHeads;

  // Float32 views of the checkpoint's tensors, one per name (tied embeddings use theirs twice).
  const weightValues = new Map<string, Value>();
  const weight = (name: string): Value => {
    const known = weightValues.get(name);
    if (known !== undefined) return known;
    const location = weights.find(name);
    if (location === undefined) throw new MissingWeightError(`the checkpoint has no tensor '${name}'`);
    const value = g.initializer(name, location.dtype, location.shape, location);
    // bf16/fp16 checkpoints: compute in float32 (onnxruntime has no bf16 CPU kernels); the cast of a
    // constant is folded at session creation.
    const float = value.dtype === 'float32' ? value : g.cast(value, 'float32');
    weightValues.set(name, float);
    return float;
  };

  const inputIds = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const positionIds = g.input('position_ids', 'int64', ['batch', 'sequence']);
  const attentionMask = g.input('attention_mask', 'int64', ['batch', 'total_sequence']);
  const scaleFolded = options.loraScale === 'folded';
  const loraScale = options.loraTargets.length > 0 && !scaleFolded ? g.input('lora_scale', 'float32', []) : undefined;

  const rmsNorm = (x: Value, weightName: string, eps: number): Value => {
    // The Pow/ReduceMean/Add/Sqrt/Div/Mul form is what onnxruntime fuses into one normalisation kernel.
    const variance = g.reduceMean(g.pow(x, g.scalar(2)), [-1]);
    const normalized = g.div(x, g.sqrt(g.add(variance, g.scalar(eps))));
    return g.mul(normalized, weight(weightName));
  };

  /**
   * The projections of one input (q/k/v of x, gate/up of y, or a single one), each with its LoRA
   * update. The group's LoRA A products run as one: x·[A1; A2; ...]ᵀ, split into each module's rank-r
   * columns, so the input is read once and the backward pass has one dA and one dx product per group.
   */
  const linears = (x: Value, layer: number, group: readonly LoraModule[], bias: boolean): Value[] => {
    const projections = group.map((module) => {
      const name = moduleName(layer, module);
      const location = weights.find(`${name}.weight`);
      let y = location === undefined ? undefined : options.linearOverride?.(g, x, location, moduleShape(config, module).out);
      if (y === undefined) {
        // A bias rides on Gemm's C input.
        y = g.gemm(x, weight(`${name}.weight`), bias ? weight(`${name}.bias`) : undefined, { transB: true });
      } else if (bias) {
        y = g.add(y, weight(`${name}.bias`));
      }
      return y;
    });
    const adapted = group.filter((module) => options.loraTargets.includes(module));
    if (adapted.length === 0) return projections;
    const as = adapted.map((module) => g.input(`${moduleName(layer, module)}.lora_A`, 'float32', ['lora_rank', moduleShape(config, module).in]));
    const bs = adapted.map((module) => g.input(`${moduleName(layer, module)}.lora_B`, 'float32', [moduleShape(config, module).out, 'lora_rank']));
    const down = g.gemm(x, as.length === 1 ? as[0]! : g.concat(as, 0), undefined, { transB: true });
    // The scale multiplies the rank-r activations, not the full-width updates (r columns instead of
    // `out`), and each update's sum with its base projection rides on Gemm's C input.
    const scaled = loraScale === undefined ? down : g.mul(down, loraScale);
    const downs =
      adapted.length === 1
        ? [scaled]
        : // Each module keeps its own rank (rank patterns; the rank-0 stand-ins fed for modules an adapter leaves out).
          g.op(
            'Split',
            [scaled, g.concat(as.map((a) => g.shapeOf(a, 0, 1)), 0)],
            adapted.map(() => ({ dtype: 'float32' as const, shape: [scaled.shape?.[0] ?? 'tokens', 'lora_rank'] })),
            { axis: attr.int(1) },
          );
    return group.map((module, i) => {
      const k = adapted.indexOf(module);
      return k < 0 ? projections[i]! : g.gemm(downs[k]!, bs[k]!, projections[i]!, { transB: true });
    });
  };
  const linear = (x: Value, layer: number, module: LoraModule, bias: boolean): Value => linears(x, layer, [module], bias)[0]!;

  // Runtime sizes: batch from input_ids, total = past + sequence from the attention mask.
  const batchDim = g.shapeOf(inputIds, 0, 1);
  const sequenceLength = g.squeeze(g.shapeOf(inputIds, 1, 2), [0]);
  const totalLength = g.squeeze(g.shapeOf(attentionMask, 1, 2), [0]);

  const fused = options.fusedAttention === true;
  if (fused && (!options.kvCache || options.packedSegments)) throw new Error('fusedAttention needs kvCache and no packedSegments');

  // The unfused path's shared tables, built on first use so the fused graph carries none of them.
  let unfusedTables: { groupedMask: Value; rope: (x: Value) => Value; scaledRope: (x: Value) => Value } | undefined;
  const tables = (): { groupedMask: Value; rope: (x: Value) => Value; scaledRope: (x: Value) => Value } => {
    if (unfusedTables !== undefined) return unfusedTables;
    // Additive attention bias [batch, 1, sequence, total]: key slot j is visible to query slot
    // (total - sequence + i) when j <= that slot and attention_mask[b, j] is 1.
    const zero = g.scalar(0, 'int64');
    const one = g.scalar(1, 'int64');
    const keySlots = g.range(zero, totalLength, one);
    const querySlots = g.range(g.sub(totalLength, sequenceLength), totalLength, one);
    const causal = g.lessOrEqual(g.unsqueeze(keySlots, [0]), g.unsqueeze(querySlots, [1]));
    const padding = g.unsqueeze(g.equal(attentionMask, one), [1, 2]);
    let allowed = g.and(g.unsqueeze(causal, [0, 1]), padding);
    if (options.packedSegments) {
      if (options.kvCache) throw new Error('packedSegments needs kvCache: false');
      const segmentIds = g.input('segment_ids', 'int64', ['batch', 'sequence']);
      allowed = g.and(allowed, g.equal(g.unsqueeze(segmentIds, [1, 3]), g.unsqueeze(segmentIds, [1, 2])));
    }
    const maskBias = g.where(allowed, g.scalar(0), g.scalar(-3.4028234663852886e38));
    // Repeat over the query groups that share one key/value head, so scores need no reshape.
    const groupedMask = groups === 1 ? maskBias : g.op('Tile', [maskBias, g.constant('int64', [1, 1, groups, 1])], [{ dtype: 'float32', shape: ['batch', 1, 'group_sequence', 'total_sequence'] }])[0]!;
  
    // RoPE tables [batch, 1, sequence, head_dim], shared by all layers.
    const inverseFrequencies = g.constant('float32', Array.from(ropeInverseFrequencies(config)), [headDim / 2]);
    const angles = g.mul(g.unsqueeze(g.cast(positionIds, 'float32'), [2]), inverseFrequencies);
    const doubled = g.concat([angles, angles], -1);
    const cos = g.unsqueeze(g.cos(doubled), [1]);
    const sin = g.unsqueeze(g.sin(doubled), [1]);
    const rotate = (x: Value, cosTable: Value, sinTable: Value): Value => {
      const first = g.slice(x, [0], [headDim / 2], [-1]);
      const second = g.slice(x, [headDim / 2], [headDim], [-1]);
      const rotated = g.concat([g.neg(second), first], -1);
      return g.add(g.mul(x, cosTable), g.mul(rotated, sinTable));
    };
    // Queries are also scaled by 1/sqrt(head_dim): folded into their (shared, small) tables instead of
    // a pass over every layer's queries (and another in the backward pass).
    const queryScale = g.scalar(1 / Math.sqrt(headDim));
    const scaledCos = g.mul(cos, queryScale);
    const scaledSin = g.mul(sin, queryScale);
    unfusedTables = { groupedMask, rope: (x) => rotate(x, cos, sin), scaledRope: (x) => rotate(x, scaledCos, scaledSin) };
    return unfusedTables;
  };

  // The fused path's inputs: last key index per sequence, total length, and RoPE tables per position.
  let fusedInputs: { seqlensK: Value; total: Value; cosCache: Value; sinCache: Value } | undefined;
  const gqaInputs = (): { seqlensK: Value; total: Value; cosCache: Value; sinCache: Value } => {
    if (fusedInputs !== undefined) return fusedInputs;
    const positions = Math.min(config.maxPositionEmbeddings, FUSED_ROPE_POSITIONS);
    const inverse = ropeInverseFrequencies(config);
    const cosTable = new Float32Array(positions * (headDim / 2));
    const sinTable = new Float32Array(positions * (headDim / 2));
    for (let p = 0; p < positions; p++) {
      for (let i = 0; i < headDim / 2; i++) {
        cosTable[p * (headDim / 2) + i] = Math.cos(p * inverse[i]!);
        sinTable[p * (headDim / 2) + i] = Math.sin(p * inverse[i]!);
      }
    }
    fusedInputs = {
      seqlensK: g.cast(g.sub(g.reduceSum(attentionMask, [1], false), g.scalar(1, 'int64')), 'int32'),
      total: g.cast(totalLength, 'int32'),
      cosCache: g.initializer('rope.cos_cache', 'float32', [positions, headDim / 2], new Uint8Array(cosTable.buffer)),
      sinCache: g.initializer('rope.sin_cache', 'float32', [positions, headDim / 2], new Uint8Array(sinTable.buffer)),
    };
    return fusedInputs;
  };

  const embedName = 'model.embed_tokens.weight';
  let hidden = g.reshape(g.gather(weight(embedName), inputIds, 0), [-1, hiddenSize], ['tokens', hiddenSize]);
  const headsShape = (heads: number): Value => g.concat([batchDim, g.constant('int64', [-1, heads, headDim])], 0);
  const qShape = headsShape(numHeads);
  const kvShape = headsShape(numKvHeads);

  /** Attention from plain ops (differentiable): returns the merged heads [tokens, heads*hd]. */
  const unfusedAttention = (x: Value, layer: number, prefix: string): Value => {
    // [tokens, heads*hd] -> [batch, sequence, heads, hd]
    const [qProjected, kProjected, vProjected] = linears(x, layer, ['q_proj', 'k_proj', 'v_proj'], config.qkvBias);
    let q = g.reshapeDynamic(qProjected!, qShape, ['batch', 'sequence', numHeads, headDim]);
    let k = g.reshapeDynamic(kProjected!, kvShape, ['batch', 'sequence', numKvHeads, headDim]);
    const v = g.reshapeDynamic(vProjected!, kvShape, ['batch', 'sequence', numKvHeads, headDim]);
    if (config.qkNorm) {
      q = rmsNorm(q, `${prefix}.self_attn.q_norm.weight`, config.rmsNormEps);
      k = rmsNorm(k, `${prefix}.self_attn.k_norm.weight`, config.rmsNormEps);
    }
    // -> [batch, heads, sequence, hd], rotated; q pre-scaled by 1/sqrt(hd).
    const qHeads = tables().scaledRope(g.transpose(q, [0, 2, 1, 3]));
    let kHeads = tables().rope(g.transpose(k, [0, 2, 1, 3]));
    let vHeads = g.transpose(v, [0, 2, 1, 3]);
    if (options.kvCache) {
      const pastKey = g.input(`past_key_values.${layer}.key`, 'float32', ['batch', numKvHeads, 'past_sequence', headDim]);
      const pastValue = g.input(`past_key_values.${layer}.value`, 'float32', ['batch', numKvHeads, 'past_sequence', headDim]);
      kHeads = g.concat([pastKey, kHeads], 2);
      vHeads = g.concat([pastValue, vHeads], 2);
      g.output(kHeads, `present.${layer}.key`);
      g.output(vHeads, `present.${layer}.value`);
    }
    // Grouped-query attention without repeating K/V: fold the query groups into the row axis.
    const qGrouped = g.reshape(qHeads, [0, numKvHeads, -1, headDim], ['batch', numKvHeads, 'group_sequence', headDim]);
    const scores = g.add(g.matmul(qGrouped, g.transpose(kHeads, [0, 1, 3, 2])), tables().groupedMask);
    const context = g.matmul(g.softmax(scores, -1), vHeads);
    const merged = g.reshape(
      g.transpose(g.reshape(context, [0, numHeads, -1, headDim], ['batch', numHeads, 'sequence', headDim]), [0, 2, 1, 3]),
      [-1, numHeads * headDim],
      ['tokens', numHeads * headDim],
    );
    return merged;
  };

  /**
   * Attention as one GroupQueryAttention kernel (RoPE and the cache update inside). Positions come
   * from the cache length, so rows must be unpadded (what generation feeds); padded batches use the
   * plain-op path, which honours attention_mask and position_ids.
   */
  const fusedAttention = (x: Value, layer: number, prefix: string): Value => {
    const qWidth = numHeads * headDim;
    const kvWidth = numKvHeads * headDim;
    const projected = linears(x, layer, ['q_proj', 'k_proj', 'v_proj'], config.qkvBias);
    let q = projected[0]!;
    let k = projected[1]!;
    const v = projected[2]!;
    if (config.qkNorm) {
      q = g.reshape(rmsNorm(g.reshape(q, [-1, numHeads, headDim]), `${prefix}.self_attn.q_norm.weight`, config.rmsNormEps), [-1, qWidth]);
      k = g.reshape(rmsNorm(g.reshape(k, [-1, numKvHeads, headDim]), `${prefix}.self_attn.k_norm.weight`, config.rmsNormEps), [-1, kvWidth]);
    }
    const to3d = (value: Value, width: number): Value =>
      g.reshapeDynamic(value, g.concat([batchDim, g.constant('int64', [-1, width])], 0), ['batch', 'sequence', width]);
    const pastKey = g.input(`past_key_values.${layer}.key`, 'float32', ['batch', numKvHeads, 'past_sequence', headDim]);
    const pastValue = g.input(`past_key_values.${layer}.value`, 'float32', ['batch', numKvHeads, 'past_sequence', headDim]);
    const extra = gqaInputs();
    const [attended, presentKey, presentValue] = g.op(
      'GroupQueryAttention',
      [to3d(q, qWidth), to3d(k, kvWidth), to3d(v, kvWidth), pastKey, pastValue, extra.seqlensK, extra.total, extra.cosCache, extra.sinCache],
      [
        { dtype: 'float32', shape: ['batch', 'sequence', qWidth] },
        { dtype: 'float32', shape: ['batch', numKvHeads, 'total_sequence', headDim], name: `present.${layer}.key` },
        { dtype: 'float32', shape: ['batch', numKvHeads, 'total_sequence', headDim], name: `present.${layer}.value` },
      ],
      { num_heads: attr.int(numHeads), kv_num_heads: attr.int(numKvHeads), do_rotary: attr.int(1), scale: attr.float(1 / Math.sqrt(headDim)) },
      'com.microsoft',
    );
    g.output(presentKey!);
    g.output(presentValue!);
    return g.reshape(attended!, [-1, qWidth], ['tokens', qWidth]);
  };

  for (let layer = 0; layer < config.numLayers; layer++) {
    hidden = g.scope(`layers.${layer}`, () => {
      const prefix = `model.layers.${layer}`;
      const x = rmsNorm(hidden, `${prefix}.input_layernorm.weight`, config.rmsNormEps);

      const merged = fused ? fusedAttention(x, layer, prefix) : unfusedAttention(x, layer, prefix);
      const attention = linear(merged, layer, 'o_proj', config.oBias);
      const afterAttention = g.add(hidden, attention);

      const y = rmsNorm(afterAttention, `${prefix}.post_attention_layernorm.weight`, config.rmsNormEps);
      const [gate, up] = linears(y, layer, ['gate_proj', 'up_proj'], config.mlpBias) as [Value, Value];
      const activated = g.mul(g.mul(gate, g.sigmoid(gate)), up);
      return g.add(afterAttention, linear(activated, layer, 'down_proj', config.mlpBias));
    });
  }

  if (options.logits === 'last') {
    const perSequence = g.reshapeDynamic(hidden, g.concat([batchDim, g.constant('int64', [-1, hiddenSize])], 0), ['batch', 'sequence', hiddenSize]);
    hidden = g.reshape(g.slice(perSequence, [-1], [2 ** 62], [1]), [-1, hiddenSize], ['batch', hiddenSize]);
  }
  const normed = rmsNorm(hidden, 'model.norm.weight', config.rmsNormEps);
  if (options.outputHiddenStates) g.output(normed, 'hidden_states');
  const headName = config.tieWordEmbeddings || weights.find('lm_head.weight') === undefined ? embedName : 'lm_head.weight';
  const headLocation = weights.find(headName);
  const logits2d =
    (headLocation === undefined ? undefined : options.linearOverride?.(g, normed, headLocation, config.vocabSize)) ??
    g.gemm(normed, weight(headName), undefined, { transB: true });
  const logitsShape = g.concat([batchDim, g.constant('int64', [-1, config.vocabSize])], 0);
  g.output(g.reshapeDynamic(logits2d, logitsShape, ['batch', options.logits === 'last' ? 1 : 'sequence', config.vocabSize]), 'logits');
  return g;
}
