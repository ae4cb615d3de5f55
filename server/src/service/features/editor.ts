/**
 * Editor features of the language service, as pure functions over a parsed document: code actions,
 * hover, document symbols, folding ranges, completion and code lenses. They return LSP-shaped plain
 * data (vscode-languageserver-types), so the server only forwards them.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type TextEdit,
} from 'vscode-languageserver-types';
import { PreviewExampleCommand, type RecordFormat } from '../../../../protocol/messages';
import type { RecordShape } from '../conversation';
import { analyseRecord, summaryOf, type RecordAnalysis, type RecordSummary } from '../analysis';
import { recordProblems, type LintDiagnostic } from '../linter';
import { DatasetDocument, lastRecordStartingAt, type DatasetRecord, type Position, type Range } from '../document';
import type { FileFacts } from '../fileFacts';
import { defaultMapping, detectShape, openaiRoles, sharegptRoles } from '../formats';
import { decodeEscape, isWhitespace, locatePath, skipStringFast, skipWhitespace, trimmedBounds, type JsonPath, type LocatedNode } from '../json/scanner';
import { tokenCountOf } from '../rules/tokens';
import { trainableAfterTruncation } from '../tokens';
import type { FixData } from '../rules/rule';
import { arrayElementTexts } from '../rules/not-an-object';
import { recordSpec, openaiMessageSpec, sharegptTurnSpec } from '../schema';
import { convertibleFormats, convertRecord, formatTitles, stringifyConverted, type ConvertibleFormat } from './convert';

// ---------------------------------------------------------------------------------------------
// Locating records
// ---------------------------------------------------------------------------------------------

/** The record whose text contains `position`, by binary search over record start lines. */
export function recordAt(document: DatasetDocument, position: Position): DatasetRecord | undefined {
  const found = document.records[lastRecordStartingAt(document.records, position)];
  if (found === undefined) return undefined;
  const end = found.positionAt(found.text.length);
  if (end.line < position.line || (end.line === position.line && end.character < position.character)) return undefined;
  return found;
}

/** JSONL: the whole line including its line break, so deleting leaves no blank line. */
function wholeLine(document: DatasetDocument, record: DatasetRecord): Range {
  // A record written over several lines (still to be joined) takes all of them.
  const [first, last] = record.run?.kind === 'object' ? [record.run.line, record.run.lastLine] : [record.line, record.line];
  if (record.run !== undefined && record.run.kind !== 'object') return record.range;
  // The last line of a file without a final line break: the break before it goes instead (no range past the end).
  if (last + 1 >= document.lineCount && first > 0) return { start: { line: first - 1, character: document.lineLength(first - 1) }, end: { line: last, character: document.lineLength(last) } };
  if (last + 1 >= document.lineCount) return { start: { line: first, character: 0 }, end: { line: last, character: document.lineLength(last) } };
  return { start: { line: first, character: 0 }, end: { line: last + 1, character: 0 } };
}

// ---------------------------------------------------------------------------------------------
// Code actions
// ---------------------------------------------------------------------------------------------

/** A replacement in a record's text, by offsets. */
interface Replacement {
  start: number;
  end: number;
  newText: string;
}

function replacementAt(record: DatasetRecord, path: JsonPath, part: 'key' | 'value', newText: string): Replacement | undefined {
  const located = locatePath(record.text, path);
  if (located === null) return undefined;
  const range = part === 'key' ? located.key : located.value;
  return range === undefined ? undefined : { start: range.start, end: range.end, newText };
}

/**
 * The removal of an object member (key, colon and value) with one comma beside it: the one before
 * it, or for a first member the one after it with the whitespace up to the next key, so the object
 * stays valid JSON and keeps its layout.
 */
