/**
 * GraphBuilder: builds a graph in the typed IR (./ir.ts) through one method per op. Each method checks
 * dtypes, infers the output shape where it can (broadcasting, reshape with known dims, matmul...), and
 * returns the output Value, so model descriptions read like the forward pass they describe.
 *
 * Generic escape hatch: `op(type, inputs, outputs, attributes, domain)` for anything without a helper.
 */
import {
  type Attribute,
  attr,
  BYTES_PER_ELEMENT,
  bytesOf,
  type Dim,
  type DType,
  elementCount,
  type ExternalTensorData,
  type Initializer,
  type Node,
  type Shape,
  type Value,
} from './ir';

export class GraphError extends Error {}

export interface OutputSpec {
  dtype: DType;
  shape: Shape | undefined;
  /** Preferred value name; made unique if taken. */
  name?: string;
}

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly initializers: Initializer[] = [];
  /** Opsets the graph uses, by domain ('' = ai.onnx). */
  readonly opsets = new Map<string, number>([['', 17]]);
  private readonly values = new Map<string, Value>();
  private readonly constantCache = new Map<string, Value>();
  private readonly usedNames = new Set<string>();
  private scopePrefix = '';
  private counter = 0;

  constructor(readonly name = 'tunesmith') {}

  // ----- graph interface -------------------------------------------------------------------------

  value(name: string): Value {
    const found = this.values.get(this.currentName(name));
    if (found === undefined) throw new GraphError(`no value named '${name}' in the graph`);
    return found;
  }

  has(name: string): boolean {
    return this.values.has(this.currentName(name));
  }

  input(name: string, dtype: DType, shape: Shape): Value {
    const value = this.declare(name, dtype, shape, true);
    this.inputs.push(value);
    return value;
  }

  /** Marks `value` as a graph output, renaming it through an Identity when `name` differs. */
  output(value: Value, name = value.name): Value {
    let out = value;
    if (name !== value.name) {
      const producer = this.nodes.find((node) => node.outputs.includes(value.name));
      const free = !this.values.has(name) && !this.outputs.some((o) => o.name === value.name) && !this.inputs.some((i) => i.name === value.name);
      if (producer !== undefined && free) {
        // Rename the node's output instead of adding an Identity (one op less per run); nodes built
        // later with the old Value are redirected through `renamed`.
        out = this.renameValue(value, name);
      } else {
        out = this.op1('Identity', [value], { dtype: value.dtype, shape: value.shape, name }, {}, '', true);
      }
    }
    this.outputs.push(out);
    return out;
  }

  private readonly renamed = new Map<string, string>();

  private renameValue(value: Value, name: string): Value {
    const renamedValue: Value = { name, dtype: value.dtype, shape: value.shape };
    const swap = (names: readonly string[]): string[] => names.map((n) => (n === value.name ? name : n));
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i]!;
      if (node.inputs.includes(value.name) || node.outputs.includes(value.name)) {
        this.nodes[i] = { ...node, inputs: swap(node.inputs), outputs: swap(node.outputs) };
      }
    }
    this.values.delete(value.name);
    this.values.set(name, renamedValue);
    this.usedNames.add(name);
    this.renamed.set(value.name, name);
    return renamedValue;
  }

  /** The current name of a value (values marked as outputs may have been renamed). */
  private currentName(name: string): string {
    let current = name;
    while (this.renamed.has(current)) current = this.renamed.get(current)!;
    return current;
  }

  initializer(name: string, dtype: DType, shape: readonly number[], data: Uint8Array | ExternalTensorData): Value {
    const value = this.declare(name, dtype, shape, true);
    if (data instanceof Uint8Array) {
      const expected = elementCount(shape) * BYTES_PER_ELEMENT[dtype];
      if (data.length !== expected) throw new GraphError(`initializer '${name}': ${data.length} bytes for ${expected}`);
      this.initializers.push({ name: value.name, dtype, shape, data: { kind: 'inline', bytes: data } });
    } else {
      this.initializers.push({ name: value.name, dtype, shape, data: { kind: 'external', ...data } });
    }
    return value;
  }

  /** A small inline constant (deduplicated by content). */
  constant(dtype: 'float32' | 'int64' | 'bool' | 'int32', values: readonly number[], shape: readonly number[] = [values.length]): Value {
    const key = `${dtype}|${shape.join(',')}|${values.join(',')}`;
    const cached = this.constantCache.get(key);
    if (cached !== undefined) return cached;
    let bytes: Uint8Array;
    if (dtype === 'float32') bytes = bytesOf(Float32Array.from(values));
    else if (dtype === 'int32') bytes = bytesOf(Int32Array.from(values));
    else if (dtype === 'int64') bytes = bytesOf(BigInt64Array.from(values, (v) => BigInt(v)));
    else bytes = Uint8Array.from(values, (v) => (v ? 1 : 0));
    const value = this.initializer(this.uniqueName('const'), dtype, shape, bytes);
    this.constantCache.set(key, value);
    return value;
  }

  scalar(value: number, dtype: 'float32' | 'int64' = 'float32'): Value {
    return this.constant(dtype, [value], []);
  }

  /** Runs `body` with node and value names prefixed by `prefix` (e.g. 'layers.3.attn'). */
  scope<T>(prefix: string, body: () => T): T {
    const saved = this.scopePrefix;
    this.scopePrefix = saved === '' ? prefix : `${saved}.${prefix}`;
    try {
      return body();
    } finally {
      this.scopePrefix = saved;
    }
  }

  /** Generic node. Outputs get unique names derived from the current scope. */
  op(
    op: string,
    inputs: readonly (Value | undefined)[],
    outputs: readonly OutputSpec[],
    attributes: Record<string, Attribute> = {},
    domain = '',
  ): Value[] {
    if (domain !== '' && !this.opsets.has(domain)) this.opsets.set(domain, 1);
    const outs = outputs.map((spec) => this.declare(spec.name ?? this.uniqueName(op), spec.dtype, spec.shape, spec.name === undefined));
    this.nodes.push({
      op,
      domain,
      name: this.uniqueName(`${op}_node`),
      inputs: inputs.map((v) => (v === undefined ? '' : this.currentName(v.name))),
      outputs: outs.map((v) => v.name),
      attributes,
    });
    return outs;
  }

  private op1(op: string, inputs: readonly (Value | undefined)[], out: OutputSpec, attributes: Record<string, Attribute> = {}, domain = '', exactName = false): Value {
    const spec = exactName ? out : { ...out, name: out.name === undefined ? undefined : this.uniqueName(out.name) };
    const [value] = this.op(op, inputs, [spec as OutputSpec], attributes, domain);
    return value!;
  }

  uniqueName(base: string): string {
    const scoped = this.scopePrefix === '' ? base : `${this.scopePrefix}.${base}`;
    let name = scoped;
    while (this.usedNames.has(name)) name = `${scoped}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  private declare(name: string, dtype: DType, shape: Shape | undefined, mustBeNew: boolean): Value {
    if (this.values.has(name)) {
      if (mustBeNew) throw new GraphError(`value '${name}' is defined twice`);
      name = this.uniqueName(name);
    }
    const value: Value = { name, dtype, shape: shape === undefined ? undefined : [...shape] };
    this.values.set(name, value);
    this.usedNames.add(name);
    return value;
  }

  // ----- elementwise -----------------------------------------------------------------------------

  private binary(op: string, a: Value, b: Value, outDtype?: DType): Value {
    if (a.dtype !== b.dtype) throw new GraphError(`${op}: dtype mismatch ${a.name}:${a.dtype} vs ${b.name}:${b.dtype}`);
    return this.op1(op, [a, b], { dtype: outDtype ?? a.dtype, shape: broadcastShapes(a.shape, b.shape) });
  }

  add(a: Value, b: Value): Value { return this.binary('Add', a, b); }
  sub(a: Value, b: Value): Value { return this.binary('Sub', a, b); }
  mul(a: Value, b: Value): Value { return this.binary('Mul', a, b); }
  div(a: Value, b: Value): Value { return this.binary('Div', a, b); }
  pow(a: Value, b: Value): Value { return this.op1('Pow', [a, b], { dtype: a.dtype, shape: broadcastShapes(a.shape, b.shape) }); }
  equal(a: Value, b: Value): Value { return this.binary('Equal', a, b, 'bool'); }
  less(a: Value, b: Value): Value { return this.binary('Less', a, b, 'bool'); }
  lessOrEqual(a: Value, b: Value): Value { return this.binary('LessOrEqual', a, b, 'bool'); }
  greater(a: Value, b: Value): Value { return this.binary('Greater', a, b, 'bool'); }
  and(a: Value, b: Value): Value { return this.binary('And', a, b, 'bool'); }

  private unary(op: string, x: Value, attributes: Record<string, Attribute> = {}): Value {
    return this.op1(op, [x], { dtype: x.dtype, shape: x.shape }, attributes);
  }

  neg(x: Value): Value { return this.unary('Neg', x); }
  sqrt(x: Value): Value { return this.unary('Sqrt', x); }
  reciprocal(x: Value): Value { return this.unary('Reciprocal', x); }
  exp(x: Value): Value { return this.unary('Exp', x); }
  log(x: Value): Value { return this.unary('Log', x); }
  sigmoid(x: Value): Value { return this.unary('Sigmoid', x); }
  cos(x: Value): Value { return this.unary('Cos', x); }
  sin(x: Value): Value { return this.unary('Sin', x); }
  identity(x: Value): Value { return this.unary('Identity', x); }
  softmax(x: Value, axis = -1): Value { return this.unary('Softmax', x, { axis: attr.int(axis) }); }

  where(condition: Value, a: Value, b: Value): Value {
    return this.op1('Where', [condition, a, b], { dtype: a.dtype, shape: broadcastShapes(condition.shape, broadcastShapes(a.shape, b.shape)) });
  }

  cast(x: Value, to: DType): Value {
    if (x.dtype === to) return x;
    return this.op1('Cast', [x], { dtype: to, shape: x.shape }, { to: attr.int(ONNX_DTYPE[to]) });
  }

  // ----- reductions and normalisation ------------------------------------------------------------

  /** ReduceMean over `axes` (opset 17: axes is an attribute). */
  reduceMean(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.op1('ReduceMean', [x], { dtype: x.dtype, shape: reducedShape(x.shape, axes, keepdims) }, { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) });
  }

  /** ReduceSum over `axes` (opset 13+: axes is an input). */
  reduceSum(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.op1('ReduceSum', [x, this.constant('int64', axes)], { dtype: x.dtype, shape: reducedShape(x.shape, axes, keepdims) }, { keepdims: attr.int(keepdims ? 1 : 0) });
  }

  reduceMax(x: Value, axes: readonly number[], keepdims = true): Value {
    return this.op1('ReduceMax', [x], { dtype: x.dtype, shape: reducedShape(x.shape, axes, keepdims) }, { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) });
  }

  // ----- linear algebra --------------------------------------------------------------------------

  matmul(a: Value, b: Value): Value {
    if (a.dtype !== b.dtype) throw new GraphError(`MatMul: dtype mismatch ${a.name}:${a.dtype} vs ${b.name}:${b.dtype}`);
    return this.op1('MatMul', [a, b], { dtype: a.dtype, shape: matmulShape(a.shape, b.shape) });
  }

  /** Gemm on 2-D operands: alpha * A' B' + beta * C, with optional transposes. */
  gemm(a: Value, b: Value, c?: Value, options: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}): Value {
    if (a.dtype !== b.dtype) throw new GraphError(`Gemm: dtype mismatch ${a.name}:${a.dtype} vs ${b.name}:${b.dtype}`);
    const rows = a.shape === undefined ? undefined : a.shape[options.transA ? 1 : 0];
    const cols = b.shape === undefined ? undefined : b.shape[options.transB ? 0 : 1];
    const attributes: Record<string, Attribute> = {};
    if (options.transA) attributes['transA'] = attr.int(1);
    if (options.transB) attributes['transB'] = attr.int(1);
    if (options.alpha !== undefined) attributes['alpha'] = attr.float(options.alpha);
    if (options.beta !== undefined) attributes['beta'] = attr.float(options.beta);
    const shape = rows === undefined || cols === undefined ? undefined : [rows, cols];
    return this.op1('Gemm', c === undefined ? [a, b] : [a, b, c], { dtype: a.dtype, shape }, attributes);
  }

  // ----- shape manipulation ----------------------------------------------------------------------

  /** Reshape to `shape` (numbers; 0 copies the input dim, -1 is inferred). `dims` names the result's dims for tracking. */
  reshape(x: Value, shape: readonly number[], dims?: Shape): Value {
    return this.op1('Reshape', [x, this.constant('int64', shape)], { dtype: x.dtype, shape: dims ?? reshapeShape(x.shape, shape) });
  }

  /** Reshape to a shape computed in the graph (an int64 1-D value). */
  reshapeDynamic(x: Value, shape: Value, dims?: Shape): Value {
    return this.op1('Reshape', [x, shape], { dtype: x.dtype, shape: dims });
  }

  transpose(x: Value, perm: readonly number[]): Value {
    const shape = x.shape === undefined ? undefined : perm.map((axis) => x.shape![axis]!);
    return this.op1('Transpose', [x], { dtype: x.dtype, shape }, { perm: attr.ints(perm) });
  }

  concat(values: readonly Value[], axis: number): Value {
    const first = values[0];
    if (first === undefined) throw new GraphError('Concat of nothing');
    let shape: Dim[] | undefined;
    if (values.every((v) => v.shape !== undefined)) {
      const rank = first.shape!.length;
      const normalized = axis < 0 ? axis + rank : axis;
      shape = [...first.shape!];
      const parts = values.map((v) => v.shape![normalized]!);
      shape[normalized] = parts.every((p) => typeof p === 'number') ? (parts as number[]).reduce((s, p) => s + p, 0) : parts.filter((p) => p !== 0).map(String).join('+');
    }
    return this.op1('Concat', values, { dtype: first.dtype, shape }, { axis: attr.int(axis) });
  }

  /** Slice along `axes` with static starts/ends (ends may be large to mean "to the end"). */
  slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): Value {
    let shape: Dim[] | undefined;
    if (x.shape !== undefined) {
      shape = [...x.shape];
      axes.forEach((axis, index) => {
        const a = axis < 0 ? axis + shape!.length : axis;
        const dim = shape![a]!;
        const start = starts[index]!;
        const end = ends[index]!;
        if (typeof dim === 'number' && (steps === undefined || steps[index] === 1)) {
          const s = Math.max(0, Math.min(dim, start < 0 ? start + dim : start));
          const e = Math.max(0, Math.min(dim, end < 0 ? end + dim : end));
          shape![a] = Math.max(0, e - s);
        } else if (start >= 0 && end >= 0 && end < 2 ** 31 && (steps === undefined || steps[index] === 1)) {
          shape![a] = end - start;
        } else {
          shape![a] = `${typeof dim === 'number' ? dim : dim}_sliced`;
        }
      });
    }
    const inputs = [x, this.constant('int64', starts), this.constant('int64', ends), this.constant('int64', axes)];
    if (steps !== undefined) inputs.push(this.constant('int64', steps));
    return this.op1('Slice', inputs, { dtype: x.dtype, shape });
  }

  /** Slice with starts/ends computed in the graph (1-D int64 values). */
  sliceDynamic(x: Value, starts: Value, ends: Value, axes: readonly number[], shape?: Shape): Value {
    return this.op1('Slice', [x, starts, ends, this.constant('int64', axes)], { dtype: x.dtype, shape });
  }

  unsqueeze(x: Value, axes: readonly number[]): Value {
    let shape: Dim[] | undefined;
    if (x.shape !== undefined) {
      const rank = x.shape.length + axes.length;
      const normalized = axes.map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
      shape = [...x.shape];
      for (const a of normalized) shape.splice(a, 0, 1);
    }
    return this.op1('Unsqueeze', [x, this.constant('int64', axes)], { dtype: x.dtype, shape });
  }

  squeeze(x: Value, axes: readonly number[]): Value {
    const shape = x.shape === undefined ? undefined : x.shape.filter((_, i) => !axes.map((a) => (a < 0 ? a + x.shape!.length : a)).includes(i));
    return this.op1('Squeeze', [x, this.constant('int64', axes)], { dtype: x.dtype, shape });
  }

  /** Gather along `axis` (embedding lookup with axis 0). */
  gather(data: Value, indices: Value, axis = 0): Value {
    let shape: Dim[] | undefined;
    if (data.shape !== undefined && indices.shape !== undefined) {
      const a = axis < 0 ? axis + data.shape.length : axis;
      shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
    }
    return this.op1('Gather', [data, indices], { dtype: data.dtype, shape }, { axis: attr.int(axis) });
  }

  /** The runtime shape of `x` as a 1-D int64 value (optionally a [start, end) range of it). */
  shapeOf(x: Value, start?: number, end?: number): Value {
    const attributes: Record<string, Attribute> = {};
    if (start !== undefined) attributes['start'] = attr.int(start);
    if (end !== undefined) attributes['end'] = attr.int(end);
    const rank = x.shape?.length;
    const length = rank === undefined ? undefined : (end ?? rank) - (start ?? 0);
    return this.op1('Shape', [x], { dtype: 'int64', shape: [length ?? 'rank'] }, attributes);
  }

  /** Range(start, limit, delta) on scalar values of the same dtype. */
  range(start: Value, limit: Value, delta: Value): Value {
    return this.op1('Range', [start, limit, delta], { dtype: start.dtype, shape: ['range'] });
  }

  expand(x: Value, shape: Value, dims?: Shape): Value {
    return this.op1('Expand', [x, shape], { dtype: x.dtype, shape: dims });
  }
}

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
};

export function broadcastShapes(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (a === undefined || b === undefined) return undefined;
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === 1) out.push(db);
    else if (db === 1 || da === db) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number') throw new GraphError(`cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
    else out.push(typeof da === 'string' ? da : db);
  }
  return out;
}

