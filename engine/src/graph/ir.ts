/**
 * The typed op IR that every Tunesmith graph is built in: values with dtypes and (where known) shapes,
 * nodes with an op type, named inputs/outputs and typed attributes, and initializers whose bytes are
 * either inline or external (a byte range of a file, e.g. inside a .safetensors file).
 *
 * The IR is deliberately plain data so that other passes (the ONNX emitter, and the training issue's
 * reverse-mode autodiff) can walk `graph.nodes` in order and add nodes with the same builder.
 */

export type DType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** A dimension: a number, or a symbolic name such as 'batch' or 'past_sequence'. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** A named tensor in the graph. `shape` is undefined when the builder could not infer it. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape | undefined;
}

export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'tensor'; readonly value: InlineTensor };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  tensor: (value: InlineTensor): Attribute => ({ kind: 'tensor', value }),
};

export interface Node {
  readonly op: string;
  /** '' is the default ONNX domain; 'com.microsoft' for onnxruntime's contrib ops. */
  readonly domain: string;
  readonly name: string;
  /** Value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

export interface InlineTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Little-endian raw bytes, as ONNX raw_data. */
  readonly bytes: Uint8Array;
}

/** A byte range of a file on disk holding the tensor's raw little-endian data. */
export interface ExternalTensorData {
  /** Absolute path, symlinks resolved. */
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

export interface Initializer {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: { readonly kind: 'inline'; readonly bytes: Uint8Array } | ({ readonly kind: 'external' } & ExternalTensorData);
}

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Raw little-endian bytes of a typed array, without copying. */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}
