/**
 * The document model: a dataset file split into records that keep their exact source position.
 *
 * JSONL: one record per non-blank line; `JSON.parse` per line, and the document can apply an edit to
 * just the lines it touches (the language server re-parses only those). JSON: an array of records,
 * pretty-printed or on one line; the top-level array is walked once to find each element's offsets.
 * Positions are LSP positions: 0-based lines, UTF-16 code units. A BOM is stripped before anything.
 */
import { findJsonSyntaxError, skipValue, skipWhitespace, type JsonSyntaxError } from './json/scanner';
import { detectShape } from './formats';

export type FileKind = 'jsonl' | 'json';

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

/** One record of the dataset with its source text and where it starts in the document. */
export class DatasetRecord {
  /** 0-based index among the file's records; kept current by the document. */
  index = 0;
  /** Line and column where the record's text starts; kept current by the document. */
  line = 0;
  character = 0;
  /** The parsed value while it is held; parsed lazily and released after linting, so memory stays near the file size. */
  private parsed: { value: unknown } | undefined;
  /** undefined until parsed once; then null (valid JSON) or the error. */
  private error: JsonSyntaxError | null | undefined;
  private lineStarts: number[] | undefined;
  /** Cache slot for analysis results, owned by the linter (invalidated when settings change). */
  cache: unknown;

  constructor(
    /** Exact source text of the record (for JSONL the line without its line break). */
    readonly text: string,
    parsed?: { value: unknown },
  ) {
    if (parsed !== undefined) {
      this.parsed = parsed;
      this.error = null;
    }
  }

  private parse(): void {
    try {
      this.parsed = { value: JSON.parse(this.text) };
      this.error = null;
    } catch (caught) {
      this.parsed = undefined;
      this.error = caught instanceof RangeError
        ? { offset: 0, length: Math.min(this.text.length, 1), message: 'The record is nested too deeply to parse (over the JavaScript stack limit); flatten it' }
        : (findJsonSyntaxError(this.text) ?? { offset: 0, length: 1, message: 'Invalid JSON' });
    }
  }

  /** Why the text is not valid JSON, or undefined when it is. */
  get syntaxError(): JsonSyntaxError | undefined {
    if (this.error === undefined) this.parse();
    return this.error ?? undefined;
  }

  /** Whether the parsed value is held now (otherwise reading `value` parses the text). */
  get holdsValue(): boolean {
    return this.parsed !== undefined;
  }

  /** The parsed value, or undefined when the text is not valid JSON (`syntaxError` says why). */
  get value(): unknown {
    if (this.parsed === undefined) {
      if (this.error !== undefined && this.error !== null) return undefined;
      this.parse();
    }
    return this.parsed?.value;
  }

  /** Drops the parsed value (it is parsed again on demand). */
  release(): void {
    this.parsed = undefined;
  }

  /** Converts an offset inside the record text to a document position. */
  positionAt(offset: number): Position {
    if (offset <= 0) return { line: this.line, character: this.character + Math.max(0, offset) };
    if (this.lineStarts === undefined) {
      if (this.text.indexOf('\n') < 0) return { line: this.line, character: this.character + Math.min(offset, this.text.length) };
      this.lineStarts = computeLineStarts(this.text);
    }
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    const column = offset - (starts[low] ?? 0);
    return low === 0 ? { line: this.line, character: this.character + column } : { line: this.line + low, character: column };
  }

