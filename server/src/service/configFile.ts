/**
 * The workspace config file (`tunesmith.json` or `.tunesmithrc.json`), shared by the editor and the
 * CLI, and LLaMA-Factory's dataset_info.json next to a dataset. Looked up from the dataset's folder
 * upwards, stopping at `stopAt` (the workspace root) when given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configFileNames } from './config';
import { baseName, hintFromDatasetInfo } from './datasetInfo';
import type { FormatHint } from './formats';

export interface LoadedConfigFile {
  path: string;
  /** Parsed content, or undefined when it does not parse (see `error`). */
  data: unknown;
  error?: string;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function findConfigFile(startFolder: string, stopAt?: string): LoadedConfigFile | undefined {
  let folder = path.resolve(startFolder);
  const stop = stopAt !== undefined ? path.resolve(stopAt) : undefined;
  for (;;) {
    for (const name of configFileNames) {
      const candidate = path.join(folder, name);
      const text = readText(candidate);
      if (text === undefined) continue;
      try {
        return { path: candidate, data: JSON.parse(text) };
      } catch (error) {
        return { path: candidate, data: undefined, error: `${candidate}: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
      }
    }
    const parent = path.dirname(folder);
    if (parent === folder || (stop !== undefined && folder === stop)) return undefined;
    folder = parent;
  }
}

/** The format hint from a dataset_info.json in the dataset's folder, if it lists the file. */
export function datasetInfoHint(datasetPath: string): FormatHint | undefined {
  const text = readText(path.join(path.dirname(datasetPath), 'dataset_info.json'));
  if (text === undefined) return undefined;
  return hintFromDatasetInfo(text, baseName(datasetPath));
}
