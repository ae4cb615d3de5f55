/**
 * Runs the rules over a dataset document. Record rules run once per record and their results are
 * cached on the record (keyed by the settings version and the file format), so after an edit only
 * the changed records are checked again; file rules (duplicates, near-duplicates, mixed formats,
 * file size) run over the cached per-record facts.
 */
import type { RecordFormat } from '../../../protocol/messages';
import { analyseRecord, detectedShapeOf, summarise, summaryOf, type RecordAnalysis } from './analysis';
import type { LintSettings, Severity } from './config';
export { severityOf };
import { formatOfShape, type RecordShape } from './conversation';
import type { DatasetDocument, DatasetRecord, Range } from './document';
import type { FileFacts } from './fileFacts';
import { defaultHint, detectShape, type FormatHint } from './formats';
import { locatePath, sourceOffsetInString, trimmedBounds } from './json/scanner';
import { fileChecks, indexFor, type WorkspaceIndex } from './fileChecks';
import { recordRules, severityOf } from './rules/index';
import type { FixData, ProblemTarget, RecordProblem, RecordRule, RecordRuleContext } from './rules/rule';
import { estimatingCounter, type TokenCounter } from './tokens';
import { cacheOf } from './recordCache';

export type ReportedSeverity = Exclude<Severity, 'off'>;

/** One problem, ready for the editor or the CLI. */
export interface LintDiagnostic {
  range: Range;
  severity: ReportedSeverity;
  rule: string;
  message: string;
  /** Index of the record it concerns (absent for file-level problems). */
  recordIndex?: number;
  fix?: FixData;
}


/**
 * Builds the facts for a file: settings, mapping, token counter and the format (forced, or the most
 * common among the records). The linter passes `detectFormat: false`: it learns the format while
 * reading the records once, and sets it itself (no record is parsed twice for that).
 */
export function buildFacts(document: DatasetDocument, uri: string, settings: LintSettings, options: { hint?: FormatHint; tokens?: TokenCounter; version?: number; detectFormat?: boolean } = {}): FileFacts {
  const hint = options.hint ?? defaultHint;
  const forcedFormat: RecordFormat | undefined = settings.format !== 'auto' ? settings.format : hint.forced;
  const facts: FileFacts = { uri, kind: document.kind, settings, hint, format: forcedFormat ?? 'unknown', forced: forcedFormat !== undefined, tokens: options.tokens ?? estimatingCounter, version: options.version ?? 0 };
  if (!facts.forced && options.detectFormat !== false) facts.format = detectedMajority(document, facts);
  return facts;
}

/** The most common known format among the records, each record's shape read by `shapeOf`. */
function majorityOf(document: DatasetDocument, shapeOf: (record: DatasetDocument['records'][number]) => RecordShape | undefined): RecordFormat {
  const counts = new Map<RecordFormat, number>();
  for (const record of document.records) {
    const shape = shapeOf(record);
    const format = shape !== undefined ? formatOfShape(shape) : undefined;
    if (format === undefined || format === 'unknown') continue;
    counts.set(format, (counts.get(format) ?? 0) + 1);
  }
  let best: RecordFormat = 'unknown';
  let bestCount = 0;
  for (const [format, count] of counts) {
    if (count > bestCount) {
      best = format;
      bestCount = count;
    }
  }
  return best;
}

/** Majority of the records' detected formats, parsing records that were not analysed yet. */
function detectedMajority(document: DatasetDocument, facts: FileFacts): RecordFormat {
  return majorityOf(document, (record) => detectedShapeOf(record, facts));
}

/** The most common format among the records' summaries. */
export function majorityFormat(document: DatasetDocument, facts: FileFacts): RecordFormat {
  return majorityOf(document, (record) => summaryOf(record, facts)?.detected);
}

const noProblems: RecordProblem[] = [];

/** Per-facts constants of a lint run: the enabled rules and the cache key (computed once, not per record). */
const runs = new WeakMap<FileFacts, { key: string; format: string; rules: RecordRule[] }>();

function runOf(facts: FileFacts): { key: string; rules: RecordRule[] } {
  let run = runs.get(facts);
  if (run === undefined) {
    run = { key: `${facts.version}`, format: facts.format, rules: recordRules.filter((rule) => severityOf(rule.meta.id, facts.settings) !== 'off') };
    runs.set(facts, run);
  }
  return run;
}

