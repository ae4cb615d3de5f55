/**
 * Converting records between OpenAI chat, ShareGPT and Alpaca, through the canonical conversation.
 * A conversion that does not fit the target (e.g. tool calls into Alpaca) is refused with its reason.
 */
import type { RecordAnalysis } from '../analysis';
import type { Conversation, Turn } from '../conversation';
import { defaultMapping, normalise, type FormatHint, type FormatMapping } from '../formats';
import { compactJson, holdsImpreciseNumber, mayHoldImpreciseNumber } from '../json/numbers';
import { safeStringify } from '../json/safe';
import { locatePath, type JsonPath } from '../json/scanner';
import { continuesPrompt } from '../rules/whitespace';

export type ConvertibleFormat = 'openai-chat' | 'sharegpt' | 'alpaca';
export const convertibleFormats: readonly ConvertibleFormat[] = ['openai-chat', 'sharegpt', 'alpaca'];
export const formatTitles: Record<ConvertibleFormat, string> = { 'openai-chat': 'OpenAI chat', sharegpt: 'ShareGPT', alpaca: 'Alpaca' };

/** A converted record, or why the record cannot be converted (shown on a disabled code action). */
export type Conversion = { record: Record<string, unknown> } | { refused: string };

/** A column value copied as written (its JSON text), where parsing it would change a number. */
export class WrittenJson {
  constructor(readonly text: string) {}
}

/**
 * A converted record as JSON text (`indent` as JSON.stringify takes it). WrittenJson values go in as
 * their text, through placeholders JSON.stringify writes as plain strings.
 */
export function stringifyConverted(record: Record<string, unknown>, indent?: number | string): string {
  const written: string[] = [];
  const nonce = Math.random().toString(36).slice(2);
  const placeheld = Object.fromEntries(Object.entries(record).map(([key, value]) => [key, value instanceof WrittenJson ? `\u0000${nonce}:${written.push(value.text) - 1}\u0000` : value]));
  // JSON.stringify writes U+2028 and U+2029 raw: editors flag them as unusual line terminators (VS Code offers to
  // delete them) and Python's splitlines() breaks a JSON Lines record on them, so they are written as escapes.
  let text = safeStringify(placeheld, indent).replace(/[\u2028\u2029]/g, (separator) => (separator === '\u2028' ? '\\u2028' : '\\u2029'));
  for (const [index, value] of written.entries()) text = text.replace(`"\\u0000${nonce}:${index}\\u0000"`, () => value);
  return text;
}

function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? {};
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/**
 * A ShareGPT call's arguments as written in its function_call turn (a JSON string in the record),
 * without whitespace: parsed and written again, an integer beyond 2^53 would lose digits.
 */
function writtenArguments(source: unknown, turn: Turn, index: number): string | undefined {
  const call = turn.toolCalls[index];
  const written = call === undefined ? undefined : valueAt(source, call.path);
  if (typeof written !== 'string') return undefined;
  const path = written.trimStart().startsWith('[') ? [index, 'arguments'] : ['arguments'];
  const located = locatePath(written, path);
  return located === null ? undefined : compactJson(written.slice(located.value.start, located.value.end));
}

/** How many tool turns follow one another from `start` (the results of one round of calls). */
function toolRunLength(turns: readonly Turn[], start: number): number {
  let end = start;
  while (turns[end]?.role === 'tool') end++;
  return end - start;
}

