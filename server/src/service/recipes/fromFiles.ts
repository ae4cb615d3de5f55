/**
 * Reading what a recipe needs from disk (the CLI and the extension command go through here): the
 * dataset files, parsed and analysed by the same language service as the linter (dataset_info.json
 * and the workspace config honoured), and the model folder's config.json. No vscode, no LSP.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveSettings } from '../config';
import { datasetInfoHint, findConfigFile } from '../configFile';
import { DatasetDocument } from '../document';
import { buildFacts } from '../linter';
import { modelTokenCounter } from '../modelTokens';
import { fileKindOf } from '../session';
import { estimatingCounter, type TokenCounter } from '../tokens';
import { describeDataset } from './describe';
import { type RecipeDataset, RecipeError, type RecipeModel } from './types';

/** org/name when `dir` lies in the Hugging Face cache (models--org--name/snapshots/REV). */
export function huggingFaceIdOf(dir: string): string | undefined {
  const parts = path.resolve(dir).split(path.sep);
  for (let index = parts.length - 1; index >= 0; index--) {
    const match = /^models--([^-].*?)--(.+)$/.exec(parts[index] ?? '');
    if (match !== null) return `${match[1]}/${match[2]}`;
  }
  return undefined;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A model folder with config.json: itself, or the snapshot refs/main names in a cache entry. */
function modelFolder(given: string): string | undefined {
  const absolute = path.resolve(given);
  if (fs.existsSync(path.join(absolute, 'config.json'))) return absolute;
  const snapshots = path.join(absolute, 'snapshots');
  if (!fs.existsSync(snapshots)) return undefined;
  const ref = path.join(absolute, 'refs', 'main');
  const revision = fs.existsSync(ref) ? fs.readFileSync(ref, 'utf8').trim() : undefined;
  if (revision !== undefined && fs.existsSync(path.join(snapshots, revision, 'config.json'))) return path.join(snapshots, revision);
  const revisions = fs.readdirSync(snapshots).filter((name) => fs.existsSync(path.join(snapshots, name, 'config.json')));
  return revisions.length === 1 ? path.join(snapshots, revisions[0]!) : undefined;
}

/**
 * The model as a recipe names it: a Hugging Face id stays as given; a local folder becomes its
 * Hugging Face id when it lies in the cache, else its absolute path. `folder` is set when local.
 */
export function recipeModel(given: string): { model: RecipeModel; folder: string | undefined } {
  const folder = modelFolder(given);
  if (folder === undefined) {
    if (/^[\w.-]+\/[\w.-]+$/.test(given)) return { model: { nameOrPath: given, architecture: undefined, maxPositionEmbeddings: undefined }, folder: undefined };
    throw new RecipeError(`no model at '${given}': give a Hugging Face id (org/name) or a model folder with config.json`);
  }
  const config = readJson(path.join(folder, 'config.json')) ?? {};
  const architectures = config['architectures'];
  const maxPositions = config['max_position_embeddings'];
  return {
    model: {
      nameOrPath: huggingFaceIdOf(folder) ?? folder,
      architecture: Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : undefined,
      maxPositionEmbeddings: typeof maxPositions === 'number' && maxPositions > 0 ? maxPositions : undefined,
    },
    folder,
  };
}

function datasetName(file: string, taken: Set<string>): string {
  const stem = path.basename(file).replace(/\.(jsonl|ndjson|json)$/i, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'dataset';
  let name = stem;
  for (let suffix = 2; taken.has(name); suffix++) name = `${stem}_${suffix}`;
  taken.add(name);
  return name;
}

export interface LoadRecipeDatasetsOptions {
  /** The recipe folder: dataset paths in the recipe are written relative to it. */
  recipeDir: string;
  /** A local model folder for exact token counts (else counts are estimated). */
  modelFolder?: string;
  /** Working folder for the workspace config file lookup. */
  cwd?: string;
}

/** Reads and analyses dataset files for a recipe; warnings are for the user (not fatal). */
export async function loadRecipeDatasets(files: readonly string[], options: LoadRecipeDatasetsOptions): Promise<{ datasets: RecipeDataset[]; warnings: string[] }> {
  const warnings: string[] = [];
  const config = findConfigFile(options.cwd ?? process.cwd());
  if (config?.error !== undefined) warnings.push(config.error);
  const { settings, warnings: settingWarnings } = resolveSettings(config?.data);
  warnings.push(...settingWarnings);
  let tokens: TokenCounter = estimatingCounter;
  if (options.modelFolder !== undefined) {
    const counter = await modelTokenCounter(options.modelFolder);
    if (counter.ok) tokens = counter.counter;
    else warnings.push(`token counts are estimated: model: ${counter.error}`);
  }
  const taken = new Set<string>();
  const datasets: RecipeDataset[] = [];
  for (const given of files) {
    const file = path.resolve(options.cwd ?? process.cwd(), given);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: false }).decode(fs.readFileSync(file));
    } catch (error) {
      throw new RecipeError(`cannot read ${given}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const document = DatasetDocument.parse(text, fileKindOf(file));
    if (!document.isDataset) throw new RecipeError(`${given} is not a dataset file (a JSON array of records or JSON Lines)`);
    const hint = datasetInfoHint(file);
    const facts = buildFacts(document, file, settings, { tokens, ...(hint !== undefined ? { hint } : {}) });
    const relative = path.relative(path.resolve(options.recipeDir), file).split(path.sep).join('/');
    datasets.push(describeDataset(document, facts, { path: relative, name: datasetName(file, taken) }));
  }
  return { datasets, warnings };
}
