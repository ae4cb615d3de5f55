/**
 * Linting files on disk (the CLI and the demo command): expands paths and globs, reads the workspace
 * config file, honours dataset_info.json, and checks duplicates across all the files given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAscii } from 'node:buffer';
import { getHeapStatistics } from 'node:v8';
import type { DatasetStatistics } from '../../../protocol/messages';
import { layerSourceOf, overFileSizeLimit, resolveSettings, unknownRuleWarnings, type LintSettings } from './config';
import { datasetInfoFor, findConfigFile, stoppedByConfigError } from './configFile';
import { defaultDatasetGlobs, GlobSyntaxError, globToRegExp, usableDatasetGlobs } from './glob';
import { DatasetDocument, type FileKind } from './document';
import { WorkspaceIndex } from './fileChecks';
import type { FileFacts } from './fileFacts';
import { datasetStatistics } from './features/statistics';
import { closest, detectShape, type FormatHint } from './formats';
import { buildFacts, lintDocument, type LintDiagnostic } from './linter';
import { modelTokenCounter } from './modelTokens';
import { allRules } from './rules/index';
import { fileKindOf } from './session';
import { estimatingCounter, type TokenCounter } from './tokens';

export interface FileLintResult {
  /** The path as given or found (relative to the working folder when under it). */
  file: string;
  diagnostics: LintDiagnostic[];
  /** False for .json files that are not datasets (skipped quietly). */
  isDataset: boolean;
  statistics: DatasetStatistics | undefined;
  /** Why the file was not read (binary, UTF-16, over maxFileSize...), whatever the unreadable-file rule's severity. */
  unreadable?: string;
}

export interface LintFilesOptions {
  /** Working folder for relative paths and the config file lookup (default: process.cwd()). */
  cwd?: string;
  /** Settings over the config file's (e.g. from command-line flags). */
  overrides?: Partial<LintSettings>;
  /** Compute statistics too. */
  statistics?: boolean;
}

export interface LintFilesResult {
  files: FileLintResult[];
  /** Problems with the configuration or the arguments (not with the data). */
  warnings: string[];
  /** Paths or globs given that name no dataset file, or globs that do not parse (a usage error for the CLI). */
  unmatched: string[];
  /** Set when the config file could not be used at all (not JSON, not an object): nothing was linted. */
  configError?: string;
  /**
   * Set when the model given as an override (--model) cannot be loaded; the files are linted with
   * estimated counts, and the message is in `warnings`. The CLI exits 2: the user asked for exact counts.
   */
  modelUnavailable?: true;
}

/**
 * Folders never walked: build output, version control, and Python environments and caches, whose
 * installed packages hold JSON files that are not datasets (a virtualenv sits in the project folder).
 */
const ignoredFolders = new Set(['node_modules', '.git', 'out', 'dist', '.vscode-test', '.venv', 'venv', 'site-packages', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache']);

/** What a walk found: regular files, and symbolic links whose target does not exist. */
interface WalkResult {
  files: string[];
  danglingLinks: string[];
  /** Folders that could not be listed (no permission): their datasets would be left out without a word. */
  unreadableFolders: string[];
}

/**
 * Every file under `folder`, following symbolic links (Hugging Face snapshots, DVC and git-annex keep
 * datasets as links). `visited` holds the real paths of the folders walked, so no folder is walked
 * twice and a loop ends; a link to a folder that holds this one (`loop -> ..`) is not followed at all,
 * as `find -L` does not: it would lint everything around the folder asked for.
 */
function walk(folder: string, found: WalkResult, visited = new Set<string>()): void {
  let real: string;
  let entries: fs.Dirent[];
  try {
    real = fs.realpathSync(folder);
    if (visited.has(real)) return;
    visited.add(real);
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') found.unreadableFolders.push(folder);
    return;
  }
  const holdsThisFolder = (target: string): boolean => real === target || real.startsWith(target.endsWith(path.sep) ? target : target + path.sep);
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = fs.statSync(full);
        isDirectory = target.isDirectory() && !holdsThisFolder(fs.realpathSync(full));
        isFile = target.isFile();
      } catch {
        found.danglingLinks.push(full);
        continue;
      }
    }
    if (isDirectory) {
      if (!ignoredFolders.has(entry.name)) walk(full, found, visited);
    } else if (isFile) found.files.push(full);
  }
}

const datasetName = /\.(?:jsonl|ndjson|json)$/i;
/** JSON files a folder holds beside datasets that are never datasets (configs, manifests). */
const notDatasetNames = new Set(['dataset_info.json', 'package.json', 'package-lock.json', 'tsconfig.json']);
const isDatasetName = (file: string): boolean => {
  const name = path.basename(file);
  return datasetName.test(name) && !notDatasetNames.has(name) && !name.startsWith('tunesmith') && !name.startsWith('.tunesmithrc');
};

