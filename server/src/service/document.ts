/**
 * The document model: a dataset file split into records that keep their exact source position.
 *
 * JSONL: one record per non-blank line; `JSON.parse` per line, and the document can apply an edit to
 * just the lines it touches (the language server re-parses only those). Lines that together hold one
 * pretty-printed record (or a JSON array of records) pasted into the file form a `LineRun`: its
 * records are linted where they are, and invalid-json says to put each record on one line. JSON: an
 * array of records, pretty-printed or on one line, or such an array under the one key of an object
 * (`{"data": [...]}`, or splits: `{"train": [...], "test": [...]}`); each array is walked once to find
 * each element's offsets.
 * Positions are LSP positions: 0-based lines, UTF-16 code units. A BOM is read as a space (see bomAsSpace).
 */
import { cannotBeJson, commentErrorAt, describeToken, findJsonSyntaxError, findJsonSyntaxErrorAfterElement, oneValuePerLineHint, parseJson, skipStringFast, skipValue, skipWhitespace, startsJsonValue, tokenLength, type JsonSyntaxError } from './json/scanner';
import { defaultHint, detectShape, type FormatHint } from './formats';
import type { RecordShape } from './conversation';
import type { RecordCache } from './recordCache';

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
  /** JSON only: which array of the file holds the record (0 but in a file of splits, `{"train": [...], "test": [...]}`). */
  arrayIndex = 0;
  /** JSON only: the file's own invalid-json problem already reports this element's syntax error, so the record does not again. */
  errorReportedByFile = false;
  /** The parsed value while it is held; parsed lazily and released after linting, so memory stays near the file size. */
  private parsed: { value: unknown } | undefined;
  /** undefined until parsed once; then null (valid JSON) or the error. */
  private error: JsonSyntaxError | null | undefined;
  private lineStarts: number[] | undefined;
  /** What the linter keeps of the record between lints (checked against the settings version when read). */
  cache: RecordCache | undefined;
  /** JSONL only: the multi-line run the record belongs to (absent for a record on its own line). */
  run: LineRun | undefined;
  /** Offset of the record's text inside `run.text`. */
  runOffset = 0;

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
    this.parsed = undefined;
    // A text that cannot parse is not handed to JSON.parse only to throw (see cannotBeJson).
    if (!cannotBeJson(this.text)) {
      try {
        this.parsed = { value: JSON.parse(this.text) };
        this.error = null;
        return;
      } catch (caught) {
        if (caught instanceof RangeError) {
          this.error = { offset: 0, length: Math.min(this.text.length, 1), message: 'The record is nested too deeply to parse (over the JavaScript stack limit); flatten it' };
          return;
        }
      }
    }
    this.error = findJsonSyntaxError(this.text) ?? { offset: 0, length: 1, message: 'Invalid JSON' };
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

  /**
   * Converts an offset inside the record text to a document position. In a multi-line run, offsets
   * before the record or after it reach into the run's text (the run's problem covers the whole run).
   */
  positionAt(offset: number): Position {
    if (this.run !== undefined && (offset < 0 || offset > this.text.length)) return this.run.positionAt(this.runOffset + offset);
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

  /**
   * The offset in the record's text of a document position (the inverse of positionAt), or
   * undefined when the position is not on the record's text (before it, after it, or past the end
   * of one of its lines).
   */
  offsetAt(position: Position): number | undefined {
    if (position.line < this.line) return undefined;
    const text = this.text;
    let offset = 0;
    for (let line = this.line; line < position.line; line++) {
      const next = text.indexOf('\n', offset);
      if (next < 0) return undefined;
      offset = next + 1;
    }
    const column = position.line === this.line ? position.character - this.character : position.character;
    if (column < 0) return undefined;
    const lineEnd = text.indexOf('\n', offset);
    const at = offset + column;
    return at > (lineEnd < 0 ? text.length : lineEnd) ? undefined : at;
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

/** What a multi-line run holds: one record, an array of records, or text that is not valid JSON. */
export type LineRunKind = 'object' | 'array' | 'broken';

/**
 * Consecutive JSONL lines that hold one JSON value together: a pretty-printed record pasted into the
 * file (kind 'object'), a JSON array of records ('array'), or such a record with a syntax error
 * ('broken'). Trainers read JSONL line by line and fail on every one of these lines; the linter
 * reports the run once and lints its records at their exact place.
 */
export class LineRun {
  /** First line in the document; kept current by the document (-1 until first placed). */
  line = -1;
  /** The lines joined by '\n' (line breaks normalised, so CRLF files give the same offsets). */
  readonly text: string;
  readonly records: DatasetRecord[];
  /** Where each record starts, relative to the run's first line. */
  private readonly starts: Position[];
  private readonly lineStarts: number[];

  constructor(
    readonly lines: readonly string[],
    readonly kind: LineRunKind,
    parsed?: unknown,
  ) {
    this.text = lines.join('\n');
    this.lineStarts = computeLineStarts(this.text);
    const pieces: { offset: number; record: DatasetRecord }[] = [];
    if (kind === 'array' && Array.isArray(parsed)) {
      let offset = skipWhitespace(this.text, skipWhitespace(this.text, 0) + 1);
      for (const element of parsed) {
        const end = skipValue(this.text, offset);
        pieces.push({ offset, record: new DatasetRecord(this.text.slice(offset, end), { value: element }) });
        offset = skipWhitespace(this.text, end);
        if (this.text.charCodeAt(offset) === 44 /* , */) offset = skipWhitespace(this.text, offset + 1);
      }
    } else {
      const offset = skipWhitespace(this.text, 0);
      const end = kind === 'broken' ? this.text.length : skipValue(this.text, offset);
      pieces.push({ offset, record: new DatasetRecord(this.text.slice(offset, end), kind === 'object' ? { value: parsed } : undefined) });
    }
    this.records = pieces.map(({ offset, record }) => {
      record.run = this;
      record.runOffset = offset;
      return record;
    });
    this.starts = pieces.map(({ offset }) => positionIn(this.lineStarts, offset));
  }

  get lastLine(): number {
    return this.line + this.lines.length - 1;
  }

  /** The document position of an offset in the run's text (clamped to the run). */
  positionAt(offset: number): Position {
    const position = positionIn(this.lineStarts, Math.max(0, Math.min(offset, this.text.length)));
    return { line: this.line + position.line, character: position.character };
  }

  /** Places the run at `line` and its records after `index`; returns the next free index. */
  place(line: number, index: number): number {
    this.line = line;
    this.records.forEach((record, at) => {
      const start = this.starts[at] ?? { line: 0, character: 0 };
      record.line = line + start.line;
      record.character = start.character;
      record.index = index + at;
    });
    return index + this.records.length;
  }

  /** The range of all the run's lines. */
  get range(): Range {
    return { start: { line: this.line, character: 0 }, end: { line: this.lastLine, character: (this.lines[this.lines.length - 1] ?? '').length } };
  }

  /**
   * The run's records one per line, for the quick fix: each record's line breaks and the indentation
   * around them removed. No JSON string spans a line, so only whitespace between tokens goes and
   * string contents stay byte for byte.
   */
  oneRecordPerLine(eol: string): string {
    return this.records.map((record) => record.text.split('\n').map((line, at) => (at === 0 ? line.trimEnd() : line.trim())).join('')).join(eol);
  }
}

/** A JSONL line that belongs to a multi-line run (the `at`-th line of it). */
class RunLine {
  constructor(
    readonly run: LineRun,
    readonly at: number,
  ) {}

  get text(): string {
    return this.run.lines[this.at] ?? '';
  }
}

type LineSlot = DatasetRecord | string | RunLine;

/** A run is at most this many lines and characters, so a file of garbage stays linear. */
const runMaxLines = 2000;
const runMaxChars = 1 << 20;

/** First and last non-whitespace index of a line, or undefined when it is blank. */
function contentBounds(text: string): { first: number; last: number } | undefined {
  let first = 0;
  while (first < text.length && text.charCodeAt(first) <= 32) first++;
  if (first >= text.length) return undefined;
  let last = text.length - 1;
  while (text.charCodeAt(last) <= 32) last--;
  return { first, last };
}

/**
 * A line that looks like a whole record ('{' at column 0 ... '}'): taken as balanced and never
 * tokenised (the normal path). An indented line is tokenised: `  {"role": "assistant", ...}]}`, the
 * end of a record someone wrapped by hand, closes the value its first line opened.
 */
function isQuiet(text: string): boolean {
  if (text.charCodeAt(0) !== 123) return false;
  if (text.charCodeAt(text.length - 1) === 125) return true; // the usual record line, at once
  const bounds = contentBounds(text);
  return bounds !== undefined && text.charCodeAt(bounds.last) === 125 /* } */;
}

/** '{' ... '}' at any indentation: may be a record of its own. */
function looksLikeRecordLine(text: string): boolean {
  const bounds = contentBounds(text);
  return bounds !== undefined && text.charCodeAt(bounds.first) === 123 /* { */ && text.charCodeAt(bounds.last) === 125 /* } */;
}

function isBlank(text: string): boolean {
  return contentBounds(text) === undefined;
}

/** A value opened by the first character of a line: a run may start there. */
interface Candidate {
  /** Its level in the bracket stack. */
  depth: number;
  line: number;
  chars: number;
  /** Opened after white space: a run only when it holds records (an object nested in a record is indented too). */
  indented: boolean;
}

/** Lines `first..last` that may hold one value (see RunScanner). */
interface RunSpan {
  first: number;
  last: number;
  indented: boolean;
}

/**
 * One pass of bracket matching over JSONL lines (strings skipped: a JSON string never spans a line),
 * finding each line whose first character (after indentation) opens a value and the later line whose
 * last character closes it.
 * A value's outcome depends only on the text from its own line on: lines that look like whole
 * records are skipped untouched; a blank line, a mismatched bracket, an unterminated string or a line
 * over the size limit drop everything open; a value open for more than the run limits is dropped.
 * Levels below every open candidate cannot change an outcome, so they are not kept: the stack (one
 * number per level) only grows while some value may still become a run. Hence `idle`: nothing before
 * this point can change what follows.
 */
class RunScanner {
  /** The closing character of each open level. */
  private readonly closers: number[] = [];
  private readonly candidates: Candidate[] = [];
  private chars = 0;
  readonly spans: RunSpan[] = [];

  get idle(): boolean {
    return this.candidates.length === 0;
  }

  feed(line: number, text: string): void {
    const lineChars = this.chars;
    this.chars += text.length + 1;
    if (isQuiet(text)) return;
    const bounds = contentBounds(text);
    if (bounds === undefined || text.length > runMaxChars) {
      this.clear();
      return;
    }
    const candidates = this.candidates;
    while (candidates.length > 0) {
      const oldest = candidates[0];
      if (oldest === undefined || (line - oldest.line < runMaxLines && lineChars - oldest.chars <= runMaxChars)) break;
      candidates.shift(); // at most one candidate per line: shifting stays cheap
    }
    const closers = this.closers;
    if (candidates.length === 0) closers.length = 0;
    const { first, last } = bounds;
    const opener = text.charCodeAt(first);
    if (opener === 123 || opener === 91) candidates.push({ depth: closers.length, line, chars: lineChars, indented: first > 0 });
    for (let index = first; index <= last; index++) {
      const code = text.charCodeAt(index);
      if (code === 34 /* " */) {
        index = closingQuote(text, index + 1, last);
        if (index < 0) {
          this.clear();
          return;
        }
      } else if (code === 123 || code === 91 /* { [ */) {
        if (candidates.length > 0) closers.push(code + 2);
      } else if (code === 125 || code === 93 /* } ] */) {
        if (closers.length === 0) continue;
        if (closers.pop() !== code) {
          this.clear();
          continue;
        }
        const top = candidates[candidates.length - 1];
        if (top !== undefined && top.depth === closers.length) {
          candidates.pop();
          if (index === last && line > top.line) this.spans.push({ first: top.line, last: line, indented: top.indented });
          if (candidates.length === 0) closers.length = 0;
        }
      }
    }
  }

  private clear(): void {
    // Only when something is open: setting a length is not free, and blank lines clear ten million times.
    if (this.closers.length > 0) this.closers.length = 0;
    if (this.candidates.length > 0) this.candidates.length = 0;
  }
}

/** Index of the quote closing a string whose content starts at `from`, or -1 when it is not closed on the line. */
function closingQuote(text: string, from: number, last: number): number {
  for (let index = from; index <= last; index++) {
    const code = text.charCodeAt(index);
    if (code === 92 /* \\ */) index++;
    else if (code === 34) return index;
  }
  return -1;
}

/**
 * The run that the lines `texts` form, or undefined when they are not one (see LineRun). `indented`:
 * the first line opens after white space (a pretty-printed record pasted with its indentation), so the
 * lines are a run only when they hold a record in a known format or an array of records: an object
 * nested in a broken record stays part of that record's lines.
 */
function runOf(texts: readonly string[], indented = false): LineRun | undefined {
  let parsed: unknown;
  let valid = true;
  try {
    parsed = parseJson(texts.join('\n'));
  } catch {
    valid = false;
  }
  if (valid && Array.isArray(parsed)) {
    if (parsed.length === 0 || !parsed.every((element) => element !== null && typeof element === 'object' && !Array.isArray(element))) return undefined;
    return new LineRun(texts, 'array', parsed);
  }
  if (valid && (parsed === null || typeof parsed !== 'object')) return undefined;
  if (indented && (!valid || detectShape(parsed) === 'unknown')) return undefined;
  // Lines that are records of their own (in a known format) stay one-line records, not part of a run.
  const holdsRecordLine = texts.some((text) => {
    if (!looksLikeRecordLine(text)) return false;
    try {
      return detectShape(JSON.parse(text)) !== 'unknown';
    } catch {
      return false;
    }
  });
  if (holdsRecordLine) return undefined;
  return valid ? new LineRun(texts, 'object', parsed) : new LineRun(texts, 'broken');
}

/**
 * The runs among `lines[from..]`, greedily from the top. `from` must be a line where the greedy
 * choice can restart: not inside a run, with every run that starts before it ending before it (see
 * runScanStart). A value's outcome depends only on the text from its own line on, so after an edit
 * ending at `until` the scan stops at the first line from `until` that neither a new run nor an old
 * one covers (`canStopAt`: not inside an old run) once nothing scanned is still open, or, when
 * values keep opening (a file of broken lines), once every value that opened within `runMaxLines`
 * of `until` is settled. Returns the runs with their first line, and the line where the re-grouped
 * region ends.
 */
function findRuns(lineText: (line: number) => string, lineCount: number, from: number, until: number, canStopAt: (line: number) => boolean = () => true): { runs: { first: number; run: LineRun }[]; end: number } {
  const scanner = new RunScanner();
  const cap = until + 2 * runMaxLines;
  let end = from;
  for (; end < lineCount; end++) {
    if (end >= until && scanner.idle && canStopAt(end)) return { runs: chooseRuns(scanner.spans, from, lineText), end };
    if (end >= cap) break;
    scanner.feed(end, lineText(end));
  }
  const runs = chooseRuns(scanner.spans, from, lineText);
  if (end >= lineCount) return { runs, end };
  // Stopped at the cap: every value that opened before until + runMaxLines is settled.
  let run = 0;
  for (let line = until; line < until + runMaxLines; line++) {
    while (run < runs.length && (runs[run]?.first ?? 0) + (runs[run]?.run.lines.length ?? 0) <= line) run++;
    const current = runs[run];
    const covered = current !== undefined && current.first < line && line < current.first + current.run.lines.length;
    if (!covered && canStopAt(line)) return { runs: runs.filter((candidate) => candidate.first < line), end: line };
  }
  return findRuns(lineText, lineCount, from, lineCount, canStopAt); // runs back to back for 2,000 lines: scan on
}

/** The greedy choice among the spans the scanner found: from the top, the first span that forms a run, then on after it. */
function chooseRuns(spans: RunSpan[], from: number, lineText: (line: number) => string): { first: number; run: LineRun }[] {
  const runs: { first: number; run: LineRun }[] = [];
  let next = from;
  for (const span of spans.sort((a, b) => a.first - b.first)) {
    if (span.first < next) continue;
    const texts: string[] = [];
    for (let line = span.first; line <= span.last; line++) texts.push(lineText(line));
    const run = runOf(texts, span.indented);
    if (run === undefined) continue;
    runs.push({ first: span.first, run });
    next = span.last + 1;
  }
  return runs;
}

/**
 * Where a re-scan after an edit at `line` may start: after a blank line, or after `runMaxLines`
 * quiet lines (nothing opened before them can still be open), or `runMaxLines` lines up (a run
 * starting before that ends before the edit: it is kept, and the scan starts after it).
 */
function runScanStart(slots: readonly LineSlot[], line: number): number {
  let quiet = 0;
  const floor = Math.max(0, line - runMaxLines);
  for (let at = line - 1; at >= floor; at--) {
    const text = lineText(slots[at]);
    if (isBlank(text)) return at + 1;
    quiet = isQuiet(text) ? quiet + 1 : 0;
    if (quiet >= runMaxLines) return at + runMaxLines;
  }
  const slot = slots[floor];
  return slot instanceof RunLine && slot.at > 0 ? floor - slot.at + slot.run.lines.length : floor;
}

/** A problem with the file as a whole (not one record): bad JSON in a .json file, binary content... */
export interface FileProblem {
  range: Range;
  message: string;
  rule: 'invalid-json' | 'unreadable-file' | 'records-under-key' | 'single-record-file';
}

/** A parsed dataset file. */
export class DatasetDocument {
  /** JSONL: one slot per line; blank lines keep their text as a plain string. JSON: unused (empty). */
  private lines: LineSlot[] = [];
  private jsonRecords: DatasetRecord[] = [];
  /** Whether every record of the JSON array parses (computed when first needed; reset with the text). */
  private jsonClean: boolean | undefined;
  private recordsCache: DatasetRecord[] | undefined;
  /** After line edits: the previous record list is still right before this line (a rebuild starts there). */
  private staleFromLine: number | undefined;
  private staleRecords: DatasetRecord[] | undefined;
  problems: FileProblem[] = [];
  /** False for a .json file that is not an array of records (package.json...): nothing to lint. */
  isDataset = true;
  /**
   * The file's column and role names (from dataset_info.json or settings): a JSON file that is not an
   * array counts as a dataset when its records are in a known format under these names.
   */
  private hint: FormatHint = defaultHint;
  /** JSON: whether the text is an array (or empty), read the same way whatever the hint. */
  private isTopLevelArray = true;
  /** Whether line breaks are CRLF (kept for edits that produce new text). */
  eol: '\n' | '\r\n' = '\n';
  /** JSON Lines: the text starts with a BOM (read as a space), kept so that the rebuilt text has it back, and so that text typed before it makes it a character of a later line. */
  private leadingBom = false;
  /**
   * The JSON Lines text breaks its lines in more than one way (CRLF and LF, or a lone CR): the lines
   * cannot give the text back (getText joins them with one break), so the caller keeps the text and edits take the whole-text path.
   */
  mixedLineBreaks = false;
  /** JSON only: the keys of a file of splits (`{"train": [...], "test": [...]}`), by a record's arrayIndex; empty otherwise. */
  splitKeys: readonly string[] = [];
  /** Records added and removed since the last `takeChanges()` (reset: everything changed). */
  private changes: { reset: boolean; added: DatasetRecord[]; removed: DatasetRecord[] } = { reset: true, added: [], removed: [] };
  /**
   * While a JSON text is read again after an edit: the records it had before, in order, so an element
   * with the same text is the same record (its checks cached), and the next unused one (see recordFor).
   */
  private reusable: { records: readonly DatasetRecord[]; next: number; reused: Set<DatasetRecord>; end: number; log: ReusedRecord[] | undefined } | undefined;
  /** A top-level JSON array that does not parse: where the whole-file parse stopped (the first syntax error). */
  private arrayError: Position | undefined;
  /** A top-level array that does not parse: its records were read up to its closing bracket, the last without a comma after it, and only white space follows. */
  private recoveryCloses = false;
  /** While a JSON text is read again after an edit: from which record on the read took over the previous records (see TailSplice), and from which previous one. */
  private splicedTail: { from: number; previousFrom: number } | undefined;

  /** Whether everything changed since the last `takeChanges()` (new text, not edited lines). */
  get changedWholly(): boolean {
    return this.changes.reset;
  }

  /** What changed since the last call: the file-level indexes update only that. */
  takeChanges(): { reset: boolean; added: DatasetRecord[]; removed: DatasetRecord[] } {
    void this.records; // placing moved multi-line runs can renew their records (see `records`)
    const changes = this.changes;
    this.changes = { reset: false, added: [], removed: [] };
    return changes;
  }

  private constructor(
    readonly kind: FileKind,
    /** Bumps on every change; lets caches know they are stale. */
    public version: number,
  ) {}

  static parse(text: string, kind: FileKind, version = 0, hint: FormatHint = defaultHint): DatasetDocument {
    const document = new DatasetDocument(kind, version);
    document.hint = hint;
    document.setText(text);
    return document;
  }

  /**
   * Takes the file's format hint, known after the document was parsed (the editor opens a file before
   * its settings and dataset_info.json are read). True when the text must be read again with it: a JSON
   * file that is not an array, whose records (`{"data": [...]}`, one record) may be recognised only by
   * the hint's column names. The caller passes the text back to `setText`.
   */
  takeHint(hint: FormatHint): boolean {
    if (this.kind !== 'json' || hintKey(hint) === hintKey(this.hint)) return false;
    this.hint = hint;
    return !this.isTopLevelArray;
  }

  /**
   * `parse` for a file the language server reads from disk while it answers other requests: a JSON
   * array of records is split into records a slice of about `sliceMs` at a time, `pause()` between
   * slices (JSON.parse of a 60 MB array holds the thread for most of a second). Anything else (JSON
   * Lines, a syntax error, records under a key) is read at once, exactly as `parse` reads it.
   */
  static async parseInSlices(text: string, kind: FileKind, pause: () => Promise<void>, hint: FormatHint = defaultHint, sliceMs = 20): Promise<DatasetDocument> {
    const document = new DatasetDocument(kind, 0);
    document.hint = hint;
    const body = kind === 'json' ? document.readArrayInSlices(text, pause, sliceMs) : undefined;
    if (body === undefined || !(await body)) document.setText(text);
    return document;
  }

  /** The clean-array part of `parseInSlices`: false when the text is not one (then nothing was kept). */
  private async readArrayInSlices(rawText: string, pause: () => Promise<void>, sliceMs: number): Promise<boolean> {
    const text = loneCrAsLf(bomAsSpace(rawText));
    const start = skipWhitespace(text, 0);
    if (text.charCodeAt(start) !== 91 /* [ */ || looksBinary(text)) return false;
    const lineStarts = computeLineStarts(text);
    const records: DatasetRecord[] = [];
    let offset = skipWhitespace(text, start + 1);
    let sliceStart = Date.now();
    while (text.charCodeAt(offset) !== 93 /* ] */) {
      const end = skipValue(text, offset);
      if (end <= offset || end > text.length) return false;
      // Each element parses alone as it does inside the array; one that does not sends the file to `parse`.
      const record = new DatasetRecord(text.slice(offset, end));
      if (record.syntaxError !== undefined) return false;
      const position = positionIn(lineStarts, offset);
      record.line = position.line;
      record.character = position.character;
      record.index = records.length;
      records.push(record);
      offset = skipWhitespace(text, end);
      if (text.charCodeAt(offset) === 44 /* , */) {
        offset = skipWhitespace(text, offset + 1);
        if (text.charCodeAt(offset) === 93) return false; // a trailing comma: parse reports it
      } else if (text.charCodeAt(offset) !== 93) return false;
      if (Date.now() - sliceStart >= sliceMs) {
        await pause();
        sliceStart = Date.now();
      }
    }
    if (skipWhitespace(text, offset + 1) < text.length) return false;
    this.setText(''); // every field as for an empty file, then the records read above
    this.eol = eolOf(text);
    this.jsonRecords = records;
    return true;
  }

  /**
   * Replaces the text. `edit`: where the edit that made it starts (the text before is as it was); a
   * JSON array then keeps the records before it and reads only the text after them (see resumeBefore).
   */
  setText(rawText: string, edit?: EditStart): void {
    const text = loneCrAsLf(bomAsSpace(rawText));
    this.leadingBom = rawText.charCodeAt(0) === 0xfeff;
    const resume = edit === undefined ? undefined : this.resumeBefore(text, edit);
    const pending = this.startReading(text);
    if (looksBinary(text)) {
      this.lines = [];
      this.jsonRecords = [];
      this.problems.push(binaryProblem(text));
      return;
    }
    if (this.kind === 'jsonl') {
      this.mixedLineBreaks = hasMixedLineBreaks(rawText);
      this.lines = splitLines(text).map(parseLine);
      this.groupRuns(0, this.lines.length);
    } else {
      this.parseJsonArrayAgain(text, pending, resume);
    }
  }

  /**
   * `setText` for a JSON array whose text is `head.text + rest`, edited at `edit` (its offset counted in
   * `rest`): the whole text is never built, only the rest is read, from the last record before the edit
   * on, as `setText` resumes. At 60 MB, building the text a keystroke took 200 to 300 ms (a fresh 60 MB
   * string). False when the text cannot be read so (then the caller passes the whole text to `setText`).
   * `whole`: false when `rest` is only the start of the rest, some way past the edit (the caller's text
   * is kept in pieces, and a whole one is a copy): the read then takes over the records after the edit
   * within it (see TailSplice), or returns false having changed nothing, and the caller passes the whole rest.
   */
  setTextAfterHead(head: TextHead, rest: string, edit: EditStart, whole = true): boolean {
    // (The binary probe reads the first 8192 characters: past them, only the head's count.)
    if (this.kind !== 'json' || !head.plain || hasLoneCr(rest) || (head.text.length < 8192 && looksBinary(head.text + rest))) return false;
    const kept = this.keptBeforeEdit({ line: edit.line, character: edit.offset - (rest.lastIndexOf('\n', edit.offset - 1) + 1) });
    const last = kept === undefined ? undefined : this.jsonRecords[kept - 1];
    if (kept === undefined || last === undefined) return false;
    // The text read: from the start of the line the last kept record starts on.
    let windowStart: number;
    let window: string;
    if (last.line >= head.lines) {
      let at = 0;
      for (let line = head.lines; line < last.line && at >= 0; line++) at = rest.indexOf('\n', at) + 1 || -1;
      if (at < 0) return false;
      windowStart = head.text.length + at;
      window = rest.slice(at);
    } else {
      let at = head.text.length;
      for (let line = head.lines; line > last.line; line--) at = head.text.lastIndexOf('\n', at - 2) + 1;
      windowStart = at;
      window = head.text.slice(at) + rest;
    }
    const firstRecord = skipWhitespace(head.text, skipWhitespace(head.text, 0) + 1);
    if (firstRecord >= head.text.length) return false;
    const indent = head.text.slice(head.text.lastIndexOf('\n', firstRecord - 1) + 1, firstRecord);
    const inWindow = (offset: number): number => head.text.length + offset - windowStart;
    const end = edit.end === undefined ? undefined : { ...edit.end, offset: inWindow(edit.end.offset) };
    const resume = this.resumeBefore(window, { offset: inWindow(edit.offset), line: edit.line, end }, { kept, firstIndent: indent }, !whole);
    if (resume === undefined) return false;
    // A read of the start of the rest may stop short (see PastWindow): what it changed is put back.
    const fields = whole ? undefined : { ...this };
    const reused: ReusedRecord[] | undefined = whole ? undefined : [];
    const pending = this.startReading(head.text);
    try {
      this.parseJsonArrayAgain(window, pending, resume, reused);
    } catch (caught) {
      if (!(caught instanceof PastWindow) || fields === undefined || reused === undefined) throw caught;
      Object.assign(this, fields);
      for (const { record, ...saved } of reused) Object.assign(record, saved);
      return false;
    }
    return true;
  }

  /** Forgets what was read from the previous text (the changes since the last look are returned, for the records kept); `text`: where the line break is read. */
  private startReading(text: string): { reset: boolean; added: DatasetRecord[]; removed: DatasetRecord[] } {
    const pending = this.changes;
    this.problems = [];
    this.arrayError = undefined;
    this.recordsCache = undefined;
    this.staleRecords = undefined;
    this.staleFromLine = undefined;
    this.isDataset = true;
    this.changes = { reset: true, added: [], removed: [] };
    this.jsonClean = undefined;
    this.splitKeys = [];
    this.eol = eolOf(text);
    return pending;
  }

  /**
   * How a top-level JSON array whose text changed from `edit` on can be read from its last record
   * before the edit: the records up to it are kept as they are, and only the text after it is parsed
   * and checked. Typing a new record passes through states that do not parse, and reading a 12 MB
   * array whole took over 100 ms a keystroke. Read this way, the result is the whole parse's: the
   * kept records all parse and the file's first error (if any) came after them, so a parse from the
   * start would reach the end of the last one in the same state, inside the array after an element.
   * Undefined when that does not hold, or when the parse of the rest fails otherwise than by syntax.
   * `text` may also be the text from a line start up to the end, holding the last kept record and the
   * edit (see setTextAfterHead), which gives `known`: the records kept (keptBeforeEdit) and what precedes
   * the array's first record on its line. `bounded`: `text` stops some way past the edit (see
   * setTextAfterHead): undefined unless the read can take over the records after the edit within it.
   */
  private resumeBefore(text: string, edit: EditStart, known?: { kept: number; firstIndent: string }, bounded = false): ArrayResume | undefined {
    const lineStart = (offset: number): number => (offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1);
    const editLineStart = lineStart(edit.offset);
    const kept = known?.kept ?? this.keptBeforeEdit({ line: edit.line, character: edit.offset - editLineStart });
    if (kept === undefined) return undefined;
    const last = this.jsonRecords[kept - 1] as DatasetRecord;
    const lastEnd = last.positionAt(last.text.length);
    // Where the last kept record ends: back from the edit over the lines between them.
    let endLineStart = editLineStart;
    for (let line = edit.line; line > lastEnd.line; line--) {
      if (endLineStart === 0) return undefined;
      endLineStart = lineStart(endLineStart - 1);
    }
    const end = endLineStart + lastEnd.character;
    const start = end - last.text.length;
    if (end > edit.offset || start < 0 || lineStart(start) + last.character !== start || !text.startsWith(last.text, start)) return undefined;
    // The line starts from the last kept record's end line on: positions are looked up only after it.
    const lines = new LineStarts(text, lastEnd.line, endLineStart);
    let indent = known?.firstIndent;
    if (indent === undefined) {
      const firstRecord = skipWhitespace(text, skipWhitespace(text, 0) + 1);
      indent = text.slice(lineStart(firstRecord), firstRecord);
    }
    const resume: ArrayResume = { kept, end, indent, lines, bounded };
    const splice = edit.end !== undefined && edit.end.offset >= end ? this.tailAfter(edit.end, kept) : undefined;
    // The elements from the kept records up to the first record after the edit, when that text parses (with the comma after them).
    let windowValues: unknown[] | undefined;
    if (splice !== undefined) {
      const at = firstCandidate(splice, text, lines, indent);
      if (at >= 0 && text.startsWith((splice.records[splice.next] as DatasetRecord).text, at)) {
        windowValues = parseElementsBefore(text, end, at);
        // The text up to the record parses, and the previous text from it on did: so does the whole, and JSON.parse need not read the rest.
        if (windowValues !== undefined && tailParses(splice)) {
          resume.values = windowValues;
          resume.splice = splice;
          return resume;
        }
        if (windowValues === undefined) {
          // It does not parse: the text's first error, found by reading on from the kept records only to it (when the text
          // read is the start of the rest: before its end, where more text could go on otherwise).
          const error = findJsonSyntaxErrorAfterElement(text, end);
          if (error !== null && (!bounded || error.offset + error.length < text.length)) {
            resume.error = error;
            resume.splice = splice;
            return resume;
          }
        }
      }
    }
    if (bounded) return undefined;
    try {
      // After the array's opening and an object, as "[{}" is: no character can extend an object (a "0" there could go on as "0.5").
      resume.values = (JSON.parse(`[{}${text.slice(end)}`) as unknown[]).slice(1);
      // The previous text did not parse, this one does: the records after the edit are taken over when they are the elements after the window's.
      if (splice !== undefined && windowValues !== undefined && resume.values.length === windowValues.length + splice.records.length - splice.next) {
        resume.values = windowValues;
        resume.splice = splice;
      }
      return resume;
    } catch (caught) {
      if (caught instanceof RangeError) return undefined;
    }
    const error = findJsonSyntaxErrorAfterElement(text, end);
    // The scanner finds no error where JSON.parse does: the whole parse says so in its own way.
    if (error === null) return undefined;
    resume.error = error;
    resume.splice = splice;
    return resume;
  }

  /** The previous records that a read after an edit ending at `end` may take over (see TailSplice): those after it, the kept ones excluded. */
  private tailAfter(end: EditEnd, kept: number): TailSplice | undefined {
    const records = this.jsonRecords;
    const first = Math.max(kept, lastRecordStartingAt(records, { line: end.previousLine, character: Number.MAX_SAFE_INTEGER }) + 1);
    if (first >= records.length) return undefined;
    return { records, problems: this.problems, error: this.arrayError, closes: this.arrayError === undefined || this.recoveryCloses, lineDelta: end.lineDelta, next: first, last: first + spliceLookahead };
  }

  /**
   * Takes over the previous records from the candidate at `offset` on (see TailSplice), when the read
   * is about to read an element there: true when it did (the read is over). The read's first error
   * must come before it, as the previous read's did (or that one had none).
   */
  private takeTail(splice: TailSplice, text: string, lines: LineStarts, indent: string, offset: number, errorOffset: number): boolean {
    if (errorOffset >= offset) return false;
    for (; splice.next <= splice.last; splice.next++) {
      const record = splice.records[splice.next];
      if (record === undefined) return false;
      const at = candidateOffset(record, splice, text, lines, indent);
      if (at > offset) return false; // not reached yet
      if (at !== offset) continue; // passed, or not a candidate
      // Not when a record from this one on was reused before (typed again, or pasted above): each is in the file once.
      if (this.reusable !== undefined && this.reusable.next > splice.next) return false;
      if (splice.error !== undefined && comparePositions(splice.error, { line: record.line, character: record.character }) >= 0) return false;
      if (!text.startsWith(record.text, offset)) return false;
      this.appendTail(splice, true);
      return true;
    }
    return false;
  }

  /**
   * Appends the previous records from `splice.next` on, moved by the edit's lines, with the problems
   * the previous read found there when `withProblems` (a text that parses has none: the previous one's
   * error at the record, a comma missing before it, was in the text edited).
   */
  private appendTail(splice: TailSplice, withProblems: boolean): void {
    const first = splice.records[splice.next] as DatasetRecord;
    const start: Position = { line: first.line, character: first.character };
    const moved = (position: Position): Position => ({ line: position.line + splice.lineDelta, character: position.character });
    for (const problem of withProblems ? splice.problems : []) {
      if (comparePositions(problem.range.start, start) >= 0) this.problems.push({ ...problem, range: { start: moved(problem.range.start), end: moved(problem.range.end) } });
    }
    const firstIndex = this.jsonRecords.length;
    this.splicedTail = { from: firstIndex, previousFrom: splice.next };
    const { records: previous, next: from, lineDelta } = splice;
    const count = previous.length - from;
    // (The array grown once and filled: a slice and a concat of 100k records took 10 ms.)
    const records = this.jsonRecords;
    records.length = firstIndex + count;
    for (let at = 0; at < count; at++) records[firstIndex + at] = previous[from + at] as DatasetRecord;
    // (Their own error is never the file's, before as now: the first error comes before them. With the same lines and
    // the same records before them, as when typing inside a line, nothing is written: 100k scattered objects take 10 ms.)
    if (lineDelta === 0 && firstIndex === from) return;
    for (let at = 0; at < count; at++) {
      const record = previous[from + at] as DatasetRecord;
      record.line += lineDelta;
      record.index = firstIndex + at;
      record.errorReportedByFile = false;
    }
  }

  /**
   * How many records of a top-level array stay as they are after an edit at `edit` (see resumeBefore):
   * those before it, none of them broken, up to an object that ends before the edit and after every
   * file problem; undefined when the array cannot be read on from there.
   */
  private keptBeforeEdit(edit: Position): number | undefined {
    if (this.kind !== 'json' || !this.isDataset || !this.isTopLevelArray) return undefined;
    const previous = this.jsonRecords;
    let kept = lastRecordStartingAt(previous, edit) + 1;
    const straddling = previous[kept - 1];
    if (straddling !== undefined && comparePositions(straddling.positionAt(straddling.text.length), edit) > 0) kept--;
    // A broken record just before the edit (one being typed) is read again too.
    while (kept > 0 && (previous[kept - 1] as DatasetRecord).syntaxError !== undefined) kept--;
    const last = previous[kept - 1];
    // Records that are objects, as recovery needs (a number could go on in the text typed after it).
    if (last === undefined || previous[0]?.text.charCodeAt(0) !== 123 /* { */ || last.text.charCodeAt(last.text.length - 1) !== 125 /* } */) return undefined;
    const lastEnd = last.positionAt(last.text.length);
    if (this.problems.some((problem) => comparePositions(problem.range.start, lastEnd) < 0)) return undefined;
    for (let index = 0; index < kept; index++) {
      const record = previous[index] as DatasetRecord;
      if (record.syntaxError !== undefined || record.errorReportedByFile || record.arrayIndex !== 0) return undefined;
    }
    return kept;
  }

  /**
   * Reads a JSON text that replaces the document's (an edit the record-by-record path cannot apply:
   * between records, or where the array does not parse). The records whose text is unchanged are
   * kept, so only the others are checked again: typing a new record in a large array passes through
   * states that do not parse, and re-checking every record on each keystroke took seconds.
   */
  private parseJsonArrayAgain(text: string, pending: { reset: boolean; added: DatasetRecord[]; removed: DatasetRecord[] }, resume?: ArrayResume, reusedLog?: ReusedRecord[]): void {
    const previous = this.jsonRecords;
    const kept = resume?.kept ?? 0;
    // The kept records are reused too, as are those a read takes over after the edit (see TailSplice): neither is in the set.
    // A text that parses takes over the records from the first one after the edit: they are not reused before it (a record
    // there typed again, or pasted above), so each is in the file once. A recovering read checks that when it takes them over.
    const end = resume?.error === undefined && resume?.splice !== undefined ? resume.splice.next : previous.length;
    this.reusable = pending.reset || previous.length === 0 ? undefined : { records: previous, next: kept, reused: new Set(), end, log: reusedLog };
    this.splicedTail = undefined;
    try {
      if (resume === undefined) this.parseJsonArray(text);
      else this.readAfterKept(text, previous, resume);
    } finally {
      const pool = this.reusable;
      this.reusable = undefined;
      // (Set by the read: the narrowing to undefined from above does not hold.)
      const tail = this.splicedTail as DatasetDocument['splicedTail'];
      this.splicedTail = undefined;
      if (pool !== undefined && (kept > 0 || pool.reused.size > 0 || tail !== undefined)) {
        // The index visits the records added and removed since its last look, these with the pending ones.
        const added = [...pending.added];
        for (let at = kept; at < (tail?.from ?? this.jsonRecords.length); at++) {
          const record = this.jsonRecords[at] as DatasetRecord;
          if (!pool.reused.has(record)) added.push(record);
        }
        const removed = [...pending.removed];
        for (let at = kept; at < (tail?.previousFrom ?? previous.length); at++) {
          const record = previous[at] as DatasetRecord;
          if (!pool.reused.has(record)) removed.push(record);
        }
        this.changes = { reset: false, added, removed };
      }
    }
  }

  /** Reads a top-level array from the end of its last kept record on (see resumeBefore). */
  private readAfterKept(text: string, previous: readonly DatasetRecord[], resume: ArrayResume): void {
    this.lines = [];
    this.isTopLevelArray = true;
    this.jsonRecords = previous.slice(0, resume.kept);
    if (resume.error === undefined) {
      let offset = skipWhitespace(text, resume.end);
      if (text.charCodeAt(offset) === 44 /* , */) offset = skipWhitespace(text, offset + 1);
      this.readElements(text, offset, resume.values ?? [], resume.lines, resume.kept, 0);
      if (resume.splice !== undefined) this.appendTail(resume.splice, false);
      return;
    }
    this.arrayError = resume.lines.position(resume.error.offset);
    this.reportArrayError(resume.lines, resume.error, (errorOffset) => this.recoverRecords(text, resume, resume.lines, errorOffset));
  }

  /**
   * The record for an element's text: the next unused previous record with that text, within a few
   * of where the last one was found (so records keep their order), or a new one. Only records that
   * parse are kept: a broken one's problems depend on the file's error around it.
   */
  private recordFor(text: string, parsed?: { value: unknown }): DatasetRecord {
    const pool = this.reusable;
    if (pool !== undefined) {
      const last = Math.min(pool.end, pool.next + reuseLookahead);
      for (let at = pool.next; at < last; at++) {
        const candidate = pool.records[at] as DatasetRecord;
        if (candidate.text !== text || candidate.syntaxError !== undefined) continue;
        pool.next = at + 1;
        pool.reused.add(candidate);
        pool.log?.push({ record: candidate, line: candidate.line, character: candidate.character, index: candidate.index, errorReportedByFile: candidate.errorReportedByFile });
        candidate.errorReportedByFile = false;
        return candidate;
      }
    }
    return new DatasetRecord(text, parsed);
  }

  /**
   * A JSONL document from text that arrives in pieces (a file decoded chunk by chunk), so a large
   * file never exists as bytes and as one string at the same time. The result is the same as
   * `parse(pieces.join(''), 'jsonl')`; records are slices of the pieces.
   */
  static parseJsonlPieces(pieces: Iterable<string>, version = 0): DatasetDocument {
    const builder = DatasetDocument.jsonlBuilder(version);
    for (const piece of pieces) if (!builder.push(piece)) break;
    return builder.finish();
  }

  /** `parseJsonlPieces` for pieces read asynchronously (the server reading a large file from disk between requests). */
  static async parseJsonlPiecesAsync(pieces: AsyncIterable<string>, version = 0): Promise<DatasetDocument> {
    const builder = DatasetDocument.jsonlBuilder(version);
    for await (const piece of pieces) if (!builder.push(piece)) break;
    return builder.finish();
  }

  /**
   * The JSONL parser behind `parseJsonlPieces`: `push` takes the next piece (false once the text
   * was found binary: the rest need not be read), `finish` returns the document.
   */
  private static jsonlBuilder(version: number): { push(piece: string): boolean; finish(): DatasetDocument } {
    const document = new DatasetDocument('jsonl', version);
    const lines: LineSlot[] = [];
    // The start of the text is held back until the BOM and binary checks can see 8192 characters.
    let head = '';
    let checked = false;
    let binary = false;
    let carry = '';
    let eolKnown = false;
    // A CR that ends a piece waits for the next one: only then is it known whether an LF follows it.
    let heldCr = false;
    const take = (rawPiece: string, last = false): void => {
      let joined = heldCr ? `\r${rawPiece}` : rawPiece;
      heldCr = !last && joined.charCodeAt(joined.length - 1) === 13;
      if (heldCr) joined = joined.slice(0, -1);
      const piece = loneCrAsLf(joined);
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
    };
    const check = (text: string): void => {
      checked = true;
      document.leadingBom = text.charCodeAt(0) === 0xfeff;
      const body = bomAsSpace(text);
      if (looksBinary(body)) {
        binary = true;
        document.problems.push(binaryProblem(body));
      } else take(body);
    };
    return {
      push(piece: string): boolean {
        if (checked) {
          if (!binary) take(piece);
          return !binary;
        }
        head += piece;
        if (head.length > 8192) check(head);
        return !binary;
      },
      finish(): DatasetDocument {
        if (!checked) check(head);
        if (binary) return document;
        if (heldCr) take('', true);
        lines.push(parseLine(carry)); // the text after the last line break, as splitLines keeps it
        document.lines = lines;
        document.groupRuns(0, lines.length);
        return document;
      },
    };
  }

  /** A document that is not linted, with one file-level problem saying why (too large...). */
  static refuse(kind: FileKind, message: string): DatasetDocument {
    const document = new DatasetDocument(kind, 0);
    document.problems.push({ rule: 'unreadable-file', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message });
    return document;
  }

  /**
   * The file this JSON document was read from starts with a byte order mark that decoding dropped (positions then count
   * from the first character after it, as VS Code shows the file). A JSON document keeps no text to rebuild with it.
   */
  noteDroppedBom(): void {
    if (this.kind === 'json') this.leadingBom = true;
  }

  /** Whether the text starts with a byte order mark (read as a space: positions stay as the editor counts them). */
  get startsWithBom(): boolean {
    return this.leadingBom;
  }

  /** The JSONL text rebuilt from its lines (JSON documents keep no text: the session does). */
  getText(): string {
    const text = this.lines.map(lineText).join(this.eol);
    return this.leadingBom ? `\ufeff${text.slice(1)}` : text;
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
        if (record instanceof RunLine) {
          if (record.at === 0) this.placeRun(record.run, line, records);
          continue;
        }
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

  /** The length of a JSONL line, without its line break (0 past the end). */
  lineLength(line: number): number {
    const entry = this.lines[line];
    return entry === undefined ? 0 : lineText(entry).length;
  }

  /**
   * Places a multi-line run at `line`, appending its records. A run that moved gets new records: its
   * problem's message names its lines, and record problems are cached per record.
   */
  private placeRun(run: LineRun, line: number, records: DatasetRecord[]): void {
    let placed = run;
    if (run.line >= 0 && run.line !== line) {
      placed = runOf(run.lines) ?? run;
      if (placed !== run) {
        for (let at = 0; at < run.lines.length; at++) this.lines[line + at] = new RunLine(placed, at);
        if (!this.changes.reset) {
          this.changes.removed.push(...run.records);
          this.changes.added.push(...placed.records);
        }
      }
    }
    placed.place(line, records.length);
    records.push(...placed.records);
  }

  /**
   * Groups the multi-line runs of `lines[from..]` (plain slots there; `from` must be a place where a
   * scan may start, see runScanStart), scanning at least up to `until`. Returns the line where the scan stopped.
   */
  private groupRuns(from: number, until: number): number {
    const lines = this.lines;
    const { runs, end } = findRuns((line) => lineText(lines[line]), lines.length, from, until);
    for (const { first, run } of runs) {
      for (let at = 0; at < run.lines.length; at++) lines[first + at] = new RunLine(run, at);
    }
    return end;
  }

  /**
   * Applies an LSP content change to a JSONL document, re-parsing only the touched lines.
   * Returns false when the change cannot be applied incrementally (the caller re-parses the text).
   */
  applyLineEdit(range: Range, newText: string): boolean {
    if (this.kind !== 'jsonl' || this.problems.length > 0 || this.mixedLineBreaks) return false;
    // A line break of the other kind than the text's makes the breaks mixed: the whole-text path keeps them as written. So
    // does a lone CR in a CRLF text, which an LF typed after it would join into one break (one line fewer, not one more).
    if (this.eol === '\n' ? newText.includes('\r') : /(?<!\r)\n|\r(?!\n)/.test(newText)) return false;
    const { start, end } = range;
    if (start.line >= this.lines.length || end.line >= this.lines.length || end.line < start.line) return false;
    const firstText = lineText(this.lines[start.line]);
    const lastText = lineText(this.lines[end.line]);
    if (start.character > firstText.length || end.character > lastText.length) return false;
    const joined = firstText.slice(0, start.character) + newText + lastText.slice(end.character);
    // An edit at the very start may move the file's BOM off it (then it is a character of its line) or
    // bring one to it (then it is the file's BOM): the whole-text path reads either as a fresh parse does.
    if (start.line === 0 && start.character === 0 && (this.leadingBom || joined.charCodeAt(0) === 0xfeff)) return false;
    // A CR typed at the end meets the line's own break (CRLF or LF): the whole-text path reads that right.
    if (joined.charCodeAt(joined.length - 1) === 13) return false;
    const replacement = splitLines(loneCrAsLf(joined)).map(parseLine);
    const removedSlots = this.lines.splice(start.line, end.line - start.line + 1, ...replacement);
    if (this.regroupAround(start.line, start.line + replacement.length, removedSlots)) {
      this.version++;
      return true;
    }
    // No multi-line run was involved: the removed lines were plain.
    const removed = removedSlots as (DatasetRecord | string)[];
    if (!this.changes.reset) {
      for (const slot of removed) if (typeof slot !== 'string') this.changes.removed.push(slot);
      for (const slot of replacement) if (typeof slot !== 'string') this.changes.added.push(slot);
    }
    if (this.recordsCache !== undefined && sameSlots(removed, replacement)) {
      // Records replaced one for one (the usual edit): patched in the list, without re-numbering every
      // record after the edit. In place: a copy of a 100k-record list costs 3 ms (a large object, every
      // element through the write barrier), and whoever holds the list across a pause (the first lint
      // in slices) checks the document's version after it and starts over.
      const records = this.recordsCache;
      removed.forEach((slot, offset) => {
        const next = replacement[offset];
        if (typeof slot === 'string' || next === undefined || typeof next === 'string') return;
        next.line = slot.line;
        next.character = 0;
        next.index = slot.index;
        records[slot.index] = next;
      });
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

  /**
   * After lines `[first, until)` were replaced (`removed` went out), re-groups the multi-line runs
   * the edit can touch. Returns false, changing nothing, when no run is involved before or after (the
   * usual edit: the caller then patches the record list as before).
   */
  private regroupAround(first: number, until: number, removed: readonly LineSlot[]): boolean {
    const lines = this.lines;
    const text = (line: number): string => lineText(lines[line]);
    const from = runScanStart(lines, first);
    // The scan may stop only outside the old runs (their lines are re-grouped as a whole).
    const { runs, end } = findRuns(text, lines.length, from, until, (line) => !(lines[line] instanceof RunLine) || (lines[line] as RunLine).at === 0);
    let hadRuns = removed.some((slot) => slot instanceof RunLine);
    for (let line = from; line < end && !hadRuns; line++) if (lines[line] instanceof RunLine) hadRuns = true;
    if (runs.length === 0 && !hadRuns) return false;
    // The records of the region before the edit (what it removed, and the lines around it) and after.
    // A run's head line is in the region or among the removed lines (`from` is never inside a run).
    const before = new Set<DatasetRecord>();
    const collect = (slot: LineSlot | undefined, into: Set<DatasetRecord>): void => {
      if (slot instanceof RunLine) {
        if (slot.at === 0) for (const record of slot.run.records) into.add(record);
      } else if (slot instanceof DatasetRecord) into.add(slot);
    };
    for (const slot of removed) collect(slot, before);
    for (let line = from; line < end; line++) if (line < first || line >= until) collect(lines[line], before);
    // Lines of old runs become plain lines again; then the new runs are grouped.
    for (let line = from; line < end; line++) {
      const slot = lines[line];
      if (slot instanceof RunLine) lines[line] = parseLine(slot.text);
    }
    for (const { first: runFirst, run } of runs) {
      for (let at = 0; at < run.lines.length; at++) lines[runFirst + at] = new RunLine(run, at);
    }
    if (!this.changes.reset) {
      const after = new Set<DatasetRecord>();
      for (let line = from; line < end; line++) collect(lines[line], after);
      for (const record of before) if (!after.has(record)) this.changes.removed.push(record);
      for (const record of after) if (!before.has(record)) this.changes.added.push(record);
    }
    if (this.recordsCache !== undefined) {
      this.staleRecords = this.recordsCache;
      this.staleFromLine = from;
    } else if (this.staleFromLine !== undefined) {
      this.staleFromLine = Math.min(this.staleFromLine, from);
    }
    this.recordsCache = undefined;
    return true;
  }

  /**
   * Applies an LSP content change to a JSON array document when it lies strictly inside one record
   * and leaves that record valid JSON (typing inside a string, the common case): only that record is
   * parsed again and the records after it move. Returns false otherwise (the caller parses the text).
   * `canApply` is asked last, before anything changes: the caller's own preparation for the edit (the
   * session reads where the records sit in the text, which only an edit taken here needs).
   */
  applyJsonRecordEdit(range: Range, newText: string, canApply: () => boolean = () => true): boolean {
    // The records-under-key note sits on the key, before every record: an edit inside a record keeps it right.
    if (this.kind !== 'json' || !this.editableByRecord || !this.isDataset || newText.includes('\r')) return false;
    const records = this.jsonRecords;
    this.jsonClean ??= records.every((record) => record.syntaxError === undefined);
    const found = lastRecordStartingAt(records, range.start);
    const record = records[found];
    if (record === undefined || record.syntaxError !== undefined) return false;
    // Around a syntax error, where records start depends on their text: only a record after the point
    // where the whole-file parse stops is read the same way whatever it holds, as long as it parses. The
    // recovery before it sees only the text before it (a search forward that went past its start would have
    // cut it), and the text after it is read alike, moved.
    if ((!this.jsonClean || this.hasFileErrors) && !this.recoveredAfterError(record)) return false;
    const start = record.offsetAt(range.start);
    const end = record.offsetAt(range.end);
    // Strictly inside: an edit at either edge could join the record with its neighbours.
    if (start === undefined || end === undefined || start <= 0 || end >= record.text.length || end < start) return false;
    const text = record.text.slice(0, start) + newText + record.text.slice(end);
    const next = new DatasetRecord(text);
    if (next.syntaxError !== undefined || !canApply()) return false;
    const oldEnd = record.positionAt(record.text.length);
    next.index = record.index;
    next.arrayIndex = record.arrayIndex;
    next.line = record.line;
    next.character = record.character;
    next.cache = undefined;
    const newEnd = next.positionAt(text.length);
    const lineShift = newEnd.line - oldEnd.line;
    const characterShift = newEnd.character - oldEnd.character;
    // In place, as applyLineEdit patches a JSONL record.
    const updated = records;
    updated[found] = next;
    if (lineShift !== 0 || characterShift !== 0) {
      for (let index = found + 1; index < updated.length; index++) {
        const later = updated[index] as DatasetRecord;
        if (later.line === oldEnd.line) later.character += characterShift;
        else if (lineShift === 0) break; // later lines do not move
        later.line += lineShift;
      }
      // The notes on the keys of later splits (`"test": [`) move with the text after the record.
      const moved = (position: Position): Position => (position.line > oldEnd.line ? { line: position.line + lineShift, character: position.character } : position.line === oldEnd.line && position.character >= oldEnd.character ? { line: position.line + lineShift, character: position.character + characterShift } : position);
      this.problems = this.problems.map((problem) => ({ ...problem, range: { start: moved(problem.range.start), end: moved(problem.range.end) } }));
    }
    this.jsonRecords = updated;
    this.recordsCache = undefined;
    if (!this.changes.reset) {
      this.changes.removed.push(record);
      this.changes.added.push(next);
    }
    this.version++;
    return true;
  }

  private parseJsonArray(text: string): void {
    this.lines = [];
    this.jsonRecords = [];
    const start = skipWhitespace(text, 0);
    this.isTopLevelArray = start >= text.length || text.charCodeAt(start) === 91 /* [ */;
    if (start >= text.length) {
      return; // empty file: no records
    }
    if (text.charCodeAt(start) === 91 /* [ */) {
      this.readRecordArray(text, start);
      return;
    }
    if (this.parseJsonLinesInJson(text)) return;
    if (text.charCodeAt(start) === 123 /* { */ && (this.parseRecordsUnderKey(text, start) || this.parseSingleRecord(text, start))) return;
    // An object or scalar: not a dataset (package.json, settings...). Nothing to lint.
    this.isDataset = false;
  }

  /**
   * Reads the array of records that opens at `arrayStart`. `elements`: the array's values when the
   * whole text is known to parse; otherwise the text is parsed here, and after a syntax error the
   * records that can be found are still read (see recoverRecords).
   */
  private readRecordArray(text: string, arrayStart: number, elements?: readonly unknown[], known?: { lineStarts: number[]; firstIndex: number; arrayIndex: number }): void {
    let values = elements;
    if (values === undefined) {
      let parsed: unknown;
      try {
        parsed = parseJson(text);
      } catch (caught) {
        const lines = new LineStarts(text);
        const error = caught instanceof RangeError
          ? { offset: arrayStart, length: 1, message: 'The file is nested too deeply to parse (over the JavaScript stack limit)' }
          : (findJsonSyntaxError(text) ?? { offset: arrayStart, length: 1, message: 'Invalid JSON' });
        if (known === undefined && this.isTopLevelArray) this.arrayError = lines.position(error.offset);
        this.reportArrayError(lines, error, (errorOffset) => this.recoverRecords(text, arrayStart, lines, errorOffset));
        return;
      }
      if (!Array.isArray(parsed)) {
        this.isDataset = false;
        return;
      }
      values = parsed;
    }
    this.readElements(text, skipWhitespace(text, arrayStart + 1), values, new LineStarts(text, 0, 0, known?.lineStarts), known?.firstIndex ?? 0, known?.arrayIndex ?? 0);
  }

  /** Reads the records of a parsed array's elements `values`, the first at `offset`. */
  private readElements(text: string, start: number, values: readonly unknown[], lines: LineStarts, firstIndex: number, arrayIndex: number): void {
    let offset = start;
    for (let index = 0; index < values.length; index++) {
      const end = skipValue(text, offset);
      const record = this.recordFor(text.slice(offset, end), { value: values[index] });
      const position = lines.position(offset);
      record.line = position.line;
      record.character = position.character;
      record.index = firstIndex + index;
      record.arrayIndex = arrayIndex;
      this.jsonRecords.push(record);
      offset = skipWhitespace(text, end);
      if (text.charCodeAt(offset) === 44 /* , */) offset = skipWhitespace(text, offset + 1);
    }
  }

  /** Reports an array's first syntax error, then reads the records `recover` finds (it returns the broken record that caused the error, if it found one). */
  private reportArrayError(lines: LineStarts, error: JsonSyntaxError, recover: (errorOffset: number) => DatasetRecord | undefined): void {
    const fileProblem: FileProblem = { rule: 'invalid-json', message: jsonFileSyntaxMessage(error.message), range: { start: lines.position(error.offset), end: lines.position(error.offset + error.length) } };
    this.problems.push(fileProblem);
    const cause = recover(error.offset);
    const own = cause?.syntaxError;
    if (cause !== undefined && own !== undefined) {
      // The whole-file parse stumbled over a good record only because an earlier one is broken (a key
      // typed without its value takes the next record as its value): the file's error is said there.
      fileProblem.message = jsonFileSyntaxMessage(own.message);
      fileProblem.range = { start: cause.positionAt(own.offset), end: cause.positionAt(own.offset + own.length) };
      cause.errorReportedByFile = true;
    }
  }

  /**
   * An object whose one key holds the records (`{"data": [...]}`, `{"train": [...]}`): Hugging Face
   * `datasets` reads it with `field=`. Its array is linted like a top-level one, with a note on the
   * key (rule records-under-key), but only when the array's first element is a record in a known
   * format, so config files (package.json, tsconfig.json, settings) stay untouched. A file with a
   * syntax error qualifies when it opens so (`{ "key": [ {record}`), the first record itself broken
   * too (see opensRecordArray).
   */
  private parseRecordsUnderKey(text: string, start: number): boolean {
    let parsed: unknown;
    let valid = true;
    try {
      parsed = parseJson(text);
    } catch {
      valid = false;
    }
    if (valid) {
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
      const object = parsed as Record<string, unknown>;
      // Every key whose array holds records: one split ({"data": [...]}) or several ({"train": [...], "test": [...]}).
      const found: { key: string; records: unknown[]; keyRange: { start: number; end: number }; arrayStart: number }[] = [];
      // One lexical pass over the top-level members, in the file's order (records stay sorted by position;
      // a key written twice counts where JSON.parse took its value from, the last time).
      for (const member of objectMembers(text, start)) {
        const records = object[member.key];
        if (!Array.isArray(records) || records.length === 0 || text.charCodeAt(member.valueStart) !== 91 /* [ */ || detectShape(records[0], this.hint) === 'unknown') continue;
        found.push({ key: member.key, records, keyRange: member.keyRange, arrayStart: member.valueStart });
      }
      const lastOfKey = new Map(found.map((array) => [array.key, array]));
      const arrays = found.filter((array) => lastOfKey.get(array.key) === array);
      if (arrays.length === 0) return false;
      const lineStarts = computeLineStarts(text);
      const keys = arrays.map((array) => array.key);
      this.splitKeys = keys;
      for (const [arrayIndex, array] of arrays.entries()) {
        this.readRecordArray(text, array.arrayStart, array.records, { lineStarts, firstIndex: this.jsonRecords.length, arrayIndex });
        // A note on each split's key; a file of many arrays gets one, on the first.
        if (arrayIndex === 0 || arrays.length <= notedArrayLimit) this.problems.push(recordsUnderKeyProblem(text, array.key, array.keyRange, array.records.length, keys, lineStarts));
      }
      return true;
    }
    // Broken JSON: the members up to the first `"key": [ {record}` whose first record is in a known
    // format (`{"version": "1.0", "train": [...]}` too); the records from there on are recovered.
    for (const member of objectMembers(text, start)) {
      if (!this.opensRecordArray(text, member.valueStart)) continue;
      this.readRecordArray(text, member.valueStart);
      this.problems.push(recordsUnderKeyProblem(text, member.key, member.keyRange, this.jsonRecords.length));
      return true;
    }
    return false;
  }

  /**
   * Whether the value at `offset` is an array of records in a known format, judged by its first
   * element as for a file that parses, or by that element's keys up to its syntax error (a record
   * broken after its keys is still a record). A first element broken before any key is judged by the
   * next one that parses.
   */
  private opensRecordArray(text: string, offset: number): boolean {
    if (text.charCodeAt(offset) !== 91 /* [ */) return false;
    let elementStart = skipWhitespace(text, offset + 1);
    if (text.charCodeAt(elementStart) !== 123 /* { */) return false;
    const first = lenientShape(text, elementStart, this.hint);
    if (first !== undefined) return first !== 'unknown';
    // A few elements at most: a broken file may have lost its bracket structure, and this stays cheap.
    for (let tried = 0; tried < laterElementLimit; tried++) {
      let next = skipWhitespace(text, skipValue(text, elementStart));
      if (text.charCodeAt(next) === 44 /* , */) next = skipWhitespace(text, next + 1);
      if (text.charCodeAt(next) !== 123 /* { */) return false;
      elementStart = next;
      try {
        return detectShape(JSON.parse(text.slice(elementStart, skipValue(text, elementStart))), this.hint) !== 'unknown';
      } catch {
        // Broken too: try the next one.
      }
    }
    return false;
  }

  /**
   * A .json file that holds one record object instead of an array of records (a draft example, or
   * one copied out of a dataset): linted as that record, with a note on its opening brace. Only when
   * the object is a record in a known format, so configuration files stay untouched (a broken object:
   * when its keys up to the syntax error are a record's, and the error is reported). The note counts
   * as a file error: no whole-file checks (one record is not a dataset yet), and an edit re-reads the
   * file, which may stop being a record.
   */
  private parseSingleRecord(text: string, start: number): boolean {
    let value: unknown;
    let caught: unknown;
    try {
      value = parseJson(text);
    } catch (error) {
      caught = error;
    }
    const end = skipValue(text, start);
    let record: DatasetRecord;
    let lineStarts: number[];
    if (caught === undefined) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || detectShape(value, this.hint) === 'unknown') return false;
      record = new DatasetRecord(text.slice(start, end), { value });
      lineStarts = computeLineStarts(text);
    } else {
      // Broken JSON: a record when its keys up to the error say so (a config file's keys do not), so
      // the syntax error is reported instead of the file being skipped as no dataset.
      const shape = lenientShape(text, start, this.hint);
      if (shape === undefined || shape === 'unknown') return false;
      lineStarts = computeLineStarts(text);
      const error = caught instanceof RangeError
        ? { offset: start, length: 1, message: 'The file is nested too deeply to parse (over the JavaScript stack limit)' }
        : (findJsonSyntaxError(text) ?? { offset: start, length: 1, message: 'Invalid JSON' });
      this.problems.push({ rule: 'invalid-json', message: jsonFileSyntaxMessage(error.message), range: { start: positionIn(lineStarts, error.offset), end: positionIn(lineStarts, error.offset + error.length) } });
      record = new DatasetRecord(text.slice(start, end));
      // The file's problem above is this record's own error when it lies inside it: not reported twice.
      record.errorReportedByFile = record.syntaxError !== undefined && error.offset >= start && error.offset <= end;
    }
    const position = positionIn(lineStarts, start);
    record.line = position.line;
    record.character = position.character;
    this.jsonRecords = [record];
    this.problems.push({
      rule: 'single-record-file',
      range: { start: position, end: positionIn(lineStarts, start + 1) },
      message: 'This file holds one record, not an array of records: trainers and dataset loaders read a .json dataset as an array of records, or as JSON Lines (one record per line). Wrap the record in [ and ], or save it as a line of a .jsonl file.',
    });
    return true;
  }

  /**
   * Whether edits inside one record may re-read that record only: a file without file errors, or a
   * top-level array whose only file problems are its syntax errors (see applyJsonRecordEdit).
   */
  get editableByRecord(): boolean {
    return !this.hasFileErrors || (this.arrayError !== undefined && this.problems.every((problem) => problem.rule === 'invalid-json'));
  }

  /** A top-level array that does not parse, and a record that starts after the point where its whole-file parse stopped (editableByRecord holds). */
  private recoveredAfterError(record: DatasetRecord): boolean {
    const error = this.arrayError;
    return error !== undefined && (error.line < record.line || (error.line === record.line && error.character < record.character));
  }

  /** Whether a file-level problem stops the whole-file checks (bad JSON, an unreadable file); a note such as records-under-key does not. */
  get hasFileErrors(): boolean {
    return this.problems.some((problem) => problem.rule !== 'records-under-key');
  }

  /**
   * A .json file written as JSON Lines (one record per line: Hugging Face `datasets` and LLaMA-Factory
   * read it so). Its lines are linted as records, but only when the first record is in a known dataset
   * format, so config files written on one line stay untouched.
   */
  private parseJsonLinesInJson(text: string): boolean {
    const lines = splitLines(text).map(parseLine);
    const first = lines.find((line): line is DatasetRecord => typeof line !== 'string');
    if (first === undefined || first.syntaxError !== undefined || detectShape(first.value, this.hint) === 'unknown') return false;
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
  private recoverRecords(text: string, from: number | ArrayResume, lines: LineStarts, errorOffset: number): DatasetRecord | undefined {
    // `from`: the array's opening bracket, or a read resumed after the records kept (see resumeBefore).
    const resume = typeof from === 'number' ? undefined : from;
    let offset = typeof from === 'number' ? skipWhitespace(text, from + 1) : from.end;
    // An array of other values is no array of records; a comment or a stray word before the first record is skipped below.
    if (resume === undefined && text.charCodeAt(offset) !== 123 /* { */ && startsJsonValue(text.charCodeAt(offset))) return undefined;
    /** When the error at errorOffset lies in a record that parses: the broken record before it, which caused it. */
    let cause: DatasetRecord | undefined;
    let brokenBefore: DatasetRecord | undefined;
    /** The error at errorOffset is also a missing comma or stray text found here (left to the file's message). */
    let sameErrorHere = false;
    const indent = resume?.indent ?? text.slice(lines.startOf(lines.position(offset).line - lines.first) ?? 0, offset);
    // Only an array with one record start per line can be resynchronised by lines.
    let byLines = /^[ \t]*$/.test(indent);
    let index = resume?.kept ?? 0;
    /** The end of the record just read, whose following text comes next (resuming: the last kept record's). */
    let after = resume?.end ?? -1;
    // A read of the start of a text stops where what it finds could depend on the text after it (see PastWindow).
    const bounded = resume?.bounded === true;
    const limit = bounded ? text.length : Infinity;
    const pastWindow = (): never => {
      throw new PastWindow();
    };
    /** The read ended at the array's closing bracket, after a record, with nothing but white space after it. */
    let closes = false;
    for (;;) {
      if (after >= 0) {
        offset = skipWhitespace(text, after);
        after = -1;
        if (offset >= limit) pastWindow();
        const next = text.charCodeAt(offset);
        if (next === 123 /* { */) {
          // A missing comma between records: reported here unless it is the error reported above.
          if (offset !== errorOffset) this.problems.push({ rule: 'invalid-json', message: "Invalid JSON: unexpected '{' where ',' or ']' belongs in the array: a comma is missing between two records. Add it before this record.", range: { start: lines.position(offset), end: lines.position(offset + 1) } });
          else sameErrorHere = true;
        } else if (next === 44 /* , */) {
          offset = skipWhitespace(text, offset + 1);
        } else {
          if (next === 93 /* ] */) {
            const afterArray = skipWhitespace(text, offset + 1);
            if (afterArray >= limit) pastWindow();
            closes = afterArray >= text.length;
            break;
          }
          if (!byLines) break;
          // Something stray after a record (an extra bracket): go on at the next record start.
          const stray = nextRecordStart(text, lines, offset, indent);
          if (stray < 0 && bounded) pastWindow();
          if (stray < 0) break;
          if (offset !== errorOffset) this.problems.push({ rule: 'invalid-json', message: `Unexpected ${describeToken(text, offset)} after a record: expected ',' or ']' in the array`, range: { start: lines.position(offset), end: lines.position(offset + tokenLength(text, offset)) } });
          else sameErrorHere = true;
          offset = stray;
        }
      }
      if (offset >= limit) pastWindow();
      if (offset >= text.length) break;
      if (!startsJsonValue(text.charCodeAt(offset))) {
        // No value where a record belongs (a comment, a stray word): go on at the next record start.
        const next = byLines ? nextRecordStart(text, lines, offset, indent) : -1;
        if (next < 0 && byLines && bounded) pastWindow();
        if (next < 0) break;
        const comment = commentErrorAt(text, offset);
        if (comment !== undefined && offset + comment.length >= limit) pastWindow();
        if (offset !== errorOffset) this.problems.push({ rule: 'invalid-json', message: comment !== undefined ? `Invalid JSON: ${comment.message}.` : `Invalid JSON: unexpected ${describeToken(text, offset)} where a record belongs in the array. Remove it.`, range: { start: lines.position(offset), end: lines.position(offset + (comment?.length ?? tokenLength(text, offset))) } });
        else sameErrorHere = true;
        offset = next;
      }
      if (resume?.splice !== undefined && this.takeTail(resume.splice, text, lines, indent, offset, errorOffset)) {
        closes = resume.splice.closes;
        break;
      }
      // Elements that are not objects (a string, null) are records too: not-an-object reports them, and the records after them are read.
      let end = skipValue(text, offset);
      // A record that runs on past the start read (a brace typed, not closed yet) is cut at the next record start, as
      // below, when the text read already holds an error: then it does not parse, however the text goes on.
      if (end >= limit && !(byLines && errorBeforeEnd(text, offset))) pastWindow();
      if (end <= offset) break;
      let record = this.recordFor(text.slice(offset, end));
      let cutAt = -1;
      if (record.syntaxError !== undefined && byLines) {
        // Cut the broken record at the next record start, so the error stays inside it.
        cutAt = nextRecordStart(text, lines, offset, indent);
        if (cutAt < 0 && bounded) pastWindow();
        if (cutAt < 0) byLines = false; // no record starts further down: stop looking (keeps this linear)
        if (cutAt >= 0) {
          end = cutAt;
          while (end > offset && /[\s,]/.test(text[end - 1] ?? '')) end--;
          record = new DatasetRecord(text.slice(offset, end));
        }
      }
      // Every element is a record, broken or not, so one bad record hides nothing after it, and the
      // outline, hovers and fixes number the elements as the file does. The one holding the reported
      // error is marked, so that error is not reported twice.
      record.errorReportedByFile = record.syntaxError !== undefined && errorOffset >= offset && errorOffset <= (cutAt >= 0 ? cutAt : end);
      // Only a record cut at the next record start (its brackets do not close, so the whole-file parse read on into the
      // next ones) whose error is reported apart from the file's.
      if (record.syntaxError !== undefined && cutAt >= 0 && !record.errorReportedByFile) brokenBefore ??= record;
      else if (record.syntaxError === undefined && brokenBefore !== undefined && errorOffset >= offset && errorOffset < end) cause = brokenBefore;
      const position = lines.position(offset);
      record.line = position.line;
      record.character = position.character;
      record.index = index++;
      this.jsonRecords.push(record);
      if (cutAt >= 0) offset = cutAt;
      else after = end;
    }
    this.recoveryCloses = closes;
    return sameErrorHere ? undefined : cause;
  }
}

/** The start of a JSON text, up to a line start, that edits after it leave unchanged (see setTextAfterHead). */
export interface TextHead {
  text: string;
  /** How many lines it holds: the rest of the text starts on this line. */
  lines: number;
  /** No BOM, no lone CR, not binary: the rest can be read without it. */
  plain: boolean;
}

/** The head of `text` up to `offset` (a line start, on line `line`). */
export function textHead(text: string, offset: number, line: number): TextHead {
  const head = text.slice(0, offset);
  return { text: head, lines: line, plain: head.charCodeAt(0) !== 0xfeff && !hasLoneCr(head) && !looksBinary(head) };
}

/** Where an edit starts: its offset, and the line of that offset; and where it ends, when known. */
export interface EditStart {
  offset: number;
  line: number;
  end?: EditEnd;
}

/**
 * Where an edit ends: the offset just after its new text (in the same text as the start's), the line
 * the replaced range ended on in the previous text, and how many lines the edit added (negative:
 * removed). The text after the edit is the previous text's after the replaced range.
 */
export interface EditEnd {
  offset: number;
  previousLine: number;
  lineDelta: number;
}

/** A top-level JSON array read again from the end of its last record before an edit (see resumeBefore). */
interface ArrayResume {
  /** How many records are kept (the index of the next one). */
  kept: number;
  /** Where the last kept record ends. */
  end: number;
  /** What is before the first record on its line (recovery finds record starts by it). */
  indent: string;
  /** Line starts from the last kept record's end line on. */
  lines: LineStarts;
  /** The elements after the kept records when the text parses, else its first syntax error. */
  values?: unknown[];
  error?: JsonSyntaxError;
  /** The previous records after the edit that the read may take over (see TailSplice). */
  splice?: TailSplice;
  /** The text stops some way past the edit: a read that reaches its end stops with PastWindow. */
  bounded: boolean;
}

/** A read of the start of a text (see setTextAfterHead) reached its end before taking over the records after the edit. */
class PastWindow extends Error {}

/** A previous record that a read reused, as it was before (put back when the read stops short). */
interface ReusedRecord {
  record: DatasetRecord;
  line: number;
  character: number;
  index: number;
  errorReportedByFile: boolean;
}

/**
 * The records after an edit that a read of the new text takes over as they are, once it is about to
 * read an element where one of them starts, in the state the previous read was in there: the text
 * from there on is the previous text's, so the read would find the same records and problems, only
 * `lineDelta` lines lower. Typing a character that breaks a 50k-record array (a new record started
 * between two others) read and checked every record after it again: a quarter to half a second a
 * keystroke. Candidates start a line below the edit, at the first record's indentation: a read that
 * resynchronises at such lines (see recoverRecords) cannot pass one, so both reads are in step there.
 */
interface TailSplice {
  /** The previous read's records, problems and first syntax error (undefined: the previous text parsed). */
  records: readonly DatasetRecord[];
  problems: readonly FileProblem[];
  error: Position | undefined;
  /** The previous text parsed, or its read ended at the array's closing bracket (see recoveryCloses). */
  closes: boolean;
  lineDelta: number;
  /** The candidate looked at now (an index into `records`), and the last one looked at. */
  next: number;
  last: number;
}

/** How many previous records past the first one after an edit a read looks at to take over the rest. */
const spliceLookahead = 256;

function comparePositions(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

/** How far past the last kept record a JSON text read again looks for the next one (records inserted or removed there). */
const reuseLookahead = 16;

/** How many elements after a first record broken before its first key are tried to tell an array of records. */
const laterElementLimit = 8;

/**
 * The shape of the record object opening at `start`: from its value when it parses, else from its
 * members up to the first syntax error (objectMembers), each value parsed where it can be and a
 * placeholder of its kind where not, since the keys decide the shape. undefined: not one key readable.
 */
function lenientShape(text: string, start: number, hint: FormatHint): RecordShape | undefined {
  try {
    return detectShape(JSON.parse(text.slice(start, skipValue(text, start))), hint);
  } catch {
    // Read what can be read below.
  }
  const partial: Record<string, unknown> = {};
  let read = false;
  for (const member of objectMembers(text, start)) {
    read = true;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(member.valueStart, skipValue(text, member.valueStart)));
    } catch {
      const code = text.charCodeAt(member.valueStart);
      value = code === 34 /* " */ ? '' : code === 91 /* [ */ ? [] : code === 123 /* { */ ? {} : null;
    }
    // defineProperty: a "__proto__" key is a key here, as in JSON.parse, not the prototype.
    Object.defineProperty(partial, member.key, { value, enumerable: true, writable: true, configurable: true });
  }
  return read ? detectShape(partial, hint) : undefined;
}

/**
 * The members of the object opening at `start`, read lexically in the file's order: each key (decoded),
 * its range and where its value starts. Lazy, and it stops at the first member it cannot read, so a
 * broken file yields the members before its error.
 */
function* objectMembers(text: string, start: number): Generator<{ key: string; keyRange: { start: number; end: number }; valueStart: number }> {
  let offset = skipWhitespace(text, start + 1);
  while (text.charCodeAt(offset) === 34 /* " */) {
    const keyEnd = skipStringFast(text, offset);
    const raw = text.slice(offset, keyEnd);
    let key: unknown;
    try {
      key = raw.includes('\\') ? JSON.parse(raw) : raw.slice(1, -1);
    } catch {
      return;
    }
    const colon = skipWhitespace(text, keyEnd);
    if (typeof key !== 'string' || text.charCodeAt(colon) !== 58 /* : */) return;
    const valueStart = skipWhitespace(text, colon + 1);
    yield { key, keyRange: { start: offset, end: keyEnd }, valueStart };
    const after = skipWhitespace(text, skipValue(text, valueStart));
    if (text.charCodeAt(after) !== 44 /* , */) return;
    offset = skipWhitespace(text, after + 1);
  }
}

/**
 * The text as the document reads it: a byte order mark an LSP client kept is a character of its line 0,
 * read as a space so that every position stays the client's (files from disk arrive without it:
 * TextDecoder drops it).
 */
export function bomAsSpace(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
}

/**
 * The text with each lone CR (a classic Mac line break) read as LF. VS Code and Python's text mode
 * break lines there too, so positions land on the lines the user sees; the length stays the same,
 * so offsets do too. JSON reads CR and LF alike, as white space or as a control character in a string.
 */
export function loneCrAsLf(text: string): string {
  return hasLoneCr(text) ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** Whether the text has a CR that is not the start of a CRLF. */
export function hasLoneCr(text: string): boolean {
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1)) if (text.charCodeAt(at + 1) !== 10) return true;
  return false;
}

/** Whether the text from `offset` on has a syntax error before its end (not where it stops): no value from there can parse, whatever text follows. */
function errorBeforeEnd(text: string, offset: number): boolean {
  const error = findJsonSyntaxError(text, offset);
  return error !== null && error.offset + error.length < text.length;
}

/**
 * Whether the previous text from the candidate `splice.next` on was elements that parse, each after a
 * comma, then the array's end: the previous text parsed, or it did not before the candidate only (its
 * first error at the latest a comma missing before it).
 */
function tailParses(splice: TailSplice): boolean {
  if (splice.error === undefined) return splice.problems.length === 0;
  const first = splice.records[splice.next] as DatasetRecord;
  const from: Position = { line: first.line, character: first.character };
  const error = splice.error;
  if (!splice.closes || comparePositions(error, from) > 0) return false;
  if (splice.problems.some((problem) => comparePositions(problem.range.start, from) >= 0 && comparePositions(problem.range.start, error) !== 0)) return false;
  for (let at = splice.next; at < splice.records.length; at++) if ((splice.records[at] as DatasetRecord).syntaxError !== undefined) return false;
  return true;
}

/** Where a previous record that a read may take over (see TailSplice) starts in the new text, or -1 when it is no candidate. */
function candidateOffset(record: DatasetRecord, splice: TailSplice, text: string, lines: LineStarts, indent: string): number {
  if (record.character !== indent.length) return -1;
  const lineStart = lines.startOf(record.line + splice.lineDelta - lines.first);
  if (lineStart === undefined || text.charCodeAt(lineStart + indent.length) !== 123 /* { */ || !text.startsWith(indent, lineStart)) return -1;
  return lineStart + indent.length;
}

/** Moves `splice.next` to the first candidate (see TailSplice); its offset, or -1 when there is none near. */
function firstCandidate(splice: TailSplice, text: string, lines: LineStarts, indent: string): number {
  for (; splice.next <= splice.last; splice.next++) {
    const record = splice.records[splice.next];
    if (record === undefined) return -1;
    const at = candidateOffset(record, splice, text, lines, indent);
    if (at >= 0) return at;
  }
  return -1;
}

/**
 * The elements of a top-level array between the end of one (`from`) and the start of another (`to`),
 * when that text is a comma, elements each followed by one, and white space; undefined otherwise.
 */
function parseElementsBefore(text: string, from: number, to: number): unknown[] | undefined {
  try {
    // "[{}" before and "{}]" after: the text must leave the array after an element's comma, where "{}" can follow.
    return (JSON.parse(`[{}${text.slice(from, to)}{}]`) as unknown[]).slice(1, -1);
  } catch {
    return undefined;
  }
}

/** The offset of the next line after `offset` that opens a record ('{') at exactly `indent`, or -1. */
function nextRecordStart(text: string, lines: LineStarts, offset: number, indent: string): number {
  for (let at = lines.position(offset).line - lines.first + 1; ; at++) {
    const lineStart = lines.startOf(at);
    if (lineStart === undefined) break;
    if (text.charCodeAt(lineStart + indent.length) === 123 /* { */ && text.startsWith(indent, lineStart)) return lineStart + indent.length;
  }
  return -1;
}

/**
 * Where the lines of a text start, the text read from line `first` on (at offset `from`): line
 * `first + i` starts at `startOf(i)`. Found only as far as a read asks, so a read that stops soon
 * after an edit (see TailSplice) does not scan the megabytes after it.
 */
class LineStarts {
  private readonly starts: number[];
  /** Every line break before this offset is in `starts`. */
  private scanned: number;
  /** The first line break at or after `scanned` (-1: none), so a text without one is searched once. */
  private nextBreak: number | undefined;

  constructor(
    private readonly text: string,
    readonly first = 0,
    from = 0,
    known?: number[],
  ) {
    this.starts = known ?? [from];
    this.scanned = known !== undefined ? text.length : from;
    if (known !== undefined) this.nextBreak = -1;
  }

  /** Records the line breaks before `offset` (and a step further, so a read along the text scans in steps). */
  private scanTo(offset: number): void {
    if (offset <= this.scanned) return;
    const until = Math.min(this.text.length, Math.max(offset, this.scanned + lineScanStep));
    let at = this.nextBreak ?? this.text.indexOf('\n', this.scanned);
    while (at >= 0 && at < until) {
      this.starts.push(at + 1);
      at = this.text.indexOf('\n', at + 1);
    }
    this.nextBreak = at;
    this.scanned = until;
  }

  position(offset: number): Position {
    this.scanTo(offset);
    const position = positionIn(this.starts, offset);
    return this.first === 0 ? position : { line: this.first + position.line, character: position.character };
  }

  /** Where line `first + index` starts, or undefined when the text has no such line. */
  startOf(index: number): number | undefined {
    while (index >= this.starts.length && this.scanned < this.text.length) this.scanTo(this.scanned + lineScanStep);
    return this.starts[index];
  }
}

/** How far ahead LineStarts scans at least (characters). */
const lineScanStep = 1 << 16;

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

/** Whether a text breaks lines in more than one way: a lone CR, or CRLF and a bare LF. */
function hasMixedLineBreaks(text: string): boolean {
  if (!text.includes('\r')) return false;
  if (hasLoneCr(text)) return true;
  // Every CR starts a CRLF: mixed when some LF has no CR before it.
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) if (text.charCodeAt(at - 1) !== 13) return true;
  return false;
}

/** The line break the text's first line ends with (LF when it has none). */
function eolOf(text: string): '\n' | '\r\n' {
  const firstBreak = text.indexOf('\n');
  return firstBreak > 0 && text.charCodeAt(firstBreak - 1) === 13 ? '\r\n' : '\n';
}

/** What in a format hint decides which records a file holds. */
function hintKey(hint: FormatHint): string {
  return JSON.stringify([hint.forced, hint.formatting, hint.ranking, hint.mapping]);
}

/** Splits on LF; a CR before the LF is not part of the line. */
function splitLines(text: string): string[] {
  // One native split, then CRs off: pushing line by line costs seconds for ten million blank lines.
  const lines = text.split('\n');
  if (text.includes('\r')) {
    for (let index = 0; index < lines.length - 1; index++) {
      const line = lines[index] as string;
      if (line.charCodeAt(line.length - 1) === 13) lines[index] = line.slice(0, -1);
    }
  }
  return lines;
}

function lineText(slot: LineSlot | undefined): string {
  return slot === undefined ? '' : typeof slot === 'string' ? slot : slot.text;
}

function parseLine(line: string): DatasetRecord | string {
  // Blank lines are tolerated by every JSONL reader we know; whitespace-only ones too.
  if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0)) return line;
  return new DatasetRecord(line);
}

