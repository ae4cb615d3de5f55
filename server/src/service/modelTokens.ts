/**
 * Exact token counts with a model's own tokenizer (tokenizer.json through @huggingface/tokenizers)
 * and chat template (tokenizer_config.json's chat_template through @huggingface/jinja), for when
 * `tunesmith.model` points at a Hugging Face model folder. Counts are cached per record by the caller.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Conversation } from './conversation';
import type { TokenCount, TokenCounter } from './tokens';
import { safeStringify } from './json/safe';

interface Encoder {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
}
interface ChatTemplate {
  render(items: Record<string, unknown>): string;
}

const loaded = new Map<string, Promise<{ ok: true; counter: TokenCounter } | { ok: false; error: string }>>();

function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

/** Loads (once per folder) a counter for the model in `folder`; never throws. */
export function modelTokenCounter(folder: string): Promise<{ ok: true; counter: TokenCounter } | { ok: false; error: string }> {
  let promise = loaded.get(folder);
  if (promise === undefined) {
    promise = load(folder);
    loaded.set(folder, promise);
  }
  return promise;
}

async function load(folder: string): Promise<{ ok: true; counter: TokenCounter } | { ok: false; error: string }> {
  try {
    const tokenizerJson = JSON.parse(await fs.readFile(path.join(folder, 'tokenizer.json'), 'utf8')) as object;
    let config: Record<string, unknown> = {};
    try {
      config = JSON.parse(await fs.readFile(path.join(folder, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      config = {};
    }
    let templateText = typeof config.chat_template === 'string' ? config.chat_template : undefined;
    if (templateText === undefined) {
      try {
        templateText = await fs.readFile(path.join(folder, 'chat_template.jinja'), 'utf8');
      } catch {
        templateText = undefined;
      }
    }
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const encoder = new Tokenizer(tokenizerJson, config) as unknown as Encoder;
    let template: ChatTemplate | undefined;
    if (templateText !== undefined) {
      const { Template } = await import('@huggingface/jinja');
      template = new Template(templateText);
    }
    const name = path.basename(path.resolve(folder));
    return { ok: true, counter: new ModelCounter(encoder, template, config, name) };
  } catch (error) {
    return { ok: false, error: `tunesmith.model: cannot load a tokenizer from ${folder} (${error instanceof Error ? error.message : String(error)}); token counts are estimates.` };
  }
}

class ModelCounter implements TokenCounter {
  readonly estimated = false;
  readonly label: string;

  constructor(
    private readonly encoder: Encoder,
    private readonly template: ChatTemplate | undefined,
    private readonly config: Record<string, unknown>,
    name: string,
  ) {
    this.label = `${name} tokenizer${template !== undefined ? ' and chat template' : ''}`;
  }

  private tokens(text: string): number {
    return this.encoder.encode(text, { add_special_tokens: false }).ids.length;
  }

  count(conversation: Conversation): TokenCount {
    const messages = conversation.turns.map((turn) => {
      const message: Record<string, unknown> = { role: turn.role ?? 'user', content: turn.content };
      if (turn.toolCalls.length > 0) {
        message.tool_calls = turn.toolCalls.map((call) => ({ type: 'function', id: call.id, function: { name: call.name ?? '', arguments: typeof call.arguments === 'string' ? safeParse(call.arguments) : (call.arguments ?? {}) } }));
      }
      return message;
    });
    let total: number | undefined;
    if (this.template !== undefined) {
      try {
        const tools = conversation.tools !== undefined ? (typeof conversation.tools.value === 'string' ? safeParse(conversation.tools.value) : conversation.tools.value) : undefined;
        const rendered = this.template.render({ messages, add_generation_prompt: false, bos_token: tokenText(this.config.bos_token) ?? '', eos_token: tokenText(this.config.eos_token) ?? '', ...(Array.isArray(tools) ? { tools } : {}) });
        total = this.tokens(rendered);
      } catch {
        total = undefined; // the template rejects this conversation (e.g. no system role): count the parts
      }
    }
    let trainable = 0;
    let parts = 0;
    for (const turn of conversation.turns) {
      const count = this.tokens(turn.content) + turn.toolCalls.reduce((sum, call) => sum + this.tokens(`${call.name ?? ''}${typeof call.arguments === 'string' ? call.arguments : safeStringify(call.arguments ?? {})}`), 0);
      parts += count + 4;
      if (turn.trainable) trainable += count + 1; // + end-of-turn token
    }
    return { total: total ?? parts, trainable, estimated: false };
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
