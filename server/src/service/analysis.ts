/**
 * Per-record analysis shared by rules and editor features: the record's shape and its canonical
 * conversation. The full analysis is recomputed on demand (a few recent ones are kept); what the
 * file-level checks and statistics need is kept as a small summary on the record, so a 100 MB file
 * does not hold every parsed record in memory.
 */
import { formatOfShape, turnReasoning, type Conversation, type RecordShape, type Turn } from './conversation';
import type { DatasetRecord } from './document';
import { isWhitespace, type JsonPath } from './json/scanner';
import type { FileFacts } from './fileFacts';
import { detectShape, normalise, recordMapping, shapeForForcedFormat } from './formats';
import { safeStringify } from './json/safe';
import { conversationSampleHash, signInstruction, type PackedSignature } from './nearDuplicates';
import type { TokenCount } from './tokens';
import { cacheOf } from './recordCache';
import { isObject, valueAt } from './rules/util';

export interface RecordAnalysis {
  /** The shape the record was detected as (independent of the file's format). */
  detected: RecordShape;
  /** The shape used to normalise it: the detected one, or the forced format's. */
  shape: RecordShape;
  conversation: Conversation;
  /** Token count, computed on first use (see rules/tokens.ts). */
  tokenCount?: TokenCount;
  /** Tokens of the prompt and the rejected answer of a preference record (see rejectedTokenCountOf). */
  rejectedTokenCount?: TokenCount;
}

/** What stays cached per record after linting. */
export interface RecordSummary {
  version: number;
  detected: RecordShape;
  shape: RecordShape;
  /** Roles of the trained turns, as canonical roles (or as written when unknown). */
  roles: string[];
  /** Hash of the conversation (roles and texts); equal conversations have equal hashes. */
  duplicateHash: number;
  /** Word hashes and LSH bands of the instruction, for near-duplicates (packed: see signInstruction). */
  instruction: PackedSignature;
  /** Word hashes of an Alpaca record's non-empty input (see inputsAlike), else undefined. */
  input: PackedSignature | undefined;
  /** Where the instruction's first text is written (near-duplicates are reported there). */
  instructionPath: JsonPath | undefined;
  tokens: TokenCount | undefined;
  /**
   * Left out of duplicate and near-duplicate comparisons: no turns, or errors (trainers reject the
   * record, and the canonical content of a missing or mistyped field is empty, so broken records would
   * look alike).
   */
  empty: boolean;
  /** The record's first key (where mixed-formats points). */
  firstKey: string | undefined;
}

// The last analyses, for features that ask about the same records repeatedly (hover, code actions).
// A fixed ring of slots, not a Map: a Map that is added to and deleted from once per record kept
// every recent analysis reachable from its old-space table, so the young-generation GC copied and
// promoted most of each record's garbage (about 100 MB per 30k records).
const recentLimit = 32;
const recentRecords: (DatasetRecord | undefined)[] = new Array<DatasetRecord | undefined>(recentLimit).fill(undefined);
const recentVersions: number[] = new Array<number>(recentLimit).fill(0);
const recentAnalyses: (RecordAnalysis | undefined)[] = new Array<RecordAnalysis | undefined>(recentLimit).fill(undefined);
let recentNext = 0;

