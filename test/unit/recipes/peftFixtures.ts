/**
 * Test-only PEFT adapter writing, built independently of the engine's writer: its own safetensors
 * encoder (8-byte header length, JSON header padded to 8 bytes, raw little-endian data) and the
 * tensor names and adapter_config.json keys that Hugging Face PEFT writes.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FixtureTensor {
  name: string;
  dtype: 'F32' | 'BF16';
  shape: number[];
  values: Float32Array;
}

/** float32 -> bfloat16 bits, rounding to nearest even (as torch does). */
export function bfloat16Bits(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  const rounding = 0x7fff + ((bits >>> 16) & 1);
  return ((bits + rounding) >>> 16) & 0xffff;
}

/** The float32 value a bfloat16 stores. */
export function bfloat16Value(value: number): number {
  return new Float32Array(new Uint32Array([bfloat16Bits(value) << 16]).buffer)[0]!;
}

export function encodeSafetensors(tensors: readonly FixtureTensor[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    let bytes: Buffer;
    if (tensor.dtype === 'F32') {
      bytes = Buffer.alloc(tensor.values.length * 4);
      tensor.values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
    } else {
      bytes = Buffer.alloc(tensor.values.length * 2);
      tensor.values.forEach((value, index) => bytes.writeUInt16LE(bfloat16Bits(value), index * 2));
    }
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json, 'utf8'), ...chunks]);
}

/** adapter_config.json as PEFT (0.13+) writes it for a causal LM LoRA. */
export function peftAdapterConfig(options: { base: string | null; r: number; alpha: number; targets: string[]; rsLora?: boolean; alphaPattern?: Record<string, number> }): Record<string, unknown> {
  return {
    alpha_pattern: options.alphaPattern ?? {},
    auto_mapping: null,
    base_model_name_or_path: options.base,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: options.alpha,
    lora_dropout: 0.05,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: options.r,
    rank_pattern: {},
    revision: null,
    target_modules: options.targets,
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: options.rsLora ?? false,
  };
}

/** PEFT's saved tensor name for a module's A or B matrix (adapter name removed, as save_pretrained does). */
export function peftTensorName(module: string, matrix: 'A' | 'B'): string {
  return `base_model.model.${module}.lora_${matrix}.weight`;
}

export function writeAdapterFolder(dir: string, config: Record<string, unknown>, tensors: readonly FixtureTensor[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'adapter_config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(dir, 'adapter_model.safetensors'), encodeSafetensors(tensors));
}

/**
 * Lays an adapter folder out as the Hugging Face hub cache does: blobs named by their hash,
 * snapshots/REV/<file> as relative symlinks to them, and refs/main naming REV. Returns the entry folder.
 */
export function writeHubCacheEntry(hubRoot: string, repoId: string, sourceDir: string, revision: string): string {
  const entry = path.join(hubRoot, `models--${repoId.replace('/', '--')}`);
  const blobs = path.join(entry, 'blobs');
  const snapshot = path.join(entry, 'snapshots', revision);
  fs.mkdirSync(blobs, { recursive: true });
  fs.mkdirSync(snapshot, { recursive: true });
  fs.mkdirSync(path.join(entry, 'refs'), { recursive: true });
  for (const name of fs.readdirSync(sourceDir)) {
    const bytes = fs.readFileSync(path.join(sourceDir, name));
    const hash = crypto.createHash('sha256').update(bytes).digest('hex');
    fs.writeFileSync(path.join(blobs, hash), bytes);
    fs.symlinkSync(path.join('..', '..', 'blobs', hash), path.join(snapshot, name));
  }
  fs.writeFileSync(path.join(entry, 'refs', 'main'), revision);
  return entry;
}

/** A small deterministic generator (mulberry32) so fixtures do not depend on the engine's RNG. */
export function seededValues(seed: number, count: number, scale: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}
