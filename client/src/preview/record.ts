/**
 * The record under the cursor as the preview needs it: the language service's pure library parses the
 * document and normalises the record into the canonical conversation (no second parser), and this
 * turns it into what the panel shows and what the engine is asked. No vscode import (unit-tested).
 */
import type { EngineChatMessage, PreviewRecord, PreviewToolCall, PreviewTurn } from '../../../protocol/messages';
import type { Conversation, ToolCall, Turn } from '../../../server/src/service/conversation';
import { DatasetDocument, lastRecordStartingAt, type DatasetRecord, type FileKind, type Position } from '../../../server/src/service/document';
import { defaultHint, detectShape, type FormatHint, normalise, shapeForForcedFormat } from '../../../server/src/service/formats';

export interface PreviewTarget {
  record: PreviewRecord;
  /** The conversation up to the turn the models answer; undefined when nothing can be generated. */
  messages: EngineChatMessage[] | undefined;
  /** The canonical conversation (for suggestions: the file's format and system prompt). */
  conversation: Conversation | undefined;
  /** Offsets of the record's text in the document (for inserting a record after it). */
  source: { line: number; character: number; text: string };
}

export function fileKindOfName(fileName: string, languageId?: string): FileKind {
  return languageId === 'jsonl' || /\.(jsonl|ndjson)$/i.test(fileName) ? 'jsonl' : 'json';
}

/** The record containing `position`, else the nearest one before it, else the first. */
export function recordIndexAt(records: readonly DatasetRecord[], position: Position): number {
  return records.length === 0 ? -1 : Math.max(0, lastRecordStartingAt(records, position));
}

function toolCallText(call: ToolCall): PreviewToolCall {
  let argumentsText: string;
  if (typeof call.arguments === 'string') {
    try {
      argumentsText = JSON.stringify(JSON.parse(call.arguments), null, 2);
    } catch {
      argumentsText = call.arguments;
    }
  } else argumentsText = call.arguments === undefined ? '' : JSON.stringify(call.arguments, null, 2);
  return { name: call.name ?? '(unnamed)', arguments: argumentsText };
}

function previewTurn(turn: Turn): PreviewTurn {
  return { role: turn.role ?? turn.writtenRole, writtenRole: turn.writtenRole, content: turn.content, toolCalls: turn.toolCalls.map(toolCallText), trainable: turn.trainable };
}

/** A turn as text for the engine or the reference column: tool calls written out after the content. */
function turnText(turn: Turn): string {
  const calls = turn.toolCalls.map((call) => {
    const shown = toolCallText(call);
    return `[tool call] ${shown.name}(${shown.arguments})`;
  });
  return [turn.content, ...calls].filter((part) => part !== '').join('\n');
}

function lastIndex<T>(items: readonly T[], accept: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (accept(items[index] as T)) return index;
  return -1;
}

export interface TargetOptions {
  uri: string;
  fileName: string;
  kind: FileKind;
  hint?: FormatHint;
}

/** Builds the preview of record `index` of an already parsed document. */
export function previewOfRecord(document: DatasetDocument, index: number, options: TargetOptions): PreviewTarget | undefined {
  const source = document.records[index];
  if (source === undefined) return undefined;
  const base = { uri: options.uri, fileName: options.fileName, recordIndex: index, line: source.line, tools: undefined };
  const sourceInfo = { line: source.line, character: source.character, text: source.text };
  if (source.syntaxError !== undefined) {
    return {
      record: { ...base, format: 'unknown', turns: [], promptTurnIndex: -1, reference: null, problem: `This record is not valid JSON yet (${source.syntaxError.message}); the preview follows as soon as it parses.` },
      messages: undefined,
      conversation: undefined,
      source: sourceInfo,
    };
  }
  const hint = options.hint ?? defaultHint;
  // A format forced by settings or dataset_info.json wins, as in the linter.
  const shape = hint.forced !== undefined ? shapeForForcedFormat(hint.forced, source.value, hint) : detectShape(source.value, hint);
  const conversation = normalise(source.value, shape, hint.mapping);
  const turns = conversation.turns.map(previewTurn);
  const tools = conversation.tools === undefined ? undefined : JSON.stringify(conversation.tools.value, null, 2);
  let problem: string | undefined;
  let promptTurnIndex = -1;
  if (shape === 'unknown') problem = 'The format of this record is not recognised (OpenAI chat, ShareGPT, Alpaca, prompt/completion, text or preference pairs), so there is nothing to preview.';
  else if (conversation.plainText) problem = 'Plain text records have no instruction to answer: the preview needs a user turn.';
  else {
    promptTurnIndex = lastIndex(conversation.turns, (turn) => turn.role === 'user');
    if (promptTurnIndex < 0) problem = 'This record has no user turn, so there is no instruction to answer.';
    else if ((conversation.turns[promptTurnIndex]?.content ?? '').trim() === '') problem = 'The last user turn is empty: write the instruction to see the answers.';
  }
  const answer = promptTurnIndex < 0 ? undefined : conversation.turns.slice(promptTurnIndex + 1).find((turn) => turn.role === 'assistant');
  const reference = answer === undefined ? null : turnText(answer);
  const messages = problem !== undefined || promptTurnIndex < 0
    ? undefined
    : conversation.turns.slice(0, promptTurnIndex + 1).map((turn) => ({ role: turn.role ?? 'user', content: turnText(turn) }));
  return {
    record: { ...base, format: conversation.format, turns, tools, promptTurnIndex: problem === undefined ? promptTurnIndex : -1, reference, problem },
    messages,
    conversation,
    source: sourceInfo,
  };
}

/** The preview of the record at `target` (a cursor position or a record index) in `text`. */
export function previewTarget(text: string, target: { position: Position } | { index: number }, options: TargetOptions): PreviewTarget | undefined {
  const document = DatasetDocument.parse(text, options.kind);
  if (!document.isDataset) return undefined;
  const index = 'index' in target ? target.index : recordIndexAt(document.records, target.position);
  return previewOfRecord(document, index, options);
}

/**
 * The preview of one JSONL line, without parsing the rest of the file (the per-keystroke path on large
 * files). `line` and `recordIndex` place it in the document.
 */
export function previewTargetOfLine(lineText: string, line: number, recordIndex: number, options: TargetOptions): PreviewTarget | undefined {
  const document = DatasetDocument.parse(lineText, 'jsonl');
  const target = previewOfRecord(document, 0, options);
  if (target === undefined) return undefined;
  return { ...target, record: { ...target.record, line, recordIndex }, source: { ...target.source, line } };
}

/** The user instructions of every record (for suggestions: the style to follow and the duplicates to avoid). */
export function datasetInstructions(text: string, kind: FileKind, hint: FormatHint = defaultHint): string[] {
  const document = DatasetDocument.parse(text, kind);
  const instructions: string[] = [];
  for (const record of document.records) {
    if (record.syntaxError !== undefined) continue;
    const shape = hint.forced !== undefined ? shapeForForcedFormat(hint.forced, record.value, hint) : detectShape(record.value, hint);
    if (shape === 'unknown') continue;
    const conversation = normalise(record.value, shape, hint.mapping);
    const first = conversation.turns.find((turn) => turn.role === 'user');
    if (first !== undefined && first.content.trim() !== '') instructions.push(first.content.trim());
  }
  return instructions;
}