/** Files of splits with up to this many arrays of records get a note on each key (more: on the first only). */
const notedArrayLimit = 10;

/** The note on the key of `{"key": [records]}`: where trainers expect the records, and how loaders can be told. */
function recordsUnderKeyProblem(text: string, key: string, keyRange: { start: number; end: number }, count: number, keys: readonly string[] = [key], lineStarts = computeLineStarts(text)): FileProblem {
  const quoted = JSON.stringify(key);
  const range = { start: positionIn(lineStarts, keyRange.start), end: positionIn(lineStarts, keyRange.end) };
  if (keys.length > 1) {
    const otherKeys = keys.filter((other) => other !== key);
    const named = otherKeys.slice(0, 5).map((other) => JSON.stringify(other)).join(', ');
    const others = otherKeys.length > 5 ? `${named} and ${otherKeys.length - 5} more` : named;
    return {
      rule: 'records-under-key',
      range,
      message: `The ${count} record${count === 1 ? ' is' : 's are'} under the key ${quoted}, one of ${keys.length} arrays of records in this file (also ${others}). ${count === 1 ? 'It is' : 'They are'} linted here, duplicates across the arrays included (train/test leakage), but a loader reads one array at a time and only when told which: load_dataset("json", data_files=..., field=${quoted}), or field: ${key} in an Axolotl dataset entry. Or write each array to a file of its own.`,
    };
  }
  return {
    rule: 'records-under-key',
    range,
    message: `The ${count} record${count === 1 ? ' is' : 's are'} under the key ${quoted}, not at the top level. ${count === 1 ? 'It is' : 'They are'} linted here, but a loader that is not told where they are fails: Hugging Face datasets (which LLaMA-Factory and TRL scripts use) stops with "You should probably indicate the field of the JSON file containing your records". Make the array the whole file, or name the key: load_dataset("json", data_files=..., field=${quoted}), or field: ${key} in an Axolotl dataset entry.`,
  };
}

