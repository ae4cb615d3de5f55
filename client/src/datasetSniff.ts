/**
 * Cheap, VS Code-free checks that decide whether a JSON file holds dataset records. They run on every
 * JSON document the editor opens, so they look only at the path and the first few characters.
 */
import * as path from 'node:path';
import { findConfigFile } from '../../server/src/service/configFile';
import { matchesGlob, usableDatasetGlobs } from '../../server/src/service/glob';

export { matchesGlob };

/** The `files` globs a config file (tunesmith.json) sets, with its folder: they are relative to it. */
export interface ConfigFileGlobs {
  folder: string;
  globs: readonly string[];
}

/** By folder: the nearest config file's globs (undefined: none sets `files`). Read once, until forgetConfigFiles(). */
const configGlobsByFolder = new Map<string, ConfigFileGlobs | undefined>();

/**
 * The `files` of the config file nearest above `folder` (as the server and the CLI find it), or
 * undefined when that file sets none (or there is none): then the `tunesmith.files` setting decides.
 */
export function configFileGlobs(folder: string): ConfigFileGlobs | undefined {
  if (configGlobsByFolder.has(folder)) return configGlobsByFolder.get(folder);
  const loaded = findConfigFile(folder);
  const files = (loaded?.data as { files?: unknown } | undefined)?.files;
  const found = loaded !== undefined && Array.isArray(files) && files.every((glob) => typeof glob === 'string') ? { folder: path.dirname(loaded.path), globs: usableDatasetGlobs(files) } : undefined;
  configGlobsByFolder.set(folder, found);
  return found;
}

/** A config file changed: its globs are read again. */
export function forgetConfigFiles(): void {
  configGlobsByFolder.clear();
}

/**
 * Whether a file on disk matches the `files` of its nearest config file (relative to that file's
 * folder); undefined when no config file sets `files`. The config file wins over the setting, as in the server.
 */
export function matchesConfigFileGlobs(filePath: string): boolean | undefined {
  const config = configFileGlobs(path.dirname(filePath));
  if (config === undefined) return undefined;
  const relative = path.relative(config.folder, filePath).split(path.sep).join('/');
  return config.globs.some((glob) => matchesGlob(relative, glob));
}

/** A config file's glob as a glob over absolute paths (forward slashes), for the language client's selector. */
export function configFileSelectorPattern(config: ConfigFileGlobs, glob: string): string {
  const folder = config.folder.split(path.sep).join('/').replace(/\/$/, '');
  return `${folder}/${glob}`;
}

/** How much of a document the content sniff reads. */
export const SNIFF_LENGTH = 4096;

/** File names that are JSON configuration, never datasets, whatever globs the user sets. */
const CONFIG_FILE_NAME = /^(package(-lock)?\.json|npm-shrinkwrap\.json|(ts|js)config(\..*)?\.json|composer\.json|bower\.json|\.?eslintrc\.json|\.prettierrc\.json|settings\.json|launch\.json|tasks\.json|extensions\.json|devcontainer\.json)$/i;

/** Folders whose JSON files are tool state or configuration. */
const EXCLUDED_FOLDERS = new Set(['.vscode', '.git', 'node_modules', '.devcontainer']);

/** True for JSON files that are configuration (package.json, tsconfig*.json, anything under .vscode ...). */
export function isExcludedJsonPath(filePath: string): boolean {
  const segments = filePath.split(/[\\/]/).filter((segment) => segment.length > 0);
  const fileName = segments.pop() ?? '';
  if (CONFIG_FILE_NAME.test(fileName)) return true;
  return segments.some((segment) => EXCLUDED_FOLDERS.has(segment));
}

/**
 * True when the text starts like one of the JSON dataset layouts the server reads: an array of
 * objects (`[ {`, ShareGPT and Alpaca files) or an empty array, a key holding such an array
 * (`{"data": [ {`, `{"version": "1.0", "train": [ {`, read with `field=` by Hugging Face datasets),
 * or JSON Lines in a .json file (an object on the first line and another object starting the next). Only the first characters count;
 * the file may still be invalid later, and the server stays silent on what is not a dataset. A lone
 * record (`{"messages": ...}`, `{"instruction": ...}`) counts too: the server lints it and says that a
 * dataset is an array of records.
 */
export function looksLikeDataset(head: string): boolean {
  const start = skipBlank(head, head.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (head[start] === '[') {
    const next = skipBlank(head, start + 1);
    return head[next] === '{' || head[next] === ']';
  }
  if (head[start] !== '{') return false;
  return startsRecordsUnderKey(head, start) || startsJsonLines(head, start) || startsRecord(head, start);
}

/** Keys a record starts with in the formats the server reads (a lone record: the server says to wrap it in an array). */
const RECORD_FIRST_KEYS = new Set(['messages', 'conversations', 'instruction', 'prompt', 'system', 'chosen', 'input', 'preferred_output']);

/** The plain key (no escapes) written at `index` and where its value starts, when a colon follows it. */
function keyAt(head: string, index: number): { key: string; valueStart: number } | undefined {
  if (head[index] !== '"') return undefined;
  const keyEnd = head.indexOf('"', index + 1);
  if (keyEnd < 0 || head.slice(index + 1, keyEnd).includes('\\')) return undefined;
  const colon = skipBlank(head, keyEnd + 1);
  return head[colon] === ':' ? { key: head.slice(index + 1, keyEnd), valueStart: skipBlank(head, colon + 1) } : undefined;
}

/** `{ "messages":` and the like: an object whose first key is a record's. */
function startsRecord(head: string, start: number): boolean {
  const first = keyAt(head, skipBlank(head, start + 1));
  return first !== undefined && RECORD_FIRST_KEYS.has(first.key);
}

/**
 * `{ "key": [ {` from `start` (the opening brace), after any keys with plain values: a file of splits
 * or with a header (`{"version": "1.0", "data": [ {`).
 */
function startsRecordsUnderKey(head: string, start: number): boolean {
  let index = skipBlank(head, start + 1);
  for (let member = keyAt(head, index); member !== undefined; member = keyAt(head, index)) {
    index = member.valueStart;
    if (head[index] === '[') return head[skipBlank(head, index + 1)] === '{';
    // A plain value (string, number, true, false, null) before the records: skip it and read the next key.
    const valueEnd = head[index] === '"' ? head.indexOf('"', index + 1) + 1 : plainValueEnd(head, index);
    if (valueEnd <= index) return false;
    index = skipBlank(head, valueEnd);
    if (head[index] !== ',') return false;
    index = skipBlank(head, index + 1);
  }
  return false;
}

/** The end of a number, true, false or null at `index` (`index` itself when there is none). */
function plainValueEnd(head: string, index: number): number {
  let end = index;
  while (end < head.length && /[-+.\w]/.test(head[end] ?? '')) end++;
  return end;
}

/** A first line that is one object, followed by a line that starts another. */
function startsJsonLines(head: string, start: number): boolean {
  const lineEnd = head.indexOf('\n', start);
  if (lineEnd < 0) return false;
  const firstLine = head.slice(start, lineEnd).trimEnd();
  if (!firstLine.endsWith('}')) return false;
  return head[skipBlank(head, lineEnd + 1)] === '{';
}

function skipBlank(text: string, from: number): number {
  let index = from;
  while (index < text.length && (text[index] === ' ' || text[index] === '\t' || text[index] === '\n' || text[index] === '\r')) {
    index += 1;
  }
  return index;
}

