/**
 * The open dataset documents of an editor session: applies edits (JSONL incrementally), keeps the
 * facts per document (settings, mapping, format) and the workspace-wide duplicate index. The
 * language server wraps this; tests drive it directly with in-memory documents.
 */
import { overFileSizeLimit, type LintSettings } from './config';
import { PieceText } from './pieceText';
import { bomAsSpace, computeLineStarts, DatasetDocument, hasLoneCr, type EditEnd, type EditStart, type FileKind, type Range, type TextHead, textHead } from './document';
import { buildIndexInSlices, crossFileMatchingPending, hasCurrentIndex, matchAcrossFilesInSlices, prepareIndexForEdits, WorkspaceIndex } from './fileChecks';
import type { FileFacts } from './fileFacts';
import { defaultHint, type FormatHint } from './formats';
import { buildFacts, lintDocument, targetRange, type LintResult } from './linter';
import { estimatingCounter, type TokenCounter } from './tokens';

/** Reads and parses a file from disk with the settings and format hint it is linted with. */
export type DiskReader = (settings: LintSettings, hint: FormatHint | undefined) => Promise<DatasetDocument>;

export interface ContentChange {
  /** Absent = the whole text is replaced. */
  range?: Range;
  text: string;
}

interface OpenDocument {
  uri: string;
  document: DatasetDocument;
  /** Full text, kept for JSON documents and JSONL ones with file problems (others are edited line by line). */
  text: string | undefined;
  /**
   * JSON documents edited record by record: the text between records (gaps[i] before record i, the
   * last one after all), which those edits never touch, so `text` is rebuilt only when needed.
   */
  jsonGaps: string[] | undefined;
  /**
   * A JSON document last read again after an edit between records: the text before the edit's line,
   * unchanged by edits after it, and the rest, in pieces. Typing there edits the rest only (`text` is
   * their join, built when read). `restPlain`: the rest has no lone CR (the document may then read only its start).
   */
  jsonSplit: { head: TextHead; rest: PieceText; restPlain: boolean } | undefined;
  /** Too large to lint (or read from disk for the editor, which sends no edits). */
  refused: boolean;
  /**
   * The text of a document refused for its size, kept current by its edits: a maxFileSize raised later (or an edit that
   * brings it under the limit) lints it without a reopen. Undefined for a document read from disk.
   */
  refusedText: string | undefined;
  /** The maxFileSize the document was last checked against (settings may come after it opened). */
  sizeLimit: number;
  /** At least the text's length (what edits inserted is added, what they removed is not): measured only when over the limit. */
  lengthBound: number;
  facts: FileFacts | undefined;
  factsKey: string;
  /** `alone`: no other file was in the workspace index (the result has no cross-file findings to go stale). */
  lastResult: { version: number; factsVersion: number; generation: number; alone: boolean; result: LintResult } | undefined;
  /** The edit path was rehearsed for this document (see rehearseEdits). */
  rehearsed: boolean;
  /** Its records were located in the text as opened (see prepareForEdits). */
  locatedAsOpened: boolean;
}

/** Records from which a document's first lint is worth doing in slices (a few thousand take tens of milliseconds). */
const preparedFrom = 2000;

/**
 * The edit rehearsal of a large document (see rehearseEdits): from how many records a cold edit costs
 * more than a few milliseconds, and enough runs for V8 to compile the edit path.
 */
const rehearsedFrom = 10_000;
const rehearsalRecords = 100;
const rehearsalEdits = 12;
const rehearsalLints = 8;

/** The document of a file over tunesmith.maxFileSize: refused, with a message that says what to do. */
function tooLarge(kind: FileKind, length: number, settings: LintSettings): DatasetDocument {
  return DatasetDocument.refuse(kind, `This file has ${length} characters, more than tunesmith.maxFileSize (${settings.maxFileSize}): it was not linted. Split it, or run 'tunesmith lint' on it.`);
}

