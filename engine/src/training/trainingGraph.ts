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
import { addGradients, softmaxLogSumExp } from './autodiff';

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

/** The loss weights with ignored positions zeroed (in the weights' own float type). */
function keptWeights(g: GraphBuilder, ignored: Value, weights: Value): Value {
  const kept = g.op('Not', [ignored], [{ dtype: 'bool', shape: ignored.shape }])[0]!;
  return g.mul(weights, g.cast(kept, weights.dtype));
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
  const weighted = g.mul(negativeLogLikelihood, keptWeights(g, ignored, weights));
  return g.op('ReduceSum', [weighted], [{ dtype: logits.dtype, shape: [] }], { keepdims: attr.int(0) })[0]!;
}

/**
 * The same loss, cheaper for large vocabularies when the logits come from a projection
 * `logits2d = Gemm(hidden, head, transB)`: -log p(label) = logsumexp(logits) - hidden·head[label], so
 * the label's logit is a gathered row times the hidden state, and the only [tokens, vocab] gradient is
 * softmax(logits)·dy (no one-hot scatter into a vocabulary-sized buffer), with the softmax computed
 * once, in the forward pass.
 */
export function addProjectedCrossEntropy(g: GraphBuilder, logits2d: Value, hidden2d: Value, head: Value, labels: Value, weights: Value): Value {
  const ignored = g.less(labels, g.scalar(0, 'int64'));
  const safeLabels = g.reshape(g.where(ignored, g.scalar(0, 'int64'), labels), [-1], ['tokens']);
  // From the softmax, whose probabilities are then the backward pass's [tokens, vocab] gradient
  // (onnxruntime's ReduceLogSumExp is single-threaded and the backward would recompute the softmax).
  const { logSumExp } = softmaxLogSumExp(g, logits2d, 1, false);
  const labelRows = g.gather(head, safeLabels, 0);
  const labelLogits = g.reduceSum(g.mul(hidden2d, labelRows), [1], false);
  const negativeLogLikelihood = g.sub(logSumExp, labelLogits);
  const weighted = g.mul(negativeLogLikelihood, g.reshape(keptWeights(g, ignored, weights), [-1], ['tokens']));
  return g.op('ReduceSum', [weighted], [{ dtype: logits2d.dtype, shape: [] }], { keepdims: attr.int(0) })[0]!;
}

/** Finds logits = Reshape(Gemm(hidden, head, transB=1)) and returns its parts, if the graph has that form. */
function findLogitsProjection(g: GraphBuilder, logits: Value): { logits2d: Value; hidden2d: Value; head: Value } | undefined {
  const producer = (name: string) => g.nodes.find((node) => node.outputs.includes(name));
  const reshape = producer(logits.name);
  if (reshape === undefined || reshape.op !== 'Reshape') return undefined;
  const gemm = producer(reshape.inputs[0]!);
  const transB = gemm?.attributes['transB'];
  if (gemm === undefined || gemm.op !== 'Gemm' || gemm.inputs.length !== 2 || transB?.kind !== 'int' || transB.value !== 1 || gemm.attributes['transA'] !== undefined || gemm.attributes['alpha'] !== undefined) return undefined;
  return { logits2d: g.value(gemm.outputs[0]!), hidden2d: g.value(gemm.inputs[0]!), head: g.value(gemm.inputs[1]!) };
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
  const projection = findLogitsProjection(g, logits);
  const lossSum =
    projection === undefined
      ? addMaskedCrossEntropy(g, logits, labels, lossWeights)
      : addProjectedCrossEntropy(g, projection.logits2d, projection.hidden2d, projection.head, labels, lossWeights);
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