/**
 * A misspelt key is missing-field's finding when it holds a required field ("contnet": rename it to "content"), and
 * unknown-key's too: one diagnostic on the key is enough, the one that says what is missing.
 */
function withoutEchoedRenames(problems: RecordProblem[]): RecordProblem[] {
  const renames = problems.filter((problem) => problem.rule === 'missing-field' && problem.fix?.kind === 'rename-key');
  if (renames.length === 0) return problems;
  return problems.filter((problem) => problem.rule !== 'unknown-key' || problem.fix?.kind !== 'rename-key' || !renames.some((rename) => sameRename(rename.fix, problem.fix)));
}

function sameRename(a: FixData | undefined, b: FixData | undefined): boolean {
  return a?.kind === 'rename-key' && b?.kind === 'rename-key' && a.replacement === b.replacement && a.path.length === b.path.length && a.path.every((segment, index) => segment === b.path[index]);
}

/** Runs the record rules on one record (cached on the record until settings or the file format change). */
export function recordProblems(record: DatasetRecord, facts: FileFacts): RecordProblem[] {
  const run = runOf(facts);
  const held = record.cache;
  if (held !== undefined && held.problemsKey === run.key && held.problems !== undefined) return held.problems;
  let problems = noProblems;
  void record.value; // parse once and hold the value while the rules run
  const analysis = analyseRecord(record, facts);
  let ruleId = '';
  // One context per record; `report` tags each problem with the rule being run.
  const context: RecordRuleContext = {
    record,
    analysis: analysis as RecordAnalysis,
    settings: facts.settings,
    facts,
    report(message: string, target: ProblemTarget, fix?: FixData): void {
      if (problems === noProblems) problems = [];
      problems.push(fix === undefined ? { rule: ruleId, message, target } : { rule: ruleId, message, target, fix });
    },
  };
  for (const rule of run.rules) {
    if (analysis === undefined && rule.meta.id !== 'invalid-json' && rule.meta.id !== 'not-an-object') continue;
    ruleId = rule.meta.id;
    try {
      rule.check(context);
    } catch (error) {
      // A rule bug must not take the linter down; report it where the user can see it.
      context.report(`Internal error in rule ${rule.meta.id}: ${error instanceof Error ? error.message : String(error)}`, { offsets: { start: 0, end: 1 } });
    }
  }
  if (problems.length > 1 && severityOf('missing-field', facts.settings) !== 'off') problems = withoutEchoedRenames(problems);
  let shownCount = 0;
  let errorCount = 0;
  for (const problem of problems) {
    const severity = severityOf(problem.rule, facts.settings);
    if (severity !== 'off') shownCount++;
    if (severity === 'error') errorCount++;
  }
  if (analysis !== undefined) summarise(record, analysis, facts, errorCount > 0);
  // Stored flat on the record's cache (no wrapper object: 100k records, 100k fewer objects).
  const cache = cacheOf(record);
  cache.problemsKey = run.key;
  cache.problems = problems;
  cache.shownCount = shownCount;
  cache.errorCount = errorCount;
  // Keep memory near the file size: the value is parsed again if a feature needs it.
  record.release();
  return problems;
}

/** Resolves a problem target to offsets in the record's text (cached on the target: records are immutable). */
function targetOffsets(record: DatasetRecord, target: ProblemTarget): { start: number; end: number } {
  const cached = (target as { resolved?: { start: number; end: number } }).resolved;
  if (cached !== undefined) return cached;
  let offsets: { start: number; end: number };
  if ('offsets' in target) offsets = atRecord(record.text, target.offsets);
  else {
    const located = locatePath(record.text, target.path);
    if (located === null) offsets = atRecord(record.text, { start: 0, end: Math.min(record.text.length, 1) });
    else if ('inString' in target) {
      offsets = { start: sourceOffsetInString(record.text, located.value.start, target.inString.start), end: sourceOffsetInString(record.text, located.value.start, target.inString.end) };
    } else offsets = target.part === 'key' && located.key !== undefined ? located.key : located.value;
  }
  Object.defineProperty(target, 'resolved', { value: offsets, enumerable: false });
  return offsets;
}