function toOpenai(conversation: Conversation, source: unknown): Record<string, unknown> | string {
  let callCounter = 0;
  const pendingIds: string[] = [];
  const messages: Record<string, unknown>[] = [];
  for (const [index, turn] of conversation.turns.entries()) {
    if (turn.role === 'tool' && turn.toolCallId === undefined && pendingIds.length > 1) {
      const run = toolRunLength(conversation.turns, index);
      // One observation holding the results of parallel calls (as toSharegpt writes it): one tool message per call again.
      const results = turn.content.split(toolResultSeparator);
      if (run === 1 && results.length === pendingIds.length) {
        for (const content of results) messages.push({ role: 'tool', content, tool_call_id: pendingIds.shift() });
        continue;
      }
      // Otherwise each call needs its own result turn: a call left without one is invalid in OpenAI chat.
      if (run < pendingIds.length) return `${pendingIds.length} parallel tool calls get ${run === 1 ? 'one result' : `${run} results`}, and OpenAI chat needs one tool message per call`;
    }
    const message: Record<string, unknown> = { role: turn.role ?? 'user' };
    if (turn.toolCalls.length > 0) {
      message.content = turn.content.length > 0 ? turn.content : null;
      message.tool_calls = turn.toolCalls.map((call, callIndex) => {
        const id = call.id ?? `call_${++callCounter}`;
        pendingIds.push(id);
        const args = call.arguments;
        const text = typeof args === 'string' ? args : (writtenArguments(source, turn, callIndex) ?? safeStringify(args ?? {}));
        return { id, type: 'function', function: { name: call.name ?? '', arguments: text } };
      });
    } else {
      message.content = turn.content;
    }
    if (turn.role === 'tool') message.tool_call_id = turn.toolCallId ?? pendingIds.shift() ?? `call_${callCounter}`;
    // OpenAI's weight is 0 or 1; another factor stays a loss_weight (as local trainers read it).
    if (turn.weight === 0 || turn.weight === 1) message.weight = turn.weight;
    else if (turn.weight !== undefined) message.loss_weight = turn.weight;
    messages.push(message);
  }
  const record: Record<string, unknown> = { messages };
  const list = toolList(conversation);
  if (list !== undefined && list.length > 0) {
    record.tools = list.map((spec) => (typeof spec === 'object' && spec !== null && 'function' in spec ? spec : { type: 'function', function: spec }));
  }
  return record;
}

/**
 * The tools offered, as a list (a ShareGPT or Alpaca column holds it as a JSON string); [] for none
 * (an empty string); undefined when they cannot be read as a list, so converting would lose them.
 */
function toolList(conversation: Conversation): unknown[] | undefined {
  const tools = conversation.tools;
  if (tools === undefined) return [];
  if (typeof tools.value === 'string' && tools.value.trim() === '') return [];
  const list = typeof tools.value === 'string' ? parseArguments(tools.value) : tools.value;
  return Array.isArray(list) ? list : undefined;
}

/** Tools as ShareGPT and Alpaca columns hold them: a JSON string of bare function specs. */
function toolColumn(list: readonly unknown[]): string {
  return safeStringify(list.map((spec) => (typeof spec === 'object' && spec !== null && 'function' in spec ? (spec as { function: unknown }).function : spec)));
}

/**
 * Results of parallel tool calls share one observation turn (ShareGPT alternates strictly), joined
 * as LLaMA-Factory joins them when it reads OpenAI-style data.
 */
const toolResultSeparator = '\n</tool_response>\n<tool_response>\n';

/**
 * A ShareGPT function_call value: the calls as {"name", "arguments"}, the arguments text as written
 * (without whitespace), so that no number in it passes through a double.
 */
function functionCallValue(turn: Turn): string | undefined {
  const calls: string[] = [];
  for (const call of turn.toolCalls) {
    const args = parseArguments(call.arguments);
    // Arguments that are not a JSON object (unparsable, or a string encoded twice) would change meaning on the way.
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return undefined;
    const text = typeof call.arguments === 'string' ? compactJson(call.arguments.trim()) : safeStringify(args);
    calls.push(`{"name":${JSON.stringify(call.name ?? '')},"arguments":${text}}`);
  }
  return calls.length === 1 ? calls[0] : `[${calls.join(',')}]`;
}

/**
 * The tool results that answer one round of calls, in the order of the calls: ShareGPT joins them in
 * one observation that is split back in call order, so results written in another order would be
 * paired with the wrong calls. A string when they cannot be matched to the calls one to one.
 */
function resultsInCallOrder(calls: readonly Turn['toolCalls'][number][], results: readonly Turn[]): readonly Turn[] | string {
  if (results.length < 2 || results.every((result, index) => result.toolCallId === undefined || result.toolCallId === calls[index]?.id)) return results;
  const order = calls.map((call) => call.id);
  const positions = results.map((result) => (result.toolCallId === undefined ? -1 : order.indexOf(result.toolCallId)));
  if (positions.some((position) => position < 0) || new Set(positions).size !== positions.length) return "the record's tool results do not answer its calls one to one by tool_call_id, and ShareGPT pairs them by position";
  return results.map((result, index) => ({ result, position: positions[index] ?? 0 })).sort((a, b) => a.position - b.position).map(({ result }) => result);
}

