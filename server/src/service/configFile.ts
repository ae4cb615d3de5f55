/**
 * The workspace config file (`tunesmith.json` or `.tunesmithrc.json`), shared by the editor and the
 * CLI, and LLaMA-Factory's dataset_info.json next to a dataset. Looked up from the dataset's folder
 * upwards to the repository root (the first folder with a `.git`), or to the filesystem root outside
 * a repository: the same boundary for the editor (whatever folder it opened) and the CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configFileNames, setLayerSource } from './config';
import { baseName, datasetInfoEntry, datasetInfoEntryKeys, hintFromEntry } from './datasetInfo';
import { closest, defaultMapping, roleContentMapping } from './formats';
import type { FormatHint } from './formats';
import { findJsonSyntaxError, lineAndColumn, locatePath, type JsonPath } from './json/scanner';
import { duplicateKeyRanges } from './rules/duplicate-key';

export interface LoadedConfigFile {
  path: string;
  /** Parsed content (an object), or undefined when it does not parse or is not an object (see `error`). */
  data: unknown;
  /** Why the whole file was ignored, starting with `file:line:column:`. */
  error?: string;
  /** A second config file beside it, which is not read (said, rather than ignored silently). */
  ignored?: string;
}

/** `file:line:column` (1-based; columns in UTF-16 code units, as editors count) of an offset in `text`. */
export function describeOffset(file: string, text: string, offset: number): string {
  const { line, column } = lineAndColumn(text, offset);
  return `${file}:${line}:${column}`;
}

/**
 * Parses a config file's text. Its entries' locations are attached to the parsed object, so
 * resolveSettings() can say where a malformed entry is.
 */
export function parseConfigText(file: string, rawText: string): LoadedConfigFile {
  // A BOM is common in files written by Windows editors; JSON.parse rejects it, and editors do not count it as a column.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const syntax = findJsonSyntaxError(text);
    const where = describeOffset(file, text, syntax?.offset ?? 0);
    return { path: file, data: undefined, error: `${where}: not valid JSON: ${syntax?.message ?? (error instanceof Error ? error.message : String(error))}.` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const where = describeOffset(file, text, text.length - text.trimStart().length);
    return { path: file, data: undefined, error: `${where}: expected an object of settings such as { "rules": { ... }, "maxTokens": 4096 }, got ${Array.isArray(data) ? 'an array' : JSON.stringify(data)}.` };
  }
  // A key written twice (two severities for one rule): JSON.parse keeps the last without a word.
  const notes = duplicateKeyRanges(text, 20).map(({ start, end }) => `${describeOffset(file, text, start)}: ${text.slice(start, end)} is written twice in this object; the last one is used. Remove the other.`);
  setLayerSource(data, {
    file,
    notes,
    locate(path: JsonPath, part: 'key' | 'value' = 'value'): string | undefined {
      const node = locatePath(text, path);
      return node === null ? undefined : describeOffset(file, text, (part === 'key' ? (node.key ?? node.value) : node.value).start);
    },
  });
  return { path: file, data };
}

/** A file's text; undefined when there is no such file; why not when it is there but cannot be read (no permission, a folder). */
function readText(file: string): string | { unreadable: string } | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return { unreadable: `${file}: cannot be read (${code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' || code === 'EPERM' ? 'no permission to read it' : error instanceof Error ? error.message : String(error)}).` };
  }
}

/** A folder with `.git` (a folder, or a file in a worktree or submodule): a config file above it belongs to another project. */
function isRepositoryRoot(folder: string): boolean {
  return fs.existsSync(path.join(folder, '.git'));
}

/**
 * The config file nearest above `startFolder`, up to the repository root. Not up to the workspace
 * folder: a monorepo's subfolder opened in the editor gets the monorepo's config file, as
 * `tunesmith lint` run in that subfolder does.
 */
export function findConfigFile(startFolder: string): LoadedConfigFile | undefined {
  let folder = path.resolve(startFolder);
  for (;;) {
    for (const [index, name] of configFileNames.entries()) {
      const candidate = path.join(folder, name);
      const text = readText(candidate);
      if (text === undefined) continue;
      // The nearest config file applies, readable or not: one further up would apply settings this folder overrides.
      const loaded = typeof text === 'string' ? parseConfigText(candidate, text) : { path: candidate, data: undefined, error: text.unreadable };
      const other = configFileNames.slice(index + 1).map((otherName) => path.join(folder, otherName)).find((file) => fs.existsSync(file));
      if (other !== undefined) loaded.ignored = `${other} is ignored: ${candidate} beside it is used (one config file per folder; merge them into ${name})`;
      return loaded;
    }
    const parent = path.dirname(folder);
    if (parent === folder || isRepositoryRoot(folder)) return undefined;
    folder = parent;
  }
}