/**
 * A JSONL record's text is its whole line: a range from its start (the record, its opening brace) or to its end starts and
 * ends at the record, not at the indentation, the BOM read as a space or the trailing spaces around it, as in a JSON array.
 */
function atRecord(text: string, offsets: { start: number; end: number }): { start: number; end: number } {
  const { start, end } = offsets;
  if (start !== 0 && end !== text.length) return offsets;
  const bounds = trimmedBounds(text);
  if (bounds.start === 0 && bounds.end === text.length) return offsets;
  if (bounds.end <= bounds.start) return offsets;
  if (start === 0 && end === 1) return { start: bounds.start, end: bounds.start + 1 };
  const trimmedStart = start === 0 && bounds.start < end ? bounds.start : start;
  const trimmedEnd = end === text.length && bounds.end > trimmedStart ? bounds.end : end;
  return { start: trimmedStart, end: trimmedEnd };
}

/** Resolves a problem target to a range in the document. */
export function targetRange(record: DatasetRecord, target: ProblemTarget): Range {
  const offsets = targetOffsets(record, target);
  return record.rangeAt(offsets.start, offsets.end);
}

/** The diagnostic last built for a record's problem, and where the record was then. */
const builtDiagnostics = new WeakMap<RecordProblem, { diagnostic: LintDiagnostic; line: number; character: number }>();

/**
 * A record problem as a diagnostic. Kept per problem (record problems are cached on their record) while
 * the record stays where it was: a pull after an edit re-uses the thousand diagnostics it shows.
 */
function recordDiagnostic(record: DatasetRecord, problem: RecordProblem, severity: ReportedSeverity): LintDiagnostic {
  const built = builtDiagnostics.get(problem);
  if (built !== undefined && built.line === record.line && built.character === record.character && built.diagnostic.recordIndex === record.index && built.diagnostic.severity === severity) return built.diagnostic;
  const diagnostic: LintDiagnostic = { range: targetRange(record, problem.target), severity, rule: problem.rule, message: problem.message, recordIndex: record.index };
  if (problem.fix !== undefined) diagnostic.fix = problem.fix;
  builtDiagnostics.set(problem, { diagnostic, line: record.line, character: record.character });
  return diagnostic;
}

/** Pushes a record's shown problems whose severity `wanted` accepts, while the list is under `limit`. */
function pushRecordDiagnostics(record: DatasetRecord, settings: LintSettings, diagnostics: LintDiagnostic[], wanted: (severity: ReportedSeverity) => boolean, limit: number): void {
  const problems = record.cache?.problems ?? noProblems;
  for (const problem of problems) {
    if (diagnostics.length >= limit) return;
    const severity = severityOf(problem.rule, settings);
    if (severity !== 'off' && wanted(severity)) diagnostics.push(recordDiagnostic(record, problem, severity));
  }
}

export interface LintResult {
  diagnostics: LintDiagnostic[];
  facts: FileFacts;
  /** Problems found beyond `maxProblems`, not included. */
  truncated: number;
}

/**
 * A count of hidden problems to two significant figures ("About 12,000"): an exact count would change
 * with nearly every keystroke that adds or fixes one, and the editor would be sent the whole list of
 * shown problems again (a thousand of them) only for that number.
 */
function roughCount(count: number): string {
  if (count < 100) return `${count}`;
  const unit = 10 ** (Math.floor(Math.log10(count)) - 1);
  return `About ${(Math.round(count / unit) * unit).toLocaleString('en-US')}`;
}

/**
 * A JSON array file that starts with a byte order mark: Hugging Face datasets (LLaMA-Factory, Axolotl and TRL load data with
 * it) fails on the mark in such a file, as Python's json.load does. pyarrow's JSON Lines reader skips it, so a .jsonl file
 * is not reported.
 */
const jsonArrayBomMessage = 'The file starts with a byte order mark (U+FEFF): Hugging Face datasets, which LLaMA-Factory, Axolotl and TRL load data with, fails on it in a JSON array file ("Expected object or value"), as Python\'s json.load does ("Unexpected UTF-8 BOM"). Save the file as UTF-8 without BOM.';

