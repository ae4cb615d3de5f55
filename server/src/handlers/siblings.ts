/**
 * Dataset files next to an open one (eval.jsonl beside train.jsonl) are read from disk, so that
 * train/eval leakage shows without opening both. Reads are asynchronous and bounded (32 files per
 * folder, 64 MB each, 128 MB and about 300k records in all, and tunesmith.maxFileSize); files open in
 * the editor are left to the editor.
 */
import { promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DatasetSession } from '../service/session';
import type { ConfigurationStore } from './configuration';
import { overFileSizeLimit, type LintSettings } from '../service/config';
import type { DatasetDocument } from '../service/document';
import { readDatasetFileAsync } from '../service/files';
import type { FormatHint } from '../service/formats';
import { yieldToEventLoop } from './eventLoop';

/** Dataset-looking names that are configuration, never data. */
const notDatasets = /^(?:package(?:-lock)?|tsconfig(?:\..*)?|jsconfig|tunesmith|\.tunesmithrc|dataset_info|settings|launch|tasks|extensions|adapter_config|config|generation_config|tokenizer(?:_config)?|special_tokens_map|trainer_state|\.eslintrc|composer|bower|manifest)\.json$/i;
const datasetExtension = /\.(?:jsonl|ndjson|json)$/i;
/** At most this many sibling files per folder are read. */
const siblingLimit = 32;
/**
 * Sibling files larger than this are not read: the user did not open them, and reading, parsing and
 * indexing one costs the server about 1 s and 3x its size in memory per 100 MB. `tunesmith lint`
 * compares files of any size.
 */
const siblingByteLimit = 64 * 1024 * 1024;
/**
 * At most this much of a folder's sibling files in all: a folder of dataset shards (32 files of
 * 60 MB, train-00000-of-00032.jsonl...) would otherwise cost gigabytes for one small open file.
 * Files are taken in name order until the budget is spent.
 */
const folderByteBudget = 128 * 1024 * 1024;
/**
 * ...and at most about this many records in all: memory goes with the records more than with the
 * bytes (a 60 MB shard of 80-byte records holds 750k of them, about 1 GB indexed). Estimated from
 * the line breaks in a file's first 64 KB before it is read.
 */
const folderRecordBudget = 300_000;

/** A folder whose siblings are read: the token of this reading, and the bytes and estimated records of each sibling that counts. */
interface ReadFolder {
  token: object;
  sizes: Map<string, { bytes: number; records: number }>;
}

/** The bytes and estimated records of a folder's siblings, but for `except`. */
function totalsOf(folder: ReadFolder, except: string): { bytes: number; records: number } {
  let bytes = 0;
  let records = 0;
  for (const [uri, size] of folder.sizes) {
    if (uri === except) continue;
    bytes += size.bytes;
    records += size.records;
  }
  return { bytes, records };
}

/** About how many records (lines) a file holds, from the line breaks in its first 64 KB. */
async function estimatedRecords(filePath: string, size: number): Promise<number> {
  const sample = Buffer.alloc(Math.min(size, 64 * 1024));
  const handle = await fs.open(filePath, 'r');
  try {
    const { bytesRead } = await handle.read(sample, 0, sample.length, 0);
    let breaks = 0;
    for (let at = sample.indexOf(10); at >= 0 && at < bytesRead; at = sample.indexOf(10, at + 1)) breaks++;
    return bytesRead === 0 ? 0 : Math.ceil(((breaks + 1) * size) / bytesRead);
  } finally {
    await handle.close();
  }
}

export function isSiblingCandidate(name: string): boolean {
  return datasetExtension.test(name) && !notDatasets.test(name);
}

function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * The file a URI names, links resolved: the editor may open one file under two URIs (through a
 * symbolic link to its folder, or with its path spelt otherwise). Not a file: the URI itself.
 */
export function realFileOf(uri: string): string {
  const filePath = filePathOf(uri);
  if (filePath === undefined) return uri;
  try {
    return realpathSync.native(filePath);
  } catch {
    return filePath; // not there (yet): its path as written
  }
}

function folderOf(uri: string): string | undefined {
  const filePath = filePathOf(uri);
  return filePath === undefined ? undefined : path.dirname(filePath);
}

export class SiblingFiles {
  /**
   * Folders with an open document, whose siblings were read (once while one stays open; watched
   * changes keep them current). Each has its own token: a read of a folder dropped meanwhile stops.
   */
  private readonly folders = new Map<string, ReadFolder>();

  constructor(
    private readonly session: DatasetSession,
    private readonly configuration: ConfigurationStore,
    /** Called when the files that count for leakage changed (the server asks for fresh diagnostics). */
    private readonly changed: () => void,
  ) {}

