/**
 * Reverse-mode automatic differentiation over the engine's graph IR (../graph/builder.ts).
 *
 * `addGradients` walks the forward nodes that lie between the requested parameters (graph inputs such
 * as LoRA A/B) and a scalar loss, in reverse order, and appends each node's backward nodes to the same
 * GraphBuilder through one gradient rule per op type (the `rules` table below, in the spirit of
 * onnxruntime's own gradient builder). Nodes that do not depend on a parameter get no backward pass, so
 * frozen base weights cost no weight-gradient MatMuls. Adding an op means adding one rule.
 */
import { attr, type Dim, type DType, type Node, type Value } from '../graph/ir';
import { GraphBuilder, ONNX_DTYPE } from '../graph/builder';

export class AutodiffError extends Error {}

/** What a gradient rule gets: the forward node, its input/output values and the output gradients. */
export interface GradientContext {
  readonly graph: GraphBuilder;
  readonly node: Node;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
  /** Gradient of the loss w.r.t. each output; undefined where the output does not reach the loss. */
  readonly outputGradients: readonly (Value | undefined)[];
  /** Whether input i needs a gradient (it depends on a parameter). */
  needs(index: number): boolean;
  /** A scalar constant of the given float dtype. */
  scalar(value: number, dtype: DType): Value;
  /** Sums `gradient` (shaped like the node's broadcast result) down to the shape of `target`. */
  unbroadcast(gradient: Value, target: Value): Value;
  /** The int64 values of a constant input (an initializer), or undefined if it is computed. */
  constantInts(value: Value | undefined): number[] | undefined;
  attributeInt(name: string, fallback: number): number;
  attributeInts(name: string): number[] | undefined;
  /** The forward nodes that read a value (to recognise patterns such as softmax·V). */
  consumers(name: string): readonly Node[];
  /**
   * The gradient of a value whose consumers were all differentiated already (values produced later
   * in the forward pass), or undefined.
   */
  gradientOf(name: string): Value | undefined;
  /**
   * Removes and returns the sum of the gradient contributions input i has received so far (from
   * nodes later in the forward pass), so a rule can fold it into its own result, e.g. as Gemm's C
   * (one pass fewer than a separate Add). The rule must then return a gradient that includes it.
   */
  takeAccumulated(index: number): Value | undefined;
}

/** Returns the gradient for each input (undefined = none / not needed). */
export type GradientRule = (context: GradientContext) => (Value | undefined)[];

