/**
 * The data pipeline: dataset files -> the language service's canonical conversations (the same parser
 * and linter the editor uses; records it rejects with an error are skipped and reported) -> the
 * model's own chat template -> token ids with a per-token loss weight.
 *
 * Which tokens carry loss: assistant turns by default ('assistant'), every turn ('all'), or only the
 * last assistant turn ('last-assistant'); a turn's `weight` scales its tokens (0 excludes it).
 * Each turn's span in the rendered text is found by rendering the conversation up to that turn (the
 * way transformers finds assistant masks); templates that rewrite earlier turns fall back to locating
 * the turn's content in the rendered text.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainingDataReport, TrainingLabelMode } from '../../../protocol/messages';
import { templateMessage, templateTools, type Conversation, type Turn } from '../../../server/src/service/conversation';
import { DatasetDocument } from '../../../server/src/service/document';
import { lintDocument } from '../../../server/src/service/linter';
import { analyseRecord } from '../../../server/src/service/analysis';
import { defaultSettings, resolveSettings, type LintSettings } from '../../../server/src/service/config';
import { datasetInfoFor, findConfigFile } from '../../../server/src/service/configFile';
import type { ChatMessage, TextTokenizer } from '../generate/tokenizer';
import type { TokenizedExample } from './batching';
import { SeededRandom } from './random';

export interface DataOptions {
  labels: TrainingLabelMode;
  maxLength: number;
  overLength: 'drop' | 'truncate';
  /** Fraction of the training records held out for evaluation (ignored when evalFiles are given). */
  evalSplit: number;
  evalFiles: readonly string[];
  seed: number;
}

export interface PreparedData {
  train: TokenizedExample[];
  eval: TokenizedExample[];
  report: TrainingDataReport;
  fingerprint: string;
}

export class DataError extends Error {}

/** A conversation ready for tokenizing, with where it came from. */
interface SourceRecord {
  file: string;
  /** 1-based line of the record's start. */
  line: number;
  conversation: Conversation;
}

/** Reads and lints one file; returns the records the linter accepts and reports the others. */
export function readDatasetRecords(file: string, report: TrainingDataReport): SourceRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const kind = file.toLowerCase().endsWith('.json') ? 'json' : 'jsonl';
  // A LLaMA-Factory dataset_info.json beside the file names its columns and role tags, as the linter reads them.
  const { hint } = datasetInfoFor(file);
  const document = DatasetDocument.parse(text, kind, 0, hint);
  if (!document.isDataset) throw new DataError(`${file} is not a dataset (a JSON file must be an array of records)`);
  const unreadable = document.problems.find((p) => p.rule === 'unreadable-file');
  if (unreadable !== undefined) throw new DataError(`${file}: ${unreadable.message}`);
  const uri = `file://${path.resolve(file)}`;
  const lint = lintDocument(document, uri, lintSettingsFor(file), hint !== undefined ? { hint } : {});
  // The linter's errors decide which records are invalid, exactly as the editor shows them.
  const reasons = new Map<number, string>();
  for (const diagnostic of lint.diagnostics) {
    if (diagnostic.severity !== 'error' || diagnostic.recordIndex === undefined) continue;
    if (!reasons.has(diagnostic.recordIndex)) reasons.set(diagnostic.recordIndex, `${diagnostic.rule}: ${diagnostic.message}`);
  }
  const records: SourceRecord[] = [];
  for (const record of document.records) {
    const line = record.line + 1;
    const reason = reasons.get(record.index);
    const analysis = reason === undefined ? analyseRecord(record, lint.facts) : undefined;
    if (reason !== undefined || analysis === undefined) {
      report.invalid.push({ file, line, reason: reason ?? 'the record could not be read as a conversation' });
      continue;
    }
    if (isUndesirable(record.value, lint.facts.hint.mapping.columns.kto_tag)) {
      report.invalid.push({ file, line, reason: `KTO label false: an undesirable completion, which supervised training would teach, so it is left out (for KTO training, export a recipe: tunesmith export-recipe)` });
      continue;
    }
    records.push({ file, line, conversation: analysis.conversation });
  }
  report.files.push({ path: file, records: document.records.length, format: lint.facts.format });
  return records;
}