function memberRemoval(record: DatasetRecord, path: JsonPath): Replacement | undefined {
  const located = locatePath(record.text, path);
  if (located === null || located.key === undefined) return undefined;
  const text = record.text;
  const before = lastNonWhitespaceBefore(text, located.key.start);
  if (text.charCodeAt(before) === 44 /* , */) return { start: before, end: located.value.end, newText: '' };
  const after = skipWhitespace(text, located.value.end);
  if (text.charCodeAt(after) === 44) return { start: located.key.start, end: skipWhitespace(text, after + 1), newText: '' };
  return { start: located.key.start, end: located.value.end, newText: '' };
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * A JSON string token with the whitespace at its ends removed, and everything between kept as written
 * (its escapes, "\ud83c\udf89" or "\u00e9", stay escapes): the same value as JSON.stringify(value.trim()).
 */
export function trimmedStringToken(token: string, ends: 'start' | 'end' | 'both' = 'both'): string {
  // Each unit is one escape sequence or one character as written, with the character it stands for.
  const units: { raw: string; code: number }[] = [];
  for (let at = 1; at < token.length - 1; ) {
    if (token.charCodeAt(at) !== 92 /* \ */) {
      units.push({ raw: token[at] ?? '', code: token.charCodeAt(at) });
      at++;
      continue;
    }
    // The token parsed, so every escape is one JSON knows; a stray one is kept as two characters that are not blank.
    const { character, length } = decodeEscape(token, at) ?? { character: token.charAt(at + 1), length: 2 };
    units.push({ raw: token.slice(at, at + length), code: character.charCodeAt(0) });
    at += length;
  }
  const blank = (unit: { code: number } | undefined): boolean => unit !== undefined && String.fromCharCode(unit.code).trim().length === 0;
  let first = 0;
  let last = units.length;
  if (ends !== 'end') while (first < last && blank(units[first])) first++;
  if (ends !== 'start') while (last > first && blank(units[last - 1])) last--;
  return `"${units.slice(first, last).map((unit) => unit.raw).join('')}"`;
}

/** The replacement of a fix that rewrites one token of its record (trim, role, key). */
function tokenFix(record: DatasetRecord, fix: FixData): { title: string; replacement: Replacement } | undefined {
  let replacement: Replacement | undefined;
  let title: string;
  switch (fix.kind) {
    case 'trim': {
      const value = valueAt(record.value, fix.path);
      if (typeof value !== 'string') return undefined;
      const located = locatePath(record.text, fix.path);
      if (located === null) return undefined;
      replacement = { start: located.value.start, end: located.value.end, newText: trimmedStringToken(record.text.slice(located.value.start, located.value.end), fix.ends) };
      title = value.trim().length === 0 ? 'Make it empty ("")' : fix.ends === 'start' ? 'Trim leading whitespace' : fix.ends === 'end' ? 'Trim trailing whitespace' : 'Trim whitespace';
      break;
    }
    case 'replace-role':
      replacement = replacementAt(record, fix.path, 'value', JSON.stringify(fix.replacement));
      title = `Replace role with "${fix.replacement}"`;
      break;
    case 'rename-key':
      replacement = replacementAt(record, fix.path, 'key', JSON.stringify(fix.replacement));
      title = `Rename key to "${fix.replacement}"`;
      break;
    case 'set-value':
      if (typeof valueAt(record.value, fix.path) !== 'string') return undefined;
      replacement = replacementAt(record, fix.path, 'value', JSON.stringify(fix.value));
      title = fix.value === '' ? 'Make the field empty ("")' : `Replace the value with ${JSON.stringify(fix.value)}`;
      break;
    case 'remove-key':
      replacement = memberRemoval(record, fix.path);
      title = `Remove "${String(fix.path[fix.path.length - 1])}"`;
      break;
    default:
      return undefined;
  }
  return replacement && { title, replacement };
}

function fixEdit(document: DatasetDocument, record: DatasetRecord, fix: FixData): { title: string; edits: TextEdit[] } | undefined {
  switch (fix.kind) {
    case 'trim':
    case 'replace-role':
    case 'rename-key':
    case 'set-value':
    case 'remove-key': {
      const token = tokenFix(record, fix);
      if (token === undefined) return undefined;
      const { start, end, newText } = token.replacement;
      return { title: token.title, edits: [{ range: record.rangeAt(start, end), newText }] };
    }
    case 'remove-record':
      return { title: `Remove duplicate record ${record.index + 1}`, edits: [removeRecordEdit(document, record)] };
    case 'add-field': {
      const insertion = fieldInsertion(document, record, fix);
      if (insertion === undefined) return undefined;
      const position = record.positionAt(insertion.at);
      return { title: `Add missing "${fix.key}"`, edits: [{ range: { start: position, end: position }, newText: insertion.newText }] };
    }
    case 'split-array': {
      const elements = arrayElementTexts(record.text);
      if (elements === undefined || document.kind !== 'jsonl') return undefined;
      return { title: `Put each of the ${elements.length} records on its own line`, edits: [{ range: record.range, newText: elements.join(document.eol) }] };
    }
    case 'join-lines': {
      const run = record.run;
      if (run === undefined || run.kind === 'broken') return undefined;
      const title = run.kind === 'array' ? `Put each of the ${run.records.length} records on its own line` : 'Join the record onto one line';
      return { title, edits: [{ range: run.range, newText: run.oneRecordPerLine(document.eol) }] };
    }
  }
}

/**
 * Where a missing field goes, and its text: after the last member that comes before it in the format's
 * order (the output after the instruction and input, the content after the role), else first. A
 * pretty-printed object gets it on a line of its own, indented as its other keys.
 */
function fieldInsertion(document: DatasetDocument, record: DatasetRecord, fix: Extract<FixData, { kind: 'add-field' }>): { at: number; newText: string } | undefined {
  const text = record.text;
  const objectRange = fix.path.length === 0 ? { start: 0, end: text.length } : locatePath(text, fix.path)?.value;
  if (objectRange === undefined) return undefined;
  const open = text.indexOf('{', objectRange.start);
  if (open < 0 || open >= objectRange.end) return undefined;
  const field = `${JSON.stringify(fix.key)}: ${JSON.stringify(fix.skeleton)}`;
  const object = valueAt(record.value, fix.path);
  let previous: LocatedNode | undefined;
  for (const key of fix.after) {
    if (typeof object !== 'object' || object === null || !Object.prototype.hasOwnProperty.call(object, key)) continue;
    const located = locatePath(text, [...fix.path, key]);
    if (located !== null && located.key !== undefined && (previous === undefined || located.value.end > previous.value.end)) previous = located;
  }
  if (previous?.key !== undefined) {
    const indent = lineIndentBefore(text, previous.key.start);
    return { at: previous.value.end, newText: indent !== undefined ? `,${document.eol}${indent}${field}` : `, ${field}` };
  }
  const inside = text.slice(open + 1, objectRange.end - 1);
  const keyLine = /^[ \t]*\r?\n([ \t]*)\S/.exec(inside);
  return { at: open + 1, newText: keyLine !== null ? `${document.eol}${keyLine[1] ?? ''}${field},` : `${field}${inside.trim().length > 0 ? ', ' : ''}` };
}

/** The whitespace before `offset` on its line when nothing else comes before it there (a pretty-printed key), else undefined. */
function lineIndentBefore(text: string, offset: number): string | undefined {
  let start = offset;
  while (start > 0 && (text.charCodeAt(start - 1) === 32 || text.charCodeAt(start - 1) === 9)) start--;
  const before = text.charCodeAt(start - 1);
  return start > 0 && (before === 10 || before === 13) ? text.slice(start, offset) : undefined;
}

function removeRecordEdit(document: DatasetDocument, record: DatasetRecord): TextEdit {
  if (document.kind === 'jsonl') return { range: wholeLine(document, record), newText: '' };
  // JSON array: remove the element and the comma before it (or after it for the first element).
  // Neighbours in another array of a file of splits are not: the text between is `], "test": [`.
  const records = document.records;
  const inSameArray = (other: DatasetRecord | undefined): DatasetRecord | undefined => (other?.arrayIndex === record.arrayIndex ? other : undefined);
  const previous = inSameArray(records[record.index - 1]);
  const next = inSameArray(records[record.index + 1]);
  if (previous !== undefined) return { range: { start: previous.positionAt(previous.text.length), end: record.positionAt(record.text.length) }, newText: '' };
  if (next !== undefined) return { range: { start: record.positionAt(0), end: { line: next.line, character: next.character } }, newText: '' };
  return { range: record.range, newText: '' };
}

/**
 * The edit converting a record to `target`, laid out like the file (one line for JSONL, indented for
 * JSON), or why it cannot be converted. It replaces the record without the whitespace around it, so a
 * JSONL line's indentation and the BOM before record 1 (read as a space) stay.
 */
function convertedEdit(document: DatasetDocument, record: DatasetRecord, facts: FileFacts, target: ConvertibleFormat): { edit: TextEdit } | { refused: string } | undefined {
  const analysis = analyseRecord(record, facts);
  if (analysis === undefined) return undefined;
  const conversion = convertRecord(analysis, record.value, target, facts.hint, record.text);
  if ('refused' in conversion) return conversion;
  const bounds = trimmedBounds(record.text);
  const range = record.rangeAt(bounds.start, bounds.end);
  // JSON Lines, and a record written on one line (a one-line array), stay on one line.
  if (document.kind === 'jsonl' || !record.text.includes('\n')) return { edit: { range, newText: stringifyConverted(conversion.record) } };
  // Pretty-printed: the record's own indentation (from its closing line) and indent unit (its second
  // line's indentation beyond that), so a tab-indented file stays tab-indented.
  const text = record.text.replace(/\r\n/g, '\n');
  const indent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n') + 1))?.[0] ?? '';
  const secondLine = text.slice(text.indexOf('\n') + 1);
  const inner = /^[ \t]*/.exec(secondLine)?.[0] ?? '';
  const unit = inner.startsWith(indent) && inner.length > indent.length ? inner.slice(indent.length) : 2;
  return { edit: { range, newText: stringifyConverted(conversion.record, unit).split('\n').join(`${document.eol}${indent}`) } };
}

/** Records converted to `target` (those already in it, and those it cannot express, are left as they are). */
function convertFileEdits(document: DatasetDocument, facts: FileFacts, target: ConvertibleFormat): { edits: TextEdit[]; converted: number } {
  const edits: TextEdit[] = [];
  for (const record of document.records) {
    const analysis = analyseRecord(record, facts);
    if (analysis === undefined || analysis.detected === target) continue;
    const result = convertedEdit(document, record, facts, target);
    if (result !== undefined && 'edit' in result) edits.push(result.edit);
  }
  return { edits, converted: edits.length };
}

/** Files up to this many records get whole-file actions' edits at once when the client cannot resolve them later. */
const eagerFileActionLimit = 5_000;

/** Fixes safe to apply all together unreviewed: none removes a record or inserts content. */
const bulkFixKinds: ReadonlySet<FixData['kind']> = new Set(['trim', 'replace-role', 'rename-key', 'set-value', 'remove-key']);
const fixAllKind = 'source.fixAll.tunesmith';
const convertFileKind = `${CodeActionKind.RefactorRewrite}.convertFile`;

/**
 * What a whole-file action, or a record's conversion, carries until the client asks for its edits
 * (codeAction/resolve). A record is named by the line it starts on: the one there then is converted.
 */
export type FileActionData = { uri: string; convertFile: ConvertibleFormat } | { uri: string; fixAll: true } | { uri: string; convertRecord: ConvertibleFormat; line: number };

export function isFileActionData(data: unknown): data is FileActionData {
  if (typeof data !== 'object' || data === null || typeof (data as { uri?: unknown }).uri !== 'string') return false;
  const action = data as { convertFile?: unknown; fixAll?: unknown; convertRecord?: unknown; line?: unknown };
  if (action.convertRecord !== undefined) return convertibleFormats.includes(action.convertRecord as ConvertibleFormat) && Number.isInteger(action.line);
  return action.fixAll === true || convertibleFormats.includes(action.convertFile as ConvertibleFormat);
}

/** Whether the record converts to `target` (as convertedEdit would), without writing the converted text. */
function recordConversion(record: DatasetRecord, analysis: RecordAnalysis, facts: FileFacts, target: ConvertibleFormat): { converts: true } | { refused: string } {
  const conversion = convertRecord(analysis, record.value, target, facts.hint, record.text);
  return 'refused' in conversion ? conversion : { converts: true };
}

const canonicalRoles: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

/**
 * Whether convertConversation would convert the record, judged from its cached summary (no parsing):
 * its shape and roles. It misses what only the written record shows (image parts, text beside tool
 * calls, weights, columns the target reads), so it gives an upper bound: used for the titles of files
 * over exactCountLimit records, which say "up to"; the edits are exact.
 */
function mayConvert(summary: RecordSummary, target: ConvertibleFormat): boolean {
  const { shape, roles } = summary;
  if (shape === target || shape === 'text' || shape === 'unknown' || shape.startsWith('preference')) return false;
  if (roles.length === 0 || roles.some((role) => !canonicalRoles.has(role))) return false;
  if (target !== 'alpaca') return true;
  const pairs = roles[0] === 'system' ? roles.slice(1) : roles;
  return pairs.length >= 2 && pairs.length % 2 === 0 && pairs.every((role, index) => role === (index % 2 === 0 ? 'user' : 'assistant'));
}

function bulkFixOf(problem: { fix?: FixData }): FixData | undefined {
  return problem.fix !== undefined && bulkFixKinds.has(problem.fix.kind) ? problem.fix : undefined;
}

/** The fixes of a record that fix-all applies. */
function bulkFixesOf(record: DatasetRecord, facts: FileFacts): FixData[] {
  return recordProblems(record, facts).flatMap((problem) => bulkFixOf(problem) ?? []);
}

/**
 * Whether fix-all has something to do in the record (no list: every record is asked at each cursor
 * move). A trim or a role always changes the text; renames only count when fix-all would make one.
 */
function hasBulkFix(record: DatasetRecord, facts: FileFacts): boolean {
  let renames = false;
  for (const problem of recordProblems(record, facts)) {
    const fix = bulkFixOf(problem);
    if (fix === undefined) continue;
    if (fix.kind !== 'rename-key') return true;
    renames = true;
  }
  if (!renames) return false;
  // Counting must not keep every record's value in memory (values are released after linting).
  const held = record.holdsValue;
  const found = bulkReplacements(record, facts).length > 0;
  if (!held) record.release();
  return found;
}

/**
 * The replacements fix-all makes in a record in one round, in text order and none overlapping. A
 * rename onto a key its object already has, or onto a key another rename of the round takes (two
 * misspellings of one key), is left for the user: the key written twice would lose one value.
 */
function bulkReplacements(record: DatasetRecord, facts: FileFacts): Replacement[] {
  const targets = new Set<string>();
  const candidates: Replacement[] = [];
  for (const fix of bulkFixesOf(record, facts)) {
    if (fix.kind === 'rename-key') {
      const objectPath = fix.path.slice(0, -1);
      const object = valueAt(record.value, objectPath);
      const target = JSON.stringify([...objectPath, fix.replacement]);
      if (typeof object !== 'object' || object === null || Object.prototype.hasOwnProperty.call(object, fix.replacement) || targets.has(target)) continue;
      targets.add(target);
    }
    const replacement = tokenFix(record, fix)?.replacement;
    if (replacement !== undefined && replacement.newText !== record.text.slice(replacement.start, replacement.end)) candidates.push(replacement);
  }
  candidates.sort((a, b) => a.start - b.start);
  const replacements: Replacement[] = [];
  let at = 0;
  for (const replacement of candidates) {
    if (replacement.start < at) continue;
    replacements.push(replacement);
    at = replacement.end;
  }
  return replacements;
}

/** Records with something for fix-all to repair (from their cached lint results). */
function recordsToFix(document: DatasetDocument, facts: FileFacts): DatasetRecord[] {
  return document.records.filter((record) => hasBulkFix(record, facts));
}

/**
 * Files up to this many records get exact counts in whole-file conversion titles (each record is
 * converted once to know, about 10 ms per 1,000 records, then kept); larger ones an upper bound from
 * the cached summaries, said as "up to".
 */
const exactCountLimit = 5_000;

/**
 * Whether a record is a conversation some target could hold: preference pairs, plain text and
 * unrecognised records are left out of whole-file counts and get no disabled conversion actions.
 */
function isConversationShape(shape: RecordShape): boolean {
  return shape !== 'text' && shape !== 'unknown' && shape !== 'segments' && !shape.startsWith('preference');
}

/** Per target: whether the record is in it already, converts to it, or why it does not. */
type RecordTargets = Partial<Record<ConvertibleFormat, 'already' | 'converts' | { refused: string }>>;

/** What a record does per target (as convertFileEdits would convert it), kept per record while its file's mapping and format stay. */
const convertibleCache = new WeakMap<DatasetRecord, { hint: FileFacts['hint']; format: FileFacts['format']; forced: boolean; targets: RecordTargets }>();

function recordTargets(record: DatasetRecord, facts: FileFacts): RecordTargets {
  const cached = convertibleCache.get(record);
  if (cached !== undefined && cached.hint === facts.hint && cached.format === facts.format && cached.forced === facts.forced) return cached.targets;
  const analysis = analyseRecord(record, facts);
  const targets: RecordTargets = {};
  if (analysis !== undefined && isConversationShape(analysis.detected)) {
    for (const target of convertibleFormats) {
      if (analysis.detected === target) {
        targets[target] = 'already';
        continue;
      }
      const conversion = convertRecord(analysis, record.value, target, facts.hint, record.text);
      targets[target] = 'refused' in conversion ? { refused: conversion.refused } : 'converts';
    }
  }
  convertibleCache.set(record, { hint: facts.hint, format: facts.format, forced: facts.forced, targets });
  return targets;
}

/** Per target: records converted, already in it, and left (with their most common reason). */
interface TargetCount {
  converts: number;
  already: number;
  refused: number;
  reasons: Map<string, number>;
}

/**
 * How many records each whole-file action would rewrite, kept until the document or its facts
 * change: the editor asks for code actions at every cursor move, and counting reads every record.
 * `exact`: false when the conversion counts are upper bounds (files over exactCountLimit records).
 */
const fileActionCounts = new WeakMap<DatasetDocument, { version: number; facts: FileFacts; convert: Map<ConvertibleFormat, TargetCount>; fix: number; exact: boolean }>();

function fileActionCountsOf(document: DatasetDocument, facts: FileFacts): { convert: Map<ConvertibleFormat, TargetCount>; fix: number; exact: boolean } {
  const cached = fileActionCounts.get(document);
  if (cached !== undefined && cached.version === document.version && cached.facts === facts) return cached;
  const convert = new Map<ConvertibleFormat, TargetCount>(convertibleFormats.map((target) => [target, { converts: 0, already: 0, refused: 0, reasons: new Map() }]));
  const exact = document.records.length <= exactCountLimit;
  let fix = 0;
  for (const record of document.records) {
    if (exact) {
      for (const [target, outcome] of Object.entries(recordTargets(record, facts)) as [ConvertibleFormat, RecordTargets[ConvertibleFormat]][]) {
        const count = convert.get(target);
        if (count === undefined || outcome === undefined) continue;
        if (outcome === 'converts') count.converts++;
        else if (outcome === 'already') count.already++;
        else {
          count.refused++;
          count.reasons.set(outcome.refused, (count.reasons.get(outcome.refused) ?? 0) + 1);
        }
      }
    } else {
      const summary = summaryOf(record, facts);
      if (summary !== undefined) {
        for (const target of convertibleFormats) {
          const count = convert.get(target);
          if (count === undefined) continue;
          if (summary.shape === target) count.already++;
          else if (mayConvert(summary, target)) count.converts++;
        }
      }
    }
    if (hasBulkFix(record, facts)) fix++;
  }
  const counts = { version: document.version, facts, convert, fix, exact };
  fileActionCounts.set(document, counts);
  return counts;
}

function recordCount(count: number, exact: boolean): string {
  return `${exact ? '' : 'up to '}${count} record${count === 1 ? '' : 's'}`;
}

/**
 * A whole-file conversion's title: how many records it converts ("the other" ones when it is the
 * file's own format, which mixed-formats asks the strays to take), and when some cannot be
 * converted, how many stay and the most common reason.
 */
function convertFileTitle(target: ConvertibleFormat, count: TargetCount, exact: boolean, fileFormat: FileFacts['format']): string {
  const other = target === fileFormat && count.already > 0 && exact ? 'the other ' : '';
  if (count.refused === 0) return `Convert the whole file to ${formatTitles[target]} (${other}${recordCount(count.converts, exact)})`;
  const of = `${count.converts} of ${other}${recordCount(count.converts + count.refused, exact)}`;
  return `Convert the whole file to ${formatTitles[target]} (${of}; ${count.refused} stay${count.refused === 1 ? 's' : ''}: ${refusalReason(count)})`;
}

/** The most common reason records do not convert, and how many other reasons there are. */
function refusalReason(count: TargetCount): string {
  let reason = '';
  let most = 0;
  for (const [candidate, times] of count.reasons) {
    if (times > most) [reason, most] = [candidate, times];
  }
  const others = count.reasons.size - 1;
  return `${reason}${others > 0 ? ` (and ${others} other reason${others === 1 ? '' : 's'})` : ''}`;
}

/** The record from its first to its last character: not a JSONL line's indentation, nor the BOM before record 1. */
function recordRange(record: DatasetRecord): Range {
  const bounds = trimmedBounds(record.text);
  return bounds.start === 0 && bounds.end === record.text.length ? record.range : record.rangeAt(bounds.start, bounds.end);
}


/**
 * The record with every bulk fix applied, re-checking the result up to five rounds: fixing a
 * misspelt role makes the turn an answer, whose whitespace is then reported. Replacements that
 * overlap one already taken wait for the next round. The edit leaves the whitespace around the
 * record as written: a JSONL line's indentation or trailing spaces, and the BOM before record 1
 * (read as a space), which an edit from the line's start would delete.
 */
function fixAllEdit(record: DatasetRecord, facts: FileFacts): TextEdit | undefined {
  const bounds = trimmedBounds(record.text);
  let current = record;
  for (let round = 0; round < 5; round++) {
    const replacements = bulkReplacements(current, facts);
    if (replacements.length === 0) break;
    let text = '';
    let at = 0;
    for (const replacement of replacements) {
      text += current.text.slice(at, replacement.start) + replacement.newText;
      at = replacement.end;
    }
    text += current.text.slice(at);
    const trimmed = trimmedBounds(text);
    const core = text.slice(trimmed.start, trimmed.end);
    // The record alone, as a one-element array: its element's text and offsets are the trimmed record's.
    const next = DatasetDocument.parse(`[${core}]`, 'json').records[0];
    if (next === undefined || next.syntaxError !== undefined || next.text !== core) break;
    current = next;
  }
  return current === record ? undefined : { range: record.rangeAt(bounds.start, bounds.end), newText: current.text };
}

function fixAllEdits(document: DatasetDocument, facts: FileFacts): TextEdit[] {
  return recordsToFix(document, facts).flatMap((record) => fixAllEdit(record, facts) ?? []);
}

/** Whether the client asked for kinds (context.only) that include `kind`. */
function wanted(only: readonly string[] | undefined, kind: string): boolean {
  return only === undefined || only.some((prefix) => kind === prefix || kind.startsWith(`${prefix}.`));
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * The lint diagnostic the editor's `diagnostic` stands for: the current lint's one of the same rule,
 * range and message. Diagnostics go to the editor without their fix (a thousand of them are sent
 * after an edit that changes the shown list, and the fixes were a fifth of the bytes), so the fix and
 * its record are taken from the current lint. The editor can also ask for the fixes of diagnostics
 * it got before an edit moved records under them (its next pull has not come back yet): those match
 * nothing current, and no fix that would damage another record is offered.
 */
function currentDiagnostic(diagnostic: Diagnostic, current: readonly LintDiagnostic[]): LintDiagnostic | undefined {
  return current.find((item) => item.rule === diagnostic.code && item.message === diagnostic.message && sameRange(item.range, diagnostic.range));
}

/**
 * Code actions at `range`. With `resolveEdits` (the client supports codeAction/resolve for edits),
 * whole-file actions (conversions, fix-all) come without their edits, which `resolveFileAction`
 * computes when one is chosen: the editor asks for code actions at every cursor move, and
 * converting 100k records takes seconds. Without it, only files of up to eagerFileActionLimit
 * records offer them. With `showDisabled` (the client's codeAction.disabledSupport), a record
 * conversion that cannot be done comes as a disabled action saying why. Quick fixes are those of
 * `current`, the document's current lint diagnostics (see currentDiagnostic).
 */
export function codeActions(document: DatasetDocument, facts: FileFacts, uri: string, range: Range, diagnostics: readonly Diagnostic[], options: { resolveEdits?: boolean; showDisabled?: boolean; only?: readonly string[]; current?: readonly LintDiagnostic[] } = {}): CodeAction[] {
  const actions: CodeAction[] = [];
  const { only, current = [] } = options;
  if (wanted(only, CodeActionKind.QuickFix)) {
    for (const diagnostic of diagnostics) {
      if (diagnostic.source !== 'tunesmith') continue;
      const linted = currentDiagnostic(diagnostic, current);
      if (linted?.fix === undefined || linted.recordIndex === undefined) continue;
      const record = document.records[linted.recordIndex];
      if (record === undefined) continue;
      const fix = fixEdit(document, record, linted.fix);
      if (fix === undefined) continue;
      // Two findings fixed by the same edit (unknown-key and missing-field for a misspelt key) get one
      // action; two renames to one key from different keys stay two, each with its own edit.
      const edits = JSON.stringify(fix.edits);
      const same = actions.find((action) => action.title === fix.title && JSON.stringify(action.edit?.changes?.[uri]) === edits);
      if (same !== undefined) {
        same.diagnostics?.push(diagnostic);
        continue;
      }
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [uri]: fix.edits } } });
    }
  }
  const record = recordAt(document, range.start);
  const analysis = record !== undefined ? analyseRecord(record, facts) : undefined;
  if (record !== undefined && analysis !== undefined && (wanted(only, CodeActionKind.QuickFix) || wanted(only, CodeActionKind.RefactorRewrite))) {
    const mixed = diagnostics.find((diagnostic) => diagnostic.code === 'mixed-formats');
    for (const target of convertibleFormats) {
      if (analysis.detected === target) continue;
      const fitsFile = facts.format === target;
      const asQuickFix = fitsFile && mixed !== undefined;
      const kind = asQuickFix ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite;
      if (!wanted(only, kind)) continue;
      // A client that resolves edits gets the converted text only when it picks the action: writing it
      // out costs seconds for a 50 MB record, and the actions are asked for wherever the cursor moves.
      const result = options.resolveEdits === true ? recordConversion(record, analysis, facts, target) : convertedEdit(document, record, facts, target);
      if (result === undefined) continue;
      const title = `Convert record ${record.index + 1} to ${formatTitles[target]}`;
      if ('refused' in result) {
        // Said only where the client shows it (greyed, with the reason); its own title, as it does nothing.
        if (options.showDisabled === true && isConversationShape(analysis.detected)) actions.push({ title: `Cannot convert record ${record.index + 1} to ${formatTitles[target]}`, kind, disabled: { reason: `${result.refused.charAt(0).toUpperCase()}${result.refused.slice(1)}.` } });
        continue;
      }
      const effect = 'edit' in result ? { edit: { changes: { [uri]: [result.edit] } } } : { data: { uri, convertRecord: target, line: record.line } satisfies FileActionData };
      actions.push({ title, kind, ...(asQuickFix ? { diagnostics: [mixed], isPreferred: true } : {}), ...effect });
    }
  }
  const lazy = options.resolveEdits === true;
  if (document.records.length === 0 || (!lazy && document.records.length > eagerFileActionLimit)) return actions;
  if (wanted(only, convertFileKind)) {
    const counts = fileActionCountsOf(document, facts);
    for (const target of convertibleFormats) {
      const count = counts.convert.get(target);
      if (count === undefined) continue;
      if (count.converts === 0) {
        // No record converts: said only where the client shows it, with the reason.
        const reason = refusalReason(count);
        if (options.showDisabled === true && count.refused > 0) actions.push({ title: `Cannot convert the whole file to ${formatTitles[target]}`, kind: convertFileKind, disabled: { reason: `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.` } });
        continue;
      }
      const title = convertFileTitle(target, count, counts.exact, facts.format);
      if (lazy) {
        actions.push({ title, kind: convertFileKind, data: { uri, convertFile: target } satisfies FileActionData });
        continue;
      }
      const { edits } = convertFileEdits(document, facts, target);
      if (edits.length > 0) actions.push({ title, kind: convertFileKind, edit: { changes: { [uri]: edits } } });
    }
  }
  if (wanted(only, fixAllKind)) {
    // Eager: counted from the edits themselves, so no action is offered that changes nothing.
    const edits = lazy ? undefined : fixAllEdits(document, facts);
    const fixable = edits?.length ?? fileActionCountsOf(document, facts).fix;
    if (fixable > 0) {
      const title = `Fix whitespace, roles and keys in ${fixable} record${fixable === 1 ? '' : 's'}`;
      actions.push(edits === undefined ? { title, kind: fixAllKind, data: { uri, fixAll: true } satisfies FileActionData } : { title, kind: fixAllKind, edit: { changes: { [uri]: edits } } });
    }
  }
  return actions;
}