  rangeAt(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Range of the whole record. */
  get range(): Range {
    return this.rangeAt(0, this.text.length);
  }
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  let index = text.indexOf('\n');
  while (index >= 0) {
    starts.push(index + 1);
    index = text.indexOf('\n', index + 1);
  }
  return starts;
}

/** A problem with the file as a whole (not one record): bad JSON in a .json file, binary content... */
export interface FileProblem {
  range: Range;
  message: string;
  rule: 'invalid-json' | 'unreadable-file';
}

/** A parsed dataset file. */
export class DatasetDocument {
  /** JSONL: one slot per line; blank lines keep their text as a plain string. JSON: unused (empty). */
  private lines: (DatasetRecord | string)[] = [];
  private jsonRecords: DatasetRecord[] = [];
  private recordsCache: DatasetRecord[] | undefined;
  /** After line edits: the previous record list is still right before this line (a rebuild starts there). */
  private staleFromLine: number | undefined;
  private staleRecords: DatasetRecord[] | undefined;
  problems: FileProblem[] = [];
  /** False for a .json file that is not an array of records (package.json...): nothing to lint. */
  isDataset = true;
  /** Whether line breaks are CRLF (kept for edits that produce new text). */
  eol: '\n' | '\r\n' = '\n';
  /** Records added and removed since the last `takeChanges()` (reset: everything changed). */
  private changes: { reset: boolean; added: DatasetRecord[]; removed: DatasetRecord[] } = { reset: true, added: [], removed: [] };

  /** What changed since the last call: the file-level indexes update only that. */
  takeChanges(): { reset: boolean; added: DatasetRecord[]; removed: DatasetRecord[] } {
    const changes = this.changes;
    this.changes = { reset: false, added: [], removed: [] };
    return changes;
  }

  private constructor(
    readonly kind: FileKind,
    /** Bumps on every change; lets caches know they are stale. */
    public version: number,
  ) {}

  static parse(text: string, kind: FileKind, version = 0): DatasetDocument {
    const document = new DatasetDocument(kind, version);
    document.setText(text);
    return document;
  }

  setText(rawText: string): void {
    const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
    this.problems = [];
    this.recordsCache = undefined;
    this.staleRecords = undefined;
    this.staleFromLine = undefined;
    this.isDataset = true;
    this.changes = { reset: true, added: [], removed: [] };
    const firstBreak = text.indexOf('\n');
    this.eol = firstBreak > 0 && text.charCodeAt(firstBreak - 1) === 13 ? '\r\n' : '\n';
    if (looksBinary(text)) {
      this.lines = [];
      this.jsonRecords = [];
      this.problems.push(binaryProblem());
      return;
    }
    if (this.kind === 'jsonl') {
      this.lines = splitLines(text).map(parseLine);
    } else {
      this.parseJsonArray(text);
    }
  }

  /**
   * A JSONL document from text that arrives in pieces (a file decoded chunk by chunk), so a large
   * file never exists as bytes and as one string at the same time. The result is the same as
   * `parse(pieces.join(''), 'jsonl')`; records are slices of the pieces.
   */
  static parseJsonlPieces(pieces: Iterable<string>, version = 0): DatasetDocument {
    const document = new DatasetDocument('jsonl', version);
    const lines: (DatasetRecord | string)[] = [];
    // The start of the text is held back until the BOM and binary checks can see 8192 characters.
    let head = '';
    let checked = false;
    let carry = '';
    let eolKnown = false;
    const take = (piece: string): boolean => {
      let start = 0;
      let lineBreak = piece.indexOf('\n');
      if (!eolKnown && lineBreak >= 0) {
        eolKnown = true;
        const before = lineBreak > 0 ? piece.charCodeAt(lineBreak - 1) : carry.length > 0 ? carry.charCodeAt(carry.length - 1) : 0;
        document.eol = before === 13 ? '\r\n' : '\n';
      }
      while (lineBreak >= 0) {
        let line = start === 0 && carry.length > 0 ? carry + piece.slice(0, lineBreak) : piece.slice(start, lineBreak);
        if (start === 0) carry = '';
        if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
        lines.push(parseLine(line));
        start = lineBreak + 1;
        lineBreak = piece.indexOf('\n', start);
      }
      carry = start === 0 ? carry + piece : piece.slice(start);
      return true;
    };
    const check = (text: string): boolean => {
      checked = true;
      const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      if (looksBinary(body)) {
        document.problems.push(binaryProblem());
        return false;
      }
      return take(body);
    };
    for (const piece of pieces) {
      if (checked) {
        take(piece);
        continue;
      }
      head += piece;
      if (head.length > 8192 && !check(head)) return document;
    }
    if (!checked && !check(head)) return document;
    lines.push(parseLine(carry)); // the text after the last line break, as splitLines keeps it
    document.lines = lines;
    return document;
  }

