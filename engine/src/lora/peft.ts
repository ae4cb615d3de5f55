/**
 * LoRA adapters in the Hugging Face PEFT format: adapter_config.json + adapter_model.safetensors with
 * tensors named base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight ([r, in]) and
 * ...lora_B.weight ([out, r]). Adapters are plain float32 tensors fed to the graph's LoRA inputs, so
 * they swap without reloading the model, and move both ways between Tunesmith and PEFT/vLLM.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bytesOf } from '../graph/ir';
import type { DecoderConfig } from '../model/config';
import { LORA_MODULES, type LoraModule, moduleName, moduleShape } from '../model/decoder';
import { readSafetensorsHeader, readTensorAsFloat32, type TensorToWrite, writeSafetensors } from '../model/safetensors';

export class AdapterError extends Error {}

export interface LoraModuleWeights {
  /** [rank, in], row-major. */
  a: Float32Array;
  /** [out, rank], row-major, unscaled (as stored by PEFT). */
  b: Float32Array;
  rank: number;
  /** alpha / r for this module (alpha / sqrt(r) with rsLoRA). */
  scale: number;
}

export interface LoraAdapter {
  /** The adapter_config.json content (kept whole so saving round-trips unknown keys). */
  peftConfig: Record<string, unknown>;
  /** Keyed by Hugging Face module name, e.g. model.layers.0.self_attn.q_proj. */
  modules: Map<string, LoraModuleWeights>;
}

const PEFT_PREFIX = 'base_model.model.';

/** Parses a module name into (layer, module) for the modules Tunesmith can adapt. */
export function parseModuleName(name: string): { layer: number; module: LoraModule } | undefined {
  const match = /^model\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)$/.exec(name);
  if (match === null || !(LORA_MODULES as readonly string[]).includes(match[2]!)) return undefined;
  const layer = Number(match[1]);
  const module = match[2] as LoraModule;
  return moduleName(layer, module) === name ? { layer, module } : undefined;
}

function patternValue(patterns: unknown, module: string): number | undefined {
  if (patterns === null || typeof patterns !== 'object') return undefined;
  for (const [key, value] of Object.entries(patterns as Record<string, unknown>)) {
    if (typeof value !== 'number') continue;
    if (module === key || module.endsWith(`.${key}`) || new RegExp(`(^|\\.)${key}$`).test(module)) return value;
  }
  return undefined;
}