function toSharegpt(conversation: Conversation, mapping: FormatMapping): Record<string, unknown> | string {
  const { columns, tags } = mapping;
  let system: string | undefined;
  const turns: Record<string, string>[] = [];
  const turn = (from: string, value: string): Record<string, string> => ({ [tags.role]: from, [tags.content]: value });
  const sources = conversation.turns;
  for (let index = 0; index < sources.length; index++) {
    const source = sources[index] as Turn;
    if (source.role === 'system' && index === 0) {
      system = source.content;
      continue;
    }
    if (source.toolCalls.length > 0) {
      // A function_call turn holds only the calls: text said beside them would be lost.
      if (source.content.trim().length > 0) return 'an answer says something beside its tool calls, which a ShareGPT function_call turn cannot hold';
      const value = functionCallValue(source);
      if (value === undefined) return 'a tool call\'s arguments are not a JSON object';
      turns.push(turn(tags.function, value));
      const run = toolRunLength(sources, index + 1);
      const results = resultsInCallOrder(source.toolCalls, sources.slice(index + 1, index + 1 + run));
      if (typeof results === 'string') return results;
      if (results.length > 0) turns.push(turn(tags.observation, results.map((result) => result.content).join(toolResultSeparator)));
      index += run;
      continue;
    }
    const from = source.role === 'user' ? tags.user : source.role === 'assistant' ? tags.assistant : source.role === 'tool' ? tags.observation : tags.system;
    const previous = turns[turns.length - 1];
    if (from === tags.observation && previous?.[tags.role] === tags.observation) previous[tags.content] += toolResultSeparator + source.content;
    else turns.push(turn(from, source.content));
  }
  // LLaMA-Factory reads ShareGPT turns in pairs, prompt side then answer side, and skips a conversation that breaks them.
  const answerSide = new Set([tags.assistant, tags.function]);
  if (turns.length % 2 !== 0 || turns.some((written, index) => answerSide.has(written[tags.role] ?? '') !== (index % 2 === 1))) return 'ShareGPT (LLaMA-Factory) needs user and assistant turns to alternate and end on an answer, and LLaMA-Factory would skip this one';
  const record: Record<string, unknown> = { [columns.messages]: turns };
  if (system !== undefined) record[columns.system] = system;
  const list = toolList(conversation);
  if (list === undefined) return 'the tools offered cannot be read as a list';
  if (conversation.tools !== undefined) record[columns.tools] = toolColumn(list);
  return record;
}

function toAlpaca(conversation: Conversation, mapping: FormatMapping): Record<string, unknown> | string {
  const { columns } = mapping;
  let turns: Turn[] = conversation.turns;
  let system: string | undefined;
  if (turns[0]?.role === 'system') {
    system = turns[0].content;
    turns = turns.slice(1);
  }
  if (turns.some((turn) => turn.toolCalls.length > 0 || turn.role === 'tool')) return 'Alpaca cannot hold tool calls or their results';
  if (turns.length < 2 || turns.length % 2 !== 0) return 'Alpaca holds only user and assistant turns in pairs';
  const history: [string, string][] = [];
  for (let index = 0; index < turns.length; index += 2) {
    const user = turns[index];
    const assistant = turns[index + 1];
    if (user?.role !== 'user' || assistant?.role !== 'assistant') return 'Alpaca holds only user and assistant turns in pairs';
    history.push([user.content, assistant.content]);
  }
  const last = history.pop();
  if (last === undefined) return 'Alpaca holds only user and assistant turns in pairs';
  const record: Record<string, unknown> = { [columns.prompt]: last[0], [columns.query]: '', [columns.response]: last[1] };
  if (system !== undefined) record[columns.system] = system;
  if (history.length > 0) record[columns.history] = history;
  // LLaMA-Factory's Alpaca format has a tools column too (a JSON string, as in ShareGPT).
  const list = toolList(conversation);
  if (list === undefined) return 'the tools offered cannot be read as a list';
  if (conversation.tools !== undefined) record[columns.tools] = toolColumn(list);
  return record;
}