function reducedShape(shape: Shape | undefined, axes: readonly number[], keepdims: boolean): Shape | undefined {
  if (shape === undefined) return undefined;
  const normalized = axes.map((a) => (a < 0 ? a + shape.length : a));
  const out: Dim[] = [];
  shape.forEach((dim, i) => {
    if (!normalized.includes(i)) out.push(dim);
    else if (keepdims) out.push(1);
  });
  return out;
}

function matmulShape(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (a === undefined || b === undefined || a.length < 2 || b.length < 2) return undefined;
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2));
  if (batch === undefined) return undefined;
  const k1 = a[a.length - 1];
  const k2 = b[b.length - 2];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw new GraphError(`MatMul: inner dims differ ([${a.join(',')}] x [${b.join(',')}])`);
  }
  return [...batch, a[a.length - 2]!, b[b.length - 1]!];
}

function reshapeShape(input: Shape | undefined, target: readonly number[]): Shape | undefined {
  const out: Dim[] = target.map((dim, i) => (dim === 0 ? (input?.[i] ?? `d${i}`) : dim));
  const inferred = out.indexOf(-1);
  if (inferred < 0) return out;
  if (input === undefined) return undefined;
  const known = input.every((d) => typeof d === 'number') && out.every((d, i) => i === inferred || typeof d === 'number');
  if (!known) {
    out[inferred] = 'inferred';
    return out;
  }
  const total = (input as number[]).reduce((p, d) => p * d, 1);
  const rest = out.reduce<number>((p, d, i) => (i === inferred ? p : p * (d as number)), 1);
  out[inferred] = total / rest;
  return out;
}