/** Loads a PEFT LoRA adapter folder and checks it against the model it will be applied to. */
export function loadPeftAdapter(dir: string, config: DecoderConfig): LoraAdapter {
  const configFile = path.join(dir, 'adapter_config.json');
  const weightsFile = path.join(dir, 'adapter_model.safetensors');
  if (!fs.existsSync(configFile)) throw new AdapterError(`no adapter_config.json in ${dir}`);
  if (!fs.existsSync(weightsFile)) {
    const hasBin = fs.existsSync(path.join(dir, 'adapter_model.bin'));
    throw new AdapterError(`no adapter_model.safetensors in ${dir}${hasBin ? ' (adapter_model.bin is not supported: save with safe_serialization=True)' : ''}`);
  }
  let peftConfig: Record<string, unknown>;
  try {
    peftConfig = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterError(`${configFile}: not valid JSON (${(error as Error).message})`);
  }
  const peftType = peftConfig['peft_type'] ?? 'LORA';
  if (peftType !== 'LORA') throw new AdapterError(`${configFile}: peft_type ${String(peftType)} is not supported (only LORA)`);
  if (peftConfig['use_dora'] === true) throw new AdapterError(`${configFile}: DoRA adapters (use_dora) are not supported`);
  if (peftConfig['bias'] !== undefined && peftConfig['bias'] !== 'none') throw new AdapterError(`${configFile}: bias '${String(peftConfig['bias'])}' is not supported (only 'none')`);
  const modulesToSave = peftConfig['modules_to_save'];
  if (Array.isArray(modulesToSave) && modulesToSave.length > 0) {
    throw new AdapterError(`${configFile}: modules_to_save (${modulesToSave.join(', ')}) cannot be applied; Tunesmith applies LoRA to ${LORA_MODULES.join(', ')}`);
  }
  const targetModules = peftConfig['target_modules'];
  if (Array.isArray(targetModules)) {
    // Names as PEFT matches them: a module name or its last component(s).
    const unsupported = targetModules.filter(
      (target) => typeof target !== 'string' || !LORA_MODULES.some((module) => target === module || target.endsWith(`.${module}`)),
    );
    if (unsupported.length > 0) {
      throw new AdapterError(`${configFile}: target_modules ${unsupported.map(String).join(', ')} cannot be applied; Tunesmith applies LoRA to ${LORA_MODULES.join(', ')}`);
    }
  }
  const rank = typeof peftConfig['r'] === 'number' ? peftConfig['r'] : 8;
  const alpha = typeof peftConfig['lora_alpha'] === 'number' ? peftConfig['lora_alpha'] : rank;
  const rsLora = peftConfig['use_rslora'] === true;

  const grouped = new Map<string, { a?: Float32Array; b?: Float32Array; aShape?: readonly number[]; bShape?: readonly number[] }>();
  const unknown = new Set<string>();
  for (const [tensorName, location] of readSafetensorsHeader(weightsFile).tensors) {
    const match = /^(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[\w-]+)?\.weight$/.exec(tensorName);
    if (match === null) {
      unknown.add(tensorName.replace(/\.(weight|bias)$/, ''));
      continue;
    }
    const module = match[1]!;
    if (parseModuleName(module) === undefined) {
      unknown.add(module);
      continue;
    }
    const entry = grouped.get(module) ?? {};
    if (match[2] === 'A') {
      entry.a = readTensorAsFloat32(location);
      entry.aShape = location.shape;
    } else {
      entry.b = readTensorAsFloat32(location);
      entry.bShape = location.shape;
    }
    grouped.set(module, entry);
  }
  if (unknown.size > 0) {
    const names = [...unknown].slice(0, 5).join(', ');
    throw new AdapterError(
      `${weightsFile}: cannot apply tensors for ${names}${unknown.size > 5 ? ` and ${unknown.size - 5} more` : ''}; Tunesmith applies LoRA to ${LORA_MODULES.join(', ')} of model.layers.N`,
    );
  }
  const modules = new Map<string, LoraModuleWeights>();
  for (const [module, entry] of grouped) {
    if (entry.a === undefined || entry.b === undefined) throw new AdapterError(`${weightsFile}: ${module} has lora_${entry.a ? 'A' : 'B'} but not lora_${entry.a ? 'B' : 'A'}`);
    const parsed = parseModuleName(module)!;
    if (parsed.layer >= config.numLayers) throw new AdapterError(`${weightsFile}: ${module} is beyond the model's ${config.numLayers} layers`);
    const shape = moduleShape(config, parsed.module);
    const moduleRank = entry.aShape![0]!;
    if (entry.aShape![1] !== shape.in || entry.bShape![0] !== shape.out || entry.bShape![1] !== moduleRank) {
      throw new AdapterError(
        `${weightsFile}: ${module} has lora_A [${entry.aShape!.join(', ')}] and lora_B [${entry.bShape!.join(', ')}], but the model needs [r, ${shape.in}] and [${shape.out}, r]: was it trained for another base model?`,
      );
    }
    const moduleAlpha = patternValue(peftConfig['alpha_pattern'], module) ?? alpha;
    const scale = rsLora ? moduleAlpha / Math.sqrt(moduleRank) : moduleAlpha / moduleRank;
    modules.set(module, { a: entry.a, b: entry.b, rank: moduleRank, scale });
  }
  if (modules.size === 0) throw new AdapterError(`${weightsFile}: no LoRA tensors found`);
  return { peftConfig, modules };
}

/** Writes an adapter in the PEFT layout (atomically, file by file). */
export function savePeftAdapter(dir: string, adapter: LoraAdapter, baseModel?: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, TensorToWrite>();
  const targets = new Set<string>();
  for (const [module, weights] of adapter.modules) {
    const parsed = parseModuleName(module);
    if (parsed === undefined) throw new AdapterError(`cannot save LoRA weights for '${module}'`);
    targets.add(parsed.module);
    const inFeatures = weights.a.length / weights.rank;
    const outFeatures = weights.b.length / weights.rank;
    tensors.set(`${PEFT_PREFIX}${module}.lora_A.weight`, { dtype: 'float32', shape: [weights.rank, inFeatures], bytes: bytesOf(weights.a) });
    tensors.set(`${PEFT_PREFIX}${module}.lora_B.weight`, { dtype: 'float32', shape: [outFeatures, weights.rank], bytes: bytesOf(weights.b) });
  }
  const first = adapter.modules.values().next().value as LoraModuleWeights | undefined;
  const rank = typeof adapter.peftConfig['r'] === 'number' ? adapter.peftConfig['r'] : (first?.rank ?? 8);
  const peftConfig: Record<string, unknown> = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    r: rank,
    lora_alpha: first === undefined ? rank : first.scale * rank,
    lora_dropout: 0,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    modules_to_save: null,
    use_rslora: false,
    use_dora: false,
    rank_pattern: {},
    alpha_pattern: {},
    ...adapter.peftConfig,
    target_modules: [...targets].sort(),
  };
  if (baseModel !== undefined) peftConfig['base_model_name_or_path'] = baseModel;
  writeSafetensors(path.join(dir, 'adapter_model.safetensors'), tensors, { format: 'pt' });
  const configFile = path.join(dir, 'adapter_config.json');
  fs.writeFileSync(`${configFile}.tmp-${process.pid}`, `${JSON.stringify(peftConfig, null, 2)}\n`);
  fs.renameSync(`${configFile}.tmp-${process.pid}`, configFile);
}
