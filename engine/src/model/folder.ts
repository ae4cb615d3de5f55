/**
 * Finding and reading a Hugging Face model folder: a plain folder (config.json, model.safetensors or
 * sharded with model.safetensors.index.json, tokenizer.json, tokenizer_config.json,
 * generation_config.json), or the Hugging Face cache layout models--org--name/snapshots/REV/ whose
 * files are symlinks into ../../blobs. Weight files are only indexed here; bytes stay on disk.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type DecoderConfig, parseDecoderConfig } from './config';
import { readSafetensorsHeader, type TensorLocation } from './safetensors';

export class ModelFolderError extends Error {}

export interface GenerationDefaults {
  eosTokenIds: number[];
  bosTokenId: number | undefined;
  padTokenId: number | undefined;
  temperature: number | undefined;
  topK: number | undefined;
  topP: number | undefined;
  repetitionPenalty: number | undefined;
}

export interface ModelFolder {
  /** The folder the files were read from (a snapshot folder for the HF cache). */
  dir: string;
  rawConfig: Record<string, unknown>;
  config: DecoderConfig;
  /** Every tensor of every weight file, by name. */
  tensors: Map<string, TensorLocation>;
  weightFiles: string[];
  weightBytes: number;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  generation: GenerationDefaults;
}

/**
 * Resolves what the user gave to a folder holding config.json: the folder itself; a Hugging Face
 * cache entry (models--org--name, taking refs/main or the only snapshot); or 'org/name' looked up
 * in the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub).
 */
export function resolveModelDir(given: string): string {
  const candidates: string[] = [path.resolve(given)];
  if (/^[\w.-]+\/[\w.-]+$/.test(given) && !fs.existsSync(given)) {
    const cacheRoot = process.env['HF_HUB_CACHE'] ?? path.join(process.env['HF_HOME'] ?? path.join(os.homedir(), '.cache', 'huggingface'), 'hub');
    candidates.push(path.join(cacheRoot, `models--${given.replace('/', '--')}`));
  }
  for (const candidate of candidates) {
    if (fs.existsSync(path.join(candidate, 'config.json'))) return candidate;
    const snapshots = path.join(candidate, 'snapshots');
    if (fs.existsSync(snapshots)) {
      const ref = path.join(candidate, 'refs', 'main');
      if (fs.existsSync(ref)) {
        const revision = fs.readFileSync(ref, 'utf8').trim();
        if (fs.existsSync(path.join(snapshots, revision, 'config.json'))) return path.join(snapshots, revision);
      }
      const revisions = fs.readdirSync(snapshots).filter((rev) => fs.existsSync(path.join(snapshots, rev, 'config.json')));
      if (revisions.length === 1) return path.join(snapshots, revisions[0]!);
      if (revisions.length > 1) {
        throw new ModelFolderError(`${candidate} holds several snapshots (${revisions.join(', ')}) and no refs/main; pass one snapshot folder`);
      }
    }
  }
  throw new ModelFolderError(`no model at '${given}': expected a folder with config.json (or a Hugging Face cache entry models--org--name)`);
}

function readJson(file: string, required: boolean): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) {
    if (required) throw new ModelFolderError(`missing ${path.basename(file)} in ${path.dirname(file)}`);
    return undefined;
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ModelFolderError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** The weight files of a folder: the shards named by model.safetensors.index.json, or model.safetensors. */
export function listWeightFiles(dir: string): string[] {
  const index = readJson(path.join(dir, 'model.safetensors.index.json'), false);
  if (index !== undefined) {
    const map = index['weight_map'] as Record<string, string> | undefined;
    if (map === undefined) throw new ModelFolderError(`${dir}/model.safetensors.index.json has no weight_map`);
    const files = [...new Set(Object.values(map))].map((file) => path.join(dir, file));
    for (const file of files) if (!fs.existsSync(file)) throw new ModelFolderError(`shard ${path.basename(file)} listed in the index is missing from ${dir}`);
    return files;
  }
  const single = path.join(dir, 'model.safetensors');
  if (fs.existsSync(single)) return [single];
  const others = fs.readdirSync(dir).filter((name) => name.endsWith('.safetensors') && !name.startsWith('adapter_'));
  if (others.length > 0) return others.sort().map((name) => path.join(dir, name));
  const hasBin = fs.readdirSync(dir).some((name) => name.endsWith('.bin') || name.endsWith('.pt'));
  throw new ModelFolderError(
    `no .safetensors weights in ${dir}${hasBin ? ' (PyTorch .bin checkpoints are not supported: convert them to safetensors)' : ''}`,
  );
}

export function loadModelFolder(given: string): ModelFolder {
  const dir = resolveModelDir(given);
  const rawConfig = readJson(path.join(dir, 'config.json'), true)!;
  const config = parseDecoderConfig(rawConfig, path.join(dir, 'config.json'));
  const weightFiles = listWeightFiles(dir);
  const tensors = new Map<string, TensorLocation>();
  let weightBytes = 0;
  for (const file of weightFiles) {
    for (const [name, location] of readSafetensorsHeader(file).tensors) {
      tensors.set(name, location);
      weightBytes += location.length;
    }
  }
  const tokenizerJson = readJson(path.join(dir, 'tokenizer.json'), true)!;
  const tokenizerConfig = readJson(path.join(dir, 'tokenizer_config.json'), false) ?? {};
  const generationConfig = readJson(path.join(dir, 'generation_config.json'), false) ?? {};
  return { dir, rawConfig, config, tensors, weightFiles, weightBytes, tokenizerJson, tokenizerConfig, generation: generationDefaults(generationConfig, rawConfig) };
}

function idList(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

function generationDefaults(generation: Record<string, unknown>, config: Record<string, unknown>): GenerationDefaults {
  const num = (key: string): number | undefined => (typeof generation[key] === 'number' ? (generation[key] as number) : undefined);
  const eos = idList(generation['eos_token_id']);
  return {
    eosTokenIds: eos.length > 0 ? eos : idList(config['eos_token_id']),
    bosTokenId: idList(generation['bos_token_id'] ?? config['bos_token_id'])[0],
    padTokenId: idList(generation['pad_token_id'] ?? config['pad_token_id'])[0],
    temperature: generation['do_sample'] === false ? 0 : num('temperature'),
    topK: num('top_k'),
    topP: num('top_p'),
    repetitionPenalty: num('repetition_penalty'),
  };
}
