/**
 * The training graph: the engine's full-sequence forward pass (../model/decoder.ts, LoRA A/B as
 * inputs), a masked, weighted cross-entropy, and the gradients of that loss for every LoRA tensor
 * (autodiff.ts). Base weights stay frozen initializers; only LoRA tensors get gradients.
 *
 * Extra inputs beyond the decoder's:
 *   labels        [batch, sequence] int64: the token each position must predict (already shifted), or
 *                 -100 where no loss is taken
 *   loss_weights  [batch, sequence] float32: per-token weight (turn weight; 0 where labels are -100)
 * Outputs:
 *   loss_sum      [] float32: sum over tokens of weight · -log p(label); the trainer divides by the
 *                 total weight of the (accumulated) batch, so accumulation is exact
 *   grad.{name}   d(loss_sum)/d(name) for each LoRA tensor
 *
 * One graph serves every batch and sequence length (symbolic dims); the trainer buckets lengths so
 * onnxruntime sees few distinct shapes.
 */
import { attr, type Value } from '../graph/ir';
import type { GraphBuilder } from '../graph/builder';
import { buildDecoderGraph, LORA_MODULES, moduleName, moduleShape, type LoraModule, type WeightSource } from '../model/decoder';
import type { DecoderConfig } from '../model/config';
import { addGradients } from './autodiff';

export const IGNORE_INDEX = -100;

export interface LoraParameterSpec {
  /** Graph input name, e.g. model.layers.0.self_attn.q_proj.lora_A. */
  name: string;
  module: LoraModule;
  layer: number;
  kind: 'A' | 'B';
  /** Concrete shape for the chosen rank: A [rank, in], B [out, rank]. */
  shape: [number, number];
}

export interface TrainingGraph {
  graph: GraphBuilder;
  parameters: LoraParameterSpec[];
  /** Forward nodes that got a backward pass. */
  differentiatedNodes: number;
}

export interface TrainingGraphOptions {
  targets: readonly LoraModule[];
  rank: number;
  /** Also compute gradients (false: an evaluation graph with the loss only). */
  withGradients: boolean;
}

/** The LoRA tensors for the given targets, in a stable order (layer, module, A then B). */
export function loraParameterSpecs(config: DecoderConfig, targets: readonly LoraModule[], rank: number): LoraParameterSpec[] {
  const specs: LoraParameterSpec[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const module of LORA_MODULES) {
      if (!targets.includes(module)) continue;
      const name = moduleName(layer, module);
      const shape = moduleShape(config, module);
      specs.push({ name: `${name}.lora_A`, module, layer, kind: 'A', shape: [rank, shape.in] });
      specs.push({ name: `${name}.lora_B`, module, layer, kind: 'B', shape: [shape.out, rank] });
    }
  }
  return specs;
}

/**
 * Appends the masked, weighted cross-entropy of `logits` [batch, sequence, vocab] against `labels` and
 * returns the scalar loss sum. Positions whose label is IGNORE_INDEX contribute nothing, whatever their
 * weight.
 */
export function addMaskedCrossEntropy(g: GraphBuilder, logits: Value, labels: Value, weights: Value): Value {
  const ignored = g.less(labels, g.scalar(0, 'int64'));
  const safeLabels = g.where(ignored, g.scalar(0, 'int64'), labels);
  const logProbabilities = g.op('LogSoftmax', [logits], [{ dtype: logits.dtype, shape: logits.shape }], { axis: attr.int(-1) })[0]!;
  const picked = g.op('GatherElements', [logProbabilities, g.unsqueeze(safeLabels, [-1])], [{ dtype: logits.dtype, shape: ['batch', 'sequence', 1] }], {
    axis: attr.int(-1),
  })[0]!;
  const negativeLogLikelihood = g.neg(g.squeeze(picked, [-1]));
  const effectiveWeights = g.where(ignored, g.scalar(0), weights);
  const weighted = g.mul(negativeLogLikelihood, effectiveWeights);
  return g.op('ReduceSum', [weighted], [{ dtype: logits.dtype, shape: [] }], { keepdims: attr.int(0) })[0]!;
}

export function buildTrainingGraph(config: DecoderConfig, weights: WeightSource, options: TrainingGraphOptions): TrainingGraph {
  if (options.targets.length === 0) throw new Error('LoRA training needs at least one target module');
  const g = buildDecoderGraph(config, weights, { kvCache: false, logits: 'all', loraTargets: options.targets, packedSegments: true });
  const logits = g.value('logits');
  // Only the loss and gradients leave the graph: copying [batch, sequence, vocab] logits out per step
  // would cost more than the optimizer.
  g.outputs.length = 0;
  const labels = g.input('labels', 'int64', ['batch', 'sequence']);
  const lossWeights = g.input('loss_weights', 'float32', ['batch', 'sequence']);
  const lossSum = addMaskedCrossEntropy(g, logits, labels, lossWeights);
  g.output(lossSum, 'loss_sum');
  const parameters = loraParameterSpecs(config, options.targets, options.rank);
  let differentiatedNodes = 0;
  if (options.withGradients) {
    const result = addGradients(g, lossSum, parameters.map((p) => g.value(p.name)));
    differentiatedNodes = result.differentiatedNodes;
    for (const p of parameters) g.output(result.gradients.get(p.name)!, `grad.${p.name}`);
  }
  return { graph: g, parameters, differentiatedNodes };
}