export interface ExpandedPaths {
  /** Dataset files (absolute, sorted, unique; one path per real file when links point at the same one). */
  files: string[];
  /** Of `files`, those named on the command line themselves (not found in a folder or by a glob). */
  named: Set<string>;
  /** Paths or globs given that name no dataset file. */
  unmatched: string[];
  /** With `reportUnmatchedDefaults`, the indexes of the default globs (the config file's "files") that match no dataset file. */
  unmatchedDefaults: number[];
  /** Globs that cannot be read, each with what is wrong (in words). */
  invalidGlobs: { glob: string; problem: string }[];
  /** Folders a folder or glob led into that could not be listed (no permission). */
  unreadableFolders: string[];
}

/** Expands files, folders and globs into dataset file paths (sorted, unique). */
export function expandPaths(patterns: readonly string[], cwd: string, defaults: readonly string[], reportUnmatchedDefaults = false): ExpandedPaths {
  const found = new Set<string>();
  const named = new Set<string>();
  const unmatched: string[] = [];
  const unmatchedDefaults: number[] = [];
  const invalidGlobs: ExpandedPaths['invalidGlobs'] = [];
  const unreadableFolders: string[] = [];
  const inputs = patterns.length > 0 ? patterns : defaults;
  for (const [index, input] of inputs.entries()) {
    const matches = expandOne(input, cwd, found, named, invalidGlobs, unreadableFolders);
    if (patterns.length > 0 && !matches) unmatched.push(input);
    else if (patterns.length === 0 && reportUnmatchedDefaults && !matches && !invalidGlobs.some(({ glob }) => glob === input)) unmatchedDefaults.push(index);
  }
  return { files: oneLinkPerFile([...found].sort(), named), named, unmatched, unmatchedDefaults, invalidGlobs, unreadableFolders: [...new Set(unreadableFolders)] };
}

/** Glob syntax in a path: a path that is no file or folder and has these is read as a glob. */
const globMagic = /[*?{}[]/;

/** Adds the dataset files one path, folder or glob names; whether it names any (an invalid glob is added to `invalidGlobs` and names none). */
function expandOne(input: string, cwd: string, found: Set<string>, named: Set<string>, invalidGlobs: ExpandedPaths['invalidGlobs'], unreadableFolders: string[]): boolean {
  const absolute = path.resolve(cwd, input);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(absolute);
  } catch {
    stat = undefined;
  }
  if (stat?.isFile()) {
    found.add(absolute);
    named.add(absolute);
    return true;
  }
  // A named link whose target is missing (a git-annex or DVC pointer not fetched): reading it says so, as in a folder.
  if (stat === undefined && danglingLinkTarget(absolute) !== undefined) {
    found.add(absolute);
    named.add(absolute);
    return true;
  }
  if (stat?.isDirectory()) {
    const walked: WalkResult = { files: [], danglingLinks: [], unreadableFolders };
    walk(absolute, walked);
    let matched = 0;
    // A dangling link with a dataset's name is kept: reading it reports that its target is missing.
    for (const file of [...walked.files, ...walked.danglingLinks]) {
      if (isDatasetName(file)) {
        found.add(file);
        matched++;
      }
    }
    return matched > 0;
  }
  if (globMagic.test(input)) {
    const normalized = input.split(path.sep).join('/');
    const firstMagic = normalized.search(globMagic);
    const base = normalized.slice(0, normalized.lastIndexOf('/', firstMagic) + 1);
    const root = path.resolve(cwd, base || '.');
    let matcher: RegExp;
    try {
      matcher = globToRegExp(normalized.slice(base.length), base.length);
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      invalidGlobs.push({ glob: input, problem: error.message });
      return false;
    }
    const walked: WalkResult = { files: [], danglingLinks: [], unreadableFolders };
    walk(root, walked);
    let matched = 0;
    for (const file of [...walked.files, ...walked.danglingLinks]) {
      if (matcher.test(path.relative(root, file).split(path.sep).join('/'))) {
        found.add(file);
        matched++;
      }
    }
    return matched > 0;
  }
  return false;
}

/**
 * One path per real file: two links to one blob (two snapshots of a Hugging Face repository) would
 * otherwise be linted twice and each reported as leaking into the other. A path named on the command
 * line wins, then the first in sort order.
 */