/** Whether a turn's content, as written in `source`, holds parts other than text (images, audio, files). */
function hasNonTextParts(source: unknown, turn: Turn): boolean {
  const content = valueAt(source, turn.contentPath);
  if (!Array.isArray(content)) return false;
  return content.some((part) => typeof part !== 'string' && !(typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' && [undefined, 'text'].includes((part as { type?: unknown }).type as string | undefined)));
}

/** Keys of a message or turn object that its canonical turn carries (besides its own role and content keys). */
const carriedTurnKeys = new Set(['role', 'content', 'from', 'value', 'tool_calls', 'tool_call_id', 'function_call', 'weight', 'loss_weight']);

/**
 * Whether the message or turn object behind `turn` has a field the canonical turn does not carry, which
 * a conversion would drop: a speaker's `name`, `reasoning_content` or `thinking`, a `refusal`, a
 * `train` flag that differs from the role's default. A tool result's `name` (the function answered) is
 * carried by its place after the call; a field that is null or an empty list says nothing to carry.
 */
function holdsUncarriedKeys(source: unknown, turn: Turn): boolean {
  const object = valueAt(source, turn.path);
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return false;
  const roleKey = turn.rolePath?.[turn.rolePath.length - 1];
  const contentKey = turn.contentPath[turn.contentPath.length - 1];
  for (const [key, value] of Object.entries(object)) {
    // A weight that is not a number, or a result id on a message that is no result, says something no turn carries.
    if ((key === 'weight' || key === 'loss_weight') && typeof value !== 'number') return true;
    if (key === 'tool_call_id' && turn.role !== 'tool') return true;
    if (carriedTurnKeys.has(key) || key === roleKey || key === contentKey) continue;
    // Nothing said: OpenAI's API writes "refusal": null, "annotations": [] and "audio": null on every message it returns.
    if (value === null || (Array.isArray(value) && value.length === 0)) continue;
    if (key === 'name' && turn.role === 'tool') continue;
    if (key === 'train' && value === (turn.role === 'assistant')) continue;
    return true;
  }
  return false;
}

/** Whether an OpenAI tool call object holds keys a call does not carry (a stream's "index", a function's "strict"). */
function holdsUncarriedCallKeys(source: unknown, path: JsonPath): boolean {
  const call = valueAt(source, path);
  if (typeof call !== 'object' || call === null || Array.isArray(call)) return false;
  const record = call as Record<string, unknown>;
  if (Object.keys(record).some((key) => key !== 'id' && key !== 'type' && key !== 'function' && key !== 'name' && key !== 'arguments')) return true;
  const fn = record.function;
  return typeof fn === 'object' && fn !== null && !Array.isArray(fn) && Object.keys(fn).some((key) => key !== 'name' && key !== 'arguments');
}

/** Whether a text content part holds keys besides its type and text (parts of other types are refused on their own). */
function holdsUncarriedPartKeys(part: unknown): boolean {
  if (typeof part !== 'object' || part === null || Array.isArray(part)) return false;
  const { type, text } = part as { type?: unknown; text?: unknown };
  return typeof text === 'string' && (type === undefined || type === 'text') && Object.keys(part).some((key) => key !== 'type' && key !== 'text');
}

/**
 * What a record as written holds beside its conversation that the conversion would drop, or undefined: OpenAI's
 * "tools" and legacy "functions" both (the conversation reads the first), an Alpaca history that is not a list of
 * [instruction, response] pairs of strings (wrong-type reports it; converted, the rest of an entry would vanish).
 */
function droppedColumn(value: unknown, shape: RecordAnalysis['detected'], mapping: FormatMapping): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (shape === 'openai-chat' && record.tools !== undefined && record.functions !== undefined) return 'the record offers both "tools" and legacy "functions", and the conversion would keep only "tools"';
  const history = record[mapping.columns.history];
  if (shape === 'alpaca' && history !== undefined && history !== null && !(Array.isArray(history) && history.every((entry) => Array.isArray(entry) && entry.length === 2 && entry.every((item) => typeof item === 'string')))) {
    return `the record's "${mapping.columns.history}" is not a list of [instruction, response] pairs, and the conversion would drop what does not fit`;
  }
  return undefined;
}

/**
 * Whether the record as written holds something its canonical conversation does not carry, so that a
 * conversion would drop it: a content that is missing or of the wrong type (an object, a number)
 * where text belongs, a tool call without a name, or a message field the turn does not hold.
 */
function losesWrittenContent(source: unknown, conversation: Conversation): boolean {
  for (const turn of [...conversation.turns, ...(conversation.rejected ?? [])]) {
    if (turn.toolCalls.some((call) => call.name === undefined || holdsUncarriedCallKeys(source, call.path))) return true;
    if (holdsUncarriedKeys(source, turn)) return true;
    const content = valueAt(source, turn.contentPath);
    // A list under a field that names its role (an Alpaca "output" of two answers) is not content parts.
    if (Array.isArray(content) && turn.rolePath === undefined && turn.path.length === 1) return true;
    // A text part's other keys (Anthropic-style "cache_control") have no place in a plain string.
    if (Array.isArray(content) && content.some(holdsUncarriedPartKeys)) return true;
    if (typeof content === 'string' || Array.isArray(content)) continue;
    if (turn.toolCalls.length > 0 && (content === null || content === undefined)) continue;
    return true;
  }
  return false;
}

/**
 * The record as a plain object in the target format, or why it cannot be expressed there without
 * losing something. `source` is the record as written: ShareGPT and Alpaca hold only text, so a
 * record with image or audio parts is not converted to them; nor is one with an untrained or
 * re-weighted answer (weight 0, loss_weight), which LLaMA-Factory would train as any other answer.
 * `mapping` names the target's columns and role tags (a dataset_info.json's), default ones otherwise.
 */
export function convertConversation(conversation: Conversation, target: ConvertibleFormat, source?: unknown, mapping: FormatMapping = defaultMapping): Record<string, unknown> | string {
  const title = formatTitles[target];
  if (conversation.plainText) return 'the record is plain text, not a conversation';
  // A preference pair has no single answer to keep (even one that lacks its rejected side).
  if (conversation.rejected !== undefined || conversation.shape.startsWith('preference')) return 'a preference pair has no single answer to keep';
  if (conversation.turns.length === 0) return 'the record holds no conversation';
  if (conversation.turns.some((turn) => turn.role === null)) return 'a turn has a role the format does not know';
  // A system column beside a system turn (or two system messages): which one the trainer uses depends on the format.
  if (conversation.turns.filter((turn) => turn.role === 'system').length > 1) return 'the record has more than one system prompt';
  if (source !== undefined && losesWrittenContent(source, conversation)) return `a message holds a field or content ${title} has no place for`;
  // Only an answer's weight means something (OpenAI ignores it on other messages, as the linter does).
  if (target !== 'openai-chat' && conversation.turns.some((turn) => turn.role === 'assistant' && turn.weight !== undefined && turn.weight !== 1)) return `an answer is untrained or re-weighted, which ${title} cannot say`;
  if (target !== 'openai-chat' && source !== undefined && conversation.turns.some((turn) => hasNonTextParts(source, turn))) return `${title} holds only text, and a message has image, audio or file parts`;
  switch (target) {
    case 'openai-chat':
      return toolList(conversation) === undefined ? 'the tools offered cannot be read as a list' : toOpenai(conversation, source);
    case 'sharegpt':
      return toSharegpt(conversation, mapping);
    case 'alpaca':
      return toAlpaca(conversation, mapping);
  }
}

/**
 * A record converted for a quick fix or a whole-file conversion: read as written (in a file whose
 * format is forced, the analysis reads every record as that format, and a record written in another
 * one reads as empty), and written with the file's column and tag names when the target is the format
 * a dataset_info.json gives them for. Refused when it is already in the target format or cannot be
 * converted without loss. `text` is the record as written, to copy columns whose numbers a double
 * cannot hold.
 */
export function convertRecord(analysis: RecordAnalysis, value: unknown, target: ConvertibleFormat, hint: FormatHint, text?: string): Conversion {
  const title = formatTitles[target];
  if (analysis.detected === target) return { refused: `the record is already ${title}` };
  // The file's dataset_info.json entry reads it in one format: a record in another one is not loaded.
  // (Its openai formatting is ShareGPT read by OpenAI's tags.)
  const entryFormat = hint.formatting === 'openai' ? 'sharegpt' : hint.formatting;
  if (entryFormat !== undefined && entryFormat !== target) return { refused: `the file's dataset_info.json entry reads it as ${formatTitles[entryFormat]}; change the entry to convert it` };
  const conversation = separatorTrimmed(analysis.shape === analysis.detected ? analysis.conversation : normalise(value, analysis.detected, hint.mapping));
  const dropped = droppedColumn(value, analysis.detected, hint.mapping);
  if (dropped !== undefined) return { refused: dropped };
  const imprecise = impreciseColumn(text, value, conversationColumns(analysis.detected, hint.mapping), conversation);
  if (imprecise !== undefined) return { refused: `the record's "${imprecise}" column holds a number that would lose digits` };
  const mapping = entryFormat !== undefined && entryFormat === target ? hint.mapping : defaultMapping;
  const converted = convertConversation(conversation, target, value, mapping);
  if (typeof converted === 'string') return { refused: converted };
  if (typeof value !== 'object' || value === null) return { record: converted };
  // Columns the conversation does not hold (an id, a source, a KTO label, image paths) go along as they
  // are, unless the target format reads or writes them (a top-level "system" beside OpenAI messages
  // would become a ShareGPT system prompt, an "input" would be overwritten): then the record is not
  // converted, as it would change meaning or lose the column.
  const used = conversationColumns(analysis.detected, hint.mapping);
  const read = conversationColumns(target, mapping);
  for (const [key, column] of Object.entries(value)) {
    if (used.has(key)) continue;
    if (read.has(key) || key in converted) return { refused: `the record's "${key}" column would be read or overwritten as part of the ${title} record` };
    converted[key] = writtenColumn(text, key) ?? column;
  }
  return { record: converted };
}

/**
 * The column the conversation is read from that holds a number a double cannot hold (the tools
 * offered, parsed and written again), or undefined. Call arguments are copied as written instead.
 */
function impreciseColumn(text: string | undefined, value: unknown, columns: ReadonlySet<string>, conversation: Conversation): string | undefined {
  if (text === undefined || typeof value !== 'object' || value === null || !mayHoldImpreciseNumber(text)) return undefined;
  for (const key of columns) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const located = locatePath(text, [key]);
    if (located !== null && holdsImpreciseNumber(text.slice(located.value.start, located.value.end))) return key;
  }
  // A ShareGPT or Alpaca tools column is a JSON string: its numbers are inside it.
  const tools = conversation.tools;
  if (tools !== undefined && typeof tools.value === 'string' && holdsImpreciseNumber(tools.value)) return String(tools.path[tools.path.length - 1] ?? 'tools');
  return undefined;
}

