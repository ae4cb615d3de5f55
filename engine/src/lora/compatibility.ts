/**
 * Adapters trained elsewhere (Axolotl, LLaMA-Factory, TRL/PEFT): finding the adapter folder (a plain
 * output folder, its latest checkpoint-N, or the Hugging Face cache layout with symlinked blobs) and
 * checking it against the selected base model before any tensor is read: what it was trained on
 * (base_model_name_or_path), which modules it adapts, and every tensor's shape against config.json.
 * Each failure says what was found, what the model needs, and what to do.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DecoderConfig } from '../model/config';
import { LORA_MODULES, type LoraModule, moduleShape } from '../model/decoder';
import { readSafetensorsHeader, SafetensorsError } from '../model/safetensors';
import { AdapterError, type LoraAdapter, loadPeftAdapter, parseModuleName } from './peft';

export type CompatibilityProblem = 'not-found' | 'not-lora' | 'unsupported' | 'base-mismatch' | 'shape-mismatch';

export class AdapterCompatibilityError extends AdapterError {
  constructor(
    readonly problem: CompatibilityProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The selected base model, as the engine knows it. */
export interface BaseModelInfo {
  /** The folder its files were read from (a snapshot folder for the Hugging Face cache). */
  dir: string;
  rawConfig: Record<string, unknown>;
  config: DecoderConfig;
}

export interface CompatibilityReport {
  adapterDir: string;
  /** adapter_config.json's base_model_name_or_path, when written. */
  adapterBase: string | undefined;
  /** 'same': the names agree; 'unverified': one side has no name to compare; 'different': allowed by the caller. */
  base: 'same' | 'unverified' | 'different';
  /** The names the selected model is known by (Hugging Face id, config _name_or_path, folder). */
  modelNames: string[];
  rank: number;
  alpha: number;
  /** Adapted projections (q_proj, ...) and how many modules in all. */
  targetModules: LoraModule[];
  modules: number;
  /** Things the user should know that do not stop loading. */
  notes: string[];
}

export interface CompatibilityOptions {
  /** Load even when the adapter names another base model (shapes must still fit). */
  allowOtherBase?: boolean;
}

function hubCacheRoot(): string {
  return process.env['HF_HUB_CACHE'] ?? path.join(process.env['HF_HOME'] ?? path.join(os.homedir(), '.cache', 'huggingface'), 'hub');
}

/** org/name when `dir` lies in a Hugging Face cache entry (models--org--name/...). */
export function huggingFaceIdOf(dir: string): string | undefined {
  const parts = path.resolve(dir).split(path.sep);
  for (let index = parts.length - 1; index >= 0; index--) {
    const match = /^models--(.+?)--(.+)$/.exec(parts[index] ?? '');
    if (match !== null) return `${match[1]}/${match[2]}`;
  }
  return undefined;
}

function hasAdapter(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'adapter_config.json'));
}

function snapshotOf(entry: string): string | undefined {
  const snapshots = path.join(entry, 'snapshots');
  if (!fs.existsSync(snapshots)) return undefined;
  const ref = path.join(entry, 'refs', 'main');
  if (fs.existsSync(ref)) {
    const revision = fs.readFileSync(ref, 'utf8').trim();
    if (hasAdapter(path.join(snapshots, revision))) return path.join(snapshots, revision);
  }
  const revisions = fs.readdirSync(snapshots).filter((revision) => hasAdapter(path.join(snapshots, revision)));
  if (revisions.length === 1) return path.join(snapshots, revisions[0]!);
  if (revisions.length > 1) {
    throw new AdapterCompatibilityError('not-found', `${entry} holds several snapshots with an adapter (${revisions.join(', ')}) and no refs/main: choose one snapshot folder`);
  }
  return undefined;
}

/**
 * Finds the adapter folder for what the user gave: a folder with adapter_config.json; a trainer's
 * output folder without one at the top (its highest checkpoint-N is taken, with a note); a Hugging
 * Face cache entry (models--org--name: refs/main or the only snapshot); or 'org/name' in the cache.
 */
