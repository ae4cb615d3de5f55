/**
 * From a linted dataset document to what a recipe needs to know about it: the record shape, the
 * column/role mapping, the features that change a recipe's meaning, and token statistics. It reads
 * the same canonical conversations as the linter and the trainer (no second parser).
 */
import { analyseRecord } from '../analysis';
import type { RecordShape } from '../conversation';
import type { DatasetDocument } from '../document';
import type { FileFacts } from '../fileFacts';
import { type FormatMapping, promptInsideAnswers } from '../formats';
import { tokenCountOf } from '../rules/tokens';
import type { RecipeDataset, RecipeSettings } from './types';

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes one dataset file for the recipe generators. */
export function describeDataset(document: DatasetDocument, facts: FileFacts, where: { path: string; name: string }): RecipeDataset {
  const shapes = new Map<RecordShape, number>();
  const mappings = new Map<FormatMapping, number>();
  const counts: number[] = [];
  const features: RecipeDataset['features'] = {
    system: false,
    tools: false,
    toolCalls: false,
    weights: false,
    history: false,
    multiTurn: false,
    conversationalSides: false,
    unpairedLabel: undefined,
    promptInCompletion: false,
    completionPairs: true,
  };
  let records = 0;
  const keys = new Set<string>();
  const writtenRoles = new Set<string>();
  // LLaMA-Factory's KTO column, when a dataset_info.json names one: every record is labelled there.
  const ktoTag = facts.hint.mapping.columns.kto_tag;
  if (ktoTag !== undefined) features.unpairedLabel = ktoTag;
  for (const record of document.records) {
    const analysis = analyseRecord(record, facts);
    if (analysis === undefined || analysis.shape === 'unknown') continue;
    records++;
    shapes.set(analysis.shape, (shapes.get(analysis.shape) ?? 0) + 1);
    // A record may be read with its own layout (role/content "conversations", from/value "messages"): the recipe maps the common one.
    const layout = analysis.conversation.mapping ?? facts.hint.mapping;
    mappings.set(layout, (mappings.get(layout) ?? 0) + 1);
    counts.push(tokenCountOf(analysis, facts).total);
    const { conversation } = analysis;
    let assistantTurns = 0;
    for (const turn of conversation.turns) {
      if (turn.role === 'system') features.system = true;
      if (turn.role === 'tool' || turn.toolCalls.length > 0) features.toolCalls = true;
      if (turn.toolCalls.length > 0 && turn.toolCalls[0]!.path[turn.toolCalls[0]!.path.length - 1] === 'function_call') features.legacyFunctionCalls = true;
      if (turn.weight !== undefined) features.weights = true;
      if (turn.role === 'assistant') assistantTurns++;
      if (turn.writtenRole !== '' && !conversation.plainText) writtenRoles.add(turn.writtenRole);
    }
    if (assistantTurns > 1) features.multiTurn = true;
    if (conversation.tools !== undefined) features.tools = true;
    const value = record.value;
    if (isObject(value)) {
      for (const key of Object.keys(value)) keys.add(key);
      const history = value[facts.hint.mapping.columns.history];
      if ((analysis.shape === 'alpaca' || analysis.shape === 'preference-alpaca') && Array.isArray(history) && history.length > 0) features.history = true;
      if (['prompt-completion', 'preference-trl'].includes(analysis.shape) && (Array.isArray(value['prompt']) || Array.isArray(value['completion']) || Array.isArray(value['chosen']))) {
        features.conversationalSides = true;
      }
      // KTO: a boolean label beside one completion (TRL's unpaired preference, Axolotl's KTO columns).
      if ((analysis.shape === 'prompt-completion' || analysis.shape === 'unpaired-columns') && typeof value['label'] === 'boolean') {
        features.unpairedLabel ??= 'label';
        if (analysis.shape === 'prompt-completion' && promptInsideAnswers(value)) {
          features.promptInCompletion = true;
          const completion = value['completion'] as unknown[];
          const roleOf = (message: unknown): unknown => (isObject(message) ? message['role'] : undefined);
          if (completion.length !== 2 || roleOf(completion[0]) !== 'user' || roleOf(completion[1]) !== 'assistant') features.completionPairs = false;
        }
      }
    }
  }
  let shape: RecordShape = 'unknown';
  let best = 0;
  for (const [candidate, count] of shapes) {
    if (count > best) {
      shape = candidate;
      best = count;
    }
  }
  counts.sort((a, b) => a - b);
  // Media paths beside the text (LLaMA-Factory's mllm layout, TRL vision): a column a dataset_info.json names, else the usual name.
  const media: NonNullable<RecipeDataset['media']> = {};
  for (const kind of ['images', 'videos', 'audios'] as const) {
    const column = facts.hint.mapping.columns[kind] ?? kind;
    if (keys.has(column)) media[kind] = column;
  }
  return {
    path: where.path,
    ...(Object.keys(media).length > 0 ? { media } : {}),
    name: where.name,
    format: facts.format,
    shape,
    mapping: [...mappings].sort((a, b) => b[1] - a[1])[0]?.[0] ?? facts.hint.mapping,
    mappingFromDatasetInfo: facts.hint.formatting !== undefined,
    records,
    keys: [...keys].sort(),
    writtenRoles: [...writtenRoles],
    tokens: { p50: percentile(counts, 0.5), p99: percentile(counts, 0.99), max: counts[counts.length - 1] ?? 0, estimated: facts.tokens.estimated },
    features,
  };
}

const LENGTH_STEP = 128;

/**
 * The sequence length a recipe trains with: set explicitly, or the longest record rounded up to a
 * multiple of 128 (with a 10% margin when counts are estimated, since the target tokenizes for
 * real). When the longest record is more than twice the 99th percentile, the p99 is used instead so
 * that one outlier does not set the memory of every batch; the few longer records are truncated
 * by the trainer. Capped at the model's max_position_embeddings.
 */
export function chooseSequenceLength(datasets: readonly RecipeDataset[], settings: Pick<RecipeSettings, 'sequenceLength' | 'model'>): { value: number; reason: string } {
  if (settings.sequenceLength !== undefined) return { value: settings.sequenceLength, reason: 'set explicitly' };
  const max = Math.max(0, ...datasets.map((dataset) => dataset.tokens.max));
  const p99 = Math.max(0, ...datasets.map((dataset) => dataset.tokens.p99));
  const estimated = datasets.some((dataset) => dataset.tokens.estimated);
  const countWord = estimated ? 'estimated tokens' : 'tokens';
  let basis = max;
  let reason = `longest record ${max} ${countWord}`;
  if (p99 > 0 && max > 2 * p99) {
    basis = p99;
    reason = `99th percentile ${p99} ${countWord}; the longest record, ${max}, is an outlier left over the length`;
  }
  const withMargin = estimated ? Math.ceil(basis * 1.1) : basis;
  let value = Math.max(LENGTH_STEP, Math.ceil(withMargin / LENGTH_STEP) * LENGTH_STEP);
  reason += estimated ? `, +10% margin for the estimate, rounded up to a multiple of ${LENGTH_STEP}` : `, rounded up to a multiple of ${LENGTH_STEP}`;
  const cap = settings.model.maxPositionEmbeddings;
  if (cap !== undefined && value > cap) {
    value = cap;
    reason += `, capped at the model's max_position_embeddings ${cap}`;
  }
  return { value, reason };
}
