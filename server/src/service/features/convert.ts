/**
 * Converting records between OpenAI chat, ShareGPT and Alpaca, through the canonical conversation.
 * Returns undefined when the conversation does not fit the target (e.g. tool calls into Alpaca).
 */
import type { Conversation, Turn } from '../conversation';
import { safeStringify } from '../json/safe';

export type ConvertibleFormat = 'openai-chat' | 'sharegpt' | 'alpaca';
export const convertibleFormats: readonly ConvertibleFormat[] = ['openai-chat', 'sharegpt', 'alpaca'];

function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? {};
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function toOpenai(conversation: Conversation): Record<string, unknown> {
  let callCounter = 0;
  const pendingIds: string[] = [];
  const messages = conversation.turns.map((turn) => {
    const message: Record<string, unknown> = { role: turn.role ?? 'user' };
    if (turn.toolCalls.length > 0) {
      message.content = turn.content.length > 0 ? turn.content : null;
      message.tool_calls = turn.toolCalls.map((call) => {
        const id = call.id ?? `call_${++callCounter}`;
        pendingIds.push(id);
        const args = call.arguments;
        return { id, type: 'function', function: { name: call.name ?? '', arguments: typeof args === 'string' ? args : safeStringify(args ?? {}) } };
      });
    } else {
      message.content = turn.content;
    }
    if (turn.role === 'tool') message.tool_call_id = turn.toolCallId ?? pendingIds.shift() ?? `call_${callCounter}`;
    if (turn.weight !== undefined) message.weight = turn.weight;
    return message;
  });
  const record: Record<string, unknown> = { messages };
  const tools = conversation.tools?.value;
  const list = typeof tools === 'string' ? parseArguments(tools) : tools;
  if (Array.isArray(list) && list.length > 0) {
    record.tools = list.map((spec) => (typeof spec === 'object' && spec !== null && 'function' in spec ? spec : { type: 'function', function: spec }));
  }
  return record;
}

/**
 * Results of parallel tool calls share one observation turn (ShareGPT alternates strictly), joined
 * as LLaMA-Factory joins them when it reads OpenAI-style data.
 */
const toolResultSeparator = '\n</tool_response>\n<tool_response>\n';

function toSharegpt(conversation: Conversation): Record<string, unknown> | undefined {
  const record: Record<string, unknown> = {};
  const turns: { from: string; value: string }[] = [];
  for (const [index, turn] of conversation.turns.entries()) {
    if (turn.role === 'system' && index === 0) {
      record.system = turn.content;
      continue;
    }
    if (turn.toolCalls.length > 0) {
      // A function_call turn holds only the calls: text said beside them would be lost.
      if (turn.content.trim().length > 0) return undefined;
      const calls = turn.toolCalls.map((call) => ({ name: call.name ?? '', arguments: parseArguments(call.arguments) }));
      turns.push({ from: 'function_call', value: safeStringify(calls.length === 1 ? calls[0] : calls) });
      continue;
    }
    const from = turn.role === 'user' ? 'human' : turn.role === 'assistant' ? 'gpt' : turn.role === 'tool' ? 'observation' : turn.role === 'system' ? 'system' : 'human';
    const previous = turns[turns.length - 1];
    if (from === 'observation' && previous?.from === 'observation') previous.value += toolResultSeparator + turn.content;
    else turns.push({ from, value: turn.content });
  }
  const ordered: Record<string, unknown> = { conversations: turns };
  if (record.system !== undefined) ordered.system = record.system;
  const tools = conversation.tools?.value;
  if (tools !== undefined) {
    const list = typeof tools === 'string' ? parseArguments(tools) : tools;
    if (Array.isArray(list)) ordered.tools = safeStringify(list.map((spec) => (typeof spec === 'object' && spec !== null && 'function' in spec ? (spec as { function: unknown }).function : spec)));
  }
  return ordered;
}

function toAlpaca(conversation: Conversation): Record<string, unknown> | undefined {
  let turns: Turn[] = conversation.turns;
  let system: string | undefined;
  if (turns[0]?.role === 'system') {
    system = turns[0].content;
    turns = turns.slice(1);
  }
  if (turns.length < 2 || turns.length % 2 !== 0) return undefined;
  const history: [string, string][] = [];
  for (let index = 0; index < turns.length; index += 2) {
    const user = turns[index];
    const assistant = turns[index + 1];
    if (user?.role !== 'user' || assistant?.role !== 'assistant' || user.toolCalls.length > 0 || assistant.toolCalls.length > 0) return undefined;
    history.push([user.content, assistant.content]);
  }
  const last = history.pop();
  if (last === undefined) return undefined;
  const record: Record<string, unknown> = { instruction: last[0], input: '', output: last[1] };
  if (system !== undefined) record.system = system;
  if (history.length > 0) record.history = history;
  return record;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Whether a turn's content, as written in `source`, holds parts other than text (images, audio, files). */
function hasNonTextParts(source: unknown, turn: Turn): boolean {
  const content = valueAt(source, turn.contentPath);
  if (!Array.isArray(content)) return false;
  return content.some((part) => typeof part !== 'string' && !(typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' && [undefined, 'text'].includes((part as { type?: unknown }).type as string | undefined)));
}

/**
 * The record as a plain object in the target format, or undefined when it cannot be expressed there
 * without losing something. `source` is the record as written: ShareGPT and Alpaca hold only text,
 * so a record with image or audio parts is not converted to them.
 */
export function convertConversation(conversation: Conversation, target: ConvertibleFormat, source?: unknown): Record<string, unknown> | undefined {
  if (conversation.plainText || conversation.rejected !== undefined || conversation.turns.length === 0) return undefined;
  if (conversation.turns.some((turn) => turn.role === null)) return undefined;
  if (target !== 'openai-chat' && source !== undefined && conversation.turns.some((turn) => hasNonTextParts(source, turn))) return undefined;
  switch (target) {
    case 'openai-chat':
      return toOpenai(conversation);
    case 'sharegpt':
      return toSharegpt(conversation);
    case 'alpaca':
      return toAlpaca(conversation);
  }
}

export const formatTitles: Record<ConvertibleFormat, string> = { 'openai-chat': 'OpenAI chat', sharegpt: 'ShareGPT', alpaca: 'Alpaca' };