export function resolveAdapterDir(given: string): { dir: string; notes: string[] } {
  const absolute = path.resolve(given);
  const candidates = [absolute];
  if (/^[\w.-]+\/[\w.-]+$/.test(given) && !fs.existsSync(absolute)) candidates.push(path.join(hubCacheRoot(), `models--${given.replace('/', '--')}`));
  for (const candidate of candidates) {
    if (!fs.existsSync(candidate)) continue;
    if (hasAdapter(candidate)) return { dir: candidate, notes: [] };
    const snapshot = snapshotOf(candidate);
    if (snapshot !== undefined) return { dir: snapshot, notes: [] };
    if (fs.statSync(candidate).isDirectory()) {
      const checkpoints = fs
        .readdirSync(candidate)
        .map((name) => ({ name, step: /^checkpoint-(\d+)$/.exec(name)?.[1] }))
        .filter((entry): entry is { name: string; step: string } => entry.step !== undefined && hasAdapter(path.join(candidate, entry.name)))
        .sort((a, b) => Number(b.step) - Number(a.step));
      if (checkpoints.length > 0) {
        const latest = checkpoints[0]!;
        return { dir: path.join(candidate, latest.name), notes: [`${candidate} has no final adapter yet; using its latest checkpoint, ${latest.name}`] };
      }
    }
  }
  const hasBin = fs.existsSync(path.join(absolute, 'adapter_model.bin'));
  throw new AdapterCompatibilityError(
    'not-found',
    `no PEFT adapter at '${given}': expected a folder with adapter_config.json and adapter_model.safetensors${hasBin ? '' : ' (or a trainer output folder with checkpoint-N folders, or a Hugging Face cache entry models--org--name)'}`,
  );
}

/** Lower-case model name without organisation and without the quantisation suffixes trainers add. */
function comparableName(name: string): string {
  const last = name.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? name;
  return last
    .toLowerCase()
    .replace(/^models--.+?--/, '')
    .replace(/-(unsloth-)?bnb-4bit$|-bnb-8bit$|-4bit$|-8bit$|-awq$|-gptq(-int[48])?$/, '');
}

/** The names the selected model is known by: strong ones identify it; the folder name only hints. */
function modelNames(model: BaseModelInfo): { strong: string[]; weak: string[] } {
  const strong: string[] = [];
  const id = huggingFaceIdOf(model.dir);
  if (id !== undefined) strong.push(id);
  const nameOrPath = model.rawConfig['_name_or_path'];
  if (typeof nameOrPath === 'string' && nameOrPath.length > 0 && !strong.includes(nameOrPath)) strong.push(nameOrPath);
  return { strong, weak: [path.basename(model.dir)] };
}

function sameModel(adapterBase: string, model: BaseModelInfo, names: { strong: string[]; weak: string[] }): 'same' | 'different' | 'unknown' {
  // A local path that exists: compare the folders themselves (or the cache entries they lie in).
  const local = path.resolve(adapterBase);
  if (fs.existsSync(local)) {
    try {
      if (fs.realpathSync(local) === fs.realpathSync(model.dir)) return 'same';
    } catch {
      // unreadable: fall through to names
    }
    const localId = huggingFaceIdOf(local);
    if (localId !== undefined && names.strong.some((name) => comparableName(name) === comparableName(localId))) return 'same';
  }
  const wanted = comparableName(adapterBase);
  if ([...names.strong, ...names.weak].some((name) => comparableName(name) === wanted)) return 'same';
  return names.strong.length > 0 ? 'different' : 'unknown';
}

function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return undefined;
}

/**
 * Checks an adapter folder against the selected model without reading tensor data. Throws
 * AdapterCompatibilityError with a message for the user; returns what it found otherwise.
 */