/**
 * The folders findConfigFile() reads for `startFolder`, nearest first, up to the one whose config file
 * it finds (or to the repository or filesystem root): a config file created or changed in any of them
 * changes what applies there.
 */
export function configSearchFolders(startFolder: string): string[] {
  const folders: string[] = [];
  let folder = path.resolve(startFolder);
  for (;;) {
    folders.push(folder);
    if (configFileNames.some((name) => fs.existsSync(path.join(folder, name)))) return folders;
    const parent = path.dirname(folder);
    if (parent === folder || isRepositoryRoot(folder)) return folders;
    folder = parent;
  }
}

/** What a command that stops on a broken config file says it did (running with the defaults would use settings nobody chose). */
export const stoppedByConfigError = 'Nothing was done: fix the file first (running with the defaults would use settings nobody chose).';

/**
 * The error of the first config file that applies to one of `files` (the nearest above each) and does
 * not parse, with what the command did: the commands that train or export on those files stop on it,
 * as `tunesmith lint` does, rather than use settings nobody chose.
 */

export function brokenConfigFor(files: readonly string[]): string | undefined {
  const folders = new Set(files.map((file) => path.dirname(path.resolve(file))));
  for (const folder of folders) {
    const error = findConfigFile(folder)?.error;
    if (error !== undefined) return `${error} ${stoppedByConfigError}`;
  }
  return undefined;
}

/** What the dataset_info.json that lists a dataset says about it. */
export interface DatasetInfo {
  /** The format hint of the entry that lists the file (undefined: no file, no entry, or unreadable). */
  hint: FormatHint | undefined;
  /**
   * Why the file cannot be used as written (not JSON, not an object of datasets, or an entry's tags
   * that break every example), starting with `file:line:column:`. Without this message its column and
   * tag names would be dropped silently, and every record written with them would look like no format.
   */
  problem: string | undefined;
}

/**
 * The folders a dataset's dataset_info.json is looked for in, nearest first: its own and those above
 * it, up to the repository root. LLaMA-Factory's dataset_dir is often a folder above the dataset
 * ("file_name": "sft/train.jsonl", or "shards" for a folder of files).
 */
export function datasetInfoSearchFolders(datasetPath: string): string[] {
  const folders: string[] = [];
  let folder = path.dirname(path.resolve(datasetPath));
  for (;;) {
    folders.push(folder);
    const parent = path.dirname(folder);
    if (parent === folder || isRepositoryRoot(folder)) return folders;
    folder = parent;
  }
}

/**
 * Reads the dataset_info.json files above `datasetPath` (nearest first) once, for the hint and the
 * problem of the first that lists the file; one that cannot be read as JSON stops the search with
 * its problem (it may be the one that lists the file).
 */
export function datasetInfoFor(datasetPath: string): DatasetInfo {
  const dataset = path.resolve(datasetPath);
  for (const folder of datasetInfoSearchFolders(dataset)) {
    const file = path.join(folder, 'dataset_info.json');
    const text = readText(file);
    if (text === undefined) continue;
    if (typeof text !== 'string') return { hint: undefined, problem: `${text.unreadable} Its columns and tags are not used, so records written with custom names look like no known format.` };
    const read = readDatasetInfo(file, text, path.relative(folder, dataset));
    if (read !== undefined) return read;
  }
  return { hint: undefined, problem: undefined };
}

/** One dataset_info.json's hint and problem for the dataset at `relativePath` from its folder; undefined when it does not list the dataset. */
function readDatasetInfo(file: string, text: string, relativePath: string): DatasetInfo | undefined {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const consequence = 'its columns and tags are not used until it is fixed, so records written with custom names look like no known format';
  let info: unknown;
  try {
    info = JSON.parse(body);
  } catch {
    const error = findJsonSyntaxError(body);
    return { hint: undefined, problem: `${describeOffset(file, body, error?.offset ?? 0)}: dataset_info.json is not valid JSON (${error?.message ?? 'it does not parse'}); ${consequence}` };
  }
  if (typeof info !== 'object' || info === null || Array.isArray(info)) return { hint: undefined, problem: `${file}:1:1: dataset_info.json must be an object of datasets ({"name": {"file_name": ...}}); ${consequence}` };
  const found = datasetInfoEntry(info, relativePath);
  if (found === undefined) return undefined;
  // LLaMA-Factory's json.load stops on a byte order mark: said once here, while the records are read as the entry says (what
  // they will be once the file is saved without it), rather than every record looking like no format.
  const bomProblem = bom ? `${file}:1:1: dataset_info.json starts with a byte order mark (BOM), which LLaMA-Factory's json.load rejects ("Unexpected UTF-8 BOM"): training stops before it starts. Save the file as UTF-8 without BOM.` : undefined;
  return { hint: hintFromEntry(found.entry), problem: bomProblem ?? entryProblem(file, body, found.name, found.entry) ?? incompleteTags(file, body, found.name, found.entry, baseName(relativePath)) };
}