  /** A document that is not linted, with one file-level problem saying why (too large...). */
  static refuse(kind: FileKind, message: string): DatasetDocument {
    const document = new DatasetDocument(kind, 0);
    document.problems.push({ rule: 'unreadable-file', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message });
    return document;
  }

  /** The JSONL text rebuilt from its lines (JSON documents keep no text: the session does). */
  getText(): string {
    return this.lines.map(lineText).join(this.eol);
  }

  /** The records in file order (blank JSONL lines skipped). */
  get records(): readonly DatasetRecord[] {
    if (this.recordsCache !== undefined) return this.recordsCache;
    let records: DatasetRecord[];
    if (this.kind === 'jsonl') {
      let firstLine = 0;
      records = [];
      const previous = this.staleRecords;
      const from = this.staleFromLine;
      if (previous !== undefined && from !== undefined) {
        // Records before the first edited line kept their line and index: reuse that prefix.
        let low = 0;
        let high = previous.length;
        while (low < high) {
          const middle = (low + high) >> 1;
          if ((previous[middle]?.line ?? 0) < from) low = middle + 1;
          else high = middle;
        }
        records = previous.slice(0, low);
        firstLine = from;
      }
      this.staleRecords = undefined;
      this.staleFromLine = undefined;
      const lines = this.lines;
      for (let line = firstLine; line < lines.length; line++) {
        const record = lines[line];
        if (record === undefined || typeof record === 'string') continue;
        record.line = line;
        record.character = 0;
        record.index = records.length;
        records.push(record);
      }
    } else {
      records = this.jsonRecords;
    }
    this.recordsCache = records;
    return records;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /**
   * Applies an LSP content change to a JSONL document, re-parsing only the touched lines.
   * Returns false when the change cannot be applied incrementally (the caller re-parses the text).
   */
  applyLineEdit(range: Range, newText: string): boolean {
    if (this.kind !== 'jsonl' || this.problems.length > 0) return false;
    const { start, end } = range;
    if (start.line >= this.lines.length || end.line >= this.lines.length || end.line < start.line) return false;
    const firstText = lineText(this.lines[start.line]);
    const lastText = lineText(this.lines[end.line]);
    if (start.character > firstText.length || end.character > lastText.length) return false;
    const merged = firstText.slice(0, start.character) + newText + lastText.slice(end.character);
    const replacement = splitLines(merged).map(parseLine);
    const removed = this.lines.splice(start.line, end.line - start.line + 1, ...replacement);
    if (!this.changes.reset) {
      for (const slot of removed) if (typeof slot !== 'string') this.changes.removed.push(slot);
      for (const slot of replacement) if (typeof slot !== 'string') this.changes.added.push(slot);
    }
    if (this.recordsCache !== undefined && sameSlots(removed, replacement)) {
      // Records replaced one for one (the usual edit): patch a copy of the list instead of
      // re-numbering every record after the edit.
      const records = this.recordsCache.slice();
      removed.forEach((slot, offset) => {
        const next = replacement[offset];
        if (typeof slot === 'string' || next === undefined || typeof next === 'string') return;
        next.line = slot.line;
        next.character = 0;
        next.index = slot.index;
        records[slot.index] = next;
      });
      this.recordsCache = records;
      this.version++;
      return true;
    }
    if (this.recordsCache !== undefined) {
      this.staleRecords = this.recordsCache;
      this.staleFromLine = start.line;
    } else if (this.staleFromLine !== undefined) {
      this.staleFromLine = Math.min(this.staleFromLine, start.line);
    }
    this.recordsCache = undefined;
    this.version++;
    return true;
  }

  private parseJsonArray(text: string): void {
    this.lines = [];
    this.jsonRecords = [];
    const start = skipWhitespace(text, 0);
    if (start >= text.length) {
      return; // empty file: no records
    }
    if (text.charCodeAt(start) !== 91 /* [ */) {
      if (this.parseJsonLinesInJson(text)) return;
      // An object or scalar: not a dataset (package.json, settings...). Nothing to lint.
      this.isDataset = false;
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (caught) {
      const lineStarts = computeLineStarts(text);
      const error = caught instanceof RangeError
        ? { offset: start, length: 1, message: 'The file is nested too deeply to parse (over the JavaScript stack limit)' }
        : (findJsonSyntaxError(text) ?? { offset: start, length: 1, message: 'Invalid JSON' });
      this.problems.push({ rule: 'invalid-json', message: error.message, range: { start: positionIn(lineStarts, error.offset), end: positionIn(lineStarts, error.offset + error.length) } });
      this.recoverRecords(text, start, lineStarts, error.offset);
      return;
    }
    if (!Array.isArray(parsed)) {
      this.isDataset = false;
      return;
    }
    const lineStarts = computeLineStarts(text);
    let offset = skipWhitespace(text, start + 1);
    for (let index = 0; index < parsed.length; index++) {
      const end = skipValue(text, offset);
      const record = new DatasetRecord(text.slice(offset, end), { value: parsed[index] });
      const position = positionIn(lineStarts, offset);
      record.line = position.line;
      record.character = position.character;
      record.index = index;
      this.jsonRecords.push(record);
      offset = skipWhitespace(text, end);
      if (text.charCodeAt(offset) === 44 /* , */) offset = skipWhitespace(text, offset + 1);
    }
  }

  /**
   * A .json file written as JSON Lines (one record per line: Hugging Face `datasets` and LLaMA-Factory
   * read it so). Its lines are linted as records, but only when the first record is in a known dataset
   * format, so config files written on one line stay untouched.
   */
  private parseJsonLinesInJson(text: string): boolean {
    const lines = splitLines(text).map(parseLine);
    const first = lines.find((line): line is DatasetRecord => typeof line !== 'string');
    if (first === undefined || first.syntaxError !== undefined || detectShape(first.value) === 'unknown') return false;
    let index = 0;
    lines.forEach((line, lineNumber) => {
      if (typeof line === 'string') return;
      line.line = lineNumber;
      line.character = 0;
      line.index = index++;
      this.jsonRecords.push(line);
    });
    return true;
  }

  /**
   * After a syntax error in a JSON array, still lints the elements that parse on their own, so one
   * bad record does not hide every other problem. Elements are found by bracket matching; where that
   * loses its way (an unterminated string, a missing brace, a stray bracket), a pretty-printed array is
   * resynchronised at the next line that opens a record at the first record's indentation.
   */
  private recoverRecords(text: string, start: number, lineStarts: number[], errorOffset = -1): void {
    let offset = skipWhitespace(text, start + 1);
    if (text.charCodeAt(offset) !== 123 /* { */) return;
    const firstLine = positionIn(lineStarts, offset).line;
    const indent = text.slice(lineStarts[firstLine] ?? 0, offset);
    // Only an array with one record start per line can be resynchronised by lines.
    let byLines = /^[ \t]*$/.test(indent);
    let index = 0;
    while (offset < text.length && text.charCodeAt(offset) === 123 /* { */) {
      let end = skipValue(text, offset);
      let record = new DatasetRecord(text.slice(offset, end));
      let resume = -1;
      if (record.syntaxError !== undefined && byLines) {
        // Cut the broken record at the next record start, so the error stays inside it.
        resume = nextRecordStart(text, lineStarts, offset, indent);
        if (resume < 0) byLines = false; // no record starts further down: stop looking (keeps this linear)
        if (resume >= 0) {
          end = resume;
          while (end > offset && /[\s,]/.test(text[end - 1] ?? '')) end--;
          record = new DatasetRecord(text.slice(offset, end));
        }
      }
      // The record holding the reported error is skipped (not reported twice); the others, broken or
      // not, are linted, so one bad record hides nothing after it.
      const holdsReportedError = record.syntaxError !== undefined && errorOffset >= offset && errorOffset <= (resume >= 0 ? resume : end);
      if (!holdsReportedError) {
        const position = positionIn(lineStarts, offset);
        record.line = position.line;
        record.character = position.character;
        record.index = index++;
        this.jsonRecords.push(record);
      }
      if (resume >= 0) {
        offset = resume;
        continue;
      }
      offset = skipWhitespace(text, end);
      const next = text.charCodeAt(offset);
      if (next === 123 /* { */) {
        // A missing comma between records: reported here unless it is the error reported above.
        if (offset !== errorOffset) this.problems.push({ rule: 'invalid-json', message: "Unexpected '{': expected ',' or ']' in the array (a comma is missing between two records)", range: { start: positionIn(lineStarts, offset), end: positionIn(lineStarts, offset + 1) } });
        continue;
      }
      if (next === 44 /* , */) {
        offset = skipWhitespace(text, offset + 1);
        continue;
      }
      if (next === 93 /* ] */ || !byLines) break;
      // Something stray after a record (an extra bracket): go on at the next record start.
      const stray = nextRecordStart(text, lineStarts, offset, indent);
      if (stray < 0) break;
      if (offset !== errorOffset) this.problems.push({ rule: 'invalid-json', message: `Unexpected '${text[offset] ?? ''}' after a record: expected ',' or ']' in the array`, range: { start: positionIn(lineStarts, offset), end: positionIn(lineStarts, offset + 1) } });
      offset = stray;
    }
  }
}

/** The offset of the next line after `offset` that opens a record ('{') at exactly `indent`, or -1. */
function nextRecordStart(text: string, lineStarts: readonly number[], offset: number, indent: string): number {
  for (let line = positionIn(lineStarts, offset).line + 1; line < lineStarts.length; line++) {
    const lineStart = lineStarts[line] ?? 0;
    if (text.charCodeAt(lineStart + indent.length) === 123 /* { */ && text.startsWith(indent, lineStart)) return lineStart + indent.length;
  }
  return -1;
}

export function positionIn(lineStarts: readonly number[], offset: number): Position {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low, character: offset - (lineStarts[low] ?? 0) };
}

/** Whether an edit replaced lines one for one, each record by a record and each blank line by a blank line. */
function sameSlots(removed: readonly (DatasetRecord | string)[], added: readonly (DatasetRecord | string)[]): boolean {
  if (removed.length !== added.length) return false;
  return removed.every((slot, offset) => (typeof slot === 'string') === (typeof added[offset] === 'string'));
}

/** Splits on LF; a CR before the LF is not part of the line. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const lineBreak = text.indexOf('\n', start);
    if (lineBreak < 0) {
      lines.push(text.slice(start));
      return lines;
    }
    const end = lineBreak > start && text.charCodeAt(lineBreak - 1) === 13 ? lineBreak - 1 : lineBreak;
    lines.push(text.slice(start, end));
    start = lineBreak + 1;
  }
}

function lineText(slot: DatasetRecord | string | undefined): string {
  return slot === undefined ? '' : typeof slot === 'string' ? slot : slot.text;
}

function parseLine(line: string): DatasetRecord | string {
  // Blank lines are tolerated by every JSONL reader we know; whitespace-only ones too.
  if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0)) return line;
  return new DatasetRecord(line);
}

function binaryProblem(): FileProblem {
  return { rule: 'unreadable-file', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: 'This file looks binary (it contains NUL characters), so it was not linted. Datasets must be UTF-8 text.' };
}

function looksBinary(text: string): boolean {
  const probe = text.length > 8192 ? text.slice(0, 8192) : text;
  return probe.includes('\u0000');
}