function oneLinkPerFile(sorted: readonly string[], named: ReadonlySet<string>): string[] {
  const byRealPath = new Map<string, string>();
  for (const file of sorted) {
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      real = file; // a dangling link: kept so that reading it says what is missing
    }
    const kept = byRealPath.get(real);
    if (kept === undefined || (named.has(file) && !named.has(kept))) byRealPath.set(real, file);
  }
  const kept = new Set(byRealPath.values());
  return sorted.filter((file) => kept.has(file));
}

/** A size in bytes as people read it: "512 bytes", "20 KB", "1.5 MB" (1 KB = 1024 bytes); a whole number has no decimals. */
export function readableSize(bytes: number, decimals = 1): string {
  const units: [string, number][] = [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ];
  for (const [unit, size] of units) {
    if (bytes < size) continue;
    const value = bytes / size;
    return `${Number.isInteger(value) ? String(value) : value.toFixed(decimals)} ${unit}`;
  }
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

/** "1.1 MB, over the 1 MB limit": as many decimals as it takes for the size and the limit to differ. */
function sizeOverLimit(size: number, limit: number): string {
  for (let decimals = 1; decimals <= 3; decimals++) {
    const shownSize = readableSize(size, decimals);
    const shownLimit = readableSize(limit, decimals);
    if (shownSize !== shownLimit) return `${shownSize}, over the ${shownLimit} limit`;
  }
  return `${size} bytes, over the ${limit} bytes limit`;
}

/** Bytes read per chunk: a large file is never held as bytes and as text at once (peak memory). */
const chunkBytes = 1024 * 1024;

/**
 * Where a chunk can be cut so that decoding the pieces separately gives the same text as decoding
 * the whole: before the last ASCII or lead byte among the last four (an unfinished character is
 * carried to the next chunk; an invalid sequence is replaced the same way either side of the cut).
 */
function safeCut(bytes: Uint8Array, length: number): number {
  for (let index = length - 1; index >= Math.max(0, length - 4); index--) {
    const byte = bytes[index] ?? 0;
    if (byte < 0x80 || (byte >= 0xc2 && byte <= 0xf4)) return index;
  }
  return length;
}

/**
 * Turns reads into text pieces cut where decoding them one by one gives the text of the whole (an
 * unfinished character is carried to the next read). ASCII pieces become one-byte strings
 * (TextDecoder returns two bytes per character, which doubled the memory of a large file); others
 * go through TextDecoder, which strips the BOM of the file's first piece only, as decoding the whole
 * file does. Shared by the blocking and the asynchronous reader.
 */
class ChunkDecoder {
  readonly buffer: Buffer;
  /** Bytes carried over from the last read, at the start of the buffer: the next read lands after them. */
  carried = 0;
  private first = true;
  /** Where the first bytes that are not UTF-8 are (decoded as U+FFFD), once found. */
  invalid: InvalidBytes | undefined;
  /** Lines before the next piece, and characters after the last line break: to place `invalid`. */
  private lines = 0;
  private column = 0;
  /** The last piece ended with a CR (its LF may start the next piece). */
  private afterCr = false;

  constructor(chunkSize: number) {
    this.buffer = Buffer.allocUnsafe(chunkSize + 4);
  }

  /** The next piece after a read of `read` bytes (0: the end of the file), or undefined when nothing is left. */
  decode(read: number): string | undefined {
    const length = this.carried + read;
    if (length === 0) return undefined;
    const cut = read === 0 ? length : safeCut(this.buffer, length);
    const piece = this.buffer.subarray(0, cut);
    const ascii = isAscii(piece);
    const text = ascii ? piece.toString('latin1') : new TextDecoder('utf-8', { fatal: false, ignoreBOM: !this.first }).decode(piece);
    if (!ascii && this.invalid === undefined) {
      const at = firstInvalidUtf8(piece, text);
      if (at !== undefined) this.invalid = { ...positionAfter(text, at, this.lines, this.column, this.afterCr), length: replacementRun(text, at) };
    }
    if (this.invalid === undefined) {
      const counted = positionAfter(text, text.length, this.lines, this.column, this.afterCr);
      this.lines = counted.line;
      this.column = counted.character;
      if (text.length > 0) this.afterCr = text.charCodeAt(text.length - 1) === 13;
    }
    if (cut > 0) this.first = false;
    this.buffer.copy(this.buffer, 0, cut, length);
    this.carried = length - cut;
    return text;
  }
}

/**
 * The index in `text` (decoded from `bytes` with replacement) of the first U+FFFD that stands for
 * bytes that are not UTF-8, or undefined. A U+FFFD written in the file (bytes EF BF BD) is text. Up
 * to the first invalid bytes, every character re-encodes to its own bytes, so the byte offset of each
 * U+FFFD is exact.
 */
export function firstInvalidUtf8(bytes: Uint8Array, text: string): number | undefined {
  let from = 0;
  let byteOffset = text.charCodeAt(0) !== 0xfeff && startsWithUtf8Bom(bytes) ? 3 : 0; // a BOM the decoder dropped
  for (let at = text.indexOf('\ufffd'); at >= 0; at = text.indexOf('\ufffd', at + 1)) {
    byteOffset += Buffer.byteLength(text.slice(from, at), 'utf8');
    if (bytes[byteOffset] !== 0xef || bytes[byteOffset + 1] !== 0xbf || bytes[byteOffset + 2] !== 0xbd) return at;
    byteOffset += 3;
    from = at + 1;
  }
  return undefined;
}

/** The line and character after `text.slice(0, end)`, starting at `line` and `character`. */
function positionAfter(text: string, end: number, line: number, character: number, afterCr = false): { line: number; character: number } {
  let lines = line;
  let lastBreak = -1;
  // Line breaks as the linter reads them: LF, CRLF and a lone CR (a CR-only file's lines). `afterCr`: the text before
  // this piece ended with a CR, so an LF first here ends that same break.
  let lf = text.indexOf('\n');
  let cr = text.indexOf('\r');
  for (;;) {
    const next = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (next < 0 || next >= end) break;
    if (next === cr) {
      cr = text.indexOf('\r', next + 1);
      // CRLF: counted once, at its LF.
      if (text.charCodeAt(next + 1) === 10) continue;
    } else {
      lf = text.indexOf('\n', next + 1);
      if (next === 0 && afterCr) {
        lastBreak = 0;
        continue;
      }
    }
    lines++;
    lastBreak = next;
  }
  return { line: lines, character: lastBreak < 0 ? character + end : end - lastBreak - 1 };
}

/** Where the first bytes that are not UTF-8 are: the line and character of their first U+FFFD, and how many follow it in a row. */
interface InvalidBytes {
  line: number;
  character: number;
  length: number;
}

/** The run of U+FFFD that starts at `at` (the bad bytes of one spot), at most a line's worth. */
function replacementRun(text: string, at: number): number {
  let end = at;
  while (end < text.length && end - at < 1000 && text.charCodeAt(end) === 0xfffd) end++;
  return end - at;
}

/** The file problem for bytes that are not UTF-8: JSON must be UTF-8, and Python and `datasets` stop on the whole file. */
function invalidUtf8Problem(at: InvalidBytes): DatasetDocument['problems'][number] {
  return {
    rule: 'invalid-json',
    range: { start: { line: at.line, character: at.character }, end: { line: at.line, character: at.character + at.length } },
    message: "Invalid UTF-8: the bytes here are not UTF-8 (shown as U+FFFD, �). JSON datasets must be UTF-8: Python's open() and json.load, and the datasets library, stop on the whole file. Re-save the file as UTF-8 from the encoding it was written in (often Latin-1 or Windows-1252).",
  };
}

/** Adds the invalid-UTF-8 problem to a document read from bytes, when the reader found any. */
function withEncodingProblem(document: DatasetDocument, invalid: InvalidBytes | undefined): DatasetDocument {
  // A binary file is said to be one (unreadable-file), not to have bad UTF-8.
  if (invalid !== undefined && document.isDataset && !document.problems.some((problem) => problem.rule === 'unreadable-file')) document.problems.push(invalidUtf8Problem(invalid));
  return document;
}

/** Decodes a whole file's bytes, and where its first bytes that are not UTF-8 are. */
function decodeWhole(bytes: Buffer): { text: string; invalid: InvalidBytes | undefined; bom: boolean } {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const at = isAscii(bytes) ? undefined : firstInvalidUtf8(bytes, text);
  // The decoder drops a byte order mark (positions then match the editor's, which hides it), but loaders fail on it.
  const bom = startsWithUtf8Bom(bytes);
  return { text, invalid: at === undefined ? undefined : { ...positionAfter(text, at, 0, 0), length: replacementRun(text, at) }, bom };
}

function startsWithUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** A JSON document read from a file that starts with a byte order mark the decoder dropped: it is reported. */
function withDroppedBom(document: DatasetDocument, bom: boolean): DatasetDocument {
  if (bom) document.noteDroppedBom();
  return document;
}

/** The file's text, decoded chunk by chunk (see ChunkDecoder); `decoder.invalid` says where bytes were not UTF-8. */
export function* decodedChunks(file: string, chunkSize = chunkBytes, decoder = new ChunkDecoder(chunkSize)): Generator<string> {
  const descriptor = fs.openSync(file, 'r');
  try {
    for (;;) {
      const read = fs.readSync(descriptor, decoder.buffer, decoder.carried, chunkSize, null);
      const piece = decoder.decode(read);
      if (piece === undefined) break;
      yield piece;
      if (read === 0) break; // the carried bytes were the last
    }
  } finally {
    fs.closeSync(descriptor);
  }
}

/** 'UTF-16 LE' or 'UTF-16 BE' when the file starts with that byte order mark (Windows tools write it). */
function utf16Encoding(file: string): string | undefined {
  const head = Buffer.alloc(2);
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(file, 'r');
    if (fs.readSync(descriptor, head, 0, 2, 0) < 2) return undefined;
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16 LE';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16 BE';
  return undefined;
}

/**
 * Why a file on disk is not read at all (not a regular file, over maxFileSize, UTF-16), as a refused
 * document; undefined when it can be read. A FIFO or a device would block or never end a read.
 */
function refusalFor(file: string, kind: FileKind, stat: fs.Stats, settings: LintSettings): DatasetDocument | undefined {
  if (!stat.isFile()) {
    const what = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a named pipe' : stat.isSocket() ? 'a socket' : 'a device or special file';
    return DatasetDocument.refuse(kind, `This is ${what}, not a regular file, so it was not read. Tunesmith lints dataset files on disk.`);
  }
  if (overFileSizeLimit(stat.size, settings)) {
    return DatasetDocument.refuse(kind, `The file is ${sizeOverLimit(stat.size, settings.maxFileSize)} (maxFileSize): it was not linted. Split it into smaller files.`);
  }
  const utf16 = utf16Encoding(file);
  if (utf16 !== undefined) {
    return DatasetDocument.refuse(kind, `The file is ${utf16} (it starts with a ${utf16} byte order mark), so it was not linted: trainers read datasets as UTF-8. Save it as UTF-8.`);
  }
  return undefined;
}

function cannotRead(kind: FileKind, error: unknown, file: string): DatasetDocument {
  const target = danglingLinkTarget(file);
  if (target !== undefined) return DatasetDocument.refuse(kind, `The file is a symbolic link to ${target}, which does not exist, so it was not read. Fetch the data it points to (git annex get, dvc pull) or remove the link.`);
  return DatasetDocument.refuse(kind, `Cannot read the file: ${error instanceof Error ? error.message : String(error)}`);
}

/** Where `file` points when it is a symbolic link whose target does not exist; undefined otherwise. */
function danglingLinkTarget(file: string): string | undefined {
  try {
    if (!fs.lstatSync(file).isSymbolicLink() || fs.existsSync(file)) return undefined;
    return `'${fs.readlinkSync(file)}'`;
  } catch {
    return undefined;
  }
}

/**
 * Reads a dataset file for linting: refused with a clear problem when it is not a regular file, over
 * maxFileSize, UTF-16 or unreadable; JSON Lines decoded chunk by chunk (invalid UTF-8 becomes U+FFFD).
 */
export function readDatasetFile(file: string, settings: LintSettings, hint?: FormatHint): DatasetDocument {
  const kind = fileKindOf(file);
  try {
    const refused = refusalFor(file, kind, fs.statSync(file), settings);
    if (refused !== undefined) return refused;
    // Invalid UTF-8 becomes U+FFFD (broken-text reports each where it is), and the first is an error: loaders refuse the file.
    if (kind === 'jsonl') {
      const decoder = new ChunkDecoder(chunkBytes);
      return withEncodingProblem(DatasetDocument.parseJsonlPieces(decodedChunks(file, chunkBytes, decoder)), decoder.invalid);
    }
    const { text, invalid, bom } = decodeWhole(fs.readFileSync(file));
    return withEncodingProblem(withDroppedBom(DatasetDocument.parse(text, kind, 0, hint), bom), invalid);
  } catch (error) {
    return cannotRead(kind, error, file);
  }
}

/** `decodedChunks` read asynchronously: the caller's event loop runs between chunks. */
export async function* decodedChunksAsync(file: string, chunkSize = chunkBytes, decoder = new ChunkDecoder(chunkSize)): AsyncGenerator<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    for (;;) {
      const { bytesRead: read } = await handle.read(decoder.buffer, decoder.carried, chunkSize, null);
      const piece = decoder.decode(read);
      if (piece === undefined) break;
      yield piece;
      if (read === 0) break; // the carried bytes were the last
    }
  } finally {
    await handle.close();
  }
}

