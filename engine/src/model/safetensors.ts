/**
 * Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets: [begin, end]}} and the raw data. Reading only parses the header;
 * tensor bytes stay on disk and are referenced as external data (or read on demand).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BYTES_PER_ELEMENT, type DType, elementCount } from '../graph/ir';

const SAFETENSORS_DTYPES: Record<string, DType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};
const SAFETENSORS_NAMES: Record<DType, string> = Object.fromEntries(Object.entries(SAFETENSORS_DTYPES).map(([k, v]) => [v, k])) as Record<DType, string>;

export class SafetensorsError extends Error {}

/** Where one tensor's bytes are: `file` is the real path (symlinks resolved). */
export interface TensorLocation {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorLocation>;
  metadata: Record<string, string>;
}

/** Parses a safetensors file's header. `file` may be a symlink (Hugging Face cache); offsets refer to its target. */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const realFile = fs.realpathSync(file);
  const fd = fs.openSync(realFile, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const lengthBytes = Buffer.alloc(8);
    if (fs.readSync(fd, lengthBytes, 0, 8, 0) !== 8) throw new SafetensorsError(`${file}: too short to be a safetensors file`);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > size) {
      throw new SafetensorsError(`${file}: not a safetensors file (header length ${headerLength})`);
    }
    const headerBytes = Buffer.alloc(headerLength);
    fs.readSync(fd, headerBytes, 0, headerLength, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(headerBytes.toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new SafetensorsError(`${file}: header is not JSON (${(error as Error).message})`);
    }
    const dataStart = 8 + headerLength;
    const tensors = new Map<string, TensorLocation>();
    let metadata: Record<string, string> = {};
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') {
        metadata = (entry ?? {}) as Record<string, string>;
        continue;
      }
      const { dtype, shape, data_offsets: offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
      const mapped = SAFETENSORS_DTYPES[dtype];
      if (mapped === undefined) throw new SafetensorsError(`${file}: tensor '${name}' has unsupported dtype ${dtype}`);
      const length = offsets[1] - offsets[0];
      if (length !== elementCount(shape) * BYTES_PER_ELEMENT[mapped] || dataStart + offsets[1] > size) {
        throw new SafetensorsError(`${file}: tensor '${name}' has inconsistent offsets`);
      }
      tensors.set(name, { name, dtype: mapped, shape, file: realFile, offset: dataStart + offsets[0], length });
    }
    return { tensors, metadata };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads one tensor's raw bytes. */
export function readTensorBytes(location: TensorLocation): Buffer {
  const fd = fs.openSync(location.file, 'r');
  try {
    const bytes = Buffer.allocUnsafe(location.length);
    let done = 0;
    while (done < location.length) {
      const n = fs.readSync(fd, bytes, done, location.length - done, location.offset + done);
      if (n <= 0) throw new SafetensorsError(`${location.file}: unexpected end of file reading '${location.name}'`);
      done += n;
    }
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a tensor as float32 values, converting from bf16/fp16/fp64. */
export function readTensorAsFloat32(location: TensorLocation): Float32Array {
  return toFloat32(readTensorBytes(location), location.dtype);
}

export function toFloat32(bytes: Uint8Array, dtype: DType): Float32Array {
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : Uint8Array.from(bytes);
  switch (dtype) {
    case 'float32':
      return new Float32Array(aligned.buffer.slice(aligned.byteOffset, aligned.byteOffset + aligned.byteLength));
    case 'float64':
      return Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8));
    case 'bfloat16': {
      const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
      const words = new Uint32Array(halves.length);
      for (let i = 0; i < halves.length; i++) words[i] = halves[i]! << 16;
      return new Float32Array(words.buffer);
    }
    case 'float16': {
      const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
      const out = new Float32Array(halves.length);
      for (let i = 0; i < halves.length; i++) out[i] = halfToFloat(halves[i]!);
      return out;
    }
    default:
      throw new SafetensorsError(`cannot read ${dtype} tensor as float`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** float32 -> IEEE half bits (round to nearest even). */
export function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  let exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent >= 31) return sign | 0x7c00 | (((bits >>> 23) & 0xff) === 0xff && mantissa ? 0x200 : 0);
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    let half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (exponent << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** float32 -> bfloat16 bits (round to nearest even). */
export function floatToBfloat16(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  const rounding = 0x7fff + ((bits >>> 16) & 1);
  return ((bits + rounding) >>> 16) & 0xffff;
}

/** Converts float32 values to the raw bytes of `dtype` (float32, float16 or bfloat16). */
export function fromFloat32(values: Float32Array, dtype: DType): Uint8Array {
  if (dtype === 'float32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint16Array(values.length);
  const convert = dtype === 'bfloat16' ? floatToBfloat16 : dtype === 'float16' ? floatToHalf : undefined;
  if (convert === undefined) throw new SafetensorsError(`cannot write float values as ${dtype}`);
  for (let i = 0; i < values.length; i++) out[i] = convert(values[i]!);
  return new Uint8Array(out.buffer);
}

export interface TensorToWrite {
  dtype: DType;
  shape: readonly number[];
  bytes: Uint8Array;
}

/** Writes a safetensors file atomically (temp file + rename). Tensors are written in name order. */
export function writeSafetensors(file: string, tensors: Map<string, TensorToWrite>, metadata: Record<string, string> = {}): void {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const expected = elementCount(tensor.shape) * BYTES_PER_ELEMENT[tensor.dtype];
    if (tensor.bytes.length !== expected) throw new SafetensorsError(`tensor '${name}': ${tensor.bytes.length} bytes for shape [${tensor.shape.join(', ')}]`);
    header[name] = { dtype: SAFETENSORS_NAMES[tensor.dtype], shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.length] };
    offset += tensor.bytes.length;
  }
  let headerText = JSON.stringify(header);
  // Pad the header so tensor data starts 8-byte aligned, as the reference implementation does.
  headerText += ' '.repeat((8 - ((8 + Buffer.byteLength(headerText)) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(headerBytes.length));
  const temp = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, lengthBytes);
    fs.writeSync(fd, headerBytes);
    for (const name of names) fs.writeSync(fd, tensors.get(name)!.bytes);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}