/** A top-level column's JSON text as written, when parsing it lost a number's digits. */
function writtenColumn(text: string | undefined, key: string): WrittenJson | undefined {
  if (text === undefined || !mayHoldImpreciseNumber(text)) return undefined;
  const located = locatePath(text, [key]);
  if (located === null) return undefined;
  const written = text.slice(located.value.start, located.value.end);
  return holdsImpreciseNumber(written) ? new WrittenJson(compactJson(written)) : undefined;
}

/**
 * A prompt/completion pair's completion starts with the space that separates it from the prompt
 * (" Paris." after "The capital of France is"): as a chat answer, after its role cue, that space would
 * be trained as the answer's first token, so it is not carried.
 */
function separatorTrimmed(conversation: Conversation): Conversation {
  if (!conversation.turns.some((turn) => continuesPrompt(conversation, turn) && turn.content.startsWith(' '))) return conversation;
  const turns = conversation.turns.map((turn) => (continuesPrompt(conversation, turn) ? { ...turn, content: turn.content.replace(/^ +/, '') } : turn));
  return { ...conversation, turns };
}

/** The columns of a record shape that its conversation is read from (and that a conversion rewrites). */
function conversationColumns(shape: RecordAnalysis['detected'], mapping: FormatMapping): ReadonlySet<string> {
  const c = mapping.columns;
  switch (shape) {
    case 'openai-chat':
      return new Set(['messages', 'tools', 'functions']);
    case 'sharegpt':
    case 'chat-conversations':
      return new Set([c.messages, c.system, c.tools]);
    case 'sharegpt-messages':
      return new Set(['messages', c.system, c.tools]);
    case 'alpaca':
      return new Set([c.prompt, c.query, c.response, c.system, c.history, c.tools]);
    case 'prompt-completion':
      return new Set(['prompt', 'completion']);
    default:
      return new Set();
  }
}