/**
 * `readDatasetFile` for the language server: the file is read in chunks without blocking, so
 * requests about other documents are answered while a large file (VS Code does not sync files
 * over 50 MB to extensions) is read. A JSON array of records is parsed a slice at a time, `pause()` between.
 */
export async function readDatasetFileAsync(file: string, settings: LintSettings, hint: FormatHint | undefined, pause: () => Promise<void>): Promise<DatasetDocument> {
  const kind = fileKindOf(file);
  try {
    const refused = refusalFor(file, kind, await fs.promises.stat(file), settings);
    if (refused !== undefined) return refused;
    if (kind === 'jsonl') {
      const decoder = new ChunkDecoder(chunkBytes);
      return withEncodingProblem(await DatasetDocument.parseJsonlPiecesAsync(decodedChunksAsync(file, chunkBytes, decoder)), decoder.invalid);
    }
    const { text, invalid, bom } = decodeWhole(await fs.promises.readFile(file));
    return withEncodingProblem(withDroppedBom(await DatasetDocument.parseInSlices(text, kind, pause, hint), bom), invalid);
  } catch (error) {
    return cannotRead(kind, error, file);
  }
}

/** What one config file (or none) gives the files it applies to. */
interface AppliedConfig {
  settings: LintSettings;
  tokens: TokenCounter;
}

