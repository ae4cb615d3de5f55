/**
 * The generation loop: prefill the prompt once, then one cached step per new token; stream text as it
 * becomes complete; stop on end tokens, stop strings, the token limit or cancellation (checked before
 * every step, so a cancel costs at most the step in flight).
 */
import type { LoraAdapter } from '../lora/peft';
import type { LoadedModel } from '../runtime/model';
import { Sampler, type SamplingOptions } from './sampler';
import { type ChatMessage, StreamingDecoder, type TextTokenizer } from './tokenizer';

export type FinishReason = 'end-token' | 'stop-string' | 'max-tokens' | 'cancelled' | 'context-full';

export interface GenerationRequest {
  /** Chat messages (rendered with the model's chat template) or a raw prompt. */
  prompt: { messages: ChatMessage[]; templateOptions?: Record<string, unknown> } | { text: string } | { tokens: number[] };
  maxTokens: number;
  sampling: SamplingOptions;
  stopStrings?: string[];
  adapter?: LoraAdapter;
}

export interface GenerationStats {
  promptTokens: number;
  generatedTokens: number;
  /** Prompt submission to first sampled token. */
  timeToFirstTokenMs: number;
  /** Tokens per second after the first token. */
  decodeTokensPerSecond: number;
  totalMs: number;
}

export interface GenerationResult {
  text: string;
  tokens: number[];
  finishReason: FinishReason;
  stats: GenerationStats;
}

export interface GenerationCallbacks {
  /** New text (may be '' for a token that completes no character yet). */
  onText?: (text: string, tokenId: number) => void;
  signal?: AbortSignal;
}

/** Prompt tokens per forward pass while prefilling. */
export const PREFILL_CHUNK = 512;

export function promptTokens(tokenizer: TextTokenizer, prompt: GenerationRequest['prompt']): number[] {
  if ('tokens' in prompt) return prompt.tokens;
  if ('text' in prompt) return tokenizer.encode(prompt.text, true);
  const text = tokenizer.applyChatTemplate(prompt.messages, { addGenerationPrompt: true, ...(prompt.templateOptions ? { extra: prompt.templateOptions } : {}) });
  return tokenizer.encode(text, false);
}

export async function generate(
  model: LoadedModel,
  tokenizer: TextTokenizer,
  request: GenerationRequest,
  callbacks: GenerationCallbacks = {},
): Promise<GenerationResult> {
  const started = performance.now();
  const sampler = new Sampler(request.sampling);
  const prompt = promptTokens(tokenizer, request.prompt);
  if (prompt.length === 0) throw new Error('the prompt is empty');
  const endTokens = tokenizer.endTokenIds(model.folder.generation.eosTokenIds);
  const stopStrings = (request.stopStrings ?? []).filter((s) => s.length > 0);
  const maxContext = model.contextLength;
  const history = [...prompt];
  const generated: number[] = [];
  const decoder = new StreamingDecoder(tokenizer);
  let text = '';
  let emitted = 0;
  let finishReason: FinishReason = 'max-tokens';
  let firstTokenAt = 0;

  const emit = (upTo: number, tokenId: number): void => {
    if (upTo > emitted) {
      callbacks.onText?.(text.slice(emitted, upTo), tokenId);
      emitted = upTo;
    }
  };

  if (callbacks.signal?.aborted) finishReason = 'cancelled';
  else if (prompt.length >= maxContext) finishReason = 'context-full';
  else {
    // Long prompts go in chunks: cancellation is checked between them and attention memory stays bounded.
    let step = await model.forward(prompt.slice(0, PREFILL_CHUNK), undefined, request.adapter);
    for (let offset = PREFILL_CHUNK; offset < prompt.length && !callbacks.signal?.aborted; offset += PREFILL_CHUNK) {
      step = await model.forward(prompt.slice(offset, offset + PREFILL_CHUNK), step.cache, request.adapter);
    }
    for (;;) {
      if (callbacks.signal?.aborted) {
        finishReason = 'cancelled';
        break;
      }
      const token = sampler.sample(step.logits.subarray(step.logits.length - model.config.vocabSize), history);
      if (generated.length === 0) firstTokenAt = performance.now();
      if (endTokens.has(token)) {
        finishReason = 'end-token';
        break;
      }
      generated.push(token);
      history.push(token);
      text += decoder.push(token);
      const stopAt = firstStop(text, stopStrings);
      if (stopAt !== undefined) {
        text = text.slice(0, stopAt);
        emit(text.length, token);
        finishReason = 'stop-string';
        break;
      }
      // Hold back a tail that could still become a stop string.
      emit(text.length - partialStopLength(text, stopStrings), token);
      if (generated.length >= request.maxTokens) break;
      if (callbacks.signal?.aborted) {
        finishReason = 'cancelled';
        break;
      }
      if (step.cache.length + 1 >= maxContext) {
        finishReason = 'context-full';
        break;
      }
      step = await model.forward([token], step.cache, request.adapter);
      if (callbacks.signal?.aborted) {
        finishReason = 'cancelled';
        break;
      }
    }
  }
  emit(text.length, generated[generated.length - 1] ?? -1);
  const finished = performance.now();
  const decodeSeconds = (finished - firstTokenAt) / 1000;
  return {
    text,
    tokens: generated,
    finishReason,
    stats: {
      promptTokens: prompt.length,
      generatedTokens: generated.length,
      timeToFirstTokenMs: firstTokenAt > 0 ? firstTokenAt - started : 0,
      decodeTokensPerSecond: generated.length > 1 && decodeSeconds > 0 ? (generated.length - 1) / decodeSeconds : 0,
      totalMs: finished - started,
    },
  };
}

function firstStop(text: string, stops: readonly string[]): number | undefined {
  let first: number | undefined;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (first === undefined || at < first)) first = at;
  }
  return first;
}

/** Length of the longest suffix of `text` that is a proper prefix of a stop string. */
function partialStopLength(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let length = Math.min(stop.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(stop.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}
