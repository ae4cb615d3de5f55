/**
 * Exact token counts with a model's own tokenizer (tokenizer.json through @huggingface/tokenizers)
 * and chat template (tokenizer_config.json's chat_template through @huggingface/jinja), for when
 * `tunesmith.model` points at a Hugging Face model folder. Counts are cached per record by the caller.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { templateMessage, templateTools, turnReasoning, type Conversation } from './conversation';
import type { TokenCount, TokenCounter } from './tokens';
import { safeStringify } from './json/safe';
import { findJsonSyntaxError, lineAndColumn } from './json/scanner';
import { fasterTokenizer } from './fasterTokenizer';

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

/** Loads (once per folder) a counter for the model in `folder`; never throws. The error names no setting: the caller says which one named the folder. */
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
  const fail = (reason: string): { ok: false; error: string } => ({ ok: false, error: `cannot load a tokenizer from ${folder}: ${reason}. Token counts are estimates until this is fixed.` });
  const problem = await folderProblem(folder);
  if (problem !== undefined) return fail(problem);
  let tokenizerJson: object;
  const tokenizerText = await fs.readFile(path.join(folder, 'tokenizer.json'), 'utf8');
  try {
    tokenizerJson = JSON.parse(tokenizerText) as object;
  } catch (error) {
    return fail(`tokenizer.json is not valid JSON (${jsonErrorWithPlace(error, tokenizerText)})`);
  }
  const shape = tokenizerShapeProblem(tokenizerJson);
  if (shape !== undefined) return fail(`tokenizer.json is not a tokenizer this version can read: ${shape}`);
  let config: Record<string, unknown> = {};
  let configText: string | undefined;
  try {
    configText = await fs.readFile(path.join(folder, 'tokenizer_config.json'), 'utf8');
  } catch {
    configText = undefined; // optional: the chat template may be in chat_template.jinja
  }
  if (configText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(configText);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('tokenizer_config.json is not a JSON object');
      config = parsed as Record<string, unknown>;
    } catch (error) {
      // Read without it, the chat template and special tokens would be missing: every count off, silently.
      return fail(`tokenizer_config.json is not valid JSON (${jsonErrorWithPlace(error, configText)})`);
    }
  }
  // chat_template is a string, or a list of named templates (Hermes-2-Pro, Cohere): transformers uses
  // "default", and "tool_use" when the conversation offers tools.
  const named = namedTemplates(config.chat_template);
  let templateText = typeof config.chat_template === 'string' ? config.chat_template : named.get('default');
  const toolTemplateText = named.get('tool_use');
  if (templateText === undefined && named.size === 0) {
    try {
      templateText = await fs.readFile(path.join(folder, 'chat_template.jinja'), 'utf8');
    } catch {
      templateText = undefined;
    }
  }
  let encoder: Encoder;
  try {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    encoder = fasterTokenizer(new Tokenizer(tokenizerJson, config)) as unknown as Encoder;
  } catch (error) {
    return fail(`tokenizer.json is not a tokenizer this version can read (${error instanceof Error ? error.message : String(error)})`);
  }
  const templates: { plain?: ChatTemplate; toolUse?: ChatTemplate } = {};
  for (const [key, text, what] of [['plain', templateText, 'its chat template'], ['toolUse', toolTemplateText, 'its "tool_use" chat template']] as const) {
    if (text === undefined) continue;
    try {
      const { Template } = await import('@huggingface/jinja');
      templates[key] = new Template(text);
    } catch (error) {
      return fail(`${what} does not parse (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (named.size > 0 && templates.plain === undefined && templates.toolUse === undefined) return fail(`its chat_template list has no template named "default" or "tool_use" (names: ${[...named.keys()].join(', ')})`);
  const name = path.basename(path.resolve(folder));
  const counter = new ModelCounter(encoder, templates, config, name);
  // A template that fails on the plainest conversation (it raises, or needs tools every time) would
  // leave every count to a fallback: say so once, and count with the labelled estimate instead.
  const probe = counter.probe();
  if (probe !== undefined) return fail(`its chat template fails on a plain user/assistant conversation (${probe})`);
  return { ok: true, counter };
}

/** Why a JSON text does not parse, at which line and column (a tokenizer.json is thousands of lines). */
function jsonErrorWithPlace(error: unknown, text: string): string {
  const found = findJsonSyntaxError(text);
  if (found === null) return error instanceof Error ? error.message : String(error);
  const { line, column } = lineAndColumn(text, found.offset);
  return `${found.message} at line ${line}, column ${column}`;
}

const tokenizerModels = ['BPE', 'WordPiece', 'WordLevel', 'Unigram'];

/**
 * What in a tokenizer.json's model the tokenizers library would reject (it loads some of these and
 * counts wrongly, or fails later with a bare TypeError): an unknown model type, a vocabulary of the
 * wrong shape, BPE without its merges. Undefined when the model looks right.
 */
function tokenizerShapeProblem(json: object): string | undefined {
  const model = (json as { model?: unknown }).model;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) return 'it has no "model" object';
  const { type, vocab, merges } = model as { type?: unknown; vocab?: unknown; merges?: unknown };
  if (type !== undefined && (typeof type !== 'string' || !tokenizerModels.includes(type))) return `its model type ${JSON.stringify(type)} is not one of ${tokenizerModels.join(', ')}`;
  const kind = type ?? (Array.isArray(vocab) ? 'Unigram' : merges !== undefined ? 'BPE' : undefined);
  if (kind === 'Unigram') {
    if (!Array.isArray(vocab) || !vocab.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number')) return 'a Unigram model\'s "vocab" must be a list of [piece, score] pairs';
    return undefined;
  }
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) return `a ${String(kind ?? 'BPE')} model's "vocab" must be an object of token: id`;
  if (kind === 'BPE' && !Array.isArray(merges)) return 'a BPE model needs its "merges" list';
  return undefined;
}

/**
 * Texts longer than this are not tokenized whole: a 50 MB line would take minutes and gigabytes
 * (the tokenizer keeps objects per token). Their count is scaled from this many leading characters
 * and marked as an estimate; such a record is far over any maxTokens either way.
 */
export const exactTokenizeLimit = 1_000_000;

class ModelCounter implements TokenCounter {
  /** Without a chat template, chat examples are estimated: statistics say so. */
  readonly estimated: boolean;
  readonly label: string;

  constructor(
    private readonly encoder: Encoder,
    private readonly templates: { plain?: ChatTemplate; toolUse?: ChatTemplate },
    private readonly config: Record<string, unknown>,
    name: string,
  ) {
    this.template = templates.plain ?? templates.toolUse;
    this.estimated = this.template === undefined;
    // Without a template a chat example cannot be rendered as the trainer renders it: its count is an estimate.
    this.label = `${name} tokenizer${this.template !== undefined ? ' and chat template' : ' without a chat template'}`;
  }

  /** The template for conversations without tools (or the only one there is). */
  private readonly template: ChatTemplate | undefined;

  /** Set while counting a conversation when some text was too long to tokenize whole. */
  private scaled = false;

  private tokens(text: string): number {
    if (text.length <= exactTokenizeLimit) return this.encoder.encode(text, { add_special_tokens: false }).ids.length;
    this.scaled = true;
    const prefix = text.slice(0, exactTokenizeLimit);
    return Math.round((this.encoder.encode(prefix, { add_special_tokens: false }).ids.length * text.length) / prefix.length);
  }

  private messages(conversation: Conversation): Record<string, unknown>[] {
    return conversation.turns.map((turn) => templateMessage(turn, turn.role ?? 'user'));
  }

  private render(conversation: Conversation, messages: Record<string, unknown>[], addGenerationPrompt: boolean): string {
    const tools = templateTools(conversation);
    const template = tools !== undefined && this.templates.toolUse !== undefined ? this.templates.toolUse : this.template;
    if (template === undefined) throw new Error('no chat template');
    // The variables transformers' apply_chat_template passes: every special token, and tools as None when there are none.
    return template.render({ messages, add_generation_prompt: addGenerationPrompt, ...this.specialTokens, tools: tools ?? null, documents: null });
  }

  private get specialTokens(): Record<string, string> {
    const tokens: Record<string, string> = { bos_token: '', eos_token: '' };
    for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token']) {
      const text = tokenText(this.config[key]);
      if (text !== undefined) tokens[key] = text;
    }
    return tokens;
  }

  /** Why the template cannot render a plain user/assistant conversation, or undefined when it can. */
  probe(): string | undefined {
    if (this.template === undefined) return undefined;
    const conversation: Conversation = { shape: 'openai-chat', format: 'openai-chat', turns: [], rejected: undefined, tools: undefined, plainText: false };
    try {
      this.render(conversation, [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi' }], false);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** The end-of-text token plain-text examples end with (as trainers append it). */
  private get eosText(): string {
    return tokenText(this.config.eos_token) ?? '';
  }

  /** Plain text is not templated: the text and the end token, as trainers tokenize it (segments: as written, no end token). */
  private plainText(conversation: Conversation): string {
    if (conversation.shape === 'segments') return conversation.turns.map((turn) => turn.content).join('');
    return conversation.turns.map((turn) => turn.content).join('\n\n') + this.eosText;
  }

  /** Tokens the tokenizer adds around any text on its own (Llama 3's <|begin_of_text|>), as TRL tokenizes plain text. */
  private get addedAroundText(): number {
    this.addedAround ??= this.encoder.encode('', { add_special_tokens: true }).ids.length;
    return this.addedAround;
  }

  private addedAround: number | undefined;

  count(conversation: Conversation): TokenCount {
    this.scaled = false;
    if (conversation.plainText) {
      const total = this.tokens(this.plainText(conversation)) + (conversation.shape === 'segments' ? 0 : this.addedAroundText);
      const trainable = conversation.shape === 'segments' ? conversation.turns.reduce((sum, turn) => sum + (turn.trainable ? this.tokens(turn.content) : 0), 0) : total;
      return { total, trainable, estimated: this.scaled };
    }
    let total: number | undefined;
    let templateError: string | undefined;
    if (this.template !== undefined) {
      try {
        // A prompt-only record (GRPO, RLOO) is rendered as TRL renders it for generation: with the assistant's cue.
        total = this.tokens(this.render(conversation, this.messages(conversation), conversation.shape === 'prompt-only'));
      } catch (error) {
        // The template rejects this conversation (no system role, roles that must alternate): count the parts.
        total = undefined;
        templateError = (error instanceof Error ? error.message : String(error)).slice(0, 300);
      }
    }
    let trainable = 0;
    let parts = 0;
    for (const turn of conversation.turns) {
      // The other turns count only when the template's rendering is missing (tokenizing is most of the time a model takes).
      if (!turn.trainable && total !== undefined) continue;
      const reasoning = turnReasoning(turn);
      const count = this.tokens(turn.content) + (reasoning !== undefined ? this.tokens(reasoning) : 0) + turn.toolCalls.reduce((sum, call) => sum + this.tokens(`${call.name ?? ''}${typeof call.arguments === 'string' ? call.arguments : safeStringify(call.arguments ?? {})}`), 0);
      parts += count + 4;
      if (turn.trainable) trainable += count + 1; // + end-of-turn token
    }
    // Without the template's rendering the total is the parts' count plus a guess at the markup: an estimate.
    const count: TokenCount = { total: total ?? parts, trainable, estimated: this.scaled || total === undefined };
    if (templateError !== undefined) count.templateError = templateError;
    return count;
  }

  /**
   * Trained tokens left when the example is cut at `maxTokens`. Each answer's tokens are found as
   * TRL's assistant-only mask finds them: from the end of the prompt rendered with the generation
   * prompt (the role cue the model is given) to the start of the next message in the full rendering
   * (the answer, its end-of-turn token and the separator the template writes after it; the last
   * answer also keeps what the template appends at the very end, such as Phi-3's end-of-text token).
   * Plain text trains on every token. Undefined without a template, or when a template renders an
   * answer so differently that it cannot be located (the caller then estimates per turn).
   */
  trainableAfterTruncation(conversation: Conversation, maxTokens: number): number | undefined {
    if (conversation.plainText) return this.plainTrainable(conversation, maxTokens);
    if (this.template === undefined) return undefined;
    const messages = this.messages(conversation);
    let trainable = 0;
    try {
      const full = this.render(conversation, messages, false);
      // A token of the full rendering is trained when it starts inside an answer's span (a token that
      // joins the cue's newline to the answer's own belongs to the cue). Where the span's end is only
      // where two renderings stop agreeing (inside "<|" shared by two special tokens), the token
      // across it is not the answer's.
      const fullIds = full.length <= exactTokenizeLimit ? this.encoder.encode(full, { add_special_tokens: false }).ids : undefined;
      const startingBefore = (offset: number, takeStraddling: boolean): number => {
        if (fullIds === undefined) return this.tokens(full.slice(0, offset));
        const ids = this.encoder.encode(full.slice(0, offset), { add_special_tokens: false }).ids;
        let count = 0;
        while (count < ids.length && ids[count] === fullIds[count]) count++;
        return count < ids.length && takeStraddling ? count + 1 : count;
      };
      for (let index = 0; index < conversation.turns.length; index++) {
        if (conversation.turns[index]?.trainable !== true) continue;
        const span = this.answerSpan(conversation, messages, index, full);
        if (span === undefined) return undefined;
        const start = startingBefore(span.start, true);
        if (start >= maxTokens) break; // every later answer starts later still
        trainable += Math.max(0, Math.min(startingBefore(span.end, span.endIsAnswer), maxTokens) - start);
      }
    } catch {
      return undefined;
    }
    return trainable;
  }

  private plainTrainable(conversation: Conversation, maxTokens: number): number {
    if (conversation.shape !== 'segments') return Math.min(this.count(conversation).total, maxTokens);
    let text = '';
    let trainable = 0;
    for (const turn of conversation.turns) {
      const start = turn.trainable ? this.tokens(text) : 0;
      text += turn.content;
      if (!turn.trainable) continue;
      if (start >= maxTokens) break;
      trainable += Math.max(0, Math.min(this.tokens(text), maxTokens) - start);
    }
    return trainable;
  }

  /**
   * Where answer `index` lies in `full` (character offsets), or undefined when it cannot be told.
   * `endIsAnswer` is false when the end is only where two renderings stop agreeing.
   */
  private answerSpan(conversation: Conversation, messages: Record<string, unknown>[], index: number, full: string): { start: number; end: number; endIsAnswer: boolean } | undefined {
    const last = index === messages.length - 1;
    const prompt = this.render(conversation, messages.slice(0, index), true);
    // The answer as the template writes it when it ends the conversation (its lead-in, text and end of turn).
    const through = last ? full : this.render(conversation, messages.slice(0, index + 1), false);
    const written = through.startsWith(prompt) ? through.slice(prompt.length) : undefined;
    if (full.startsWith(prompt)) {
      if (last) return { start: prompt.length, end: full.length, endIsAnswer: true };
      if (written === undefined) return undefined;
      // Later messages may change how this answer is written (Qwen3 drops the empty think block of
      // earlier answers, Phi-3 writes its end-of-text token only after the last message): the answer
      // is the longest run of the full rendering that matches its own rendering, possibly without a
      // lead-in the template leaves out.
      const match = matchWithoutLead(full, prompt.length, written);
      if (match.whole) return { start: prompt.length, end: prompt.length + match.length, endIsAnswer: true };
      // Its text differs too (Qwen3 strips an answer's leading newlines only when it comes last): locate it.
      return this.locatedSpan(conversation, messages, index, full, prompt, through) ?? { start: prompt.length, end: prompt.length + match.length, endIsAnswer: false };
    }
    // The template rewrites earlier messages (Mistral writes the system prompt into the last user
    // message only; Qwen3 adds a think block to an answer that ends the prompt): locate the answer.
    return this.locatedSpan(conversation, messages, index, full, prompt, through);
  }

  /** The answer's span found from its text: back to the role cue before it, on to its end of turn. */
  private locatedSpan(conversation: Conversation, messages: Record<string, unknown>[], index: number, full: string, prompt: string, through: string): { start: number; end: number; endIsAnswer: boolean } | undefined {
    const last = index === messages.length - 1;
    const inFull = this.locateContent(conversation, messages, index, full);
    const inOwn = this.locateContent(conversation, messages.slice(0, index + 1), index, through);
    if (inFull === undefined || inOwn === undefined) return undefined;
    // The role cue is what the generation prompt adds; the answer starts after its last occurrence before the text.
    const bare = index === 0 ? '' : this.render(conversation, messages.slice(0, index), false);
    const cue = prompt.startsWith(bare) ? prompt.slice(bare.length) : '';
    const cueAt = cue.length > 0 ? full.lastIndexOf(cue, inFull.start - cue.length) : -1;
    let start: number;
    if (cueAt >= 0) start = cueAt + cue.length;
    else {
      // No cue (Mistral's answer follows [/INST]): keep the lead-in the template writes before the text (its space).
      const written = through.startsWith(prompt) ? through.slice(prompt.length, inOwn.start) : undefined;
      const lead = written ?? (/\s*$/.exec(through.slice(0, inOwn.start))?.[0] ?? '');
      start = lead.length > 0 && full.slice(inFull.start - lead.length, inFull.start) === lead ? inFull.start - lead.length : inFull.start;
    }
    if (last) return { start, end: full.length, endIsAnswer: true };
    const tail = through.slice(inOwn.end);
    const matched = commonPrefixLength(full, inFull.end, tail);
    return { start, end: inFull.end + matched, endIsAnswer: matched === tail.length };
  }

  /** Where message `index`'s content lies in `rendered` (the rendering of `messages`), found with marker characters around it. */
  private locateContent(conversation: Conversation, messages: Record<string, unknown>[], index: number, rendered: string): { start: number; end: number } | undefined {
    const content = messages[index]?.content;
    if (typeof content !== 'string' || content.length === 0 || content.includes(markerStart) || content.includes(markerEnd)) return undefined;
    const marked = messages.slice();
    marked[index] = { ...marked[index], content: `${markerStart}${content}${markerEnd}` };
    const text = this.render(conversation, marked, false);
    const start = text.indexOf(markerStart);
    const after = text.indexOf(markerEnd) + markerEnd.length;
    if (start < 0 || after < markerEnd.length || text.indexOf(markerStart, start + 1) >= 0) return undefined;
    const end = rendered.length - (text.length - after);
    if (end < start || rendered.slice(0, start) !== text.slice(0, start) || rendered.slice(end) !== text.slice(after)) return undefined;
    return { start, end };
  }
}

/** Private-use characters no real answer starts or ends with. */
const markerStart = '\uE000';
const markerEnd = '\uE001';

/** Length of the common prefix of `text.slice(from)` and `other`. */
function commonPrefixLength(text: string, from: number, other: string): number {
  let length = 0;
  while (length < other.length && from + length < text.length && text.charCodeAt(from + length) === other.charCodeAt(length)) length++;
  return length;
}

/**
 * How much of `text` from `from` is the answer `written`, allowing the template to leave out a
 * lead-in of `written` (the longest match over the places `written` could resume from); `whole`
 * when the match runs to the end of `written`.
 */
function matchWithoutLead(text: string, from: number, written: string): { length: number; whole: boolean } {
  let best = commonPrefixLength(text, from, written);
  if (best === written.length) return { length: best, whole: true };
  const probe = text.slice(from, from + 8);
  let whole = false;
  if (probe.length > 0) {
    for (let at = written.indexOf(probe, 1); at > 0; at = written.indexOf(probe, at + 1)) {
      const length = commonPrefixLength(text, from, written.slice(at));
      if (length > best) {
        best = length;
        whole = length === written.length - at;
      }
    }
  }
  return { length: best, whole };
}

/** The named templates of a chat_template list ([{name, template}]), empty for anything else. */
function namedTemplates(value: unknown): Map<string, string> {
  const named = new Map<string, string>();
  if (!Array.isArray(value)) return named;
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, template } = entry as { name?: unknown; template?: unknown };
    if (typeof name === 'string' && typeof template === 'string') named.set(name, template);
  }
  return named;
}
