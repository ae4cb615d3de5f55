/** Small helpers shared by rules. */
import type { ContentPart, Conversation, Turn } from '../conversation';
import { decodeEscape, type JsonPath } from '../json/scanner';
import type { FixData, RecordRuleContext } from './rule';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A public dataset's layout that matches no format a trainer reads, with the key to point at and what to do: missing-field
 * says it instead of "matches no dataset format", and unknown-key suggests no rename of its keys (renaming xLAM's "query" to
 * "instruction" makes an Alpaca record without an output, not a function-calling example).
 */
export function foreignLayout(record: Record<string, unknown>): { key: string; message: string } | undefined {
  // Salesforce's xLAM function-calling data: the query, and the tools and the calls as JSON strings.
  if (typeof record.query === 'string' && 'answers' in record && 'tools' in record && !('messages' in record)) {
    return {
      key: 'query',
      message: 'This record is in xLAM\'s function-calling layout ("query", "tools", "answers"), which no trainer reads as written. Convert it to OpenAI chat: "messages" with the query as the user\'s message and an assistant message whose "tool_calls" hold the answers, and each function under "tools" as {"type": "function", "function": {...}}.',
    };
  }
  // Capybara: each exchange an {"input", "output"} pair under "conversation".
  for (const key of ['conversation', 'conversations']) {
    const pairs = record[key];
    if (Array.isArray(pairs) && pairs.length > 0 && pairs.every((pair) => isObject(pair) && 'input' in pair && 'output' in pair && !('role' in pair) && !('from' in pair))) {
      return {
        key,
        message: `This record's turns are input/output pairs under "${key}" (Capybara's layout), which no trainer reads as written. Write each pair as a user and an assistant message under "messages" (OpenAI chat: role/content), or as human/gpt turns under "conversations" (ShareGPT: from/value).`,
      };
    }
  }
  return undefined;
}

/** Reads the value at a path, or undefined. */
export function valueAt(root: unknown, path: JsonPath): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!isObject(current)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

/** A JSON Schema type as messages name it: "a list", "an object", "an integer", "null", "a string". */
export function typeInWords(type: string): string {
  return type === 'array' ? 'a list' : type === 'object' ? 'an object' : type === 'integer' ? 'an integer' : type === 'null' ? 'null' : `a ${type}`;
}

/** How many characters two texts start with in common (TRL's extract_prompt splits a pair of transcripts there). */
export function sharedPrefixLength(first: string, second: string): number {
  const length = Math.min(first.length, second.length);
  let shared = 0;
  while (shared < length && first.charCodeAt(shared) === second.charCodeAt(shared)) shared++;
  return shared;
}