/** The slot holding this record's analysis, or -1. */
function recentSlotOf(record: DatasetRecord): number {
  for (let slot = 0; slot < recentLimit; slot++) if (recentRecords[slot] === record) return slot;
  return -1;
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The detected shape of a record (cheap: looks at its keys), cached. */
export function detectedShapeOf(record: DatasetRecord, facts: FileFacts): RecordShape | undefined {
  if (record.syntaxError !== undefined) return undefined;
  const cache = cacheOf(record);
  if (cache.summary !== undefined && cache.summary.version === facts.version) return cache.summary.detected;
  if (cache.detected !== undefined && cache.detectedVersion === facts.version) return cache.detected;
  const held = record.holdsValue;
  const value = record.value;
  if (!held) record.release();
  if (!isRecordObject(value)) return undefined;
  const shape = detectShape(value, facts.hint);
  cache.detected = shape;
  cache.detectedVersion = facts.version;
  return shape;
}

export function analyseRecord(record: DatasetRecord, facts: FileFacts): RecordAnalysis | undefined {
  if (record.syntaxError !== undefined) return undefined;
  const cachedSlot = recentSlotOf(record);
  if (cachedSlot >= 0 && recentVersions[cachedSlot] === facts.version && recentAnalyses[cachedSlot] !== undefined) return recentAnalyses[cachedSlot];
  const held = record.holdsValue;
  const value = record.value;
  // Parsed only for this analysis: do not keep the whole value alive (the analysis keeps what it needs).
  if (!held) record.release();
  if (!isRecordObject(value)) return undefined;
  const detected = detectShape(value, facts.hint);
  const chosen = facts.forced ? shapeForForcedFormat(facts.format, value, facts.hint) : detected;
  // Role/content conversations and from/value messages are detected as their own shapes (for the file's format) and read as ShareGPT.
  const shape = chosen === 'chat-conversations' || chosen === 'sharegpt-messages' ? 'sharegpt' : chosen;
  const conversation = normalise(value, shape, shape === 'sharegpt' || shape === 'preference-sharegpt' ? recordMapping(value, facts.hint) : facts.hint.mapping);
  const analysis: RecordAnalysis = { detected, shape, conversation };
  const previous = record.cache;
  if (previous?.summary !== undefined && previous.summary.version === facts.version && previous.summary.tokens !== undefined) analysis.tokenCount = previous.summary.tokens;
  // Oldest first out; a record analysed again (new settings) reuses its own slot.
  let slot = cachedSlot;
  if (slot < 0) {
    slot = recentNext;
    recentNext = (recentNext + 1) % recentLimit;
  }
  recentRecords[slot] = record;
  recentVersions[slot] = facts.version;
  recentAnalyses[slot] = analysis;
  return analysis;
}

/**
 * The tools offered, as one string (written as a JSON string in ShareGPT, a list in OpenAI chat), as
 * the trainer sees them: LLaMA-Factory parses a ShareGPT tools string and writes it again, so two
 * spellings of the same JSON are the same tools.
 */
function normalisedToolsText(conversation: Conversation): string | undefined {
  const tools = conversation.tools;
  if (tools === undefined) return undefined;
  if (typeof tools.value !== 'string') return safeStringify(tools.value);
  try {
    return safeStringify(JSON.parse(tools.value));
  } catch {
    return tools.value;
  }
}

/** Columns that hold media beside the text (LLaMA-Factory's defaults; dataset_info.json may name others). */
const mediaColumns = ['images', 'videos', 'audios', 'image', 'video', 'audio'];

/**
 * The images, videos and audio of a record, as written: the same text about another image is another
 * example. Media columns, and the content parts of a message list that are not text (image_url,
 * input_audio, file).
 */
function mediaKeyOf(value: unknown, columns: FileFacts['hint']['mapping']['columns']): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '';
  const record = value as Record<string, unknown>;
  let key = '';
  for (const column of new Set([columns.images, columns.videos, columns.audios, ...mediaColumns])) {
    if (column !== undefined && Object.prototype.hasOwnProperty.call(record, column)) key += `${column}\u0000${safeStringify(record[column])}\u0001`;
  }
  for (const list of [record.messages, record.prompt, record.completion, record.chosen, record.rejected]) {
    if (!Array.isArray(list)) continue;
    for (const message of list) {
      const content = typeof message === 'object' && message !== null ? (message as { content?: unknown }).content : undefined;
      if (!Array.isArray(content)) continue;
      for (const part of content) {
        if (typeof part === 'object' && part !== null && (part as { type?: unknown }).type !== 'text') key += `${safeStringify(part)}\u0001`;
      }
    }
  }
  return key;
}

/**
 * The conversation's sample hash with the tools offered mixed in, like the duplicate key below. A
 * ShareGPT tools string is hashed without the whitespace between its JSON tokens (no parse per
 * record: this runs on every record), so two spellings that differ in spacing meet in the key.
 */
function duplicateHashOf(conversation: Conversation): number {
  let hash = conversationSampleHash(conversation);
  const tools = conversation.tools;
  if (tools === undefined) return hash;
  const text = typeof tools.value === 'string' ? tools.value : safeStringify(tools.value);
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 92 /* \ */) {
        hash = Math.imul(hash ^ code, 0x01000193);
        index++;
        hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
        continue;
      }
      if (code === 34 /* " */) inString = false;
    } else if (code === 34) inString = true;
    else if (isWhitespace(code)) continue;
    hash = Math.imul(hash ^ code, 0x01000193);
  }
  return hash & 0x3fffffff;
}