/**
 * The settings of the tunesmith.json that applies to the file (looked up from its folder), so a rule the user
 * turned off (or raised to an error) and a forced format decide here as in the editor. Not its length limit or
 * model: the trainer has its own limit, counted exactly. A config file that does not parse stops the run (as
 * it stops `tunesmith lint`): training on records its rules would reject cannot be undone.
 */
function lintSettingsFor(file: string): LintSettings {
  const config = findConfigFile(path.dirname(path.resolve(file)));
  if (config?.error !== undefined) throw new DataError(config.error);
  const configured = config === undefined ? defaultSettings : resolveSettings(config.data).settings;
  return { ...configured, maxTokens: defaultSettings.maxTokens, model: null, maxProblems: 0 };
}

/** A KTO example marked undesirable: `"label": false` (TRL, Axolotl) or a false LLaMA-Factory `kto_tag` column. */
function isUndesirable(value: unknown, ktoTagColumn: string | undefined): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return (value as Record<string, unknown>)[ktoTagColumn ?? 'label'] === false;
}

function toMessage(turn: Turn): ChatMessage {
  return templateMessage(turn, turn.role ?? turn.writtenRole);
}

/** Loss weight of each turn under the label mode. */
export function turnWeights(turns: readonly Turn[], mode: TrainingLabelMode): number[] {
  const weightOf = (turn: Turn): number => (turn.role === 'assistant' ? (turn.trainable ? (turn.weight ?? 1) : 0) : 1);
  if (mode === 'all') return turns.map(weightOf);
  const assistant = turns.map((turn) => (turn.role === 'assistant' && turn.trainable ? (turn.weight ?? 1) : 0));
  if (mode === 'assistant') return assistant;
  let last = -1;
  assistant.forEach((w, i) => {
    if (w > 0) last = i;
  });
  return assistant.map((w, i) => (i === last ? w : 0));
}

interface Span {
  start: number;
  end: number;
  weight: number;
}

/**
 * The rendered conversation and the character spans that carry loss. Span i covers turn i's part of
 * the rendering (for assistant turns: the answer and its end-of-turn token, without the role header).
 */
export function renderWithSpans(tokenizer: TextTokenizer, turns: readonly Turn[], weights: readonly number[], tools: unknown): { text: string; spans: Span[] } {
  const extra = tools !== undefined ? { tools } : {};
  const messages = turns.map(toMessage);
  const render = (count: number, addGenerationPrompt: boolean): string | undefined => {
    if (count === 0 && !addGenerationPrompt) return '';
    try {
      return tokenizer.applyChatTemplate(messages.slice(0, count), { addGenerationPrompt, extra });
    } catch {
      return undefined;
    }
  };
  const text = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: false, extra });
  const spans: Span[] = [];
  let searchFrom = 0;
  // Where the last trained span ends: a later span must start after it. An untrained turn found only by its text
  // (a tool result the template drops, whose words a later answer repeats) does not hold a later answer back.
  let claimed = 0;
  for (let i = 0; i < turns.length; i++) {
    const weight = weights[i]!;
    const isAssistant = turns[i]!.role === 'assistant';
    const before = render(i, isAssistant);
    const through = render(i + 1, false);
    let start: number;
    let end: number;
    const content = turns[i]!.content;
    const follows = before !== undefined && through !== undefined && through.startsWith(before) && text.startsWith(before) && before.length >= claimed;
    // A template may close the conversation after its last message (Phi-3 writes eos_token there): an earlier turn
    // is followed by the next message instead.
    const eos = tokenizer.eosToken;
    const open = through !== undefined && eos !== undefined && !text.startsWith(through) && through.endsWith(eos) ? through.slice(0, -eos.length) : through;
    if (follows && open !== undefined && text.startsWith(open) && open.length >= before.length) {
      start = before.length;
      end = open.length;
    } else if (follows && content.length === 0 && turns[i]!.toolCalls.length > 0 && eos !== undefined && text.includes(eos, before.length)) {
      // Tool calls only, rendered differently as the last message (Qwen3's empty think block): up to the end-of-turn token.
      start = before.length;
      end = text.indexOf(eos, start) + eos.length;
    } else {
      // The template rewrites earlier turns (e.g. drops reasoning): find this turn's text instead.
      const found = content.length > 0 ? text.indexOf(content, searchFrom) : -1;
      if (found < 0) {
        if (weight > 0) throw new DataError(`the chat template does not reproduce turn ${i + 1} verbatim, so its tokens cannot be located`);
        continue;
      }
      start = found;
      end = found + content.length;
      // Keep the lead-in a cue-less template writes before the answer (Mistral's space after [/INST]), so the
      // answer tokenizes as the model writes it after the prompt (" Paris", not " " + "Paris").
      const bare = render(i, false);
      if (isAssistant && before !== undefined && bare !== undefined && before === bare && through !== undefined) {
        const ownAt = through.lastIndexOf(content);
        const lead = ownAt >= 0 ? (/\s*$/.exec(through.slice(0, ownAt))?.[0] ?? '') : '';
        if (lead.length > 0 && found - lead.length >= claimed && text.slice(found - lead.length, found) === lead) start = found - lead.length;
      }
      // Include the end-of-turn token, which the model must learn to emit.
      if (tokenizer.eosToken !== undefined) {
        const eos = text.indexOf(tokenizer.eosToken, end);
        if (eos >= 0 && text.slice(end, eos).trim() === '') end = eos + tokenizer.eosToken.length;
      }
    }
    if (isAssistant && tokenizer.eosToken !== undefined) {
      // Stop after the end-of-turn token: the newline the template writes after it is not the answer.
      const eos = text.indexOf(tokenizer.eosToken, start);
      if (eos >= 0 && eos + tokenizer.eosToken.length < end) end = eos + tokenizer.eosToken.length;
    }
    searchFrom = end;
    if (weight > 0 && end > start) {
      spans.push({ start, end, weight });
      claimed = end;
    }
  }
  return { text, spans };
}