const NON_DIFFERENTIABLE = new Set(['Shape', 'Size', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Not', 'Range', 'ConstantOfShape', 'ArgMax', 'NonZero', 'Trilu']);

export interface GradientResult {
  /** Parameter name -> gradient value (same shape and dtype as the parameter). */
  gradients: Map<string, Value>;
  /** Number of forward nodes that got a backward pass. */
  differentiatedNodes: number;
}

/**
 * Appends to `graph` the nodes computing d(loss)/d(parameter) for each parameter. `loss` must be a
 * scalar float value. Parameters that do not reach the loss get a zero gradient (and a warning-free
 * result), so callers can always feed and read every LoRA tensor.
 */
export function addGradients(graph: GraphBuilder, lossValue: Value, parameterValues: readonly Value[]): GradientResult {
  // Look the values up again: marking a value as a graph output may have renamed it since.
  const loss = graph.value(lossValue.name);
  const parameters = parameterValues.map((p) => graph.value(p.name));
  if (loss.shape !== undefined && loss.shape.length !== 0) {
    throw new AutodiffError(`the loss must be a scalar; '${loss.name}' has shape [${loss.shape.join(',')}]`);
  }
  const forwardNodes = graph.nodes.slice();
  const producers = new Map<string, Node>();
  for (const node of forwardNodes) for (const output of node.outputs) producers.set(output, node);
  const consumers = new Map<string, Node[]>();
  for (const node of forwardNodes) {
    for (const input of new Set(node.inputs)) {
      const list = consumers.get(input);
      if (list === undefined) consumers.set(input, [node]);
      else list.push(node);
    }
  }

  // Values that depend on a parameter (through float paths).
  const dependsOnParameter = new Set(parameters.map((p) => p.name));
  for (const node of forwardNodes) {
    if (NON_DIFFERENTIABLE.has(node.op)) continue;
    if (node.inputs.some((input) => dependsOnParameter.has(input))) {
      for (const output of node.outputs) if (isFloatValue(graph, output)) dependsOnParameter.add(output);
    }
  }
  // Values the loss depends on.
  const reachesLoss = new Set<string>([loss.name]);
  for (let i = forwardNodes.length - 1; i >= 0; i--) {
    const node = forwardNodes[i]!;
    if (node.outputs.some((output) => reachesLoss.has(output))) for (const input of node.inputs) if (input !== '') reachesLoss.add(input);
  }

  const pending = new Map<string, Value[]>();
  const contribute = (name: string, gradient: Value): void => {
    const list = pending.get(name);
    if (list === undefined) pending.set(name, [gradient]);
    else list.push(gradient);
  };
  const scalarCache = new Map<string, Value>();
  const scalar = (value: number, dtype: DType): Value => scalarConstant(graph, scalarCache, value, dtype);
  const gradientOf = (name: string): Value | undefined => {
    const list = pending.get(name);
    if (list === undefined || list.length === 0) return undefined;
    let sum = list[0]!;
    for (let k = 1; k < list.length; k++) sum = graph.add(sum, list[k]!);
    pending.set(name, [sum]);
    return sum;
  };

  contribute(loss.name, scalar(1, loss.dtype));
  let differentiatedNodes = 0;
  graph.scope('grad', () => {
    for (let i = forwardNodes.length - 1; i >= 0; i--) {
      const node = forwardNodes[i]!;
      if (!node.outputs.some((o) => dependsOnParameter.has(o) && reachesLoss.has(o))) continue;
      const outputGradients = node.outputs.map((o) => gradientOf(o));
      if (outputGradients.every((g) => g === undefined)) continue;
      // A log-sum-exp built by softmaxLogSumExp: its gradient is the softmax it already computed.
      const logSumExp = logSumExpFromSoftmax(graph, node, (name) => producers.get(name));
      if (logSumExp !== undefined) {
        if (dependsOnParameter.has(logSumExp.x.name) && reachesLoss.has(logSumExp.x.name)) {
          const dy = logSumExp.keepdims ? outputGradients[0]! : graph.unsqueeze(outputGradients[0]!, [logSumExp.axis]);
          contribute(logSumExp.x.name, graph.mul(logSumExp.probabilities, dy));
        }
        differentiatedNodes++;
        continue;
      }
      const rule = rules[node.op];
      if (rule === undefined) {
        throw new AutodiffError(`no gradient rule for op '${node.op}' (node '${node.name}'); add one to engine/src/training/autodiff.ts`);
      }
      const needs = (index: number): boolean => {
        const name = node.inputs[index];
        return name !== undefined && name !== '' && dependsOnParameter.has(name) && reachesLoss.has(name);
      };
      const context: GradientContext = {
        graph,
        node,
        inputs: node.inputs.map((name) => (name === '' ? undefined : graph.value(name))),
        outputs: node.outputs.map((name) => graph.value(name)),
        outputGradients,
        needs,
        scalar,
        unbroadcast: (gradient, target) => unbroadcast(graph, gradient, target),
        constantInts: (value) => constantInts(graph, value),
        attributeInt: (name, fallback) => {
          const a = node.attributes[name];
          return a !== undefined && a.kind === 'int' ? a.value : fallback;
        },
        attributeInts: (name) => {
          const a = node.attributes[name];
          return a !== undefined && a.kind === 'ints' ? [...a.value] : undefined;
        },
        consumers: (name) => consumers.get(name) ?? [],
        gradientOf,
        takeAccumulated: (index) => {
          const name = node.inputs[index];
          if (name === undefined || name === '' || !needs(index)) return undefined;
          const sum = gradientOf(name);
          pending.delete(name);
          return sum;
        },
      };
      const inputGradients = rule(context);
      differentiatedNodes++;
      inputGradients.forEach((gradient, index) => {
        if (gradient !== undefined && needs(index)) contribute(node.inputs[index]!, gradient);
      });
    }
  });

  const gradients = new Map<string, Value>();
  parameters.forEach((parameter, index) => {
    const gradient = gradientOf(parameter.name);
    if (gradient === undefined) {
      const zeros = graph.op('ConstantOfShape', [graph.shapeOf(parameter)], [{ dtype: parameter.dtype, shape: parameter.shape }], {
        value: attr.tensor({ dtype: parameter.dtype, shape: [1], bytes: scalarBytes(0, parameter.dtype) }),
      })[0]!;
      gradients.set(parameterValues[index]!.name, zeros);
    } else {
      gradients.set(parameterValues[index]!.name, gradient);
    }
  });
  return { gradients, differentiatedNodes };
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

function isFloatValue(graph: GraphBuilder, name: string): boolean {
  const dtype = graph.value(name).dtype;
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

function scalarBytes(value: number, dtype: DType): Uint8Array {
  switch (dtype) {
    case 'float64':
      return new Uint8Array(Float64Array.of(value).buffer);
    case 'float32':
      return new Uint8Array(Float32Array.of(value).buffer);
    default:
      throw new AutodiffError(`autodiff supports float32 and float64 graphs, not ${dtype}`);
  }
}

function scalarConstant(graph: GraphBuilder, cache: Map<string, Value>, value: number, dtype: DType): Value {
  const key = `${dtype}:${value}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const created = graph.initializer(graph.uniqueName('grad_const'), dtype, [], scalarBytes(value, dtype));
  cache.set(key, created);
  return created;
}

function constantFloats(graph: GraphBuilder, value: Value | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const initializer = graph.initializers.find((i) => i.name === value.name);
  if (initializer === undefined || initializer.data.kind !== 'inline') return undefined;
  const bytes = initializer.data.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (initializer.dtype === 'float32') return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
  if (initializer.dtype === 'float64') return Array.from({ length: bytes.byteLength / 8 }, (_, i) => view.getFloat64(i * 8, true));
  return undefined;
}

function constantInts(graph: GraphBuilder, value: Value | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const initializer = graph.initializers.find((i) => i.name === value.name);
  if (initializer === undefined || initializer.data.kind !== 'inline') return undefined;
  const bytes = initializer.data.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (initializer.dtype === 'int64') return Array.from({ length: bytes.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  if (initializer.dtype === 'int32') return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
  return undefined;
}

/**
 * Reduces a broadcast result's gradient to `target`'s shape. Uses the static shapes where they decide
 * which axes were broadcast; otherwise compares the runtime shapes in the graph.
 */
function unbroadcast(graph: GraphBuilder, gradient: Value, target: Value): Value {
  const g = gradient.shape;
  const t = target.shape;
  if (g !== undefined && t !== undefined) {
    const rank = g.length;
    const axes: number[] = [];
    let decided = true;
    for (let i = 0; i < rank; i++) {
      const j = i - (rank - t.length);
      const gd: Dim = g[i]!;
      if (j < 0) {
        axes.push(i);
        continue;
      }
      const td: Dim = t[j]!;
      if (td === gd) continue;
      if (td === 1) axes.push(i);
      else if (typeof td === 'number' && typeof gd === 'number') throw new AutodiffError(`unbroadcast: [${g.join(',')}] cannot come from [${t.join(',')}]`);
      else decided = false;
    }
    if (decided) {
      if (axes.length === 0) return gradient;
      const reduced = graph.reduceSum(gradient, axes, true);
      // Leading axes the target lacks were reduced to size 1 above; drop them.
      return rank === t.length ? reduced : graph.squeeze(reduced, Array.from({ length: rank - t.length }, (_, i) => i));
    }
  }
  if (g === undefined || t === undefined) {
    // Ranks unknown: reduce by runtime comparison needs ranks too; the builder infers them for every op we use.
    throw new AutodiffError(`unbroadcast: rank of '${gradient.name}' or '${target.name}' unknown`);
  }
  return dynamicUnbroadcast(graph, gradient, target);
}

function reshapeLike(graph: GraphBuilder, x: Value, like: Value): Value {
  return graph.reshapeDynamic(x, graph.shapeOf(like), like.shape);
}

function dynamicUnbroadcast(graph: GraphBuilder, gradient: Value, target: Value): Value {
  const rank = gradient.shape!.length;
  const targetRank = target.shape!.length;
  let targetShape = graph.shapeOf(target);
  if (rank > targetRank) targetShape = graph.concat([graph.constant('int64', new Array<number>(rank - targetRank).fill(1)), targetShape], 0);
  const differs = graph.op('Not', [graph.equal(targetShape, graph.shapeOf(gradient))], [{ dtype: 'bool', shape: [rank] }])[0]!;
  const nonZero = graph.op('NonZero', [differs], [{ dtype: 'int64', shape: [1, 'n'] }])[0]!;
  const axes = graph.reshape(nonZero, [-1], ['n']);
  const reduced = graph.op('ReduceSum', [gradient, axes], [{ dtype: gradient.dtype, shape: undefined }], { keepdims: attr.int(1), noop_with_empty_axes: attr.int(1) })[0]!;
  return reshapeLike(graph, reduced, target);
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function rankOf(value: Value): number {
  if (value.shape === undefined) throw new AutodiffError(`rank of '${value.name}' unknown`);
  return value.shape.length;
}

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function zerosLike(graph: GraphBuilder, like: Value): Value {
  return graph.op('ConstantOfShape', [graph.shapeOf(like)], [{ dtype: like.dtype, shape: like.shape }], {
    value: attr.tensor({ dtype: like.dtype, shape: [1], bytes: scalarBytes(0, like.dtype) }),
  })[0]!;
}

function castTo(graph: GraphBuilder, x: Value, dtype: DType): Value {
  return x.dtype === dtype ? x : graph.op('Cast', [x], [{ dtype, shape: x.shape }], { to: attr.int(ONNX_DTYPE[dtype]) })[0]!;
}

/** Restores reduced axes as size-1 dims (for reductions with keepdims=0). */
function keepReducedDims(graph: GraphBuilder, gradient: Value, axes: readonly number[] | undefined, inputRank: number, keepdims: boolean): Value {
  if (keepdims) return gradient;
  const all = axes === undefined || axes.length === 0 ? Array.from({ length: inputRank }, (_, i) => i) : axes.map((a) => normalizeAxis(a, inputRank));
  return graph.unsqueeze(gradient, [...all].sort((p, q) => p - q));
}

function expandTo(graph: GraphBuilder, x: Value, like: Value): Value {
  return graph.expand(x, graph.shapeOf(like), like.shape);
}

/**
 * log Σ exp(x) over one axis, built from the softmax: with m = max(x) and p = softmax(x),
 * max(p) = exp(m - lse), so lse = m - log(max(p)). max(p) >= 1/n never underflows, so this is as
 * exact as ReduceLogSumExp; and the softmax is the gradient (d lse/dx = p), so the backward pass
 * reuses it (one multiply) instead of recomputing it from x. addGradients recognises this pattern
 * (see logSumExpFromSoftmax) rather than differentiating the max operations.
 */
export function softmaxLogSumExp(graph: GraphBuilder, x: Value, axis: number, keepdims: boolean): { logSumExp: Value; probabilities: Value } {
  const probabilities = graph.softmax(x, axis);
  const logSumExp = graph.sub(graph.reduceMax(x, [axis], keepdims), graph.log(graph.reduceMax(probabilities, [axis], keepdims)));
  return { logSumExp, probabilities };
}

/** The parts of a softmaxLogSumExp pattern ending at `node` (the Sub), or undefined. */
function logSumExpFromSoftmax(graph: GraphBuilder, node: Node, producer: (name: string) => Node | undefined): { x: Value; probabilities: Value; axis: number; keepdims: boolean } | undefined {
  if (node.op !== 'Sub') return undefined;
  const maxOfX = producer(node.inputs[0]!);
  const log = producer(node.inputs[1]!);
  const maxOfP = log?.op === 'Log' ? producer(log.inputs[0]!) : undefined;
  const softmax = maxOfP?.op === 'ReduceMax' ? producer(maxOfP.inputs[0]!) : undefined;
  if (maxOfX?.op !== 'ReduceMax' || softmax?.op !== 'Softmax' || softmax.inputs[0] !== maxOfX.inputs[0]) return undefined;
  const x = graph.value(maxOfX.inputs[0]!);
  const rank = rankOf(x);
  const axisOf = (n: Node, name: string, fallback: number): number | undefined => {
    const a = n.attributes[name];
    if (a === undefined) return fallback;
    if (a.kind === 'int') return normalizeAxis(a.value, rank);
    if (a.kind === 'ints' && a.value.length === 1) return normalizeAxis(a.value[0]!, rank);
    return undefined;
  };
  const axis = axisOf(softmax, 'axis', rank - 1);
  if (axis === undefined || axisOf(maxOfX, 'axes', -1) !== axis || axisOf(maxOfP!, 'axes', -1) !== axis) return undefined;
  if (maxOfX.inputs.length > 1 || maxOfP!.inputs.length > 1) return undefined;
  const keepdims = (n: Node): boolean => n.attributes['keepdims']?.kind !== 'int' || n.attributes['keepdims'].value === 1;
  if (keepdims(maxOfX) !== keepdims(maxOfP!)) return undefined;
  return { x, probabilities: graph.value(softmax.outputs[0]!), axis, keepdims: keepdims(maxOfX) };
}

/**
 * Softmax's backward needs rowsum(dy ∘ y) over the softmax axis. When y's only reader is
 * context = y·V (attention), that sum equals rowsum(dcontext ∘ context) (FlashAttention's identity:
 * Σ_j y_ij (dcontext_i · V_j) = dcontext_i · Σ_j y_ij V_j), a pass over [.., queries, head_dim] instead
 * of two over [.., queries, keys]. Returns undefined where the pattern does not hold.
 */
function contextRowSum(
  graph: GraphBuilder,
  y: Value,
  axis: number,
  consumers: (name: string) => readonly Node[],
  gradientOf: (name: string) => Value | undefined,
): Value | undefined {
  const readers = consumers(y.name);
  const rank = rankOf(y);
  if (axis !== rank - 1 || readers.length !== 1) return undefined;
  const reader = readers[0]!;
  if (reader.op !== 'MatMul' || reader.inputs[0] !== y.name || reader.inputs[1] === y.name) return undefined;
  const context = graph.value(reader.outputs[0]!);
  // y must not be broadcast by the product: same rank and the same batch and row dims as the context.
  if (context.shape === undefined || context.shape.length !== rank) return undefined;
  for (let i = 0; i < rank - 1; i++) if (context.shape[i] !== y.shape![i]) return undefined;
  const contextGradient = gradientOf(context.name);
  if (contextGradient === undefined) return undefined;
  return graph.reduceSum(graph.mul(contextGradient, context), [-1], true);
}

// ---------------------------------------------------------------------------------------------
// the rules: one per op
// ---------------------------------------------------------------------------------------------

export const rules: Record<string, GradientRule> = {
  Identity: ({ outputGradients: [dy] }) => [dy],

  Add: ({ inputs: [a, b], outputGradients: [dy], needs, unbroadcast: un }) => [needs(0) ? un(dy!, a!) : undefined, needs(1) ? un(dy!, b!) : undefined],

  Sub: ({ graph, inputs: [a, b], outputGradients: [dy], needs, unbroadcast: un }) => [needs(0) ? un(dy!, a!) : undefined, needs(1) ? un(graph.neg(dy!), b!) : undefined],

  Mul: ({ graph, inputs: [a, b], outputGradients: [dy], needs, unbroadcast: un }) => [
    needs(0) ? un(graph.mul(dy!, b!), a!) : undefined,
    needs(1) ? un(graph.mul(dy!, a!), b!) : undefined,
  ],

  Div: ({ graph, inputs: [a, b], outputs: [y], outputGradients: [dy], needs, unbroadcast: un }) => [
    needs(0) ? un(graph.div(dy!, b!), a!) : undefined,
    // d(a/b)/db = -a/b² = -y/b. b is constant along the axes it is broadcast over, so the division
    // and negation follow the reduction: on b's (small, e.g. RMSNorm's [tokens, 1]) shape.
    needs(1) ? graph.neg(graph.div(un(graph.mul(dy!, y!), b!), b!)) : undefined,
  ],

  Pow: ({ graph, inputs: [x, exponent], outputs: [y], outputGradients: [dy], needs, unbroadcast: un, scalar }) => {
    if (needs(1)) throw new AutodiffError('Pow: gradient w.r.t. the exponent is not supported');
    // x² (RMSNorm): 2x, without a second (slow) Pow.
    if (constantFloats(graph, exponent)?.length === 1 && constantFloats(graph, exponent)![0] === 2) {
      return [un(graph.mul(dy!, graph.mul(x!, scalar(2, x!.dtype))), x!), undefined];
    }
    const e = castTo(graph, exponent!, x!.dtype);
    const derivative = graph.mul(e, graph.pow(x!, graph.sub(e, scalar(1, x!.dtype))));
    void y;
    return [un(graph.mul(dy!, derivative), x!), undefined];
  },

  Sqrt: ({ graph, outputs: [y], outputGradients: [dy], scalar }) => [graph.div(graph.mul(dy!, scalar(0.5, y!.dtype)), y!)],

  Reciprocal: ({ graph, outputs: [y], outputGradients: [dy] }) => [graph.neg(graph.mul(dy!, graph.mul(y!, y!)))],

  Neg: ({ graph, outputGradients: [dy] }) => [graph.neg(dy!)],

  Exp: ({ graph, outputs: [y], outputGradients: [dy] }) => [graph.mul(dy!, y!)],

  Log: ({ graph, inputs: [x], outputGradients: [dy] }) => [graph.div(dy!, x!)],

  Sigmoid: ({ graph, outputs: [y], outputGradients: [dy], scalar }) => [graph.mul(dy!, graph.mul(y!, graph.sub(scalar(1, y!.dtype), y!)))],

  Tanh: ({ graph, outputs: [y], outputGradients: [dy], scalar }) => [graph.mul(dy!, graph.sub(scalar(1, y!.dtype), graph.mul(y!, y!)))],

  Cos: ({ graph, inputs: [x], outputGradients: [dy] }) => [graph.neg(graph.mul(dy!, graph.sin(x!)))],

  Sin: ({ graph, inputs: [x], outputGradients: [dy] }) => [graph.mul(dy!, graph.cos(x!))],

  Cast: ({ graph, inputs: [x], outputGradients: [dy] }) => [castTo(graph, dy!, x!.dtype)],

  Where: ({ graph, inputs: [condition, a, b], outputGradients: [dy], needs, unbroadcast: un }) => {
    const zeros = zerosLike(graph, dy!);
    return [undefined, needs(1) ? un(graph.where(condition!, dy!, zeros), a!) : undefined, needs(2) ? un(graph.where(condition!, zeros, dy!), b!) : undefined];
  },

  MatMul: ({ graph, inputs: [a, b], outputGradients: [dy], needs, unbroadcast: un }) => {
    const rankA = rankOf(a!);
    const rankB = rankOf(b!);
    if (rankA < 2 || rankB < 2) throw new AutodiffError('MatMul gradient: 1-D operands are not supported');
    let gradA: Value | undefined;
    let gradB: Value | undefined;
    if (needs(0)) {
      if (rankB === 2 && rankA > 2) gradA = graph.matmul(dy!, graph.transpose(b!, [1, 0]));
      else gradA = un(graph.matmul(dy!, graph.transpose(b!, swapLastTwo(rankB))), a!);
    }
    if (needs(1)) {
      if (rankB === 2 && rankA > 2) {
        // Fold the batch dims into one long matrix product instead of a batched one plus a sum.
        const k = a!.shape![rankA - 1]!;
        const n = b!.shape![1]!;
        const a2 = graph.reshape(a!, [-1, typeof k === 'number' ? k : 0], ['rows', k]);
        const dy2 = graph.reshape(dy!, [-1, typeof n === 'number' ? n : 0], ['rows', n]);
        if (typeof k !== 'number' || typeof n !== 'number') throw new AutodiffError('MatMul gradient: the 2-D operand needs static dims');
        gradB = graph.gemm(a2, dy2, undefined, { transA: true });
      } else {
        gradB = un(graph.matmul(graph.transpose(a!, swapLastTwo(rankA)), dy!), b!);
      }
    }
    return [gradA, gradB];
  },

  Gemm: ({ graph, node, inputs: [a, b, c], outputGradients: [dy], needs, unbroadcast: un, takeAccumulated }) => {
    const transA = node.attributes['transA']?.kind === 'int' && node.attributes['transA'].value === 1;
    const transB = node.attributes['transB']?.kind === 'int' && node.attributes['transB'].value === 1;
    const alphaAttribute = node.attributes['alpha'];
    const betaAttribute = node.attributes['beta'];
    const alpha = alphaAttribute?.kind === 'float' ? alphaAttribute.value : 1;
    const beta = betaAttribute?.kind === 'float' ? betaAttribute.value : 1;
    // y = alpha·op(A)·op(B) + beta·C
    // What A's gradient has accumulated so far rides on the C input (A is 2-D: the same shape).
    const accumulated = needs(0) && a!.name !== b!.name && a!.name !== c?.name ? takeAccumulated(0) : undefined;
    const gradA = !needs(0) ? undefined : transA ? graph.gemm(b!, dy!, accumulated, { transA: transB, transB: true, alpha }) : graph.gemm(dy!, b!, accumulated, { transB: !transB, alpha });
    const gradB = !needs(1) ? undefined : transB ? graph.gemm(dy!, a!, undefined, { transA: true, transB: transA, alpha }) : graph.gemm(a!, dy!, undefined, { transA: !transA, alpha });
    let gradC: Value | undefined;
    if (c !== undefined && needs(2)) {
      const scaled = beta === 1 ? dy! : graph.mul(dy!, graph.cast(graph.scalar(beta), dy!.dtype));
      gradC = un(scaled, c);
    }
    return [gradA, gradB, gradC];
  },

  Transpose: ({ graph, inputs: [x], outputGradients: [dy], attributeInts }) => {
    const perm = attributeInts('perm') ?? Array.from({ length: rankOf(x!) }, (_, i) => rankOf(x!) - 1 - i);
    const inverse = new Array<number>(perm.length);
    perm.forEach((axis, i) => (inverse[axis] = i));
    return [graph.transpose(dy!, inverse)];
  },

  Reshape: ({ graph, inputs: [x], outputGradients: [dy] }) => [reshapeLike(graph, dy!, x!), undefined],
  Squeeze: ({ graph, inputs: [x], outputGradients: [dy] }) => [reshapeLike(graph, dy!, x!), undefined],
  Unsqueeze: ({ graph, inputs: [x], outputGradients: [dy] }) => [reshapeLike(graph, dy!, x!), undefined],
  Flatten: ({ graph, inputs: [x], outputGradients: [dy] }) => [reshapeLike(graph, dy!, x!)],

  Expand: ({ inputs: [x], outputGradients: [dy], unbroadcast: un }) => [un(dy!, x!), undefined],

  ReduceSum: ({ graph, inputs: [x, axesInput], outputGradients: [dy], attributeInt, constantInts }) => {
    const rank = rankOf(x!);
    const axes = constantInts(axesInput);
    if (axesInput !== undefined && axes === undefined) throw new AutodiffError('ReduceSum gradient: axes must be a constant');
    if ((axes === undefined || axes.length === 0) && attributeInt('noop_with_empty_axes', 0) === 1) return [dy, undefined];
    const kept = keepReducedDims(graph, dy!, axes, rank, attributeInt('keepdims', 1) === 1);
    return [expandTo(graph, kept, x!), undefined];
  },

  ReduceMean: ({ graph, inputs: [x], outputGradients: [dy], attributeInt, attributeInts, scalar }) => {
    const rank = rankOf(x!);
    const axes = attributeInts('axes');
    const kept = keepReducedDims(graph, dy!, axes, rank, attributeInt('keepdims', 1) === 1);
    // Divide by the number of reduced elements before broadcasting (on the reduced shape): a constant
    // when those dims are static, else size(x) / size(y) at run time.
    const reduced = axes === undefined || axes.length === 0 ? Array.from({ length: rank }, (_, i) => i) : axes.map((a) => normalizeAxis(a, rank));
    const dims = reduced.map((axis) => x!.shape![axis]);
    const scaled = dims.every((d): d is number => typeof d === 'number')
      ? graph.mul(kept, scalar(1 / dims.reduce((p, d) => p * d, 1), x!.dtype))
      : graph.div(
          kept,
          castTo(graph, graph.div(graph.op('Size', [x!], [{ dtype: 'int64', shape: [] }])[0]!, graph.op('Size', [dy!], [{ dtype: 'int64', shape: [] }])[0]!), x!.dtype),
        );
    return [expandTo(graph, scaled, x!)];
  },

  Softmax: ({ graph, outputs: [y], outputGradients: [dy], attributeInt, consumers, gradientOf }) => {
    const axis = normalizeAxis(attributeInt('axis', -1), rankOf(y!));
    const inner = contextRowSum(graph, y!, axis, consumers, gradientOf) ?? graph.reduceSum(graph.mul(dy!, y!), [axis], true);
    return [graph.mul(y!, graph.sub(dy!, inner))];
  },

  ReduceLogSumExp: ({ graph, inputs: [x], outputs: [y], outputGradients: [dy], attributeInt, attributeInts }) => {
    // d lse / dx = exp(x - lse) = softmax over the reduced axis.
    const axes = attributeInts('axes');
    if (axes === undefined || axes.length !== 1) throw new AutodiffError('ReduceLogSumExp gradient: exactly one axis is supported');
    const keep = keepReducedDims(graph, dy!, axes, rankOf(x!), attributeInt('keepdims', 1) === 1);
    void y;
    return [graph.mul(graph.softmax(x!, axes[0]!), keep)];
  },

  LogSoftmax: ({ graph, outputs: [y], outputGradients: [dy], attributeInt }) => {
    const axis = attributeInt('axis', -1);
    const total = graph.reduceSum(dy!, [axis], true);
    return [graph.sub(dy!, graph.mul(graph.exp(y!), total))];
  },

  Concat: ({ graph, inputs, outputGradients: [dy], attributeInt, needs }) => {
    const rank = rankOf(inputs[0]!);
    const axis = normalizeAxis(attributeInt('axis', 0), rank);
    const sizes = graph.concat(
      inputs.map((x) => graph.shapeOf(x!, axis, axis + 1)),
      0,
    );
    const parts = graph.op(
      'Split',
      [dy!, sizes],
      inputs.map((x) => ({ dtype: dy!.dtype, shape: x!.shape })),
      { axis: attr.int(axis) },
    );
    return parts.map((part, i) => (needs(i) ? part : undefined));
  },

  Split: ({ graph, inputs: [x], outputs, outputGradients, attributeInt }) => {
    const axis = normalizeAxis(attributeInt('axis', 0), rankOf(x!));
    const pieces = outputs.map((output, i) => outputGradients[i] ?? zerosLike(graph, output));
    return [graph.concat(pieces, axis), undefined];
  },

  Slice: ({ graph, inputs: [x, startsInput, , axesInput, stepsInput], outputGradients: [dy], constantInts }) => {
    const rank = rankOf(x!);
    const starts = constantInts(startsInput);
    const axes = axesInput === undefined ? starts?.map((_, i) => i) : constantInts(axesInput);
    const steps = constantInts(stepsInput);
    if (starts === undefined || axes === undefined) throw new AutodiffError('Slice gradient: starts and axes must be constants');
    if (steps !== undefined && steps.some((s) => s !== 1)) throw new AutodiffError('Slice gradient: only step 1 is supported');
    // Pad the gradient back: before = the (normalised) start, after = what remains.
    const shapeX = graph.shapeOf(x!);
    const begin: Value[] = [];
    for (let axis = 0; axis < rank; axis++) {
      const k = axes.map((a) => normalizeAxis(a, rank)).indexOf(axis);
      if (k < 0) {
        begin.push(graph.constant('int64', [0]));
        continue;
      }
      const start = starts[k]!;
      const dim = x!.shape![axis]!;
      if (start >= 0) begin.push(graph.constant('int64', [typeof dim === 'number' ? Math.min(start, dim) : start]));
      else {
        const fromEnd = graph.add(graph.shapeOf(x!, axis, axis + 1), graph.constant('int64', [start]));
        begin.push(graph.op('Max', [fromEnd, graph.constant('int64', [0])], [{ dtype: 'int64', shape: [1] }])[0]!);
      }
    }
    const padsBegin = graph.concat(begin, 0);
    const padsEnd = graph.sub(graph.sub(shapeX, graph.shapeOf(dy!)), padsBegin);
    const pads = graph.concat([padsBegin, padsEnd], 0);
    return [graph.op('Pad', [dy!, pads], [{ dtype: dy!.dtype, shape: x!.shape }])[0]!];
  },

  Gather: ({ graph, inputs: [data, indices], outputGradients: [dy], attributeInt }) => {
    const axis = normalizeAxis(attributeInt('axis', 0), rankOf(data!));
    if (axis !== 0) throw new AutodiffError('Gather gradient: only axis 0 (embedding lookup) is supported');
    const zeros = zerosLike(graph, data!);
    const index = graph.unsqueeze(indices!, [-1]);
    const scattered = graph.op('ScatterND', [zeros, index, dy!], [{ dtype: data!.dtype, shape: data!.shape }], { reduction: attr.string('add') })[0]!;
    return [scattered, undefined];
  },

  GatherElements: ({ graph, inputs: [data, indices], outputGradients: [dy], attributeInt }) => {
    const axis = attributeInt('axis', 0);
    const zeros = zerosLike(graph, data!);
    const scattered = graph.op('ScatterElements', [zeros, indices!, dy!], [{ dtype: data!.dtype, shape: data!.shape }], {
      axis: attr.int(axis),
      reduction: attr.string('add'),
    })[0]!;
    return [scattered, undefined];
  },
};