/**
 * The exact duplicate key: equal for records with the same conversation, whatever the format or
 * whitespace. Computed only to confirm a hash match. It holds what the model is trained on beyond
 * the texts: a message's name and reasoning (templates render them), the tools offered and the media.
 * `withLabel`: false to leave out a KTO record's label (two records that differ only there contradict each other).
 */
export function duplicateKeyOf(analysis: RecordAnalysis, record: DatasetRecord, facts: FileFacts, withLabel = true): string {
  const { conversation } = analysis;
  let key = '';
  for (const turn of conversation.turns) {
    key += `${turn.role ?? turn.writtenRole}\u0000${turn.content}\u0000${turn.toolCalls.length > 0 ? safeStringify(turn.toolCalls.map((call) => [call.name, call.arguments])) : ''}`;
    if (turn.name !== undefined) key += `\u0000n${turn.name}`;
    const reasoning = turnReasoning(turn);
    if (reasoning !== undefined) key += `\u0000r${reasoning}`;
    // What is trained: the same talk trained on another answer (weight 0 on one copy, 1 on the other) teaches another thing.
    if (turn.role === 'assistant' || turn.weight !== undefined) key += `\u0000w${turn.trainable ? 1 : 0}${turn.weight ?? ''}`;
    key += '\u0001';
  }
  if (conversation.rejected !== undefined) for (const turn of conversation.rejected) key += `r\u0000${turn.content}\u0001`;
  // The tools are part of the prompt the model sees: the same talk with other tool specs is another example.
  const tools = normalisedToolsText(conversation);
  if (tools !== undefined) key += `t\u0000${tools}`;
  // KTO: the same completion labelled desirable in one record and undesirable in the other is a contradiction, not a copy to remove.
  const label = (record.value as { label?: unknown } | null | undefined)?.label;
  if (typeof label === 'boolean' && withLabel) key += `l\u0000${label}`;
  const media = mediaKeyOf(record.value, (conversation.mapping ?? facts.hint.mapping).columns);
  if (media.length > 0) key += `m\u0000${media}`;
  return key;
}

/**
 * The turn that starts the text compared for near-duplicates: the first user turn, or the text. In
 * Alpaca the instruction and input only (the last user turn): the history is earlier talk that many
 * records share ("You are going to help me with my homework..."), and distinct questions after it are
 * distinct examples.
 */
function firstComparedTurn(analysis: RecordAnalysis): Turn | undefined {
  const { turns, plainText } = analysis.conversation;
  if (plainText) return turns[0];
  if (analysis.shape === 'alpaca' || analysis.shape === 'preference-alpaca') return lastUserTurn(turns);
  return turns.find((turn) => turn.role === 'user');
}

function lastUserTurn(turns: readonly Turn[]): Turn | undefined {
  for (let index = turns.length - 1; index >= 0; index--) if (turns[index]?.role === 'user') return turns[index];
  return undefined;
}

/** The text compared for near-duplicates: the user turns joined (see firstComparedTurn). */
export function instructionOf(analysis: RecordAnalysis): string {
  const { turns, plainText } = analysis.conversation;
  if (plainText || analysis.shape === 'alpaca' || analysis.shape === 'preference-alpaca') return firstComparedTurn(analysis)?.content ?? '';
  let text = '';
  for (const turn of turns) if (turn.role === 'user') text += (text.length > 0 ? '\n' : '') + turn.content;
  return text;
}

/** The first key of a record object, read from its text (no parse). */
function firstKeyOf(text: string): string | undefined {
  const open = text.indexOf('{');
  const quote = open >= 0 ? text.indexOf('"', open) : -1;
  if (quote < 0) return undefined;
  let end = quote + 1;
  while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
  const raw = text.slice(quote, end + 1);
  const known = firstKeys.get(raw);
  if (known !== undefined) return known;
  let key: string;
  try {
    key = JSON.parse(raw) as string;
  } catch {
    return undefined;
  }
  if (firstKeys.size < 1000) firstKeys.set(raw, key);
  return key;
}
/** Most records start with one of a few keys: keep one string per key, not one per record. */
const firstKeys = new Map<string, string>();