/**
 * A key of the file's entry that LLaMA-Factory does not read ("formating": the file is then read as
 * Alpaca), or a "formatting" it does not know ("chatml": it stops on the entry), at its place.
 */
function entryProblem(file: string, body: string, name: string, entry: Record<string, unknown>): string | undefined {
  const known: readonly string[] = datasetInfoEntryKeys;
  for (const key of Object.keys(entry)) {
    if (known.includes(key)) continue;
    const located = locatePath(body, [name, key]);
    const suggestion = closest(key, known, 2);
    const consequence = suggestion === 'formatting' && entry.formatting === undefined ? ', so the file is read as Alpaca (the default)' : '';
    return `${describeOffset(file, body, located?.key?.start ?? located?.value.start ?? 0)}: the entry "${name}" has "${key}", which LLaMA-Factory does not read${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ''}: it is ignored${consequence}.`;
  }
  const formatting = entry.formatting;
  if (formatting !== undefined && formatting !== 'alpaca' && formatting !== 'sharegpt' && formatting !== 'openai') {
    const located = locatePath(body, [name, 'formatting']);
    return `${describeOffset(file, body, located?.value.start ?? 0)}: "formatting": ${JSON.stringify(formatting)} is not a format LLaMA-Factory knows (alpaca, sharegpt or openai), and it stops on the entry "${name}". The file is read as records of any format until it is fixed.`;
  }
  return undefined;
}

/** Tags LLaMA-Factory cannot do without (left out of an entry's "tags", it fails on or skips every example), with the mapping's name for each. */
const requiredTags = [['role_tag', 'role'], ['content_tag', 'content'], ['user_tag', 'user'], ['assistant_tag', 'assistant']] as const;

/** A ShareGPT entry lists "tags" but leaves out one LLaMA-Factory needs (it sets those to none, not to the defaults). */
function incompleteTags(file: string, body: string, name: string, entry: Record<string, unknown>, fileName: string): string | undefined {
  const { tags, formatting } = entry;
  // Only the ShareGPT and OpenAI readers use tags.
  if (formatting !== 'sharegpt' && formatting !== 'openai') return undefined;
  if (tags === undefined && formatting === 'openai') {
    const located = locatePath(body, [name, 'formatting']);
    return `${describeOffset(file, body, located?.value.start ?? 0)}: the entry "${name}" has "formatting": "openai" but no "tags": LLaMA-Factory then reads each message by ShareGPT's default tags ("from", "value", "human", "gpt"): messages written with "role" and "content" fail there. For those, add "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "observation_tag": "tool", "system_tag": "system"}.`;
  }
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return undefined;
  const missing = requiredTags.filter(([tag]) => typeof (tags as Record<string, unknown>)[tag] !== 'string');
  if (missing.length === 0) return undefined;
  const located = locatePath(body, [name, 'tags']);
  const where = describeOffset(file, body, located?.key?.start ?? located?.value.start ?? 0);
  // The names to add: OpenAI's where the messages are written so, ShareGPT's defaults otherwise.
  const names = formatting === 'openai' || (tags as Record<string, unknown>).role_tag === 'role' ? roleContentMapping.tags : defaultMapping.tags;
  const list = missing.map(([tag, field]) => `"${tag}": "${names[field]}"`).join(', ');
  return `${where}: the entry "${name}" lists "tags" without ${missing.map(([tag]) => tag).join(', ')}. LLaMA-Factory sets every tag an entry leaves out to none (not to its default), so it fails on or skips every example of ${fileName}. Add ${list} (or the names the file uses) to its tags.`;
}

/** The format hint from a dataset_info.json in the dataset's folder, if it lists the file. */
export function datasetInfoHint(datasetPath: string): FormatHint | undefined {
  return datasetInfoFor(datasetPath).hint;
}