/**
 * Lints a whole document. `workspace` (optional) holds the other dataset files' records, for
 * train/eval leakage; `facts` may be passed in when the caller already built them.
 */
export function lintDocument(document: DatasetDocument, uri: string, settings: LintSettings, options: { hint?: FormatHint; tokens?: TokenCounter; version?: number; workspace?: WorkspaceIndex; facts?: FileFacts } = {}): LintResult {
  const facts = options.facts ?? buildFacts(document, uri, settings, { ...options, detectFormat: false });
  const diagnostics: LintDiagnostic[] = [];
  const limit = settings.maxProblems > 0 ? settings.maxProblems : Infinity;
  let truncated = 0;
  const push = (diagnostic: LintDiagnostic): void => {
    if (diagnostics.length < limit) diagnostics.push(diagnostic);
    else truncated++;
  };
  for (const problem of document.problems) {
    const severity = severityOf(problem.rule, settings);
    if (severity !== 'off') push({ range: problem.range, severity, rule: problem.rule, message: problem.message });
  }
  if (!document.isDataset) return { diagnostics: [], facts, truncated: 0 };
  const bomSeverity = document.kind === 'json' && document.startsWithBom ? severityOf('invalid-json', settings) : 'off';
  if (bomSeverity !== 'off') push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: bomSeverity, rule: 'invalid-json', message: jsonArrayBomMessage });
  // The index visits only records added or removed since the last lint (all of them the first time).
  const index = indexFor(document, facts);
  void document.records; // brings record indexes and lines up to date
  if (!facts.forced) facts.format = index.majority();
  const withProblems = index.recordsWithProblems();
  let shown = 0;
  let errors = 0;
  for (const record of withProblems) {
    recordProblems(record, facts);
    const cache = cacheOf(record);
    shown += cache.shownCount;
    errors += cache.errorCount;
  }
  const room = Math.max(0, limit - diagnostics.length);
  if (shown <= room) {
    for (const record of withProblems) pushRecordDiagnostics(record, settings, diagnostics, () => true, limit);
  } else {
    // More problems than the editor shows: errors first (a record trainers reject must not hide behind a thousand
    // warnings), then the others, each in file order; the rest are counted.
    const errorsEnd = diagnostics.length + Math.min(errors, room);
    for (let at = 0; at < withProblems.length && diagnostics.length < errorsEnd; at++) {
      const record = withProblems[at] as DatasetRecord;
      if ((record.cache?.errorCount ?? 0) > 0) pushRecordDiagnostics(record, settings, diagnostics, (severity) => severity === 'error', errorsEnd);
    }
    for (let at = 0; at < withProblems.length && diagnostics.length < limit; at++) {
      const record = withProblems[at] as DatasetRecord;
      const cache = record.cache;
      if (cache !== undefined && cache.shownCount > cache.errorCount) pushRecordDiagnostics(record, settings, diagnostics, (severity) => severity !== 'error', limit);
    }
    truncated += shown - room;
  }
  const fileLevel = fileChecks(document, facts, options.workspace, diagnostics.length >= limit, limit - diagnostics.length);
  truncated += fileLevel.counted;
  for (const problem of fileLevel.problems) {
    const severity = severityOf(problem.rule, settings);
    if (severity === 'off') continue;
    if (diagnostics.length >= limit) {
      truncated++; // counted, not resolved: locating ranges is the expensive part
      continue;
    }
    const range = problem.record !== undefined ? targetRange(problem.record, problem.target ?? { offsets: { start: 0, end: problem.record.text.length } }) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const diagnostic: LintDiagnostic = { range, severity, rule: problem.rule, message: problem.message };
    if (problem.record !== undefined) diagnostic.recordIndex = problem.record.index;
    if (problem.fix !== undefined) diagnostic.fix = problem.fix;
    push(diagnostic);
  }
  if (truncated > 0) {
    diagnostics.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'info', rule: 'too-many-problems', message: `${roughCount(truncated)} more problems were not shown (tunesmith.maxProblems is ${settings.maxProblems}). Run 'tunesmith lint' for the full list.` });
  }
  return { diagnostics, facts, truncated };
}

export { detectShape };