/** "a" or "an" before a word as messages write it ("an assistant", "a tool", "a user", "an unknown"), by how it starts. */
export function articleFor(word: string): 'a' | 'an' {
  return /^["“]?(?:[aeio]|u(?!s[aeu]|ni|tf))/i.test(word) ? 'an' : 'a';
}

/** Human name of a turn for messages: "turn 3 (assistant)". */
export function turnName(turn: Turn, index: number): string {
  // A turn whose field says its role (Alpaca's "output", a pair's "history"[0][1], TRL's "completion") is named by that field.
  if (turn.rolePath === undefined && typeof turn.path[0] === 'string') {
    if (turn.path.length === 1) return `"${turn.path[0]}"`;
    if (turn.path.length === 3 && typeof turn.path[1] === 'number' && typeof turn.path[2] === 'number') return `"${turn.path[0]}"[${turn.path[1]}][${turn.path[2]}]`;
  }
  return `turn ${index + 1} (${turn.writtenRole || turn.role || 'no role'})`;
}

/** The user's words in a conversation (system prompts and answers left out), a line each. */
export function userText(turns: readonly Turn[]): string {
  let text = '';
  for (const turn of turns) if (turn.role === 'user') text += `${turn.content}\n`;
  return text;
}

/** Every turn of the record: the trained ones and, for preference data, the rejected ones. */
export function allTurns(context: RecordRuleContext): Turn[] {
  const { conversation } = context.analysis;
  return conversation.rejected !== undefined ? [...conversation.turns, ...conversation.rejected] : conversation.turns;
}

/** One side of a preference pair: the column it is written in and its turns. */
export interface PreferenceSide {
  key: string;
  turns: readonly Turn[];
}

/**
 * The chosen and rejected sides of a preference record (TRL, OpenAI DPO, LLaMA-Factory ShareGPT and
 * Alpaca shapes), or undefined for other records. The chosen side's turns are those written in its column.
 */
export function preferenceSides(context: RecordRuleContext): { chosen: PreferenceSide; rejected: PreferenceSide } | undefined {
  const { conversation } = context.analysis;
  if (conversation.rejected === undefined) return undefined;
  const { columns } = context.facts.hint.mapping;
  const [chosenKey, rejectedKey] = conversation.shape === 'preference-openai' ? ['preferred_output', 'non_preferred_output'] : conversation.shape === 'preference-argilla' ? ['chosen_response', 'rejected_response'] : conversation.shape === 'preference-trl' || conversation.shape === 'preference-messages' || conversation.shape === 'preference-intel' ? ['chosen', 'rejected'] : [columns.chosen, columns.rejected];
  return { chosen: { key: chosenKey, turns: conversation.turns.filter((turn) => turn.path[0] === chosenKey) }, rejected: { key: rejectedKey, turns: conversation.rejected } };
}

/**
 * Runs a global regex over every text part of the given turns and reports each match (in the string
 * where it is written), at most `limit` per record.
 */
export function reportMatches(context: RecordRuleContext, turns: readonly Turn[], pattern: RegExp, message: (match: RegExpExecArray, part: ContentPart) => string | { message: string; fix?: FixData } | undefined, limit = 5, headLength = Infinity): void {
  reportMatchesInParts(context, turns.map((turn) => turn.parts), pattern, message, limit, headLength);
}

/** `reportMatches` over lists of text parts (a turn's, or the strings of its tool calls). */
export function reportMatchesInParts(context: RecordRuleContext, partLists: readonly (readonly ContentPart[])[], pattern: RegExp, message: (match: RegExpExecArray, part: ContentPart) => string | { message: string; fix?: FixData } | undefined, limit = 5, headLength = Infinity): void {
  let reported = 0;
  for (const parts of partLists) {
    for (const part of parts) {
      if (part.offset >= headLength) break;
      const text = part.offset + part.text.length > headLength ? part.text.slice(0, headLength - part.offset) : part.text;
      pattern.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = pattern.exec(text)) !== null) {
        if (match[0].length === 0) {
          pattern.lastIndex++;
          continue;
        }
        const found = message(match, part);
        if (found !== undefined) {
          const target = partTarget(part, match.index, match.index + match[0].length);
          if (typeof found === 'string') context.report(found, target);
          else context.report(found.message, target, found.fix);
          if (++reported >= limit) return;
        }
      }
    }
  }
}

/** Where a span of a part's text is written: in its string, through `sourceOffsets` for a decoded view. */
export function partTarget(part: ContentPart, start: number, end: number): { path: JsonPath; inString: { start: number; end: number } } {
  const map = part.sourceOffsets;
  return { path: part.path, inString: map === undefined ? { start, end } : { start: map[start] ?? start, end: map[end] ?? end } };
}

/**
 * JSON text written in a string (tool-call arguments, a ShareGPT function_call value or tools column) as the rules read
 * it: with its escapes decoded, as the tool receives its arguments. Python's json.dumps writes quotes as \" and every
 * non-ASCII character as \uXXXX, which would hide a password in quoted code or mojibake written as \u00c3\u00a9.
 * Text without a backslash is read as it is.
 */
export function jsonTextPart(path: JsonPath, written: string): ContentPart {
  let escape = written.indexOf('\\');
  if (escape < 0) return { path, text: written, offset: 0 };
  const offsets = new Int32Array(written.length + 1);
  let text = '';
  let from = 0;
  while (escape >= 0) {
    for (let at = from; at < escape; at++) offsets[text.length + at - from] = at;
    text += written.slice(from, escape);
    // Not an escape JSON knows: its backslash is kept as written.
    const decoded = decodeEscape(written, escape) ?? { character: '\\', length: 1 };
    offsets[text.length] = escape;
    text += decoded.character;
    from = escape + decoded.length;
    escape = written.indexOf('\\', from);
  }
  for (let at = from; at < written.length; at++) offsets[text.length + at - from] = at;
  text += written.slice(from);
  offsets[text.length] = written.length;
  return { path, text, offset: 0, sourceOffsets: offsets.subarray(0, text.length + 1) };
}

