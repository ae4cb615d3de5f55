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

function toSharegpt(conversation: Conversation): Record<string, unknown> | undefined {
  const record: Record<string, unknown> = {};
  const turns: { from: string; value: string }[] = [];
  conversation.turns.forEach((turn, index) => {
    if (turn.role === 'system' && index === 0) {
      record.system = turn.content;
      return;
    }
    if (turn.toolCalls.length > 0) {
      const calls = turn.toolCalls.map((call) => ({ name: call.name ?? '', arguments: parseArguments(call.arguments) }));
      turns.push({ from: 'function_call', value: safeStringify(calls.length === 1 ? calls[0] : calls) });
      return;
    }
    const from = turn.role === 'user' ? 'human' : turn.role === 'assistant' ? 'gpt' : turn.role === 'tool' ? 'observation' : turn.role === 'system' ? 'system' : 'human';
    turns.push({ from, value: turn.content });
  });
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

/** The record as a plain object in the target format, or undefined when it cannot be expressed there. */
export function convertConversation(conversation: Conversation, target: ConvertibleFormat): Record<string, unknown> | undefined {
  if (conversation.plainText || conversation.rejected !== undefined || conversation.turns.length === 0) return undefined;
  if (conversation.turns.some((turn) => turn.role === null)) return undefined;
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
