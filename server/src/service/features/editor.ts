/**
 * Editor features of the language service, as pure functions over a parsed document: code actions,
 * hover, document symbols, folding ranges, completion and code lenses. They return LSP-shaped plain
 * data (vscode-languageserver-types), so the server only forwards them.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  FoldingRangeKind,
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
import { PreviewExampleCommand } from '../../../../protocol/messages';
import { analyseRecord } from '../analysis';
import type { DatasetDocument, DatasetRecord, Position, Range } from '../document';
import type { FileFacts } from '../fileFacts';
import { openaiRoles, sharegptRoles } from '../formats';
import { locatePath, skipStringFast, type JsonPath } from '../json/scanner';
import { tokenCountOf } from '../rules/tokens';
import type { FixData } from '../rules/rule';
import { recordSpec, openaiMessageSpec, sharegptTurnSpec } from '../schema';
import { convertConversation, convertibleFormats, formatTitles, type ConvertibleFormat } from './convert';
import { safeStringify } from '../json/safe';

// ---------------------------------------------------------------------------------------------
// Locating records
// ---------------------------------------------------------------------------------------------

/** The record whose text contains `position`, by binary search over record start lines. */
export function recordAt(document: DatasetDocument, position: Position): DatasetRecord | undefined {
  const records = document.records;
  let low = 0;
  let high = records.length - 1;
  let found: DatasetRecord | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const record = records[middle];
    if (record === undefined) break;
    if (record.line < position.line || (record.line === position.line && record.character <= position.character)) {
      found = record;
      low = middle + 1;
    } else high = middle - 1;
  }
  if (found === undefined) return undefined;
  const end = found.positionAt(found.text.length);
  if (end.line < position.line || (end.line === position.line && end.character < position.character)) return undefined;
  return found;
}

/** Offset inside the record's text of a document position (which must lie in the record). */
export function offsetInRecord(record: DatasetRecord, position: Position): number {
  let line = record.line;
  let offset = 0;
  const text = record.text;
  while (line < position.line) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
    line++;
  }
  return Math.min(text.length, offset + position.character - (position.line === record.line ? record.character : 0));
}

/** JSONL: the whole line including its line break, so deleting leaves no blank line. */
function wholeLine(record: DatasetRecord): Range {
  return { start: { line: record.line, character: 0 }, end: { line: record.line + 1, character: 0 } };
}

// ---------------------------------------------------------------------------------------------
// Code actions
// ---------------------------------------------------------------------------------------------

