/**
 * "Suggest instructions", self-instruct style: show the model a few of the dataset's own instructions,
 * ask for new ones, parse the list it writes, drop near-duplicates (ROUGE-L >= 0.7 against existing
 * instructions and each other, as self-instruct does), and write a chosen one as a new record in the
 * file's own format. Pure (no vscode), unit-tested.
 */
import type { EngineChatMessage, RecordFormat } from '../../../protocol/messages';
import type { Conversation, RecordShape } from '../../../server/src/service/conversation';
import type { FileKind } from '../../../server/src/service/document';
import { defaultMapping, type FormatMapping } from '../../../server/src/service/formats';
import { rougeL, words } from '../../../server/src/service/nearDuplicates';

/** self-instruct keeps a new instruction only when its ROUGE-L to every existing one is below 0.7. */
export const nearDuplicateThreshold = 0.7;

/** Deterministic pick of `count` examples (a seed changes the pick, so "suggest again" varies). */
export function pickExamples(instructions: readonly string[], count: number, seed: number): string[] {
  const unique = [...new Set(instructions)];
  let state = (seed >>> 0) || 1;
  const next = (): number => {
    // xorshift32: small, seeded, good enough for choosing examples.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  for (let index = unique.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [unique[index], unique[other]] = [unique[other] as string, unique[index] as string];
  }
  return unique.slice(0, count).map((text) => (text.length > 400 ? `${text.slice(0, 400)}…` : text));
}

/** The request to the model: numbered examples, then the start of the next number to continue from. */
export function suggestionPrompt(examples: readonly string[], wanted: number): EngineChatMessage[] {
  const list = examples.map((text, index) => `${index + 1}. ${text.replace(/\s*\n\s*/g, ' ')}`).join('\n');
  return [
    {
      role: 'user',
      content: `Here are instructions from a dataset for training an assistant:\n${list}\n\nWrite ${wanted} new instructions in the same style and on similar topics, but different from these. One per line, numbered, nothing else.`,
    },
  ];
}

/** The instructions in the model's answer: numbered or bulleted lines, markers removed. */
export function parseSuggestions(text: string): string[] {
  const found: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim().replace(/^(?:\d+[.)]|[-*•])\s+/, '').trim();
    if (line.length < 8 || !/[\p{L}]/u.test(line)) continue;
    if (/^(here are|sure|certainly|new instructions)/i.test(line)) continue;
    found.push(line.length > 500 ? line.slice(0, 500) : line);
  }
  return found;
}

export interface FilteredSuggestions {
  kept: string[];
  /** How many candidates were dropped as near-duplicates (of the dataset or of each other). */
  droppedAsDuplicates: number;
}

/** Keeps candidates whose ROUGE-L to every existing instruction and every kept candidate is below the threshold. */
export function filterNearDuplicates(candidates: readonly string[], existing: readonly string[], threshold = nearDuplicateThreshold): FilteredSuggestions {
  const known = existing.map((text) => words(text));
  const kept: string[] = [];
  let droppedAsDuplicates = 0;
  for (const candidate of candidates) {
    const candidateWords = words(candidate);
    if (candidateWords.length === 0) continue;
    if (known.some((other) => rougeL(candidateWords, other) >= threshold)) {
      droppedAsDuplicates++;
      continue;
    }
    kept.push(candidate);
    known.push(candidateWords);
  }
  return { kept, droppedAsDuplicates };
}

/** A new record holding `instruction` and an empty answer for the author to write, in the file's format. */
export function newRecordValue(format: RecordFormat, shape: RecordShape | undefined, instruction: string, systemPrompt: string | undefined, mapping: FormatMapping = defaultMapping): Record<string, unknown> {
  const { columns, tags } = mapping;
  switch (shape ?? format) {
    case 'sharegpt':
    case 'preference-sharegpt': {
      const turns = [{ [tags.role]: tags.user, [tags.content]: instruction }, { [tags.role]: tags.assistant, [tags.content]: '' }];
      return systemPrompt === undefined ? { [columns.messages]: turns } : { [columns.system]: systemPrompt, [columns.messages]: turns };
    }
    case 'alpaca':
    case 'preference-alpaca':
      return systemPrompt === undefined
        ? { [columns.prompt]: instruction, [columns.query]: '', [columns.response]: '' }
        : { [columns.system]: systemPrompt, [columns.prompt]: instruction, [columns.query]: '', [columns.response]: '' };
    case 'prompt-completion':
      return { prompt: instruction, completion: '' };
    default: {
      const messages: { role: string; content: string }[] = [];
      if (systemPrompt !== undefined) messages.push({ role: 'system', content: systemPrompt });
      messages.push({ role: 'user', content: instruction }, { role: 'assistant', content: '' });
      return { messages };
    }
  }
}

/** The system prompt of a conversation, to carry over to the new record (datasets usually share one). */
export function systemPromptOf(conversation: Conversation | undefined): string | undefined {
  const system = conversation?.turns.find((turn) => turn.role === 'system');
  return system === undefined || system.content === '' ? undefined : system.content;
}

export interface RecordInsertion {
  /** Insert `text` at this document position. */
  line: number;
  character: number;
  text: string;
}

/**
 * Where and what to insert so the new record follows the record at `after` in the file's own layout:
 * JSONL gets a new line; a JSON array gets `,` and the element indented like its neighbour.
 */
export function recordInsertion(kind: FileKind, after: { line: number; character: number; text: string }, value: unknown, eol: '\n' | '\r\n' = '\n'): RecordInsertion {
  const endLines = after.text.split(/\r?\n/);
  const lastLine = endLines[endLines.length - 1] ?? '';
  const endLine = after.line + endLines.length - 1;
  const endCharacter = (endLines.length === 1 ? after.character : 0) + lastLine.length;
  if (kind === 'jsonl') return { line: endLine, character: endCharacter, text: `${eol}${JSON.stringify(value)}` };
  const multiLine = endLines.length > 1;
  if (!multiLine) return { line: endLine, character: endCharacter, text: `, ${JSON.stringify(value)}` };
  // Indentation: the record's first line sits at `after.character`; its inner lines show the unit.
  const indent = ' '.repeat(after.character);
  const innerIndent = /^(\s*)/.exec(endLines[1] ?? '')?.[1] ?? '';
  const unit = innerIndent.length > after.character ? innerIndent.slice(after.character) : '  ';
  const body = JSON.stringify(value, null, unit).split('\n').map((line, index) => (index === 0 ? line : indent + line)).join(eol);
  return { line: endLine, character: endCharacter, text: `,${eol}${indent}${body}` };
}