/**
 * One shared, frozen array per distinct sequence (role sequences, JSON paths): most records repeat a
 * few, so 100k records hold a handful of arrays. Looked up through a trie, one Map step per item, so
 * a lookup builds no key string and, for a known sequence, no array.
 */
interface InternNode {
  next: Map<string | number, InternNode> | undefined;
  value: readonly (string | number)[] | undefined;
}
const internLimit = 10_000;
let internedNodes = 0;

function step(node: InternNode, item: string | number): InternNode | undefined {
  let child = node.next?.get(item);
  if (child === undefined) {
    if (internedNodes >= internLimit) return undefined;
    child = { next: undefined, value: undefined };
    (node.next ??= new Map()).set(item, child);
    internedNodes++;
  }
  return child;
}

const roleTrie: InternNode = { next: undefined, value: undefined };
/**
 * The turns a trainer reads, as statistics count them: not a column the record lacks, nor a ShareGPT
 * system column that a first system turn shadows (LLaMA-Factory reads the turn and ignores the column).
 */
function writtenTurns(turns: readonly Turn[]): readonly Turn[] {
  const transcript = transcriptRoles(turns);
  if (transcript !== undefined) return transcript;
  const first = turns[0];
  const shadowed = first !== undefined && first.role === 'system' && first.rolePath === undefined && turns[1]?.role === 'system' && turns[1].rolePath !== undefined;
  if (!shadowed && !turns.some((turn) => turn.missing === true)) return turns;
  return turns.filter((turn, index) => turn.missing !== true && !(shadowed && index === 0));
}

/** Anthropic HH-RLHF's turn labels, each at the start of a paragraph. */
const transcriptLabels = /\n\n(Human|Assistant):/g;

/**
 * The turns of a preference side written as one transcript with no prompt column (HH-RLHF:
 * "\n\nHuman: ...\n\nAssistant: ..."), as role-only turns for counting: TRL splits the prompt out
 * of that text, so it holds every turn of the talk. undefined for any other record.
 */
function transcriptRoles(turns: readonly Turn[]): readonly Turn[] | undefined {
  const only = turns.length === 1 ? turns[0] : undefined;
  if (only === undefined || only.path.length !== 1 || only.path[0] !== 'chosen' || !only.content.startsWith('\n\nHuman:')) return undefined;
  const roles: Turn[] = [];
  for (const match of only.content.matchAll(transcriptLabels)) roles.push({ ...only, role: match[1] === 'Human' ? 'user' : 'assistant' });
  return roles;
}

function sharedRoles(turns: readonly Turn[]): string[] {
  let node: InternNode | undefined = roleTrie;
  for (const turn of turns) {
    node = step(node, turn.role ?? (turn.writtenRole || 'unknown'));
    if (node === undefined) break;
  }
  if (node?.value !== undefined) return node.value as string[];
  const roles = turns.map((turn) => turn.role ?? (turn.writtenRole || 'unknown'));
  if (node !== undefined) node.value = Object.freeze(roles);
  return roles;
}

const pathTrie: InternNode = { next: undefined, value: undefined };
function sharedPath(path: JsonPath | undefined): JsonPath | undefined {
  if (path === undefined) return undefined;
  let node: InternNode | undefined = pathTrie;
  for (const segment of path) {
    node = step(node, segment);
    if (node === undefined) return path;
  }
  if (node.value !== undefined) return node.value;
  node.value = Object.freeze([...path]);
  return node.value;
}

// Token counts repeat across records (and are never mutated): keep one object per distinct count.
// Keyed in two levels by small integers: one combined key would exceed V8's small-integer range,
// and a Map hashes such (heap) numbers slowly.
const tokenCounts = new Map<number, Map<number, TokenCount>>();
let sharedTokenCountEntries = 0;
function sharedTokenCount(count: TokenCount | undefined): TokenCount | undefined {
  if (count === undefined || count.templateError !== undefined || !Number.isInteger(count.total) || !Number.isInteger(count.trainable) || count.total < 0 || count.trainable < 0 || count.total >= 2 ** 24 || count.trainable >= 2 ** 24) return count;
  const outerKey = count.total * 2 + (count.estimated ? 1 : 0);
  let byTrainable = tokenCounts.get(outerKey);
  const shared = byTrainable?.get(count.trainable);
  if (shared !== undefined) return shared;
  if (sharedTokenCountEntries >= 100_000) return count;
  if (byTrainable === undefined) tokenCounts.set(outerKey, (byTrainable = new Map()));
  byTrainable.set(count.trainable, count);
  sharedTokenCountEntries++;
  return count;
}