export function fileKindOf(uri: string, languageId?: string): FileKind {
  if (languageId === 'jsonl' || /\.jsonl(?:$|[?#])/i.test(uri) || /\.ndjson(?:$|[?#])/i.test(uri)) return 'jsonl';
  return 'json';
}

/** Applies one LSP-style change to a text; `start`: where a ranged change starts (the text before it is unchanged). */
function applyChange(text: string, change: ContentChange): { text: string; start?: EditStart } {
  if (change.range === undefined) return { text: change.text };
  const start = locate(text, change.range.start.line, change.range.start.character);
  const end = locate(text, change.range.end.line, change.range.end.character).offset;
  const changed = text.slice(0, start.offset) + change.text + text.slice(end);
  return { text: changed, start: { ...start, end: editEnd(start.offset, change.range, change.text, text.charCodeAt(start.offset - 1), text.charCodeAt(end)) } };
}

/**
 * Where an edit of `range` by `newText` at `offset` ends (see EditEnd); lines counted as the editor
 * does. `before` and `after`: the characters next to the replaced range. Undefined when a CR and an LF
 * meet at either side of the new text (one line break of two).
 */
function editEnd(offset: number, range: Range, newText: string, before: number, after: number): EditEnd | undefined {
  const end = offset + newText.length;
  const first = newText.length > 0 ? newText.charCodeAt(0) : after;
  const last = newText.length > 0 ? newText.charCodeAt(newText.length - 1) : before;
  if ((before === 13 && first === 10) || (last === 13 && after === 10)) return undefined;
  let lineBreaks = 0;
  for (let at = 0; at < newText.length; at++) {
    const code = newText.charCodeAt(at);
    if (code === 10 || (code === 13 && newText.charCodeAt(at + 1) !== 10)) lineBreaks++;
  }
  return { offset: end, previousLine: range.end.line, lineDelta: lineBreaks - (range.end.line - range.start.line) };
}

/**
 * The offset of an LSP position, and the line it is on (before the position's own when the text
 * has fewer lines); lines end at CRLF, LF or a lone CR, as the editor counts them.
 */
function locate(text: string, line: number, character: number): EditStart {
  let offset = 0;
  let carriageReturn = text.indexOf('\r');
  // Where the line starting at `from` ends (its break's first character), or -1 on the last line.
  const lineEndFrom = (from: number): number => {
    if (carriageReturn >= 0 && carriageReturn < from) carriageReturn = text.indexOf('\r', from);
    const lineFeed = text.indexOf('\n', from);
    return carriageReturn >= 0 && (lineFeed < 0 || carriageReturn < lineFeed) ? carriageReturn : lineFeed;
  };
  for (let current = 0; current < line; current++) {
    const lineEnd = lineEndFrom(offset);
    if (lineEnd < 0) return { offset: text.length, line: current };
    offset = lineEnd + (text.charCodeAt(lineEnd) === 13 && text.charCodeAt(lineEnd + 1) === 10 ? 2 : 1);
  }
  const lineEnd = lineEndFrom(offset);
  return { offset: Math.min(offset + character, lineEnd < 0 ? text.length : lineEnd), line };
}

/**
 * The text between a JSON document's records, cut at each record's position; undefined when a
 * record's text is not where its position says (then edits take the whole-text path).
 */
function gapsBetweenRecords(text: string, document: DatasetDocument): string[] | undefined {
  // Compared with the text as the document reads it (a BOM as a space), then the BOM is put back.
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bomAsSpace(text);
  const lineStarts = computeLineStarts(body);
  const gaps: string[] = [];
  let at = 0;
  for (const record of document.records) {
    const start = (lineStarts[record.line] ?? -1) + record.character;
    if (start < at || !body.startsWith(record.text, start)) return undefined;
    gaps.push(body.slice(at, start));
    at = start + record.text.length;
  }
  gaps.push(body.slice(at));
  // (When the first record starts the text, as in JSON Lines written to a .json file, the space is in its text and stays.)
  if (bom && gaps[0]?.startsWith(' ') === true) gaps[0] = `\uFEFF${gaps[0].slice(1)}`;
  return gaps;
}

/**
 * The gaps of a JSON document that can be edited record by record, found once per whole-text parse;
 * undefined when it cannot (file-level errors other than an array's syntax errors, or records not where their positions say).
 */
function jsonGapsOf(open: OpenDocument): string[] | undefined {
  if (open.jsonGaps === undefined && (open.text !== undefined || open.jsonSplit !== undefined) && open.document.editableByRecord) open.jsonGaps = gapsBetweenRecords(currentJsonText(open), open.document);
  return open.jsonGaps;
}

/**
 * Reads a JSON document's text again (an edit the one-record path cannot take, or a new format hint);
 * `edit`: where the edit that made it starts (the records before it may be kept, see DatasetDocument.setText).
 */
function setJsonText(open: OpenDocument, text: string, edit?: EditStart): void {
  open.text = text;
  open.jsonGaps = undefined;
  open.jsonSplit = undefined;
  open.document.setText(text, edit);
  open.document.version++;
  // Read whole (setText made it one flat string): the part before the edit's line is cut off for the edits that follow.
  if (edit !== undefined && open.document.isDataset) {
    const lineStart = text.lastIndexOf('\n', edit.offset - 1) + 1;
    const head = textHead(text, lineStart, edit.line);
    const rest = text.slice(lineStart);
    if (head.plain) open.jsonSplit = { head, rest: PieceText.of(rest), restPlain: !hasLoneCr(rest) };
  }
}

/**
 * Applies an edit on or after the line where a JSON document's split is (see OpenDocument.jsonSplit)
 * to its rest, and reads the document from there. False when the edit is before it or the document
 * cannot be read so (the caller takes the whole-text path).
 */
function editAfterHead(open: OpenDocument, range: Range, newText: string, splitAgain = true): boolean {
  const split = open.jsonSplit;
  if (split === undefined || range.start.line < split.head.lines) return false;
  const start = locateIn(split.rest, range.start.line - split.head.lines, range.start.character);
  // Far below the split: split again at the edit, so that this edit and the ones near it read from there (the text is joined once).
  if (start.offset > splitAgainFrom && splitAgain) return splitAtLine(open, range.start.line) && editAfterHead(open, range, newText, false);
  const end = locateIn(split.rest, range.end.line - split.head.lines, range.end.character).offset;
  if (end < start.offset) return false;
  const before = split.rest.charCodeAt(start.offset - 1);
  const after = split.rest.charCodeAt(end);
  const rest = split.rest.edit(start.offset, end, newText);
  const edit: EditStart = { offset: start.offset, line: split.head.lines + start.line, end: editEnd(start.offset, range, newText, before, after) };
  const restPlain = split.restPlain && !createsLoneCr(before, newText, after);
  // The start of the rest first, some way past the edit: the records after it are taken over without the whole rest built.
  const readAhead = start.offset + newText.length + jsonReadAhead.chars;
  const read = (restPlain && readAhead < rest.length && open.document.setTextAfterHead(split.head, rest.slice(0, readAhead), edit, false)) || open.document.setTextAfterHead(split.head, rest.toString(), edit);
  if (!read) {
    currentJsonText(open); // the text before the edit, which the caller edits
    open.jsonSplit = undefined;
    return false;
  }
  open.jsonSplit = { head: split.head, rest, restPlain };
  open.text = undefined;
  open.jsonGaps = undefined;
  open.document.version++;
  return true;
}

/**
 * Splits a JSON document's text at the start of `line` (see OpenDocument.jsonSplit), so that an edit
 * there reads only the rest, as the edits after it do; false when it cannot be split so.
 */
function splitAtLine(open: OpenDocument, line: number): boolean {
  if (!open.document.isDataset) return false;
  const text = currentJsonText(open);
  let lineStart = 0;
  for (let at = 0; at < line; at++) {
    lineStart = text.indexOf('\n', lineStart) + 1;
    if (lineStart === 0) return false;
  }
  const head = textHead(text, lineStart, line);
  const rest = text.slice(lineStart);
  if (head.plain) open.jsonSplit = { head, rest: PieceText.of(rest), restPlain: !hasLoneCr(rest) };
  return head.plain;
}

/** How far below a JSON document's split an edit splits it again (characters). */
const splitAgainFrom = 1 << 20;

/** How far past an edit between records the document first reads (characters): enough for the record after it. Tests shorten it. */
export const jsonReadAhead = { chars: 1 << 18 };

/** `locate` in a JSON document's rest, reading only its start when the position is there. */
function locateIn(rest: PieceText, line: number, character: number): EditStart {
  for (let size = 1 << 16; ; size *= 4) {
    const whole = size >= rest.length;
    const start = whole ? rest.toString() : rest.slice(0, size);
    const found = locate(start, line, character);
    // The line ends in the start read: the position is the same in the whole.
    if (whole || (found.line === line && start.indexOf('\n', found.offset) >= 0)) return found;
  }
}

/** Whether replacing a range by `newText` leaves a CR that no LF follows (`before`, `after`: the characters next to the range; the text had none). */
function createsLoneCr(before: number, newText: string, after: number): boolean {
  const next = (index: number): number => (index < newText.length ? newText.charCodeAt(index) : after);
  if (before === 13 && next(0) !== 10) return true;
  for (let index = newText.indexOf('\r'); index >= 0; index = newText.indexOf('\r', index + 1)) if (next(index + 1) !== 10) return true;
  return false;
}

/** A JSON document's full text: kept, or rebuilt from the records and the gaps between them. */
function currentJsonText(open: OpenDocument): string {
  if (open.text !== undefined) return open.text;
  if (open.jsonSplit !== undefined) return (open.text = open.jsonSplit.head.text + open.jsonSplit.rest.toString());
  const gaps = open.jsonGaps ?? [];
  const records = open.document.records;
  const pieces: string[] = [];
  records.forEach((record, index) => pieces.push(gaps[index] ?? '', record.text));
  pieces.push(gaps[records.length] ?? '');
  return pieces.join('');
}

/** A dataset file read from disk, not open in the editor: it takes part in train/eval leakage checks only. */
interface DiskDocument {
  document: DatasetDocument;
  facts: FileFacts;
}

export class DatasetSession {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly diskDocuments = new Map<string, DiskDocument>();
  readonly workspace: WorkspaceIndex;
  private factsVersion = 0;
  /** Bumps whenever any file's records change: cross-file findings of the other files go stale. */
  private generation = 0;

  constructor(
    /** Settings and format hint for a document (the server reads them from the client and disk). */
    private readonly configure: (uri: string) => { settings: LintSettings; hint?: FormatHint; tokens?: TokenCounter },
    /** Called when a file's lint changed what it counts for the other files' leakage checks (its first lint, or one with new settings): their findings are stale. */
    private readonly joinedOthers: () => void = () => undefined,
    /** What file a URI names (see WorkspaceIndex): the server resolves symbolic links. */
    identify?: (uri: string) => string,
  ) {
    this.workspace = new WorkspaceIndex(identify);
  }

  open(uri: string, text: string, languageId?: string): DatasetDocument {
    return this.openAs(uri, text, fileKindOf(uri, languageId));
  }

  private openAs(uri: string, text: string, kind: FileKind): DatasetDocument {
    const { settings, hint } = this.configure(uri);
    const refused = overFileSizeLimit(text.length, settings);
    const document = refused ? tooLarge(kind, text.length, settings) : DatasetDocument.parse(text, kind, 0, hint);
    this.register(uri, document, !refused && (kind === 'json' || document.problems.length > 0 || document.mixedLineBreaks) ? text : undefined, refused, settings.maxFileSize, text.length, refused ? text : undefined);
    return document;
  }

  /**
   * Checks an open document against the size limit of the settings now in force: it opened before the
   * client's settings came (with the defaults), or the limit changed. Returns whether it is refused now.
   */
  applySizeLimit(uri: string): boolean {
    const open = this.documents.get(uri);
    if (open === undefined || (open.refused && open.refusedText === undefined)) return false;
    const { settings } = this.configure(uri);
    if (open.sizeLimit === settings.maxFileSize) return false;
    // Refused under another limit: read again under this one (linted, or refused with the limit now in force named).
    if (open.refusedText !== undefined) {
      this.openAs(uri, open.refusedText, open.document.kind);
      return true;
    }
    open.sizeLimit = settings.maxFileSize;
    return this.refuseWhenOver(uri, open);
  }

  /** Refuses an open document whose text is now over the size limit, as an open of that text would; true when it does. */
  private refuseWhenOver(uri: string, open: OpenDocument): boolean {
    const { settings } = this.configure(uri);
    const text = open.text ?? (open.document.kind === 'json' ? currentJsonText(open) : open.document.getText());
    open.lengthBound = text.length;
    if (!overFileSizeLimit(text.length, settings)) return false;
    this.leaveWorkspace(uri);
    this.register(uri, tooLarge(open.document.kind, text.length, settings), undefined, true, settings.maxFileSize, text.length, text);
    return true;
  }

  /**
   * A document the caller read from disk because the editor cannot share it (VS Code keeps files over
   * 50 MB from extensions), linted like an open one until closed. No edits come for it.
   */
  openFromDisk(uri: string, document: DatasetDocument): void {
    this.register(uri, document, undefined, true, this.configure(uri).settings.maxFileSize, 0);
  }

  private register(uri: string, document: DatasetDocument, text: string | undefined, refused: boolean, sizeLimit: number, lengthBound: number, refusedText?: string): void {
    this.documents.set(uri, { uri, document, text, jsonGaps: undefined, jsonSplit: undefined, refused, refusedText, sizeLimit, lengthBound, facts: undefined, factsKey: '', lastResult: undefined, rehearsed: false, locatedAsOpened: false });
    this.generation++;
    // This copy replaces the disk copy read for leakage (it is put in the workspace index when first linted).
    if (this.diskDocuments.delete(uri)) this.workspace.removeFile(uri);
  }

  /**
   * A dataset file that is not open (e.g. eval.jsonl beside the open train.jsonl), read from disk by
   * the caller: its records count for cross-file duplicates (leakage). Ignored while the file is
   * open (the editor's text wins) or when it is too large or not a dataset. Returns whether it is used.
   */
  setDiskFile(uri: string, text: string, languageId?: string): boolean {
    this.bumpDiskRead(uri);
    if (!this.diskFileFits(uri, text)) return false;
    const disk = this.diskDocumentOf(uri, DatasetDocument.parse(text, fileKindOf(uri, languageId), 0, this.configure(uri).hint));
    return disk !== undefined && this.useDiskFile(uri, disk);
  }

  /**
   * `setDiskFile` with the file's record checks and duplicate index done in slices, `pause()` between
   * them, before it counts for the open files: their next lint compares with it at once instead of
   * holding the server for seconds (a 60 MB eval.jsonl beside train.jsonl). `source` is the file's
   * text, or a reader that parses the file as it reads it (`readDatasetFileAsync`: a large JSON Lines
   * file is then never one string, nor split into lines at once).
   */
  async setDiskFileInSlices(uri: string, source: string | DiskReader, pause: () => Promise<void>, languageId?: string): Promise<boolean> {
    if (typeof source === 'string' ? !this.diskFileFits(uri, source) : this.documents.has(uri)) return false;
    const read = this.bumpDiskRead(uri);
    const { settings, hint } = this.configure(uri);
    const document = typeof source === 'string' ? await DatasetDocument.parseInSlices(source, fileKindOf(uri, languageId), pause, hint) : await source(settings, hint);
    if (this.diskReads.get(uri) !== read) return false;
    const disk = this.diskDocumentOf(uri, document);
    if (disk === undefined) return false;
    const factsVersion = this.factsVersion;
    await buildIndexInSlices(disk.document, disk.facts, pause);
    // A later read of the same file, or its deletion, came while this one was prepared: that one stands.
    if (this.diskReads.get(uri) !== read) return false;
    // Settings changed meanwhile: facts built from the new ones (the index is rebuilt when first needed).
    if (factsVersion !== this.factsVersion) disk.facts = this.freshFacts(uri, disk.document);
    return this.useDiskFile(uri, disk);
  }

  /** Whether a disk file may count: not open in the editor, and within the size limit (else its old copy is forgotten). */
  private diskFileFits(uri: string, text: string): boolean {
    if (this.documents.has(uri)) return false;
    if (!overFileSizeLimit(text.length, this.configure(uri).settings)) return true;
    this.removeDiskFile(uri);
    return false;
  }

  /** A disk file's document with its facts, or undefined (and the old copy forgotten) when it is not a dataset. */
  private diskDocumentOf(uri: string, document: DatasetDocument): DiskDocument | undefined {
    if (this.documents.has(uri)) return undefined;
    if (!document.isDataset || document.problems.some((problem) => problem.rule === 'unreadable-file')) {
      this.removeDiskFile(uri);
      return undefined;
    }
    return { document, facts: this.freshFacts(uri, document) };
  }

  private useDiskFile(uri: string, disk: DiskDocument): boolean {
    if (this.documents.has(uri)) return false; // opened in the editor meanwhile: its text wins
    this.generation++;
    this.diskDocuments.set(uri, disk);
    this.workspace.setFile(uri, disk.document, disk.facts);
    return true;
  }

  /** Per disk file, a count of reads and removals: a slow read that finishes last must not undo a newer one. */
  private readonly diskReads = new Map<string, number>();

  private bumpDiskRead(uri: string): number {
    const read = (this.diskReads.get(uri) ?? 0) + 1;
    this.diskReads.set(uri, read);
    return read;
  }

  /** Forgets a disk file; returns whether there was one. */
  removeDiskFile(uri: string): boolean {
    this.bumpDiskRead(uri);
    if (!this.diskDocuments.delete(uri)) return false;
    this.workspace.removeFile(uri);
    this.generation++;
    return true;
  }

  hasDiskFile(uri: string): boolean {
    return this.diskDocuments.has(uri);
  }

  /** The files read from disk for leakage checks. */
  diskUris(): string[] {
    return [...this.diskDocuments.keys()];
  }

  /** Facts for a document from its current settings (the format is learnt while linting). */
  private freshFacts(uri: string, document: DatasetDocument): FileFacts {
    const { settings, hint, tokens } = this.configure(uri);
    return buildFacts(document, uri, settings, { hint: hint ?? defaultHint, tokens: tokens ?? estimatingCounter, version: this.factsVersion, detectFormat: false });
  }

  change(uri: string, changes: readonly ContentChange[]): void {
    const open = this.documents.get(uri);
    if (open === undefined) return;
    if (open.refused) {
      if (open.refusedText === undefined) return;
      // Kept current, not linted: an edit that brings it under the limit lints it; one that leaves it over it is refused
      // again, its message naming its length now.
      let text = open.refusedText;
      for (const change of changes) text = applyChange(text, change).text;
      open.refusedText = text;
      this.openAs(uri, text, open.document.kind);
      return;
    }
    this.generation++;
    // An edit that takes the text over the size limit refuses it, as opening that text would (measured only once what the
    // edits inserted could have: typing does not rebuild the text).
    for (const change of changes) open.lengthBound = (change.range === undefined ? 0 : open.lengthBound) + change.text.length;
    this.applyChanges(open, changes);
    if (overFileSizeLimit(open.lengthBound, this.configure(uri).settings)) this.refuseWhenOver(uri, open);
  }

  private applyChanges(open: OpenDocument, changes: readonly ContentChange[]): void {
    const { document } = open;
    if (document.kind === 'json') {
      for (const change of changes) {
        // Typing inside a record re-parses that record only (a whole 50k-record array takes most of a second).
        // The gaps are read only for such an edit: typing between records (a new one) re-reads the text anyway.
        if (change.range !== undefined && document.applyJsonRecordEdit(change.range, change.text, () => jsonGapsOf(open) !== undefined)) {
          open.text = undefined;
          open.jsonSplit = undefined;
          continue;
        }
        // Typing between records (again after the line read last): only the text from there on is read.
        if (change.range !== undefined && open.jsonSplit === undefined) splitAtLine(open, change.range.start.line);
        if (change.range !== undefined && editAfterHead(open, change.range, change.text)) continue;
        const changed = applyChange(currentJsonText(open), change);
        setJsonText(open, changed.text, changed.start);
      }
      return;
    }
    for (const change of changes) {
      if (change.range !== undefined && document.applyLineEdit(change.range, change.text)) continue;
      // Whole-text change, or one the line model cannot apply: rebuild from text.
      const text = change.range === undefined ? change.text : applyChange(open.text ?? document.getText(), change).text;
      document.setText(text);
      document.version++;
      open.text = document.problems.length > 0 || document.mixedLineBreaks ? text : undefined;
    }
  }

  /** Forgets an open document; the caller may hand its disk copy back with `setDiskFile`. */
  close(uri: string): void {
    this.documents.delete(uri);
    this.workspace.removeFile(uri);
    this.generation++;
  }

  /**
   * An open document that is no longer a dataset by the settings (outside the `files` globs) stops
   * counting for the others' leakage; returns whether it counted. Its next lint puts it back.
   */
  leaveWorkspace(uri: string): boolean {
    if (!this.documents.has(uri) || !this.workspace.has(uri)) return false;
    this.workspace.removeFile(uri);
    this.generation++;
    return true;
  }

  has(uri: string): boolean {
    return this.documents.has(uri);
  }

  get(uri: string): DatasetDocument | undefined {
    return this.documents.get(uri)?.document;
  }

  /** The document's current full text (rebuilt when it is not kept). */
  textOf(uri: string): string | undefined {
    const open = this.documents.get(uri);
    if (open === undefined) return undefined;
    if (open.document.kind === 'json') return currentJsonText(open);
    return open.text ?? open.document.getText();
  }

  uris(): string[] {
    return [...this.documents.keys()];
  }

  /** Forget cached facts (settings, dataset_info.json or the model changed): everything is re-checked. */
  invalidate(): void {
    this.factsVersion++;
    for (const open of this.documents.values()) {
      open.facts = undefined;
      open.lastResult = undefined;
    }
    // Disk files are re-read with the new settings (mapping, forced format) the next time they count.
    for (const [uri, disk] of this.diskDocuments) {
      disk.facts = this.freshFacts(uri, disk.document);
      this.workspace.setFile(uri, disk.document, disk.facts);
    }
  }

  factsFor(uri: string): FileFacts | undefined {
    const open = this.documents.get(uri);
    if (open === undefined) return undefined;
    if (open.facts === undefined && !open.refused && open.document.takeHint(this.configure(uri).hint ?? defaultHint)) {
      // The settings or dataset_info.json came after the file was read: its column names may make it a dataset.
      setJsonText(open, currentJsonText(open));
    }
    const key = `${this.factsVersion}|${open.document.version}`;
    if (open.facts === undefined || open.factsKey !== key) {
      // Format by majority can change with any edit; the record caches stay valid unless it does.
      const facts = this.freshFacts(uri, open.document);
      open.facts = facts;
      open.factsKey = key;
    }
    return open.facts;
  }

  /** Work the first edit of a linted document would otherwise do, `pause()` between slices; an editor calls it while idle. */
  async prepareForEdits(uri: string, pause: () => Promise<void> = async () => undefined, sliceMs?: number): Promise<void> {
    const open = this.documents.get(uri);
    if (open === undefined) return;
    const version = open.document.version;
    await prepareIndexForEdits(open.document, pause, sliceMs);
    // JSON as opened: where the records sit, so the first keystroke inside one re-parses only it. (After
    // later whole-text reads, the server does it once typing pauses: see locateJsonRecords.)
    if (!open.locatedAsOpened && this.documents.get(uri) === open) {
      open.locatedAsOpened = true;
      this.locateJsonRecords(uri);
    }
    // Edits came meanwhile: they run the edit path themselves, and a rehearsal would only delay the next ones.
    if (open.document.version !== version) open.rehearsed = true;
    await this.rehearseEdits(open, pause);
  }

  /**
   * JSON: finds where the records sit in the text (once per whole-text read), so that the first
   * keystroke inside one re-parses only it. It reads the whole text (a fifth of a second at 60 MB): the
   * server does it once typing pauses, not after each keystroke, which typing between records (a new
   * record) would otherwise wait for.
   */
  locateJsonRecords(uri: string): void {
    const open = this.documents.get(uri);
    if (open !== undefined && open.document.kind === 'json') jsonGapsOf(open);
  }

  /**
   * Runs the edit path while idle, once per large document, without changing it: the first keystrokes
   * would otherwise run it in V8's interpreter and compile it on the way (tens of milliseconds each,
   * against a few once compiled). Edits go to a scratch copy of the first records (a self-edit of the
   * document itself would re-link its near-duplicates through the edit path, which compares more
   * candidates than the first lint); the document itself is only re-linted, which changes nothing.
   */
  private async rehearseEdits(open: OpenDocument, pause: () => Promise<void>): Promise<void> {
    const { document } = open;
    if (open.rehearsed || open.refused || !document.isDataset || document.records.length < rehearsedFrom) return;
    open.rehearsed = true;
    const version = document.version;
    const facts = this.factsFor(open.uri);
    if (facts === undefined) return;
    const unchanged = (): boolean => this.documents.get(open.uri) === open && document.version === version && open.facts === facts;
    const sample = document.records.slice(0, rehearsalRecords).map((record) => record.text);
    const scratch = new DatasetSession(() => this.configure(open.uri));
    const scratchDocument = scratch.open(open.uri, document.kind === 'json' ? `[\n${sample.join(',\n')}\n]\n` : `${sample.join('\n')}\n`);
    await pause();
    if (!unchanged()) return;
    scratch.lint(open.uri);
    for (let edit = 0; edit < rehearsalEdits; edit++) {
      await pause();
      if (!unchanged()) return;
      const record = scratchDocument.records[(edit * 37) % scratchDocument.records.length];
      if (record === undefined) break;
      // Strictly inside the record, as typing is (an edit at its edges makes a JSON file re-parse whole).
      const inner = { start: 1, end: Math.max(1, record.text.length - 1) };
      scratch.change(open.uri, [{ range: targetRange(record, { offsets: inner }), text: record.text.slice(inner.start, inner.end) }]);
      scratch.lint(open.uri);
    }
    for (let lint = 0; lint < rehearsalLints; lint++) {
      await pause();
      if (!unchanged()) return;
      lintDocument(document, open.uri, facts.settings, { facts, workspace: this.workspace });
    }
  }

  /**
   * Whether the document's next lint would check thousands of records at once (its first lint, the
   * first after a settings change or a whole-text change, or the first beside a newly read or opened
   * file that it must look its records up in): the caller runs `prepareInSlices` first.
   */
  needsPreparing(uri: string): boolean {
    const open = this.documents.get(uri);
    if (open === undefined || !open.document.isDataset || open.document.records.length < preparedFrom) return false;
    const facts = this.factsFor(uri);
    return facts !== undefined && (!hasCurrentIndex(open.document, facts) || crossFileMatchingPending(open.document, facts, this.workspace));
  }

  /**
   * Does the record checks and the duplicate index of a document (open or read from disk) in
   * slices with `pause()` between them, so that its first lint, or the first lint of a file that
   * compares with it, does not hold the server for seconds (a large file read from disk).
   */
  async prepareInSlices(uri: string, pause: () => Promise<void>, sliceMs?: number): Promise<void> {
    const open = this.documents.get(uri);
    const disk = this.diskDocuments.get(uri);
    const document = open?.document ?? disk?.document;
    const facts = open !== undefined ? this.factsFor(uri) : disk?.facts;
    if (document === undefined || facts === undefined || document.problems.some((problem) => problem.rule === 'unreadable-file')) return;
    await buildIndexInSlices(document, facts, pause, sliceMs);
    if (open !== undefined) await matchAcrossFilesInSlices(document, facts, this.workspace, pause, sliceMs);
  }

  lint(uri: string): LintResult | undefined {
    const open = this.documents.get(uri);
    if (open === undefined) return undefined;
    const facts = this.factsFor(uri);
    if (facts === undefined) return undefined;
    const last = open.lastResult;
    // With other files in the workspace, their edits can add or clear this file's leakage findings;
    // so can the last other file leaving it (closed, deleted on disk), though this one is then alone.
    if (last !== undefined && last.version === open.document.version && last.factsVersion === this.factsVersion && ((last.alone && this.workspace.size <= 1) || last.generation === this.generation)) return last.result;
    const tooLarge = open.document.problems.some((problem) => problem.rule === 'unreadable-file');
    const result = lintDocument(open.document, uri, facts.settings, { facts, workspace: this.workspace });
    const joins = !tooLarge && open.document.isDataset && !this.workspace.has(uri);
    // Its entry changes when it joins, and when it is linted with new facts (after a settings change): the other files'
    // findings were made against the old entry (a leak a forced format or a length limit no longer counts), so they are stale.
    const changed = !tooLarge && open.document.isDataset && this.workspace.setFile(uri, open.document, facts);
    if ((joins || changed) && this.workspace.hasOthers(uri)) {
      this.generation++;
      this.joinedOthers();
    }
    open.lastResult = { version: open.document.version, factsVersion: this.factsVersion, generation: this.generation, alone: this.workspace.size <= 1, result };
    return result;
  }
}

export { DatasetDocument };