/**
 * A .json file's syntax error as a message that says what to do: a JSON loader (json.load, the
 * datasets library) rejects the whole file, not one record. Text after the closing bracket is no
 * second JSONL record here.
 */
function jsonFileSyntaxMessage(message: string): string {
  if (message.endsWith(oneValuePerLineHint)) return `Invalid JSON: ${message.slice(0, -oneValuePerLineHint.length)}. Remove the text after the end of the array: JSON loaders reject the whole file.`;
  return `Invalid JSON: ${message}. Fix it at the underlined spot: JSON loaders reject the whole file, and the records after it are read here only as well as they can be.`;
}

function binaryProblem(text: string): FileProblem {
  const message =
    binaryKind(text) === 'utf-16'
      ? 'This file looks like UTF-16 text without a byte order mark (every other character is NUL), so it was not linted: trainers read datasets as UTF-8. Save it as UTF-8.'
      : 'This file looks binary (it contains NUL characters), so it was not linted. Datasets must be UTF-8 text.';
  return { rule: 'unreadable-file', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message };
}

/**
 * Whether the start of a text is binary (NULs are more than 1% of it), or UTF-16 read as UTF-8 (a NUL
 * after nearly every character). A stray NUL in a text file is no reason to skip it: the scanner
 * reports it where it is, as Python's json module does.
 */
