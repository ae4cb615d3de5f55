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
    // A failure is not kept: once the user adds the missing tokenizer.json, the next load (the
    // server reloads on any settings or config file change) finds it without a restart.
    void promise.then((result) => {
      if (!result.ok && loaded.get(folder) === promise) loaded.delete(folder);
    });
  }
  return promise;
}

/** Why `folder` cannot be a model folder, in words, or undefined when it has a tokenizer.json. */
async function folderProblem(folder: string): Promise<string | undefined> {
  let stat;
  try {
    stat = await fs.stat(folder);
  } catch {
    return 'no such folder';
  }
  if (!stat.isDirectory()) return 'it is a file, not a folder (give the model folder that holds tokenizer.json)';
  try {
    await fs.access(path.join(folder, 'tokenizer.json'));
  } catch {
    return 'the folder has no tokenizer.json (a Hugging Face model folder has tokenizer.json and tokenizer_config.json)';
  }
  return undefined;
}

async function load(folder: string): Promise<{ ok: true; counter: TokenCounter } | { ok: false; error: string }> {
  const fail = (reason: string): { ok: false; error: string } => ({ ok: false, error: `tunesmith.model: cannot load a tokenizer from ${folder}: ${reason}. Token counts are estimates until this is fixed.` });
  const problem = await folderProblem(folder);
  if (problem !== undefined) return fail(problem);
  let tokenizerJson: object;
  try {
    tokenizerJson = JSON.parse(await fs.readFile(path.join(folder, 'tokenizer.json'), 'utf8')) as object;
  } catch (error) {
    return fail(`tokenizer.json is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
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
  let encoder: Encoder;
  try {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    encoder = new Tokenizer(tokenizerJson, config) as unknown as Encoder;
  } catch (error) {
    return fail(`tokenizer.json is not a tokenizer this version can read (${error instanceof Error ? error.message : String(error)})`);
  }
  let template: ChatTemplate | undefined;
  if (templateText !== undefined) {
    try {
      const { Template } = await import('@huggingface/jinja');
      template = new Template(templateText);
    } catch (error) {
      return fail(`its chat template does not parse (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const name = path.basename(path.resolve(folder));
  return { ok: true, counter: new ModelCounter(encoder, template, config, name) };
}

/**
 * Texts longer than this are not tokenized whole: a 50 MB line would take minutes and gigabytes
 * (the tokenizer keeps objects per token). Their count is scaled from this many leading characters
 * and marked as an estimate; such a record is far over any maxTokens either way.
 */
export const exactTokenizeLimit = 1_000_000;

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

  /** Set while counting a conversation when some text was too long to tokenize whole. */
  private scaled = false;

  private tokens(text: string): number {
    if (text.length <= exactTokenizeLimit) return this.encoder.encode(text, { add_special_tokens: false }).ids.length;
    this.scaled = true;
    const prefix = text.slice(0, exactTokenizeLimit);
    return Math.round((this.encoder.encode(prefix, { add_special_tokens: false }).ids.length * text.length) / prefix.length);
  }

  private messages(conversation: Conversation): Record<string, unknown>[] {
    return conversation.turns.map((turn) => {
      const message: Record<string, unknown> = { role: turn.role ?? 'user', content: turn.content };
      if (turn.toolCalls.length > 0) {
        message.tool_calls = turn.toolCalls.map((call) => ({ type: 'function', id: call.id, function: { name: call.name ?? '', arguments: typeof call.arguments === 'string' ? safeParse(call.arguments) : (call.arguments ?? {}) } }));
      }
      return message;
    });
  }

  private render(conversation: Conversation, messages: Record<string, unknown>[], addGenerationPrompt: boolean): string {
    if (this.template === undefined) throw new Error('no chat template');
    const tools = conversation.tools !== undefined ? (typeof conversation.tools.value === 'string' ? safeParse(conversation.tools.value) : conversation.tools.value) : undefined;
    return this.template.render({ messages, add_generation_prompt: addGenerationPrompt, bos_token: tokenText(this.config.bos_token) ?? '', eos_token: tokenText(this.config.eos_token) ?? '', ...(Array.isArray(tools) ? { tools } : {}) });
  }

  count(conversation: Conversation): TokenCount {
    this.scaled = false;
    let total: number | undefined;
    if (this.template !== undefined) {
      try {
        total = this.tokens(this.render(conversation, this.messages(conversation), false));
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
    return { total: total ?? parts, trainable, estimated: this.scaled };
  }

  /**
   * Trained tokens left when the rendered example is cut at `maxTokens`, found as trainers find the
   * answer's tokens: an answer spans from the end of the prompt before it (rendered with the
   * generation prompt) to the end of the conversation up to it. Undefined without a template, or
   * when the template rejects a prefix (the caller then estimates per turn).
   */
  trainableAfterTruncation(conversation: Conversation, maxTokens: number): number | undefined {
    if (this.template === undefined) return undefined;
    const messages = this.messages(conversation);
    let trainable = 0;
    try {
      for (let index = 0; index < conversation.turns.length; index++) {
        if (conversation.turns[index]?.trainable !== true) continue;
        const start = this.tokens(this.render(conversation, messages.slice(0, index), true));
        if (start >= maxTokens) break; // every later answer starts later still
        const end = this.tokens(this.render(conversation, messages.slice(0, index + 1), false));
        trainable += Math.max(0, Math.min(end, maxTokens) - start);
      }
    } catch {
      return undefined;
    }
    return trainable;
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