/** Fills in the edits of a whole-file action offered by `codeActions` with `resolveEdits`. */
export function resolveFileAction(document: DatasetDocument, facts: FileFacts, action: CodeAction): CodeAction {
  const data = action.data;
  if (!isFileActionData(data)) return action;
  if ('convertRecord' in data) {
    // The record that starts on the line now; none, or one that no longer converts: the action does nothing.
    const record = document.records.find((candidate) => candidate.line === data.line);
    const result = record === undefined ? undefined : convertedEdit(document, record, facts, data.convertRecord);
    return result === undefined || 'refused' in result ? action : { ...action, edit: { changes: { [data.uri]: [result.edit] } } };
  }
  const edits = 'fixAll' in data ? fixAllEdits(document, facts) : convertFileEdits(document, facts, data.convertFile).edits;
  return { ...action, edit: { changes: { [data.uri]: edits } } };
}

// ---------------------------------------------------------------------------------------------
// Hover
// ---------------------------------------------------------------------------------------------

/** Records longer than this (characters) get the per-turn token figures in a hover, not a render per answer. */
const hoverRenderLimit = 200_000;

export function hover(document: DatasetDocument, facts: FileFacts, position: Position): Hover | null {
  const record = recordAt(document, position);
  // A hover is about the character under the mouse: the comma or bracket right after a record is outside it.
  const offset = record?.offsetAt(position);
  if (record === undefined || offset === undefined || offset >= record.text.length) return null;
  const analysis = analyseRecord(record, facts);
  if (analysis === undefined) return null;
  const { conversation } = analysis;
  const tokens = tokenCountOf(analysis, facts);
  const approx = tokens.estimated ? '~' : '';
  // With a model's chat template the trained tokens are exact, found as trainers mask them: one
  // render per answer, so only for records of a size a hover can afford.
  const affordable = record.text.length <= hoverRenderLimit;
  const exactTrained = affordable ? facts.tokens.trainableAfterTruncation?.(conversation, Number.POSITIVE_INFINITY) : undefined;
  const trained = exactTrained ?? tokens.trainable;
  // Without that render a model's trained count is the answers' own tokens plus one each: about right, not exact.
  const trainedApprox = exactTrained === undefined && !conversation.plainText ? '~' : approx;
  const limit = facts.settings.maxTokens;
  const truncated = tokens.total > limit && affordable ? `; cut at the limit, ${approx}${trainableAfterTruncation(conversation, facts.tokens, limit)} trained tokens are left` : '';
  const rows = conversation.turns.map((turn, index) => {
    const preview = turn.toolCalls.length > 0 ? `calls ${turn.toolCalls.map((call) => `\`${call.name ?? '?'}\``).join(', ')}` : escapeMarkdown(firstWords(turn.content, 12));
    return `| ${index + 1} | ${turn.writtenRole || turn.role || '?'} | ${turn.trainable ? 'yes' : ''} | ${preview} |`;
  });
  const lines = [
    `**Record ${record.index + 1}** · ${formatTitle(analysis.shape)} · ${conversation.turns.length} turn${conversation.turns.length === 1 ? '' : 's'}`,
    '',
    `Tokens: ${approx}${tokens.total} total, ${trainedApprox}${trained} trainable (${facts.tokens.label}); limit ${limit}${truncated}`,
    '',
    '| # | role | trained | text |',
    '|---|---|---|---|',
    ...rows.slice(0, 30),
  ];
  if (rows.length > 30) lines.push(`| … | ${rows.length - 30} more | | |`);
  if (conversation.rejected !== undefined) lines.push('', `Rejected answer: ${escapeMarkdown(firstWords(conversation.rejected.map((turn) => turn.content).join(' '), 16))}`);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: recordRange(record) };
}

/** Every shape and format in words: a new shape fails to compile until it has its title. */
const shapeTitles: Record<RecordShape | RecordFormat, string> = {
  'openai-chat': 'OpenAI chat',
  sharegpt: 'ShareGPT',
  alpaca: 'Alpaca',
  'prompt-completion': 'prompt/completion',
  text: 'plain text',
  segments: 'template-free segments (Axolotl input_output)',
  preference: 'preference',
  'preference-trl': 'preference (TRL)',
  'preference-openai': 'preference (OpenAI DPO)',
  'preference-sharegpt': 'preference (LLaMA-Factory ShareGPT)',
  'preference-alpaca': 'preference (LLaMA-Factory Alpaca)',
  'preference-messages': 'preference (messages + chosen/rejected message)',
  'preference-argilla': 'preference (Axolotl chatml.argilla)',
  'preference-intel': 'preference (Axolotl chatml.intel)',
  'unpaired-columns': 'KTO (Axolotl argilla / intel columns)',
  'input-output': 'input/output (torchtune instruct)',
  'question-answer': 'question/answer (Axolotl qa, open_orca)',
  'chat-conversations': 'role/content conversations (Axolotl chat_template, torchtune chat)',
  'sharegpt-messages': 'ShareGPT turns under "messages" (TRL, Axolotl)',
  'prompt-only': 'prompt-only (TRL GRPO / online DPO)',
  stepwise: 'stepwise supervision (TRL PRM)',
  unknown: 'unknown format',
};

/** A record shape or file format in words (hover, outline, completion details). */
function formatTitle(shape: RecordShape | RecordFormat): string {
  return shapeTitles[shape];
}

/** Names and table rows stay this short in characters: text without spaces (Chinese, Thai, a base64 URL) has few "words". */
const maxPreviewCharacters = 80;

function firstWords(text: string, count: number): string {
  // Only the start is split: the outline names every record, and a turn can be many kilobytes long.
  const words = text.trimStart().slice(0, (count + 1) * maxPreviewCharacters).trimEnd().split(/\s+/);
  const head = words.slice(0, count).join(' ');
  if (head.length > maxPreviewCharacters) {
    // Cut on a code point: half of a surrogate pair would show as U+FFFD.
    let end = maxPreviewCharacters;
    const code = head.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    return `${head.slice(0, end)}…`;
  }
  return words.length > count ? `${head}…` : head;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Outline, folding, code lenses
// ---------------------------------------------------------------------------------------------

/** The outline lists this many records, then one entry for the rest (a longer outline would not be usable anyway). */
const maxSymbols = 5_000;

/**
 * Each record's outline entry without its number, while the settings and the file's format stay: the
 * outline is asked for after every edit, and analysing every record again (they are not kept parsed)
 * took tens of milliseconds per thousand records.
 */
const outlineEntries = new WeakMap<DatasetRecord, { facts: string; label: string; detail: string }>();

function outlineEntryOf(record: DatasetRecord, facts: FileFacts): { label: string; detail: string } {
  // The file's format decides a record's shape only when it is forced (else it is learnt while linting, after edits).
  const key = facts.forced ? `${facts.version}|${facts.format}` : `${facts.version}`;
  const known = outlineEntries.get(record);
  if (known !== undefined && known.facts === key) return known;
  const analysis = analyseRecord(record, facts);
  let label: string;
  let detail = 'invalid';
  if (analysis !== undefined && analysis.shape === 'unknown') {
    label = '(unknown format)';
    detail = formatTitle(analysis.shape);
  } else if (analysis !== undefined) {
    const user = analysis.conversation.turns.find((turn) => turn.role === 'user') ?? analysis.conversation.turns[0];
    label = firstWords(user?.content ?? '', 8) || '(empty)';
    detail = `${formatTitle(analysis.shape)}, ${analysis.conversation.turns.length} turn${analysis.conversation.turns.length === 1 ? '' : 's'}`;
  } else {
    label = record.syntaxError !== undefined ? '(invalid JSON)' : '(not an object)';
  }
  const entry = { facts: key, label, detail };
  outlineEntries.set(record, entry);
  return entry;
}

export function documentSymbols(document: DatasetDocument, facts: FileFacts): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const record of document.records) {
    if (symbols.length >= maxSymbols) break;
    const { label, detail } = outlineEntryOf(record, facts);
    const range = recordRange(record);
    const name = `${record.index + 1}: ${label}`;
    // The end of the record's first line, before its CR in a CRLF file.
    const firstLineEnd = record.text.indexOf('\n');
    const selectionEnd = range.start.line === range.end.line ? range.end : record.positionAt(Math.max(0, record.text[firstLineEnd - 1] === '\r' ? firstLineEnd - 1 : firstLineEnd));
    symbols.push({ name, detail, kind: SymbolKind.Object, range, selectionRange: { start: range.start, end: selectionEnd } });
  }
  const first = document.records[maxSymbols];
  const last = document.records[document.records.length - 1];
  if (first !== undefined && last !== undefined) {
    // Said, not silently cut: the outline would otherwise look like the whole file.
    const more = document.records.length - maxSymbols;
    const range = { start: first.range.start, end: last.range.end };
    symbols.push({ name: `${maxSymbols + 1}–${document.records.length}: ${more} more records (the outline lists the first ${maxSymbols})`, detail: 'not listed', kind: SymbolKind.Array, range, selectionRange: { start: range.start, end: range.start } });
  }
  return symbols;
}

export function foldingRanges(document: DatasetDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const record of document.records) {
    // A record on one line has nothing to fold (and finding where it ends would index its lines: 20 ms a request over 100k records).
    if (record.text.indexOf('\n') < 0) continue;
    const end = record.positionAt(record.text.length);
    // No kind: a record is no #region, which "Fold All Regions" would otherwise fold.
    if (end.line > record.line) ranges.push({ startLine: record.line, endLine: end.line });
    if (ranges.length >= 50_000) break;
  }
  return ranges;
}

const maxLenses = 5_000;

export function codeLenses(document: DatasetDocument, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const record of document.records) {
    if (lenses.length >= maxLenses) break;
    // Only record objects can be previewed (a number, list or string line has nothing to show).
    if (record.text.charCodeAt(skipWhitespace(record.text, 0)) !== 123 /* { */ || record.syntaxError !== undefined) continue;
    const position = { line: record.line, character: record.character };
    const args: PreviewExampleCommand.Args = { uri, recordIndex: record.index };
    lenses.push({ range: { start: position, end: position }, command: { title: `Preview example ${record.index + 1}`, command: PreviewExampleCommand.id, arguments: [args] } });
  }
  return lenses;
}

// ---------------------------------------------------------------------------------------------
// Completion
// ---------------------------------------------------------------------------------------------

interface CursorContext {
  /** Path of the object or array containing the cursor. */
  path: (string | number)[];
  /** 'key': typing a property name; 'value': typing the value of `key`. */
  kind: 'key' | 'value' | 'other';
  key: string | undefined;
  /** Whether the cursor is inside an open string (after its opening quote). */
  inString: boolean;
  /** Start offset of the string or word being typed. */
  wordStart: number;
  /** End offset of the string being typed, after its closing quote; undefined when it is not closed. */
  stringEnd: number | undefined;
  /** Keys already written in the object around the cursor (the record may not parse while typing). */
  siblingKeys: string[];
}

/** A tolerant scan of the record text up to `offset`: where the cursor is structurally. */
export function cursorContext(text: string, offset: number): CursorContext {
  // `valueDone`: the current member's value is written (a string, a number, a closed list...): no value goes there now.
  const stack: { type: 'object' | 'array'; key: string | undefined; index: number; expectKey: boolean; valueDone: boolean; keys: string[] }[] = [];
  const path: (string | number)[] = [];
  let lastString: string | undefined;
  let position = 0;
  while (position < offset) {
    const char = text[position];
    if (char === '"') {
      // A JSON string holds no raw line break: one left open ends at the end of its line (a key being typed above the
      // next key of a pretty-printed record must not run on into that key's opening quote).
      const quoteEnd = skipStringFast(text, position);
      const lineEnd = text.indexOf('\n', position);
      const open = lineEnd >= 0 && lineEnd < quoteEnd;
      const end = open ? (text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd) : quoteEnd;
      if (end > offset || (open && end === offset) || (end === text.length && !closesString(text, position, end))) {
        // The cursor is inside this string.
        const top = stack[stack.length - 1];
        const closed = !open && (end < text.length || closesString(text, position, end));
        const siblingKeys = top?.type === 'object' ? [...top.keys, ...keysAfter(text, closed || open ? end : text.length)] : [];
        return { path: stackPath(stack, path), kind: top?.type === 'object' ? (top.expectKey ? 'key' : 'value') : 'other', key: top?.key, inString: true, wordStart: position, stringEnd: closed ? end : undefined, siblingKeys };
      }
      lastString = text.slice(position + 1, open ? end : end - 1);
      const top = stack[stack.length - 1];
      if (top?.type === 'object' && top.expectKey) {
        top.key = lastString;
        top.keys.push(lastString);
      } else if (top?.type === 'object') top.valueDone = true;
      position = end;
      continue;
    }
    const top = stack[stack.length - 1];
    if (char === '{' || char === '[') {
      stack.push({ type: char === '{' ? 'object' : 'array', key: undefined, index: 0, expectKey: char === '{', valueDone: false, keys: [] });
    } else if (char === '}' || char === ']') {
      stack.pop();
      const outer = stack[stack.length - 1];
      if (outer?.type === 'object' && !outer.expectKey) outer.valueDone = true;
    } else if (char === ':' && top?.type === 'object') {
      top.expectKey = false;
    } else if (char === ',' && top !== undefined) {
      if (top.type === 'object') {
        top.expectKey = true;
        top.valueDone = false;
        top.key = undefined;
      } else top.index++;
    } else if (top?.type === 'object' && !top.expectKey && char !== undefined && char > ' ') top.valueDone = true; // a number, true, false or null
    position++;
  }
  const top = stack[stack.length - 1];
  const siblingKeys = top?.type === 'object' ? [...top.keys, ...keysAfter(text, offset)] : [];
  return { path: stackPath(stack, path), kind: top?.type === 'object' ? (top.expectKey ? 'key' : top.valueDone ? 'other' : 'value') : 'other', key: top?.key, inString: false, wordStart: offset, stringEnd: undefined, siblingKeys };
}

/** The keys written after `offset` in the object around it, up to its end: a record being typed may not parse, and its later keys are there all the same. */
function keysAfter(text: string, offset: number): string[] {
  const keys: string[] = [];
  let depth = 0;
  let position = offset;
  while (position < text.length) {
    const char = text[position];
    if (char === '"') {
      const end = skipStringFast(text, position);
      if (depth === 0 && text[skipWhitespace(text, end)] === ':') keys.push(text.slice(position + 1, end - 1));
      position = end;
      continue;
    }
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      if (depth === 0) break;
      depth--;
    }
    position++;
  }
  return keys;
}

/** Whether the string opening at `start` and read up to `end` ends with its own closing quote (not its opening one, nor an escaped one). */
function closesString(text: string, start: number, end: number): boolean {
  if (end - 1 <= start || text[end - 1] !== '"') return false;
  let backslashes = 0;
  while (text[end - 2 - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 0;
}

function stackPath(stack: { type: "object" | "array"; key: string | undefined; index: number }[], out: (string | number)[]): (string | number)[] {
  out.length = 0;
  for (let level = 0; level < stack.length - 1; level++) {
    const frame = stack[level];
    if (frame === undefined) continue;
    out.push(frame.type === 'object' ? (frame.key ?? '') : frame.index);
  }
  return out;
}

/**
 * `fullText`: the document's text, asked for only outside records of a JSON file (where a skeleton
 * needs commas to fit between the array's elements).
 */
export function completion(document: DatasetDocument, facts: FileFacts, position: Position, fullText?: () => string | undefined): CompletionItem[] {
  const record = recordAt(document, position);
  const mapping = facts.hint.mapping;
  // Outside records (an empty JSONL line, between the elements of a JSON array), offer record skeletons of the file's format.
  if (record === undefined) {
    if (document.kind === 'jsonl') return skeletonItems(facts, '', '');
    const text = fullText?.();
    const around = text === undefined ? undefined : arrayGapAt(text, position);
    if (around === undefined) return [];
    const items = skeletonItems(facts, around.before, around.after);
    const { commaAt } = around;
    if (commaAt !== undefined) for (const item of items) item.additionalTextEdits = [{ range: { start: commaAt, end: commaAt }, newText: ',' }];
    return items;
  }
  // recordAt gives the record the cursor is in or the last one before it: a position past its text is its end.
  const offset = record.offsetAt(position) ?? record.text.length;
  const context = cursorContext(record.text, offset);
  const analysis = analyseRecord(record, facts);
  // A record being typed (`{}` auto-closed, or not parsing yet) is most likely another of the records around it.
  // Else the records around it, else the keys it has so far ("instruction": Alpaca), else the file's format.
  const near = analysis !== undefined && analysis.shape !== 'unknown' ? analysis : analysisNear(document, record, facts);
  const shape = near?.shape ?? shapeOfKeys(context.siblingKeys, context.path.length, facts) ?? shapeOfKeys(typeof context.path[0] === 'string' ? [context.path[0]] : [], 0, facts) ?? fileShape(facts);
  // Nothing tells the format yet (the first record of a new file): the top-level keys of every main format.
  const unknownFormat = near === undefined && context.path.length === 0 && context.siblingKeys.length === 0 && facts.format === 'unknown';
  // The record's own layout of turns (from/value under "messages", role/content under "conversations"), which only a
  // file without a dataset_info.json may vary; else the file's.
  const turnMapping = (mapping === defaultMapping ? near?.conversation.mapping : undefined) ?? mapping;
  const sharegpt = shape === 'sharegpt' || shape === 'preference-sharegpt';
  const wrap = (word: string): string => (context.inString ? word : JSON.stringify(word));
  const items: CompletionItem[] = [];
  const { path } = context;
  const depth = path.length;
  const inMessage = (depth === 2 && typeof path[1] === 'number' && path[0] !== 'tools' && path[0] !== 'functions') || (depth === 3 && path[0] === 'input' && path[1] === 'messages' && typeof path[2] === 'number');
  // LLaMA-Factory's ShareGPT preference: `chosen` and `rejected` are one turn each.
  const inPreferenceTurn = depth === 1 && (path[0] === 'chosen' || path[0] === 'rejected') && shape === 'preference-sharegpt';
  // Right after a string that is written (`{"messages"|`, as VS Code asks when `"` steps over an auto-closed quote): a colon
  // or a comma comes next, not another key.
  if (context.kind === 'key' && !context.inString && record.text.charCodeAt(lastNonWhitespaceBefore(record.text, offset)) === 34 /* " */) return [];
  if (context.kind === 'key') {
    let keys: string[] = [];
    if (unknownFormat) keys = [...new Set(firstRecordShapes.flatMap((candidate) => Object.keys(recordSpec(candidate, mapping)?.fields ?? {})))];
    else if (depth === 0) keys = Object.keys(recordSpec(shape, mapping)?.fields ?? {});
    else if (inPreferenceTurn || (inMessage && sharegpt && path[0] === turnMapping.columns.messages)) keys = Object.keys(sharegptTurnSpec(turnMapping).fields);
    else if (inMessage) keys = Object.keys(openaiMessageSpec('user', false).fields);
    else if (depth === 1 && path[0] === 'input' && shape === 'preference-openai') keys = Object.keys(recordSpec('openai-chat', mapping)?.fields ?? {});
    else keys = nestedKeys(path) ?? [];
    const present = new Set([...context.siblingKeys, ...Object.keys((depth === 0 ? record.value : valueAtPath(record.value, path)) ?? {})]);
    // Columns a dataset_info.json entry does not list: LLaMA-Factory drops them (unknown-key says so).
    const unread = depth === 0 ? facts.hint.unreadColumns : undefined;
    const renamed = depth === 0 ? facts.hint.renamedColumns : undefined;
    // The key with its colon, as VS Code's own JSON completion inserts it, unless one is written already.
    const colonFollows = record.text[skipWhitespace(record.text, context.stringEnd ?? offset)] === ':';
    // A string left open (no closing quote yet) is replaced up to the cursor, and gets its closing quote.
    const typed = context.inString && !colonFollows ? { start: record.positionAt(context.wordStart), end: record.positionAt(context.stringEnd ?? offset) } : undefined;
    // Another member after the cursor: the key gets its comma, with the cursor before it for the value (as VS Code's JSON does).
    const memberFollows = !colonFollows && record.text.charCodeAt(skipWhitespace(record.text, context.stringEnd ?? offset)) === 34; /* " */
    const keyWithColon = (key: string): string => (memberFollows ? `${escapeSnippet(JSON.stringify(key))}: $0,` : `${JSON.stringify(key)}: `);
    for (const key of keys) {
      if (present.has(key) || unread?.[key] !== undefined || renamed?.[key] !== undefined) continue;
      const item: CompletionItem = { label: key, kind: CompletionItemKind.Property, detail: `${formatTitle(shape)} field` };
      if (memberFollows) item.insertTextFormat = InsertTextFormat.Snippet;
      if (typed !== undefined) {
        // The whole string typed so far, quotes included, becomes the key and its colon.
        item.textEdit = { range: typed, newText: keyWithColon(key) };
        item.filterText = JSON.stringify(key);
      } else item.insertText = colonFollows || context.inString ? wrap(key) : keyWithColon(key);
      items.push(item);
    }
  } else if (context.kind === 'value' && (context.key === 'role' || context.key === turnMapping.tags.role)) {
    // Role tags a dataset_info.json entry leaves out: LLaMA-Factory skips their examples (unknown-role says so).
    const unlisted = sharegpt ? facts.hint.unlistedTags : undefined;
    const roles = sharegpt ? Object.keys(sharegptRoles(turnMapping)).filter((name) => name !== 'tool' && unlisted?.[name] === undefined) : Object.keys(openaiRoles).filter((name) => name !== 'function');
    for (const role of roles) items.push(valueItem(role, 'role'));
  } else if (context.kind === 'value' && context.key === 'type') {
    const types = nestedTypes(context.path);
    for (const type of types) items.push(valueItem(type, 'type'));
  }
  // In the order offered (role before content, user before assistant), not alphabetically as VS Code sorts by label.
  items.forEach((item, index) => (item.sortText = String(index).padStart(3, '0')));
  return items;

  /** A value offered where one is typed: in an open string (no closing quote yet) it replaces the string up to the cursor, closing quote included. */
  function valueItem(value: string, detail: string): CompletionItem {
    const item: CompletionItem = { label: value, kind: CompletionItemKind.EnumMember, detail };
    if (context.inString && context.stringEnd === undefined && record !== undefined) {
      item.textEdit = { range: { start: record.positionAt(context.wordStart), end: record.positionAt(offset) }, newText: JSON.stringify(value) };
      item.filterText = JSON.stringify(value);
    } else if (!context.inString && record !== undefined && record.text.charCodeAt(skipWhitespace(record.text, offset)) === 34 /* " */) {
      item.insertText = `${JSON.stringify(value)},`; // another member follows
    } else item.insertText = wrap(value);
    return item;
  }
}

/** Text that a snippet inserts as written: `$`, `}` and `\\` escaped. */
function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, '\\$&');
}