function binaryKind(text: string): 'binary' | 'utf-16' | undefined {
  const probe = text.length > 8192 ? text.slice(0, 8192) : text;
  let nuls = 0;
  let interleaved = 0;
  for (let at = probe.indexOf('\u0000'); at >= 0; at = probe.indexOf('\u0000', at + 1)) {
    nuls++;
    if (at % 2 === 1 || probe.charCodeAt(at + 1) !== 0) interleaved++;
  }
  if (nuls === 0) return undefined;
  if (nuls >= 2 && nuls * 100 >= probe.length) return nuls * 5 >= probe.length * 2 && interleaved * 10 >= nuls * 9 ? 'utf-16' : 'binary';
  // A NUL among many control characters or undecodable bytes (U+FFFD) is binary too: a short blob, compressed data.
  let suspicious = 0;
  for (let at = 0; at < probe.length; at++) {
    const code = probe.charCodeAt(at);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 0xfffd) suspicious++;
  }
  return suspicious * 20 >= probe.length ? 'binary' : undefined;
}

function looksBinary(text: string): boolean {
  return binaryKind(text) !== undefined;
}

/** Index of the last record that starts at or before `position` (records in document order), or -1. */
export function lastRecordStartingAt(records: readonly DatasetRecord[], position: Position): number {
  let low = 0;
  let high = records.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const record = records[middle] as DatasetRecord;
    if (record.line < position.line || (record.line === position.line && record.character <= position.character)) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

