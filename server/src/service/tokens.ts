/**
 * Token counting. Without a configured model the count is an estimate (about 4 characters per token
 * for English prose, plus the per-message overhead of a chat template) and is labelled as such. With
 * `tunesmith.model` pointing at a Hugging Face model folder, the model's own tokenizer.json and chat
 * template give the exact count (see modelTokens.ts).
 */
import { turnReasoning, type Conversation, type Turn } from './conversation';
import { safeStringify } from './json/safe';

export interface TokenCount {
  /** Tokens of the whole example as the trainer sees it. */
  total: number;
  /** Tokens the loss is computed on (trainable turns). */
  trainable: number;
  estimated: boolean;
  /** Why the model's chat template failed to render the example (its error), which was then counted from its parts. */
  templateError?: string;
}

export interface TokenCounter {
  /** True when counts are estimates; messages then say "about". */
  readonly estimated: boolean;
  /** A short description for messages: "estimate" or the model name. */
  readonly label: string;
  count(conversation: Conversation): TokenCount;
  /**
   * Exact trained tokens left after truncation to `maxTokens`, when the counter can tell (a model's
   * chat template); undefined to fall back to the per-turn estimate of trainableAfterTruncation().
   */
  trainableAfterTruncation?(conversation: Conversation, maxTokens: number): number | undefined;
}

/** Template tokens around each message (role header and end-of-turn), as in OpenAI's counting recipe. */
const perMessageOverhead = 4;
const perExampleOverhead = 3;

export function estimateTextTokens(text: string): number {
  if (text.length === 0) return 0;
  // About 4 bytes of UTF-8 per token: 4 Latin characters, a bit over one CJK character. Counting
  // bytes runs natively, which matters on 100k-record files.
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

/** Markup around a reasoning block: Qwen3 writes "<think>\n" and "\n</think>\n\n" (5 tokens). */
const reasoningOverhead = 5;

function estimateTurn(turn: Turn): number {
  let tokens = perMessageOverhead + estimateTextTokens(turn.content);
  // Templates render the reasoning and the name, and trainers pass both on with the message.
  const reasoning = turnReasoning(turn);
  if (reasoning !== undefined) tokens += reasoningOverhead + estimateTextTokens(reasoning);
  // OpenAI's counting recipe: a name costs its text and one token.
  if (turn.name !== undefined) tokens += 1 + estimateTextTokens(turn.name);
  for (const call of turn.toolCalls) {
    tokens += 4 + estimateTextTokens(call.name ?? '') + estimateTextTokens(typeof call.arguments === 'string' ? call.arguments : safeStringify(call.arguments ?? ''));
  }
  return tokens;
}

export const estimatingCounter: TokenCounter = {
  estimated: true,
  label: 'estimate: about 4 characters per token; for exact counts name a model: the tunesmith.model setting, "model" in tunesmith.json, or --model',
  count(conversation: Conversation): TokenCount {
    let total = perExampleOverhead;
    let trainable = 0;
    for (const turn of conversation.turns) {
      const tokens = estimateTurn(turn);
      total += tokens;
      if (turn.trainable) trainable += tokens - perMessageOverhead + 1;
    }
    if (conversation.tools !== undefined) total += estimateTextTokens(typeof conversation.tools.value === 'string' ? conversation.tools.value : safeStringify(conversation.tools.value ?? ''));
    return { total, trainable, estimated: true };
  },
};

/**
 * Tokens of the trainable turns that fit within `maxTokens` when the example is truncated from the
 * end (what trainers do with `truncation`): 0 means the example teaches nothing.
 */
export function trainableAfterTruncation(conversation: Conversation, counter: TokenCounter, maxTokens: number): number {
  const exact = counter.trainableAfterTruncation?.(conversation, maxTokens);
  if (exact !== undefined) return exact;
  let used = perExampleOverhead;
  let trainable = 0;
  for (const turn of conversation.turns) {
    const tokens = counter.count({ ...conversation, turns: [turn], tools: undefined }).total - perExampleOverhead;
    const room = Math.max(0, maxTokens - used);
    if (turn.trainable) trainable += Math.max(0, Math.min(tokens, room) - perMessageOverhead);
    used += tokens;
    if (used >= maxTokens) break;
  }
  return trainable;
}