/**
 * Tokenizes the rendered text as a whole (as transformers/TRL do, and as the model reads it at generation) and
 * gives each token the weight of the span it starts in. A token that straddles a span's start (Qwen's "\n\n\n"
 * joining the role cue's newline to an answer's leading newlines) belongs to the text before it, as in TRL's mask.
 */
export function tokenizeWithSpans(tokenizer: TextTokenizer, text: string, spans: readonly Span[]): { tokens: number[]; targetWeights: number[] } {
  const tokens = tokenizer.encode(text, true);
  // Usually the pieces tokenize exactly as the whole (span edges at special tokens): their weights are exact.
  const pieces = tokenizePieces(tokenizer, text, spans);
  if (pieces.tokens.length === tokens.length && pieces.tokens.every((id, t) => id === tokens[t])) return pieces;
  const targetWeights = tokens.map(() => 0);
  // How many tokens of the whole text start before `offset`: those the prefix's own encoding agrees on, plus one
  // that runs across the offset.
  const startingBefore = (offset: number): number => {
    if (offset <= 0) return 0;
    if (offset >= text.length) return tokens.length;
    const prefix = tokenizer.encode(text.slice(0, offset), false);
    let agreed = 0;
    while (agreed < prefix.length && agreed < tokens.length && prefix[agreed] === tokens[agreed]) agreed++;
    return agreed < prefix.length ? agreed + 1 : agreed;
  };
  for (const span of spans) {
    const first = startingBefore(span.start);
    const end = startingBefore(span.end);
    for (let t = first; t < end; t++) targetWeights[t] = span.weight;
  }
  return { tokens, targetWeights };
}

/** Tokenizes the text piece by piece, each span and gap on its own (Axolotl's template-free segments). */
function tokenizePieces(tokenizer: TextTokenizer, text: string, spans: readonly Span[]): { tokens: number[]; targetWeights: number[] } {
  const tokens: number[] = [];
  const targetWeights: number[] = [];
  let at = 0;
  const push = (piece: string, weight: number): void => {
    if (piece.length === 0) return;
    for (const id of tokenizer.encode(piece, false)) {
      tokens.push(id);
      targetWeights.push(weight);
    }
  };
  for (const span of spans) {
    push(text.slice(at, span.start), 0);
    push(text.slice(span.start, span.end), span.weight);
    at = span.end;
  }
  push(text.slice(at), 0);
  return { tokens, targetWeights };
}

/**
 * Plain-text records: every token trains, followed by the end-of-text token when there is one.
 * Template-free segments (Axolotl input_output) are joined exactly as written, with no end token
 * added (the author writes every token), and only the segments labelled true train.
 */