/** How far completion looks around a record of no known shape for one that has one. */
const shapeSearchDistance = 32;

/** The shape the top-level keys typed so far name ("instruction": Alpaca), or undefined when they name none. */
function shapeOfKeys(keys: readonly string[], depth: number, facts: FileFacts): RecordShape | undefined {
  if (depth !== 0 || keys.length === 0) return undefined;
  const shape = detectShape(Object.fromEntries(keys.map((key) => [key, ''])), facts.hint);
  return shape === 'unknown' ? undefined : shape;
}

/** The shape of the nearest records with one, or undefined when none is near. */
function analysisNear(document: DatasetDocument, record: DatasetRecord, facts: FileFacts): RecordAnalysis | undefined {
  const records = document.records;
  for (let distance = 1; distance <= shapeSearchDistance; distance++) {
    for (const other of [records[record.index - distance], records[record.index + distance]]) {
      const analysis = other !== undefined ? analyseRecord(other, facts) : undefined;
      if (analysis !== undefined && analysis.shape !== 'unknown') return analysis;
    }
  }
  return undefined;
}

/** The shapes whose keys a first record is offered, most common first. */
const firstRecordShapes: readonly RecordShape[] = ['openai-chat', 'sharegpt', 'alpaca', 'prompt-completion', 'preference-trl', 'text'];

