/**
 * Text <-> token ids through @huggingface/tokenizers, and chat prompts through the model's own
 * chat template (tokenizer_config.json "chat_template", or chat_template.jinja) rendered with
 * @huggingface/jinja, the way transformers' apply_chat_template does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fasterTokenizer } from '../../../server/src/service/fasterTokenizer';

// Both packages' type definitions are ES modules; they are loaded once with import().
type TokenizersModule = typeof import('@huggingface/tokenizers', { with: { 'resolution-mode': 'import' } });
type JinjaModule = typeof import('@huggingface/jinja', { with: { 'resolution-mode': 'import' } });
type Tokenizer = InstanceType<TokenizersModule['Tokenizer']>;
type Template = InstanceType<JinjaModule['Template']>;

let textModules: Promise<{ tokenizers: TokenizersModule; jinja: JinjaModule }> | undefined;
function loadTextModules(): Promise<{ tokenizers: TokenizersModule; jinja: JinjaModule }> {
  textModules ??= Promise.all([import('@huggingface/tokenizers'), import('@huggingface/jinja')]).then(([tokenizers, jinja]) => ({ tokenizers, jinja }));
  return textModules;
}

export interface ChatMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}

export class TokenizerError extends Error {}

function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly template: Template | undefined;
  /** A chat_template list's "tool_use" template, which transformers renders when tools are passed. */
  private readonly toolUseTemplate: Template | undefined;
  readonly chatTemplate: string | undefined;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;

  /** Loads the tokenizer libraries (once) and builds a tokenizer for a model's files. */
  static async create(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>, modelDir?: string): Promise<TextTokenizer> {
    const modules = await loadTextModules();
    return new TextTokenizer(modules, tokenizerJson, tokenizerConfig, modelDir);
  }

  private constructor(
    modules: { tokenizers: TokenizersModule; jinja: JinjaModule },
    tokenizerJson: Record<string, unknown>,
    private readonly tokenizerConfig: Record<string, unknown>,
    modelDir?: string,
  ) {
    try {
      this.tokenizer = fasterTokenizer(new modules.tokenizers.Tokenizer(tokenizerJson, tokenizerConfig));
    } catch (error) {
      throw new TokenizerError(`tokenizer.json could not be loaded: ${(error as Error).message}`);
    }
    this.bosToken = tokenText(tokenizerConfig['bos_token']);
    this.eosToken = tokenText(tokenizerConfig['eos_token']);
    let chatTemplate = tokenizerConfig['chat_template'];
    let toolUse: string | undefined;
    if (Array.isArray(chatTemplate)) {
      // Named templates: [{ name: 'default', template }, ...]
      const named = chatTemplate as { name?: string; template?: string }[];
      toolUse = named.find((t) => t.name === 'tool_use' && typeof t.template === 'string')?.template;
      chatTemplate = (named.find((t) => t.name === 'default') ?? named[0])?.template;
    }
    if (typeof chatTemplate !== 'string' && modelDir !== undefined) {
      const file = path.join(modelDir, 'chat_template.jinja');
      if (fs.existsSync(file)) chatTemplate = fs.readFileSync(file, 'utf8');
    }
    this.chatTemplate = typeof chatTemplate === 'string' ? chatTemplate : undefined;
    if (this.chatTemplate !== undefined) {
      try {
        this.template = new modules.jinja.Template(this.chatTemplate);
      } catch (error) {
        throw new TokenizerError(`the chat template could not be parsed: ${(error as Error).message}`);
      }
    }
    try {
      this.toolUseTemplate = toolUse !== undefined ? new modules.jinja.Template(toolUse) : undefined;
    } catch (error) {
      throw new TokenizerError(`the "tool_use" chat template could not be parsed: ${(error as Error).message}`);
    }
  }

  encode(text: string, addSpecialTokens = false): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  decode(ids: readonly number[], skipSpecialTokens = true): string {
    if (ids.length === 0) return '';
    return this.tokenizer.decode([...ids], { skip_special_tokens: skipSpecialTokens });
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** Renders messages with the chat template; `addGenerationPrompt` opens the assistant's turn. */
  applyChatTemplate(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean; extra?: Record<string, unknown> } = {}): string {
    const template = options.extra?.['tools'] !== undefined && options.extra['tools'] !== null ? (this.toolUseTemplate ?? this.template) : this.template;
    if (template === undefined) throw new TokenizerError('this model has no chat template (tokenizer_config.json "chat_template"); pass a plain prompt instead');
    try {
      return template.render({
        messages,
        add_generation_prompt: options.addGenerationPrompt ?? true,
        bos_token: this.bosToken ?? '',
        eos_token: this.eosToken ?? '',
        ...options.extra,
      });
    } catch (error) {
      throw new TokenizerError(`the chat template failed on these messages: ${(error as Error).message}`);
    }
  }

  /** Token ids that end generation: generation_config's eos ids plus the tokenizer's eos token. */
  endTokenIds(generationEos: readonly number[]): Set<number> {
    const ids = new Set(generationEos);
    if (this.eosToken !== undefined) {
      const id = this.tokenId(this.eosToken);
      if (id !== undefined) ids.add(id);
    }
    return ids;
  }

  get config(): Record<string, unknown> {
    return this.tokenizerConfig;
  }
}

/**
 * Streams text as tokens arrive without splitting multi-byte characters: decodes a small window
 * (previous token(s) + new ones) and emits only what was added once it is valid text.
 */
export class StreamingDecoder {
  private readonly ids: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;

  constructor(private readonly tokenizer: TextTokenizer) {}

  /** Adds a token; returns the newly completed text ('' while a character is still incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const prefixText = this.tokenizer.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const newText = this.tokenizer.decode(this.ids.slice(this.prefixOffset));
    if (newText.length > prefixText.length && !newText.endsWith('\uFFFD')) {
      const delta = newText.slice(prefixText.length);
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      return delta;
    }
    return '';
  }
}