function tokenizePlainText(tokenizer: TextTokenizer, conversation: Conversation): { tokens: number[]; targetWeights: number[] } {
  if (conversation.shape === 'segments') {
    let text = '';
    const spans: Span[] = [];
    for (const turn of conversation.turns) {
      if (turn.trainable && turn.content.length > 0) spans.push({ start: text.length, end: text.length + turn.content.length, weight: 1 });
      text += turn.content;
    }
    return tokenizePieces(tokenizer, text, spans);
  }
  const text = conversation.turns.map((t) => t.content).join('\n\n') + (tokenizer.eosToken ?? '');
  // With the tokens the tokenizer adds around any text (Llama 3's <|begin_of_text|>), as TRL tokenizes text and the linter counts it.
  const tokens = tokenizer.encode(text, true);
  return { tokens, targetWeights: tokens.map(() => 1) };
}

export function tokenizeConversation(tokenizer: TextTokenizer, conversation: Conversation, mode: TrainingLabelMode): { tokens: number[]; targetWeights: number[] } {
  if (conversation.plainText) return tokenizePlainText(tokenizer, conversation);
  const weights = turnWeights(conversation.turns, mode);
  const { text, spans } = renderWithSpans(tokenizer, conversation.turns, weights, templateTools(conversation));
  return tokenizeWithSpans(tokenizer, text, spans);
}

function emptyReport(overLength: 'drop' | 'truncate'): TrainingDataReport {
  return { files: [], trainExamples: 0, evalExamples: 0, trainTokens: 0, invalid: [], noTrainableTokens: [], overLength: [], overLengthAction: overLength };
}

/** Reads, lints, templates and tokenizes the training (and evaluation) data. */
export function prepareData(datasets: readonly string[], tokenizer: TextTokenizer, options: DataOptions): PreparedData {
  const report = emptyReport(options.overLength);
  const hash = crypto.createHash('sha256');
  let nextIndex = 0;
  const toExamples = (records: readonly SourceRecord[]): TokenizedExample[] => {
    const examples: TokenizedExample[] = [];
    for (const record of records) {
      let tokenized: { tokens: number[]; targetWeights: number[] };
      try {
        tokenized = tokenizeConversation(tokenizer, record.conversation, options.labels);
      } catch (error) {
        report.invalid.push({ file: record.file, line: record.line, reason: `chat template: ${(error as Error).message}` });
        continue;
      }
      let { tokens, targetWeights } = tokenized;
      if (tokens.length > options.maxLength) {
        report.overLength.push({ file: record.file, line: record.line, tokens: tokens.length });
        if (options.overLength === 'drop') continue;
        tokens = tokens.slice(0, options.maxLength);
        targetWeights = targetWeights.slice(0, options.maxLength);
      }
      // targetWeights[0] is never a target (nothing predicts the first token).
      if (!targetWeights.some((w, t) => t > 0 && w > 0)) {
        report.noTrainableTokens.push({ file: record.file, line: record.line });
        continue;
      }
      hash.update(Int32Array.from(tokens)).update(Float32Array.from(targetWeights));
      examples.push({ index: nextIndex++, tokens, targetWeights });
    }
    return examples;
  };

  let trainRecords = datasets.flatMap((file) => readDatasetRecords(file, report));
  let evalRecords: SourceRecord[] = options.evalFiles.flatMap((file) => readDatasetRecords(file, report));
  if (options.evalFiles.length === 0 && options.evalSplit > 0) {
    if (options.evalSplit >= 1) throw new DataError('the eval split must be a fraction below 1');
    const order = new SeededRandom(options.seed ^ 0xe7a1).shuffle(trainRecords.map((_, i) => i));
    const count = trainRecords.length < 2 ? 0 : Math.max(1, Math.round(options.evalSplit * trainRecords.length));
    const held = new Set(order.slice(0, count));
    evalRecords = trainRecords.filter((_, i) => held.has(i));
    trainRecords = trainRecords.filter((_, i) => !held.has(i));
  }
  const train = toExamples(trainRecords);
  hash.update('|eval|');
  const evaluation = toExamples(evalRecords);
  report.trainExamples = train.length;
  report.evalExamples = evaluation.length;
  report.trainTokens = train.reduce((sum, e) => sum + e.tokens.length, 0);
  return { train, eval: evaluation, report, fingerprint: hash.digest('hex').slice(0, 16) };
}