function replaceAt(record: DatasetRecord, path: JsonPath, part: 'key' | 'value', newText: string): TextEdit | undefined {
  const located = locatePath(record.text, path);
  if (located === null) return undefined;
  const range = part === 'key' ? located.key : located.value;
  if (range === undefined) return undefined;
  return { range: record.rangeAt(range.start, range.end), newText };
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function fixEdit(document: DatasetDocument, record: DatasetRecord, fix: FixData): { title: string; edits: TextEdit[] } | undefined {
  switch (fix.kind) {
    case 'trim': {
      const value = valueAt(record.value, fix.path);
      if (typeof value !== 'string') return undefined;
      const edit = replaceAt(record, fix.path, 'value', JSON.stringify(value.trim()));
      return edit && { title: 'Trim whitespace', edits: [edit] };
    }
    case 'replace-role': {
      const edit = replaceAt(record, fix.path, 'value', JSON.stringify(fix.replacement));
      return edit && { title: `Replace role with "${fix.replacement}"`, edits: [edit] };
    }
    case 'rename-key': {
      const edit = replaceAt(record, fix.path, 'key', JSON.stringify(fix.replacement));
      return edit && { title: `Rename key to "${fix.replacement}"`, edits: [edit] };
    }
    case 'remove-record':
      return { title: `Remove duplicate record ${record.index + 1}`, edits: [removeRecordEdit(document, record)] };
    case 'add-field': {
      const objectRange = fix.path.length === 0 ? { start: 0, end: record.text.length } : locatePath(record.text, fix.path)?.value;
      if (objectRange === undefined) return undefined;
      const open = record.text.indexOf('{', objectRange.start);
      if (open < 0 || open >= objectRange.end) return undefined;
      const afterBrace = record.text.slice(open + 1, objectRange.end - 1).trim();
      const insertion = `${JSON.stringify(fix.key)}: ${JSON.stringify(fix.skeleton)}${afterBrace.length > 0 ? ', ' : ''}`;
      const position = record.positionAt(open + 1);
      return { title: `Add missing "${fix.key}"`, edits: [{ range: { start: position, end: position }, newText: insertion }] };
    }
  }
}

function removeRecordEdit(document: DatasetDocument, record: DatasetRecord): TextEdit {
  if (document.kind === 'jsonl') return { range: wholeLine(record), newText: '' };
  // JSON array: remove the element and the comma before it (or after it for the first element).
  const records = document.records;
  const previous = records[record.index - 1];
  const next = records[record.index + 1];
  if (previous !== undefined) return { range: { start: previous.positionAt(previous.text.length), end: record.positionAt(record.text.length) }, newText: '' };
  if (next !== undefined) return { range: { start: record.positionAt(0), end: { line: next.line, character: next.character } }, newText: '' };
  return { range: record.range, newText: '' };
}

/** Text of a record converted to `target`, laid out like the file (one line for JSONL, indented for JSON). */
function convertedText(document: DatasetDocument, record: DatasetRecord, facts: FileFacts, target: ConvertibleFormat): string | undefined {
  const analysis = analyseRecord(record, facts);
  if (analysis === undefined) return undefined;
  const converted = convertConversation(analysis.conversation, target);
  if (converted === undefined) return undefined;
  if (document.kind === 'jsonl') return safeStringify(converted);
  const indent = ' '.repeat(record.character);
  return safeStringify(converted, 2).split('\n').join(`${document.eol}${indent}`);
}

/** Whole-document replacement range: JSONL up to the end of its last line; JSON from the first to the last record. */
function convertFileEdits(document: DatasetDocument, facts: FileFacts, target: ConvertibleFormat): { edits: TextEdit[]; converted: number } {
  const edits: TextEdit[] = [];
  let converted = 0;
  for (const record of document.records) {
    const analysis = analyseRecord(record, facts);
    if (analysis === undefined || analysis.shape === target) continue;
    const text = convertedText(document, record, facts, target);
    if (text === undefined) continue;
    edits.push({ range: record.range, newText: text });
    converted++;
  }
  return { edits, converted };
}

export function codeActions(document: DatasetDocument, facts: FileFacts, uri: string, range: Range, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'tunesmith') continue;
    const data = diagnostic.data as { fix?: FixData; recordIndex?: number } | undefined;
    if (data?.fix === undefined || data.recordIndex === undefined) continue;
    const record = document.records[data.recordIndex];
    if (record === undefined) continue;
    const fix = fixEdit(document, record, data.fix);
    if (fix === undefined) continue;
    actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [uri]: fix.edits } } });
  }
  const record = recordAt(document, range.start);
  const analysis = record !== undefined ? analyseRecord(record, facts) : undefined;
  if (record !== undefined && analysis !== undefined) {
    const mixed = diagnostics.find((diagnostic) => diagnostic.code === 'mixed-formats');
    for (const target of convertibleFormats) {
      if (analysis.shape === target) continue;
      const text = convertedText(document, record, facts, target);
      if (text === undefined) continue;
      const fitsFile = facts.format === target;
      actions.push({
        title: `Convert record ${record.index + 1} to ${formatTitles[target]}`,
        kind: fitsFile && mixed !== undefined ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
        ...(fitsFile && mixed !== undefined ? { diagnostics: [mixed], isPreferred: true } : {}),
        edit: { changes: { [uri]: [{ range: record.range, newText: text }] } },
      });
    }
  }
  if (document.records.length > 0 && document.records.length <= 200_000) {
    for (const target of convertibleFormats) {
      if (facts.format === target) continue;
      const { edits, converted } = convertFileEdits(document, facts, target);
      if (converted === 0) continue;
      actions.push({ title: `Convert the whole file to ${formatTitles[target]} (${converted} record${converted === 1 ? '' : 's'})`, kind: `${CodeActionKind.RefactorRewrite}.convertFile`, edit: { changes: { [uri]: edits } } });
    }
  }
  return actions;
}

// ---------------------------------------------------------------------------------------------
// Hover
// ---------------------------------------------------------------------------------------------