  /** Reads the dataset files in the folder of an opened document, once per folder. */
  async loadAround(uri: string): Promise<void> {
    const filePath = filePathOf(uri);
    if (filePath === undefined) return;
    const folder = path.dirname(filePath);
    if (this.folders.has(folder)) return;
    const token = {};
    this.folders.set(folder, { token, sizes: new Map() });
    let names: string[];
    try {
      names = (await fs.readdir(folder, { withFileTypes: true })).filter((entry) => entry.isFile() && isSiblingCandidate(entry.name)).map((entry) => entry.name).sort();
    } catch {
      return; // an unreadable folder only means no leakage check against it
    }
    let loaded = false;
    for (const name of names.slice(0, siblingLimit)) {
      // Its last open document closed meanwhile (and maybe another opened again, which reads it anew).
      if (this.folders.get(folder)?.token !== token) return;
      const siblingUri = pathToFileURL(path.join(folder, name)).href;
      if (this.session.has(siblingUri)) continue;
      if (await this.read(siblingUri)) loaded = true;
    }
    if (loaded) this.changed();
  }

  /** Whether a file is a dataset candidate in a folder whose siblings were read. */
  private inReadFolder(uri: string): boolean {
    const filePath = filePathOf(uri);
    return filePath !== undefined && this.folders.has(path.dirname(filePath)) && isSiblingCandidate(path.basename(filePath));
  }

  /**
   * A closed document goes back to its disk copy while its folder has other open documents (it still
   * counts for them). The folder's last one closing drops the folder's disk files: they were read for
   * its open neighbours only, and would otherwise count for unrelated files for the rest of the session.
   */
  async closed(uri: string): Promise<void> {
    const filePath = filePathOf(uri);
    if (filePath === undefined) return;
    const folder = path.dirname(filePath);
    if (!this.folders.has(folder)) return;
    if (this.session.uris().some((open) => open !== uri && folderOf(open) === folder)) {
      if (this.inReadFolder(uri) && (await this.read(uri))) this.changed();
      return;
    }
    this.folders.delete(folder);
    let changed = false;
    for (const diskUri of this.session.diskUris()) if (folderOf(diskUri) === folder && this.session.removeDiskFile(diskUri)) changed = true;
    if (changed) this.changed();
  }

  /** Watched files changed on disk: re-read the ones in read folders, drop deleted ones. */
  async filesChanged(uris: readonly { uri: string; deleted: boolean }[]): Promise<void> {
    let changed = false;
    for (const { uri, deleted } of uris) {
      if (!this.inReadFolder(uri) || this.session.has(uri)) continue;
      if (deleted) this.folders.get(folderOf(uri) ?? '')?.sizes.delete(uri);
      if (deleted ? this.session.removeDiskFile(uri) : await this.read(uri)) changed = true;
    }
    if (changed) this.changed();
  }

  /** Settings changed: re-read the disk files with the new settings (mapping, forced format, size limit). */
  async reloadAll(): Promise<void> {
    let changed = false;
    for (const uri of this.session.diskUris()) if (await this.read(uri)) changed = true;
    if (changed) this.changed();
  }

  private async read(uri: string): Promise<boolean> {
    const filePath = filePathOf(uri);
    if (filePath === undefined) return false;
    try {
      const config = await this.configuration.load(uri);
      const stat = await fs.stat(filePath);
      // Its folder's last open document closed meanwhile: the file no longer counts.
      const folder = this.folders.get(path.dirname(filePath));
      if (folder === undefined || !this.inReadFolder(uri)) return false;
      // A JSON file outside the `files` globs is not a dataset; a named pipe would never finish reading
      // (and hold a thread of the pool meanwhile); past the folder's budget (counting this file at its
      // new size), a file is not read either. None of them counts.
      const others = totalsOf(folder, uri);
      const fits = config.inFiles && stat.isFile() && stat.size <= siblingByteLimit && !overFileSizeLimit(stat.size, config.settings, 3) && others.bytes + stat.size <= folderByteBudget;
      const records = fits ? await estimatedRecords(filePath, stat.size) : 0;
      if (!fits || others.records + records > folderRecordBudget) {
        folder.sizes.delete(uri);
        return this.session.removeDiskFile(uri);
      }
      // A file that counted and no longer qualifies (setDiskFile drops it) changes the leakage set too.
      const counted = this.session.hasDiskFile(uri);
      // Read in chunks, then its record checks and index in slices, before the open files compare with it (seconds for 60 MB).
      const reader = (settings: LintSettings, hint: FormatHint | undefined): Promise<DatasetDocument> => readDatasetFileAsync(filePath, settings, hint, yieldToEventLoop);
      folder.sizes.set(uri, { bytes: stat.size, records });
      const added = await this.session.setDiskFileInSlices(uri, reader, yieldToEventLoop);
      // Its folder's last open document closed while it was read ("Close All"): closed() dropped the folder's other disk
      // files, and this one must not count for unrelated files for the rest of the session either.
      if (this.folders.get(path.dirname(filePath)) !== folder) return this.session.removeDiskFile(uri) && counted;
      return added || counted;
    } catch {
      this.folders.get(path.dirname(filePath))?.sizes.delete(uri);
      return this.session.removeDiskFile(uri); // unreadable now: it no longer counts
    }
  }
}