/**
 * A record written in another known format than the one the file is forced to: read as the forced
 * format it holds nothing (every such record alike), so it must not count as a duplicate or an example;
 * mixed-formats reports it.
 */
function readAsAnotherFormat(analysis: RecordAnalysis): boolean {
  const { detected, shape } = analysis;
  // Role/content turns under "conversations" and from/value turns under "messages" are read as ShareGPT: the same record.
  if (detected === 'unknown' || detected === 'chat-conversations' || detected === 'sharegpt-messages') return false;
  return formatOfShape(detected) !== formatOfShape(shape);
}

/**
 * A question about an image, a video or a sound ("<image>Describe this image in detail.") is asked of
 * each one: its text repeats by design (LLaVA-style data), so it is not compared for near-duplicates.
 */
function withoutMediaQuestion(instruction: string): string {
  return instruction.includes('<image>') || instruction.includes('<video>') || instruction.includes('<audio>') ? '' : instruction;
}

/**
 * Whether a user message holds a media part (OpenAI's image_url, input_audio or file, TRL's {"type": "image"}): its question
 * is asked of that image, as with an <image> placeholder. Only records whose text names such a part are walked.
 */
function asksOfMediaPart(record: DatasetRecord, analysis: RecordAnalysis): boolean {
  const text = record.text;
  if (!text.includes('"image') && !text.includes('"input_audio"') && !text.includes('"file"') && !text.includes('"video') && !text.includes('"audio')) return false;
  const value = record.value;
  for (const turn of analysis.conversation.turns) {
    if (turn.role !== 'user') continue;
    const message = valueAt(value, turn.path);
    const content = isObject(message) ? message.content : undefined;
    if (Array.isArray(content) && content.some((part) => isObject(part) && typeof part.type === 'string' && part.type !== 'text')) return true;
  }
  return false;
}

/** The signature of an Alpaca record's input, when it has one (its instruction's signature includes it too). */
function alpacaInputSignature(analysis: RecordAnalysis, facts: FileFacts): PackedSignature | undefined {
  if (analysis.shape !== 'alpaca' && analysis.shape !== 'preference-alpaca') return undefined;
  const inputKey = (analysis.conversation.mapping ?? facts.hint.mapping).columns.query;
  const input = firstComparedTurn(analysis)?.parts.find((part) => part.path.length === 1 && part.path[0] === inputKey);
  return input !== undefined && input.text.trim().length > 0 ? signInstruction(input.text) : undefined;
}

/** Builds (and caches) the summary from an analysis. */
export function summarise(record: DatasetRecord, analysis: RecordAnalysis, facts: FileFacts, hasErrors = false): RecordSummary {
  const { conversation } = analysis;
  const summary: RecordSummary = {
    version: facts.version,
    detected: analysis.detected,
    shape: analysis.shape,
    roles: sharedRoles(writtenTurns(conversation.turns)),
    duplicateHash: duplicateHashOf(conversation),
    instruction: signInstruction(asksOfMediaPart(record, analysis) ? '' : withoutMediaQuestion(instructionOf(analysis))),
    input: alpacaInputSignature(analysis, facts),
    instructionPath: sharedPath(firstComparedTurn(analysis)?.parts[0]?.path),
    tokens: sharedTokenCount(analysis.tokenCount),
    empty: conversation.turns.length === 0 || hasErrors || readAsAnotherFormat(analysis),
    firstKey: firstKeyOf(record.text),
  };
  cacheOf(record).summary = summary;
  return summary;
}

/** The record's summary if it is cached for this facts version (never computes). */
export function cachedSummary(record: DatasetRecord, version: number): RecordSummary | undefined {
  const cache = record.cache;
  return cache?.summary !== undefined && cache.summary.version === version ? cache.summary : undefined;
}

/** The record's summary (computing the analysis when it is missing or stale); undefined for invalid records. */
export function summaryOf(record: DatasetRecord, facts: FileFacts): RecordSummary | undefined {
  const cache = record.cache;
  if (cache?.summary !== undefined && cache.summary.version === facts.version) return cache.summary;
  const analysis = analyseRecord(record, facts);
  if (analysis === undefined) return undefined;
  return summarise(record, analysis, facts);
}