export function checkAdapterCompatibility(adapterDir: string, model: BaseModelInfo, options: CompatibilityOptions = {}): CompatibilityReport {
  const configFile = path.join(adapterDir, 'adapter_config.json');
  const weightsFile = path.join(adapterDir, 'adapter_model.safetensors');
  if (!fs.existsSync(configFile)) throw new AdapterCompatibilityError('not-found', `no adapter_config.json in ${adapterDir}`);
  let peft: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    peft = parsed as Record<string, unknown>;
  } catch (error) {
    throw new AdapterCompatibilityError('not-lora', `${configFile}: not valid JSON (${(error as Error).message})`);
  }
  const notes: string[] = [];
  const peftType = peft['peft_type'] ?? 'LORA';
  if (peftType !== 'LORA') throw new AdapterCompatibilityError('not-lora', `${configFile}: peft_type is ${String(peftType)}; only LoRA adapters (peft_type LORA) can be previewed`);
  const taskType = peft['task_type'];
  if (taskType !== undefined && taskType !== null && taskType !== 'CAUSAL_LM') {
    throw new AdapterCompatibilityError('unsupported', `${configFile}: task_type ${String(taskType)} adapts a model with another head; only CAUSAL_LM adapters fit a chat model`);
  }
  if (peft['use_dora'] === true) throw new AdapterCompatibilityError('unsupported', `${configFile}: DoRA adapters (use_dora: true) are not supported; train with plain LoRA`);
  if (peft['fan_in_fan_out'] === true) throw new AdapterCompatibilityError('unsupported', `${configFile}: fan_in_fan_out adapters are for GPT-2 style Conv1D layers, not ${model.config.architecture}`);
  if (peft['bias'] !== undefined && peft['bias'] !== 'none') throw new AdapterCompatibilityError('unsupported', `${configFile}: bias '${String(peft['bias'])}' trains biases too; only bias 'none' is supported`);
  const modulesToSave = stringList(peft['modules_to_save']) ?? [];
  if (modulesToSave.length > 0) {
    throw new AdapterCompatibilityError(
      'unsupported',
      `${configFile}: modules_to_save (${modulesToSave.join(', ')}) replaces whole layers (usually after adding tokens); Tunesmith applies only LoRA to ${LORA_MODULES.join(', ')}. Train without lora_modules_to_save / additional_target, or merge the adapter instead.`,
    );
  }
  const targetModules = stringList(peft['target_modules']);
  if (targetModules !== undefined) {
    const outside = targetModules.filter((name) => {
      const last = name.split('.').pop() ?? name;
      return name !== 'all-linear' && !(LORA_MODULES as readonly string[]).includes(last);
    });
    if (outside.length > 0) {
      throw new AdapterCompatibilityError('unsupported', `${configFile}: target_modules includes ${outside.join(', ')}; Tunesmith applies LoRA to ${LORA_MODULES.join(', ')} of each decoder layer only`);
    }
  }
  if (!fs.existsSync(weightsFile)) {
    const hasBin = fs.existsSync(path.join(adapterDir, 'adapter_model.bin'));
    throw new AdapterCompatibilityError('not-found', `no adapter_model.safetensors in ${adapterDir}${hasBin ? ' (adapter_model.bin is a pickle; save with safe_serialization=True, the default of recent PEFT)' : ''}`);
  }

  // The base model it was trained on.
  const adapterBase = typeof peft['base_model_name_or_path'] === 'string' && peft['base_model_name_or_path'] !== '' ? (peft['base_model_name_or_path'] as string) : undefined;
  const names = modelNames(model);
  const shownModel = names.strong[0] ?? model.dir;
  let base: CompatibilityReport['base'] = 'unverified';
  let otherBase = false;
  if (adapterBase === undefined) {
    notes.push('adapter_config.json does not name its base model (base_model_name_or_path); only the shapes were checked');
  } else {
    const verdict = sameModel(adapterBase, model, names);
    if (verdict === 'same') base = 'same';
    else if (verdict === 'unknown') notes.push(`the adapter was trained on ${adapterBase}; the selected model (${model.dir}) carries no name to compare, so only the shapes were checked`);
    else if (options.allowOtherBase === true) {
      base = 'different';
      notes.push(`the adapter was trained on ${adapterBase}, not on the selected ${shownModel}; loaded anyway as asked`);
    } else otherBase = true;
  }

  // Every tensor: a known module of an existing layer, with the model's shapes.
  let header;
  try {
    header = readSafetensorsHeader(weightsFile);
  } catch (error) {
    throw new AdapterCompatibilityError('not-lora', error instanceof SafetensorsError ? error.message : `${weightsFile}: ${(error as Error).message}`);
  }
  const baseName = adapterBase ?? 'another model';
  const seen = new Map<string, { a?: readonly number[]; b?: readonly number[] }>();
  for (const [tensorName, location] of header.tensors) {
    const match = /^(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[\w-]+)?\.weight$/.exec(tensorName);
    if (match === null) {
      const what = /lora_embedding_[AB]/.test(tensorName) ? 'a LoRA on the token embeddings' : /lora_magnitude_vector/.test(tensorName) ? 'a DoRA magnitude vector' : 'not a LoRA A/B matrix of a projection';
      throw new AdapterCompatibilityError('unsupported', `${weightsFile}: tensor ${tensorName} is ${what}; Tunesmith applies LoRA to ${LORA_MODULES.join(', ')} of each decoder layer only`);
    }
    const moduleName = match[1]!;
    const parsed = parseModuleName(moduleName);
    if (parsed === undefined) {
      throw new AdapterCompatibilityError('unsupported', `${weightsFile}: ${moduleName} is not one of the projections Tunesmith adapts (${LORA_MODULES.join(', ')} of model.layers.N)`);
    }
    if (parsed.layer >= model.config.numLayers) {
      throw new AdapterCompatibilityError(
        'shape-mismatch',
        `${weightsFile}: ${moduleName} is in layer ${parsed.layer}, but the selected model ${shownModel} has ${model.config.numLayers} layers: the adapter was trained for ${baseName}, a deeper model`,
      );
    }
    const entry = seen.get(moduleName) ?? {};
    if (match[2] === 'A') entry.a = location.shape;
    else entry.b = location.shape;
    seen.set(moduleName, entry);
  }
  if (seen.size === 0) throw new AdapterCompatibilityError('not-lora', `${weightsFile}: no LoRA tensors`);
  let rank = 0;
  const targets = new Set<LoraModule>();
  for (const [moduleName, shapes] of seen) {
    if (shapes.a === undefined || shapes.b === undefined) throw new AdapterCompatibilityError('not-lora', `${weightsFile}: ${moduleName} has lora_${shapes.a ? 'A' : 'B'} but no lora_${shapes.a ? 'B' : 'A'}`);
    const parsed = parseModuleName(moduleName)!;
    const need = moduleShape(model.config, parsed.module);
    const [r, inFeatures] = shapes.a as [number, number];
    const [outFeatures, rB] = shapes.b as [number, number];
    if (shapes.a.length !== 2 || shapes.b.length !== 2 || inFeatures !== need.in || outFeatures !== need.out || rB !== r) {
      throw new AdapterCompatibilityError(
        'shape-mismatch',
        `${moduleName}: the adapter's lora_A is [${shapes.a.join(', ')}] and lora_B [${shapes.b.join(', ')}], but ${shownModel} needs [r, ${need.in}] and [${need.out}, r]. ` +
          `The adapter was trained for ${baseName}, a model of another size: select that base model.`,
      );
    }
    rank = Math.max(rank, r);
    targets.add(parsed.module);
  }
  // Names differ but shapes fit (e.g. base vs instruct): refuse unless asked, since the weights it
  // learned against are not these. (Shape errors come first: they are the more definite answer.)
  if (otherBase) {
    throw new AdapterCompatibilityError(
      'base-mismatch',
      `the adapter was trained on ${adapterBase} (base_model_name_or_path in adapter_config.json), but the selected model is ${names.strong.join(' / ')}. ` +
        'Its shapes fit, so it would load, but it learned its changes against other weights: select that base model, or load it anyway if the two share weights.',
    );
  }
  const configRank = typeof peft['r'] === 'number' ? peft['r'] : rank;
  return {
    adapterDir,
    adapterBase,
    base,
    modelNames: [...names.strong, ...names.weak],
    rank: configRank,
    alpha: typeof peft['lora_alpha'] === 'number' ? peft['lora_alpha'] : configRank,
    targetModules: LORA_MODULES.filter((module) => targets.has(module)),
    modules: seen.size,
    notes,
  };
}

/** Finds, checks and loads an adapter trained elsewhere for the selected model. */
export function loadCompatibleAdapter(given: string, model: BaseModelInfo, options: CompatibilityOptions = {}): { adapter: LoraAdapter; report: CompatibilityReport } {
  const { dir, notes } = resolveAdapterDir(given);
  const report = checkAdapterCompatibility(dir, model, options);
  report.notes.unshift(...notes);
  return { adapter: loadPeftAdapter(dir, model.config), report };
}