/** Cuts a matched text for a message. */
export function quote(text: string, max = 40): string {
  const single = text.replace(/\s+/g, ' ');
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}

/**
 * Whether `index` in a text lies inside Markdown code: a fenced block (an odd number of ``` before it)
 * or an inline code span (an odd number of backticks before it on its line). Only called for matches.
 */
export function inMarkdownCode(text: string, index: number): boolean {
  let fences = 0;
  for (let at = text.indexOf('```'); at >= 0 && at < index; at = text.indexOf('```', at + 3)) fences++;
  if (fences % 2 === 1) return true;
  let ticks = 0;
  for (let at = text.lastIndexOf('\n', index - 1) + 1; at < index; at++) if (text.charCodeAt(at) === 96) ticks++;
  return ticks % 2 === 1;
}

/**
 * The strings a turn's tool calls are written in, as text parts: an OpenAI call's "arguments" JSON
 * string, or a ShareGPT function_call turn's value. The model is trained to write them like an answer.
 */
export function toolCallParts(record: unknown, turn: Turn): ContentPart[] {
  const parts: ContentPart[] = [];
  for (const [index, call] of turn.toolCalls.entries()) {
    const written = valueAt(record, call.path);
    // A ShareGPT turn holding a list of calls names one string for all of them: read once.
    if (typeof written === 'string') {
      if (index === 0) parts.push(jsonTextPart(call.path, written));
    } else if (isObject(written)) {
      const fn = isObject(written.function) ? written.function : written;
      const path = fn === written ? [...call.path, 'arguments'] : [...call.path, 'function', 'arguments'];
      if (typeof fn.arguments === 'string') parts.push(jsonTextPart(path, fn.arguments));
      // Arguments written as an object (the chat-template layout): the strings in it, as the template renders them.
      else if (typeof fn.arguments === 'object' && fn.arguments !== null) collectStrings(fn.arguments, path, parts, 0);
    }
  }
  return parts;
}

/**
 * The text parts of the turns, then those of their tool calls and reasoning (`reasoning_content`,
 * `thinking`: templates render it, trained with the turn); `extrasOf` picks the turns whose calls and reasoning count.
 */
export function textAndCallParts(context: RecordRuleContext, turns: readonly Turn[], extrasOf: (turn: Turn) => boolean = () => true): ContentPart[][] {
  const lists: ContentPart[][] = turns.map((turn) => turn.parts);
  for (const turn of turns) {
    if (turn.toolCalls.length > 0 && extrasOf(turn)) lists.push(toolCallParts(context.record.value, turn));
    if ((turn.reasoningContent !== undefined || turn.thinking !== undefined) && extrasOf(turn)) lists.push(reasoningParts(turn));
  }
  return lists;
}

function reasoningParts(turn: Turn): ContentPart[] {
  const parts: ContentPart[] = [];
  if (turn.reasoningContent !== undefined) parts.push({ path: [...turn.path, 'reasoning_content'], text: turn.reasoningContent, offset: 0 });
  if (turn.thinking !== undefined) parts.push({ path: [...turn.path, 'thinking'], text: turn.thinking, offset: 0 });
  return parts;
}

/** The strings of the tools offered (a ShareGPT tools column is one JSON string), as text parts: the prompt the model sees holds them. */
export function toolSpecParts(conversation: Conversation): ContentPart[] {
  const tools = conversation.tools;
  if (tools === undefined) return [];
  // A tools column written as a JSON string (ShareGPT, Alpaca): read decoded, as the template renders it.
  if (typeof tools.value === 'string') return [jsonTextPart(tools.path, tools.value)];
  const parts: ContentPart[] = [];
  collectStrings(tools.value, tools.path, parts, 0);
  return parts;
}

/** The strings inside a JSON value, as text parts (a bounded walk: arguments are small, generated ones need not be). */
function collectStrings(value: unknown, path: JsonPath, parts: ContentPart[], depth: number): void {
  if (depth > 8 || parts.length >= 256) return;
  if (typeof value === 'string') {
    parts.push({ path, text: value, offset: 0 });
    return;
  }
  if (Array.isArray(value)) value.forEach((item, index) => collectStrings(item, [...path, index], parts, depth + 1));
  else if (isObject(value)) for (const key of Object.keys(value)) collectStrings(value[key], [...path, key], parts, depth + 1);
}