/** The offset of the last character before `offset` that is not whitespace (-1 when none). */
function lastNonWhitespaceBefore(text: string, offset: number): number {
  let back = offset - 1;
  while (back >= 0 && isWhitespace(text.charCodeAt(back))) back--;
  return back;
}

/** The file's format as a record shape (OpenAI chat when it is not known yet). */
function fileShape(facts: FileFacts): RecordShape {
  return facts.format === 'preference' ? 'preference-trl' : facts.format === 'unknown' ? 'openai-chat' : facts.format;
}

/** The path's last step is an element of array `key` (tool_calls[i], tools[i], content[i]). */
function isElementOf(path: readonly (string | number)[], key: string): boolean {
  return typeof path[path.length - 1] === 'number' && path[path.length - 2] === key;
}

/** Keys of the objects nested in OpenAI messages and tool lists: tool calls, their functions, tool specs, content parts. */
function nestedKeys(path: readonly (string | number)[]): string[] | undefined {
  const last = path[path.length - 1];
  const parent = path.slice(0, -1);
  if (isElementOf(path, 'tool_calls')) return ['id', 'type', 'function'];
  if (last === 'function' && isElementOf(parent, 'tool_calls')) return ['name', 'arguments'];
  if (last === 'function_call') return ['name', 'arguments'];
  if (isElementOf(path, 'tools') || isElementOf(path, 'functions')) return path.length === 2 && path[0] === 'tools' ? ['type', 'function'] : ['name', 'description', 'parameters'];
  if (last === 'function' && isElementOf(parent, 'tools')) return ['name', 'description', 'parameters', 'strict'];
  if (isElementOf(path, 'content')) return ['type', 'text', 'image_url', 'input_audio', 'file'];
  return undefined;
}

