import type { DatasetRecord, LineRun } from '../document';
import type { RecordRule } from './rule';
import { isObject } from './util';

/** The lines a run covers, for messages ("lines 3-17"). */
function linesOf(run: LineRun): string {
  return `lines ${run.line + 1}-${run.lastLine + 1}`;
}

/** What to say about a run of lines that holds one value, reported once on its first record. */
function runMessage(run: LineRun): string {
  if (run.kind === 'array') {
    const count = run.records.length;
    return `These ${run.lines.length} lines (${linesOf(run)}) hold a JSON array of ${count} record${count === 1 ? '' : 's'}, but JSON Lines needs each record on its own line, without the surrounding [ ]: trainers read the file line by line and fail on every one of these lines. The records are linted where they are; the quick fix puts each one on its own line.`;
  }
  return `This record spans ${linesOf(run)}, but JSON Lines needs one record per line: trainers read the file line by line and fail on every one of these lines. Its content is linted where it is; the quick fix joins it onto one line.`;
}

/** A record (a JSONL line, or an element of a JSON array) that is not valid JSON; in JSONL, also a record written over several lines. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'invalid-json', description: 'A record is not valid JSON (reported at the exact bad token), or a JSON Lines record spans several lines.', defaultSeverity: 'error', fixable: true },
  check({ record, report }) {
    const run = record.run;
    if (run !== undefined && run.kind !== 'broken' && run.records[0] === record) {
      // The whole run: offsets reach from the run's start to its end (see DatasetRecord.positionAt).
      report(runMessage(run), { offsets: { start: -record.runOffset, end: run.text.length - record.runOffset } }, { kind: 'join-lines' });
    }
    const error = record.syntaxError;
    if (error === undefined) {
      const tooDeep = nestingPastPythonLimit(record.text);
      // A record that is a deep list is not-an-object's finding; only a record's nested value is reported here.
      if (tooDeep !== undefined && isObject(record.value)) report(`Invalid JSON for Python: the value is nested more than ${pythonDepthLimit} levels deep here. Python's json module (OpenAI's upload checks, many dataset loaders) stops with a RecursionError, so the record cannot be loaded. Flatten the value, or store it as a string.`, { offsets: { start: tooDeep, end: tooDeep + 1 } });
      return;
    }
    if (record.errorReportedByFile) return;
    const where = brokenRun(record);
    // A byte order mark inside the file (files joined with cat, one saved with a BOM) is invisible in the editor.
    const what = record.text.charCodeAt(error.offset) === 0xfeff ? 'a byte order mark (U+FEFF, invisible) where a value belongs, often left by joining files that were saved with one; delete it' : error.message;
    report(`Invalid JSON: ${what}. ${where ?? 'Fix it at the underlined spot: trainers stop or skip the whole record.'}`, { offsets: { start: error.offset, end: error.offset + error.length } });
  },
};

/** For a broken record written over several JSONL lines: what else to do once the error is fixed. */
function brokenRun(record: DatasetRecord): string | undefined {
  const run = record.run;
  if (run === undefined) return undefined;
  return `This record spans ${linesOf(run)}: JSON Lines also needs it on one line, so once it parses, join its lines (the quick fix offers it then). Trainers fail on every one of these lines.`;
}

/** Python's json module recurses once per level; past its default recursion limit (1,000 frames) it fails. */
const pythonDepthLimit = 990;

/**
 * The offset of the first bracket nested deeper than Python can load, or undefined. Only records with
 * that many opening brackets are walked (two native searches count them), so ordinary records cost
 * next to nothing.
 */
export function nestingPastPythonLimit(text: string): number | undefined {
  if (text.length < 2 * pythonDepthLimit || openings(text, '[') + openings(text, '{') <= pythonDepthLimit) return undefined;
  let depth = 0;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 34 /* " */) {
      // Skip the string (escaped quotes included).
      for (at++; at < text.length && text.charCodeAt(at) !== 34; at++) if (text.charCodeAt(at) === 92) at++;
    } else if (code === 91 || code === 123) {
      if (++depth > pythonDepthLimit) return at;
    } else if (code === 93 || code === 125) depth--;
  }
  return undefined;
}

/** How many times `bracket` occurs in `text`, counted up to just past the depth limit. */
function openings(text: string, bracket: string): number {
  let count = 0;
  for (let at = text.indexOf(bracket); at >= 0 && count <= pythonDepthLimit; at = text.indexOf(bracket, at + 1)) count++;
  return count;
}