/**
 * Lints dataset files; duplicates are also checked across them (train vs eval leakage). Each file is
 * linted with the config file nearest to it (from its folder upwards), as the editor and the trainer
 * read it; a file with none above it takes the one of the working folder. The working folder's config
 * file also gives the "files" globs when no paths are given.
 */
export async function lintFiles(patterns: readonly string[], options: LintFilesOptions = {}): Promise<LintFilesResult> {
  const cwd = options.cwd ?? process.cwd();
  const warnings: string[] = [];
  const config = findConfigFile(cwd);
  if (config?.error !== undefined) {
    // Linting with the defaults instead would pass or fail a CI run on settings nobody chose.
    const error = `${config.error} ${stoppedByConfigError}`;
    return { files: [], warnings: [error], unmatched: [], configError: error };
  }
  const applied = new Map<string, AppliedConfig>();
  let modelUnavailable = false;
  const modelCounters = new Map<string, Promise<TokenCounter>>();
  /** The settings and token counter of a config file, read once however many files it applies to. */
  const apply = async (loaded: typeof config): Promise<AppliedConfig> => {
    const key = loaded?.path ?? '';
    const known = applied.get(key);
    if (known !== undefined) return known;
    const { settings, warnings: settingWarnings } = resolveSettings(loaded?.data, options.overrides);
    for (const warning of [...(loaded?.ignored !== undefined ? [loaded.ignored] : []), ...settingWarnings, ...unknownRuleWarnings(loaded?.data, allRules.map((rule) => rule.meta.id))]) if (!warnings.includes(warning)) warnings.push(warning);
    let tokens: TokenCounter = estimatingCounter;
    if (settings.model !== null) {
      // --model is relative to where the command runs; the config file's model to the config file.
      const fromCommandLine = options.overrides?.model !== undefined && options.overrides.model !== null;
      const modelPath = path.resolve(fromCommandLine || loaded === undefined ? cwd : path.dirname(loaded.path), settings.model);
      let counter = modelCounters.get(modelPath);
      if (counter === undefined) {
        counter = modelTokenCounter(modelPath).then((result) => {
          if (result.ok) return result.counter;
          // A --model that does not load is a usage error: the user asked for exact counts. The
          // config file's model is a setting like any other: warned about, and estimates are used.
          if (fromCommandLine) modelUnavailable = true;
          const where = fromCommandLine ? undefined : layerSourceOf(loaded?.data)?.locate(['model']);
          warnings.push(`${where !== undefined ? `${where}: ` : ''}${fromCommandLine ? '--model' : 'model'}: ${result.error}`);
          return estimatingCounter;
        });
        modelCounters.set(modelPath, counter);
      }
      tokens = await counter;
    }
    const result = { settings, tokens };
    applied.set(key, result);
    return result;
  };
  const { settings } = await apply(config);
  const configFolder = config !== undefined ? path.dirname(config.path) : cwd;
  // The config file's globs name files relative to the config file (as the editor reads them
  // relative to the workspace folder), wherever the command runs.
  // A "files" with no usable glob ([] or blanks) means the default globs, as in the editor (an empty setting must not
  // make every file a non-dataset).
  const usable = usableDatasetGlobs(settings.files) !== defaultDatasetGlobs;
  const configGlobs = usable && patterns.length === 0 && config !== undefined && (config.data as { files?: unknown }).files !== undefined;
  const { files, named, unmatched, unmatchedDefaults, invalidGlobs, unreadableFolders } = expandPaths(patterns, configGlobs ? configFolder : cwd, usable ? settings.files : defaultDatasetGlobs, configGlobs);
  // An entry of the config file's "files" that matches nothing is a mistake to point at (CI would lint less, or more, than meant).
  for (const index of unmatchedDefaults) {
    const glob = settings.files[index] ?? '';
    // A "!" entry is already among the settings' warnings (resolveSettings), at its place.
    if (glob.startsWith('!')) continue;
    const where = layerSourceOf(config?.data)?.locate(['files', index]) ?? config?.path;
    warnings.push(`${where !== undefined ? `${where}: ` : ''}"files" entry '${glob}' matches no dataset file.`);
  }
  // A bad entry of the config file's "files" is among the settings' warnings, at its place (resolveSettings).
  for (const { glob, problem } of invalidGlobs) {
    if (patterns.length === 0) continue;
    unmatched.push(glob);
    warnings.push(`'${glob}' is not a valid glob: ${problem}.`);
  }
  for (const pattern of unmatched) if (!invalidGlobs.some(({ glob }) => glob === pattern) && !unreadableFolders.includes(path.resolve(cwd, pattern))) warnings.push(unmatchedPathMessage(path.resolve(cwd, pattern), pattern));
  for (const folder of unreadableFolders) warnings.push(`${path.relative(cwd, folder) || '.'}: the folder cannot be read (no permission), so its dataset files were not linted.`);
  const nearest = new Map<string, typeof config>();
  for (const file of files) {
    const folder = path.dirname(file);
    if (!nearest.has(folder)) nearest.set(folder, findConfigFile(folder) ?? config);
  }
  const broken = [...nearest.values()].find((loaded) => loaded?.error !== undefined);
  if (broken?.error !== undefined) return { files: [], warnings: [...warnings, broken.error], unmatched, configError: broken.error };
  const shownPath = (file: string): string => {
    const relative = path.relative(cwd, file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  };
  const workspace = new WorkspaceIndex();
  const loaded: { file: string; document: DatasetDocument; facts: FileFacts }[] = [];
  for (const file of files) {
    const { settings, tokens } = await apply(nearest.get(path.dirname(file)));
    const oversizedJson = named.has(file) || !/\.json$/i.test(file) ? undefined : oversized(file, settings);
    if (oversizedJson !== undefined) {
      // A large .json a folder or glob turned up is often no dataset (a model's tokenizer.json): it
      // is skipped with a note rather than failing CI. Named, or a .jsonl, it stays an error.
      warnings.push(`${shownPath(file)} is ${oversizedJson} (maxFileSize), so it was skipped: a .json file found by a glob or in a folder may not be a dataset. Raise maxFileSize to lint it.`);
      continue;
    }
    const { hint, problem } = datasetInfoFor(file);
    const read = readDatasetFile(file, settings, hint);
    // Refused, rather than ending in "JavaScript heap out of memory" after minutes, when it cannot fit this process.
    const document = overHeap(read, file) ?? read;
    if (problem !== undefined && !warnings.includes(problem)) warnings.push(problem);
    // A .json array a folder or glob turned up whose records are no examples at all (last run's `--format json` report, a
    // list of stop words) is skipped with a note, as a large one is, rather than failing CI. Named, or listed by a
    // dataset_info.json, it is linted.
    const notExamples = named.has(file) || hint !== undefined || !/\.json$/i.test(file) ? undefined : recordsThatAreNoExamples(document);
    if (notExamples !== undefined) {
      warnings.push(`${shownPath(file)} was skipped: ${notExamples}, and a .json file found by a glob or in a folder may not be a dataset. Name it on the command line to lint it.`);
      continue;
    }
    const facts = buildFacts(document, file, settings, { tokens, detectFormat: false, ...(hint !== undefined ? { hint } : {}) });
    if (document.isDataset) workspace.setFile(file, document, facts);
    loaded.push({ file, document, facts });
  }
  const results: FileLintResult[] = [];
  for (const { file, document, facts } of loaded) {
    const shown = shownPath(file);
    const { diagnostics } = lintDocument(document, file, facts.settings, { facts, workspace: workspace.size > 1 ? workspace : undefined });
    const unreadable = document.problems.find((problem) => problem.rule === 'unreadable-file')?.message;
    results.push({ file: shown, diagnostics, isDataset: document.isDataset, statistics: options.statistics === true && document.isDataset && unreadable === undefined ? datasetStatistics(document, facts, shown) : undefined, ...(unreadable !== undefined ? { unreadable } : {}) });
  }
  return { files: results, warnings, unmatched, ...(modelUnavailable ? { modelUnavailable: true } : {}) };
}

/** Keys of the dataset formats and of layouts a rule suggests renaming: a record with one of them, or one close to one, may be an example. */
const exampleKeys = ['messages', 'conversations', 'conversation', 'instruction', 'input', 'output', 'prompt', 'completion', 'text', 'chosen', 'rejected', 'system', 'question', 'query', 'problem', 'answer', 'response', 'solution', 'context', 'preferred_output', 'non_preferred_output', 'dialog', 'dialogue', 'segments', 'completions'];

/** Keys whose value is a list of turns or steps. */
const exampleListKeys = new Set(['messages', 'conversations', 'conversation', 'dialog', 'dialogue', 'segments', 'completions', 'preferred_output', 'non_preferred_output']);

/** A format's key, or one close to it (two edits, one for a short key), holding what that key holds: a list of turns, or text. */
function couldBeExampleKey(key: string, value: unknown): boolean {
  const near = closest(key, exampleKeys, key.length <= 5 ? 1 : 2);
  if (near === undefined) return false;
  return exampleListKeys.has(near) ? Array.isArray(value) : typeof value === 'string' || Array.isArray(value);
}

/**
 * Why a JSON dataset's records are no examples at all, or undefined when any of its first hundred could be one: an object
 * in a known format, or with a format's key or one close to it (every record's "mesages" misspelt is still a dataset).
 */
function recordsThatAreNoExamples(document: DatasetDocument): string | undefined {
  const records = document.records;
  if (!document.isDataset || document.kind !== 'json' || records.length === 0 || document.problems.length > 0) return undefined;
  let firstKeys: string[] | undefined;
  for (const record of records.slice(0, 100)) {
    const value = record.value;
    if (record.syntaxError !== undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    if (detectShape(value) !== 'unknown') return undefined;
    const keys = Object.keys(value);
    if (keys.some((key) => couldBeExampleKey(key, (value as Record<string, unknown>)[key]))) return undefined;
    firstKeys ??= keys;
  }
  const shown = firstKeys === undefined ? 'none of its records is an object' : `none of its records is in a dataset format (the first object's keys: ${firstKeys.slice(0, 6).map((key) => `"${key}"`).join(', ')}${firstKeys.length > 6 ? ', ...' : ''})`;
  return shown;
}

/** What linting keeps per record beyond its text (its lint cache, duplicate and near-duplicate index entries), measured on files of short records. */
const bytesPerRecord = 1200;

/**
 * A refusal when linting the document would need more memory than this process may use (Node's heap limit): about
 * twice the file's size for its text and parsed records, plus the index entries of each record. A file of millions of
 * short records under maxFileSize would otherwise run for minutes and crash. Undefined when it fits.
 */
function overHeap(document: DatasetDocument, file: string): DatasetDocument | undefined {
  if (!document.isDataset || document.problems.some((problem) => problem.rule === 'unreadable-file')) return undefined;
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return undefined;
  }
  const needed = 2 * size + bytesPerRecord * document.records.length;
  const limit = getHeapStatistics().heap_size_limit;
  if (needed <= 0.9 * limit) return undefined;
  const gigabytes = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  const suggested = Math.ceil((needed / 0.9 / 1024 ** 2) / 1024) * 1024;
  return DatasetDocument.refuse(document.kind, `The file has ${document.records.length.toLocaleString('en-US')} records (${readableSize(size)}): linting it needs about ${gigabytes(needed)} of memory, more than this process may use (${gigabytes(limit)}), so it was not linted. Split it into smaller files, or give Node more: NODE_OPTIONS=--max-old-space-size=${suggested}.`);
}

/** "1.1 MB, over the 1 MB limit" when the file is over maxFileSize; undefined when it is not (or cannot be read). */
function oversized(file: string, settings: LintSettings): string | undefined {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return undefined;
  }
  return overFileSizeLimit(size, settings) ? sizeOverLimit(size, settings.maxFileSize) : undefined;
}

/** Why a path named on the command line gave no file to lint: a folder without datasets, something that is not a file (a FIFO, a device), or nothing at all. */
function unmatchedPathMessage(resolved: string, pattern: string): string {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(resolved);
  } catch {
    return `No such file, and no dataset files match: '${pattern}'.`;
  }
  if (stats.isDirectory()) return `No dataset files (.jsonl, .ndjson, .json) in '${pattern}'.`;
  if (!stats.isFile()) return `'${pattern}' is not a regular file (a FIFO, socket or device): name a dataset file.`;
  return `'${pattern}' is not a dataset file (.jsonl, .ndjson, .json).`;
}