/** Values of a `type` key where the OpenAI format fixes them. */
function nestedTypes(path: readonly (string | number)[]): string[] {
  if (isElementOf(path, 'tool_calls') || (path.length === 2 && isElementOf(path, 'tools'))) return ['function'];
  if (isElementOf(path, 'content')) return ['text', 'image_url', 'input_audio', 'file'];
  return [];
}

function valueAtPath(root: unknown, path: (string | number)[]): Record<string, unknown> | undefined {
  const value = valueAt(root, path);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * At a position between the elements of a JSON array: the commas a new element needs before and
 * after it. Undefined elsewhere (before the array, after it), where a record would not be valid JSON.
 */
function arrayGapAt(text: string, position: Position): { before: string; after: string; commaAt?: Position } | undefined {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return undefined;
    offset = next + 1;
  }
  offset = Math.min(offset + position.character, text.length);
  let back = offset - 1;
  while (back >= 0 && /\s/.test(text[back] ?? '')) back--;
  let ahead = offset;
  while (ahead < text.length && /\s/.test(text[ahead] ?? '')) ahead++;
  const previous = text[back];
  const next = text[ahead];
  if ((previous !== '[' && previous !== ',' && previous !== '}') || (next !== ']' && next !== '{' && next !== ',')) return undefined;
  const after = next === '{' ? ',' : '';
  if (previous !== '}') return { before: '', after };
  // The record before ends on an earlier line (a pretty-printed array): its comma goes after it, as the file writes them.
  const between = text.slice(back + 1, offset);
  const newlines = between.split('\n').length - 1;
  if (newlines === 0) return { before: ', ', after };
  return { before: '', after, commaAt: { line: position.line - newlines, character: back + 1 - (text.lastIndexOf('\n', back) + 1) } };
}

function skeletonItems(facts: FileFacts, before: string, after: string): CompletionItem[] {
  const skeletons: Partial<Record<RecordFormat, string>> = {
    'openai-chat': '{"messages": [{"role": "user", "content": "$1"}, {"role": "assistant", "content": "$2"}]}',
    sharegpt: '{"conversations": [{"from": "human", "value": "$1"}, {"from": "gpt", "value": "$2"}]}',
    alpaca: '{"instruction": "$1", "input": "", "output": "$2"}',
  };
  return (Object.entries(skeletons) as [RecordFormat, string][])
    .filter(([format]) => facts.format === 'unknown' || facts.format === format)
    .map(([format, body]) => ({ label: `${formatTitle(format)} record`, kind: CompletionItemKind.Snippet, insertText: `${before}${body}${after}`, insertTextFormat: InsertTextFormat.Snippet }));
}
