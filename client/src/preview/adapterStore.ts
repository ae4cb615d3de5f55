/**
 * Where the preview keeps the adapters it trains: one folder per dataset under the extension's global
 * storage, one sub-folder per run (the PEFT adapter, the trainer's checkpoint, and a small
 * tunesmith-run.json), so earlier adapters of a dataset can be listed for A/B comparison. No vscode.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PreviewAdapterSummary } from '../../../protocol/messages';

export const runInfoFileName = 'tunesmith-run.json';
const adapterFiles = ['adapter_config.json', 'adapter_model.safetensors'] as const;

export interface RunInfo {
  dataset: string;
  model: string;
  createdAt: string;
  steps: number;
  finalLoss: number | null;
  finalEvalLoss: number | null;
  seconds: number;
}

/** A stable folder name for a dataset file: readable name plus a hash of its full path. */
export function datasetKey(datasetPath: string): string {
  const name = path.basename(datasetPath).replace(/[^\w.-]+/g, '_').slice(0, 60);
  const hash = crypto.createHash('sha256').update(path.resolve(datasetPath)).digest('hex').slice(0, 10);
  return `${name}-${hash}`;
}

export function datasetAdaptersFolder(storageRoot: string, datasetPath: string): string {
  return path.join(storageRoot, 'adapters', datasetKey(datasetPath));
}

/** A new run folder name that sorts by time: 2026-11-22T21-05-03. */
export function runFolderName(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
}

export function isAdapterFolder(folder: string): boolean {
  return adapterFiles.every((file) => fs.existsSync(path.join(folder, file)));
}

function readRunInfo(folder: string): Partial<RunInfo> {
  try {
    return JSON.parse(fs.readFileSync(path.join(folder, runInfoFileName), 'utf8')) as Partial<RunInfo>;
  } catch {
    return {};
  }
}

export function summarizeAdapter(folder: string, fallbackName?: string): PreviewAdapterSummary {
  const info = readRunInfo(folder);
  let createdAt = info.createdAt;
  if (createdAt === undefined) {
    try {
      createdAt = fs.statSync(path.join(folder, 'adapter_model.safetensors')).mtime.toISOString();
    } catch {
      createdAt = undefined;
    }
  }
  return {
    path: folder,
    name: fallbackName ?? path.basename(folder),
    createdAt,
    steps: info.steps,
    finalLoss: info.finalLoss ?? undefined,
  };
}

/** Adapters trained for this dataset, newest first. */
export function listDatasetAdapters(storageRoot: string, datasetPath: string): PreviewAdapterSummary[] {
  const folder = datasetAdaptersFolder(storageRoot, datasetPath);
  let entries: string[];
  try {
    entries = fs.readdirSync(folder);
  } catch {
    return [];
  }
  return entries
    .map((entry) => path.join(folder, entry))
    .filter(isAdapterFolder)
    .map((run) => summarizeAdapter(run))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

/** The newest run of this dataset that stopped before its adapter was written but left a checkpoint. */
export function unfinishedRun(storageRoot: string, datasetPath: string, checkpointFile: string): string | undefined {
  const folder = datasetAdaptersFolder(storageRoot, datasetPath);
  let entries: string[];
  try {
    entries = fs.readdirSync(folder).sort().reverse();
  } catch {
    return undefined;
  }
  const newest = entries.map((entry) => path.join(folder, entry)).find((run) => fs.statSync(run).isDirectory());
  if (newest === undefined || isAdapterFolder(newest)) return undefined;
  return fs.existsSync(path.join(newest, checkpointFile)) ? newest : undefined;
}

function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, target);
}

export function writeRunInfo(folder: string, info: RunInfo): void {
  writeFileAtomic(path.join(folder, runInfoFileName), `${JSON.stringify(info, null, 2)}\n`);
}

/** Copies the PEFT files of an adapter to `destination` (each written atomically), for use elsewhere. */
export function exportAdapter(source: string, destination: string): string[] {
  if (!isAdapterFolder(source)) throw new Error(`${source} is not a PEFT adapter folder (adapter_config.json and adapter_model.safetensors)`);
  fs.mkdirSync(destination, { recursive: true });
  const written: string[] = [];
  for (const file of [...adapterFiles, runInfoFileName]) {
    const from = path.join(source, file);
    if (!fs.existsSync(from)) continue;
    const to = path.join(destination, file);
    writeFileAtomic(to, fs.readFileSync(from));
    written.push(to);
  }
  return written;
}