export function hover(document: DatasetDocument, facts: FileFacts, position: Position): Hover | null {
  const record = recordAt(document, position);
  if (record === undefined) return null;
  const analysis = analyseRecord(record, facts);
  if (analysis === undefined) return null;
  const { conversation } = analysis;
  const tokens = tokenCountOf(analysis, facts);
  const approx = tokens.estimated ? '~' : '';
  const rows = conversation.turns.map((turn, index) => {
    const preview = turn.toolCalls.length > 0 ? `calls ${turn.toolCalls.map((call) => `\`${call.name ?? '?'}\``).join(', ')}` : escapeMarkdown(firstWords(turn.content, 12));
    return `| ${index + 1} | ${turn.writtenRole || turn.role || '?'} | ${turn.trainable ? 'yes' : ''} | ${preview} |`;
  });
  const lines = [
    `**Record ${record.index + 1}** · ${formatTitle(analysis.shape)} · ${conversation.turns.length} turn${conversation.turns.length === 1 ? '' : 's'}`,
    '',
    `Tokens: ${approx}${tokens.total} total, ${approx}${tokens.trainable} trainable (${facts.tokens.label}); limit ${facts.settings.maxTokens}`,
    '',
    '| # | role | trained | text |',
    '|---|---|---|---|',
    ...rows.slice(0, 30),
  ];
  if (rows.length > 30) lines.push(`| … | ${rows.length - 30} more | | |`);
  if (conversation.rejected !== undefined) lines.push('', `Rejected answer: ${escapeMarkdown(firstWords(conversation.rejected.map((turn) => turn.content).join(' '), 16))}`);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: record.range };
}

function formatTitle(shape: string): string {
  return shape.replace('openai-chat', 'OpenAI chat').replace('sharegpt', 'ShareGPT').replace('alpaca', 'Alpaca');
}

function firstWords(text: string, count: number): string {
  const words = text.trim().split(/\s+/);
  const head = words.slice(0, count).join(' ');
  return words.length > count ? `${head}…` : head;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Outline, folding, code lenses
// ---------------------------------------------------------------------------------------------

/** Records with more symbols than this are summarised (the outline would not be usable anyway). */
const maxSymbols = 5_000;

export function documentSymbols(document: DatasetDocument, facts: FileFacts): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const record of document.records) {
    if (symbols.length >= maxSymbols) break;
    const analysis = analyseRecord(record, facts);
    const range = record.range;
    let name = `${record.index + 1}: `;
    let detail = 'invalid';
    if (analysis !== undefined) {
      const user = analysis.conversation.turns.find((turn) => turn.role === 'user') ?? analysis.conversation.turns[0];
      name += firstWords(user?.content ?? '', 8) || '(empty)';
      detail = `${formatTitle(analysis.shape)}, ${analysis.conversation.turns.length} turns`;
    } else {
      name += record.syntaxError !== undefined ? '(invalid JSON)' : '(not an object)';
    }
    const selectionEnd = range.start.line === range.end.line ? range.end : record.positionAt(Math.max(0, record.text.indexOf('\n')));
    symbols.push({ name, detail, kind: SymbolKind.Object, range, selectionRange: { start: range.start, end: selectionEnd } });
  }
  return symbols;
}

export function foldingRanges(document: DatasetDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const record of document.records) {
    const end = record.positionAt(record.text.length);
    if (end.line > record.line) ranges.push({ startLine: record.line, endLine: end.line, kind: FoldingRangeKind.Region });
    if (ranges.length >= 50_000) break;
  }
  return ranges;
}

const maxLenses = 5_000;

export function codeLenses(document: DatasetDocument, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const record of document.records) {
    if (lenses.length >= maxLenses) break;
    if (record.syntaxError !== undefined) continue;
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
  /** Keys already written in the object around the cursor (the record may not parse while typing). */
  siblingKeys: string[];
}

/** A tolerant scan of the record text up to `offset`: where the cursor is structurally. */
export function cursorContext(text: string, offset: number): CursorContext {
  const stack: { type: 'object' | 'array'; key: string | undefined; index: number; expectKey: boolean; keys: string[] }[] = [];
  const path: (string | number)[] = [];
  let lastString: string | undefined;
  let position = 0;
  while (position < offset) {
    const char = text[position];
    if (char === '"') {
      const end = skipStringFast(text, position);
      if (end > offset || end === text.length && text[end - 1] !== '"') {
        // The cursor is inside this string.
        const top = stack[stack.length - 1];
        return { path: stackPath(stack, path), kind: top?.type === 'object' ? (top.expectKey ? 'key' : 'value') : 'other', key: top?.key, inString: true, wordStart: position, siblingKeys: top?.keys ?? [] };
      }
      lastString = text.slice(position + 1, end - 1);
      const top = stack[stack.length - 1];
      if (top?.type === 'object' && top.expectKey) {
        top.key = lastString;
        top.keys.push(lastString);
      }
      position = end;
      continue;
    }
    const top = stack[stack.length - 1];
    if (char === '{' || char === '[') {
      stack.push({ type: char === '{' ? 'object' : 'array', key: undefined, index: 0, expectKey: char === '{', keys: [] });
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ':' && top?.type === 'object') {
      top.expectKey = false;
    } else if (char === ',' && top !== undefined) {
      if (top.type === 'object') {
        top.expectKey = true;
        top.key = undefined;
      } else top.index++;
    }
    position++;
  }
  const top = stack[stack.length - 1];
  return { path: stackPath(stack, path), kind: top?.type === 'object' ? (top.expectKey ? 'key' : 'value') : 'other', key: top?.key, inString: false, wordStart: offset, siblingKeys: top?.keys ?? [] };
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

export function completion(document: DatasetDocument, facts: FileFacts, position: Position): CompletionItem[] {
  const record = recordAt(document, position);
  const mapping = facts.hint.mapping;
  // On an empty JSONL line, offer record skeletons of the file's format.
  if (record === undefined) return skeletonItems(facts);
  const offset = offsetInRecord(record, position);
  const context = cursorContext(record.text, offset);
  const analysis = analyseRecord(record, facts);
  const shape = analysis?.shape ?? (facts.format === 'preference' ? 'preference-trl' : facts.format === 'unknown' ? 'openai-chat' : facts.format);
  const wrap = (word: string): string => (context.inString ? word : JSON.stringify(word));
  const items: CompletionItem[] = [];
  const depth = context.path.length;
  const inMessage = depth === 2 && typeof context.path[1] === 'number';
  if (context.kind === 'key') {
    let keys: string[] = [];
    if (depth === 0) keys = Object.keys(recordSpec(shape, mapping)?.fields ?? {});
    else if (inMessage && context.path[0] === mapping.columns.messages) keys = Object.keys(sharegptTurnSpec(mapping).fields);
    else if (inMessage) keys = Object.keys(openaiMessageSpec('user', false).fields);
    const present = new Set([...context.siblingKeys, ...Object.keys((depth === 0 ? record.value : valueAtPath(record.value, context.path)) ?? {})]);
    for (const key of keys) if (!present.has(key)) items.push({ label: key, kind: CompletionItemKind.Property, insertText: wrap(key), detail: `${formatTitle(shape)} field` });
  } else if (context.kind === 'value' && (context.key === 'role' || context.key === mapping.tags.role)) {
    const sharegpt = shape === 'sharegpt' || shape === 'preference-sharegpt';
    const roles = sharegpt ? Object.keys(sharegptRoles(mapping)).filter((name) => name !== 'tool') : Object.keys(openaiRoles).filter((name) => name !== 'function');
    for (const role of roles) items.push({ label: role, kind: CompletionItemKind.EnumMember, insertText: wrap(role), detail: 'role' });
  }
  return items;
}

function valueAtPath(root: unknown, path: (string | number)[]): Record<string, unknown> | undefined {
  const value = valueAt(root, path);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function skeletonItems(facts: FileFacts): CompletionItem[] {
  const skeletons: Record<string, string> = {
    'openai-chat': '{"messages": [{"role": "user", "content": "$1"}, {"role": "assistant", "content": "$2"}]}',
    sharegpt: '{"conversations": [{"from": "human", "value": "$1"}, {"from": "gpt", "value": "$2"}]}',
    alpaca: '{"instruction": "$1", "input": "", "output": "$2"}',
  };
  return Object.entries(skeletons)
    .filter(([format]) => facts.format === 'unknown' || facts.format === format)
    .map(([format, body]) => ({ label: `${formatTitle(format)} record`, kind: CompletionItemKind.Snippet, insertText: body, insertTextFormat: 2 }));
}
