/**
 * Models the user can pick: the built-in tiny demo model, models in the Hugging Face cache, and any
 * folder. Each is checked the way the engine will read it (config, architecture, weights, tokenizer),
 * so an unsupported model is listed with the reason instead of failing later. No vscode import.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDecoderConfig } from '../../../engine/src/model/config';
import { listWeightFiles, resolveModelDir } from '../../../engine/src/model/folder';

export interface ModelCandidate {
  /** What the quick pick shows: 'HuggingFaceTB/SmolLM2-135M-Instruct', a folder name... */
  name: string;
  /** The folder to load (a snapshot folder for cache entries). */
  path: string;
  architecture: string | undefined;
  /** Why the engine cannot load it; undefined when it can. */
  unsupportedReason: string | undefined;
  /** Approximate size of the weights on disk, bytes. */
  weightBytes: number;
}

/** The Hugging Face hub cache folder, honouring HF_HUB_CACHE and HF_HOME like huggingface_hub does. */
export function huggingFaceHubFolder(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const hubCache = env['HF_HUB_CACHE'];
  if (hubCache !== undefined && hubCache !== '') return hubCache;
  const hfHome = env['HF_HOME'];
  return path.join(hfHome !== undefined && hfHome !== '' ? hfHome : path.join(home, '.cache', 'huggingface'), 'hub');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Checks a model folder the way the engine reads it; never throws. */
export function inspectModelFolder(folder: string, name: string = path.basename(folder)): ModelCandidate {
  const candidate: ModelCandidate = { name, path: folder, architecture: undefined, unsupportedReason: undefined, weightBytes: 0 };
  let resolved: string;
  try {
    resolved = resolveModelDir(folder);
  } catch (error) {
    return { ...candidate, unsupportedReason: errorText(error) };
  }
  candidate.path = resolved;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(resolved, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    return { ...candidate, unsupportedReason: `config.json cannot be read: ${errorText(error)}` };
  }
  const architectures = raw['architectures'];
  candidate.architecture = Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : undefined;
  try {
    parseDecoderConfig(raw as Parameters<typeof parseDecoderConfig>[0], path.join(resolved, 'config.json'));
  } catch (error) {
    return { ...candidate, unsupportedReason: errorText(error) };
  }
  try {
    const files = listWeightFiles(resolved);
    candidate.weightBytes = files.reduce((total, file) => total + fs.statSync(file).size, 0);
  } catch (error) {
    return { ...candidate, unsupportedReason: errorText(error) };
  }
  if (!fs.existsSync(path.join(resolved, 'tokenizer.json'))) {
    return { ...candidate, unsupportedReason: 'no tokenizer.json (the fast tokenizer file) in the folder' };
  }
  return candidate;
}

/** Every model in the Hugging Face cache, supported ones first, each with its reason when unsupported. */
export function listCachedModels(hubFolder: string = huggingFaceHubFolder()): ModelCandidate[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(hubFolder).filter((entry) => entry.startsWith('models--'));
  } catch {
    return [];
  }
  const models = entries.map((entry) => {
    const name = entry.slice('models--'.length).replace('--', '/');
    return inspectModelFolder(path.join(hubFolder, entry), name);
  });
  return models.sort((a, b) => Number(a.unsupportedReason !== undefined) - Number(b.unsupportedReason !== undefined) || a.name.localeCompare(b.name));
}

export interface ModelChoiceSources {
  /** The user's own pick with Select Model (kept in the extension's global state). */
  picked: string | undefined;
  /** `tunesmith.model` as the workspace (or its folder) sets it. */
  workspaceValue: string | null | undefined;
  /** `tunesmith.model` in the user's settings. */
  userValue: string | null | undefined;
  trusted: boolean;
  workspaceFolder: string | undefined;
}

/**
 * The model the preview uses: the user's pick, else `tunesmith.model`. In restricted mode a model the
 * workspace names is not used (only the user's own setting), so opening a folder never loads its model.
 */
export function chooseModel(sources: ModelChoiceSources): string | undefined {
  if (sources.picked !== undefined && sources.picked !== '') return sources.picked;
  const value = sources.trusted ? (sources.workspaceValue ?? sources.userValue) : sources.userValue;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return path.isAbsolute(value) || sources.workspaceFolder === undefined ? value : path.join(sources.workspaceFolder, value);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}
