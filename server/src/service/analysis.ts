/**
 * Per-record analysis shared by rules and editor features: the record's shape and its canonical
 * conversation. Cached on the record; recomputed when the file's settings or mapping change.
 */
import type { Conversation, RecordShape } from './conversation';
import type { DatasetRecord } from './document';
import type { FileFacts } from './fileFacts';
import { detectShape, normalise, shapeForForcedFormat } from './formats';
import { safeStringify } from './json/safe';

export interface RecordAnalysis {
  /** The shape the record was detected as (independent of the file's format). */
  detected: RecordShape;
  /** The shape used to normalise it: the detected one, or the forced format's. */
  shape: RecordShape;
  conversation: Conversation;
  /** Key that is equal for records with the same conversation (roles and texts), whatever the format or whitespace. */
  duplicateKey: string;
  /** Token count, computed on first use. */
  tokenCount?: { total: number; trainable: number; estimated: boolean };
}

interface AnalysisCache {
  version: number;
  analysis: RecordAnalysis;
}

export function analyseRecord(record: DatasetRecord, facts: FileFacts): RecordAnalysis | undefined {
  if (record.syntaxError !== undefined || typeof record.value !== 'object' || record.value === null || Array.isArray(record.value)) return undefined;
  const cached = record.cache as { analysis?: AnalysisCache } | undefined;
  if (cached?.analysis !== undefined && cached.analysis.version === facts.version) return cached.analysis.analysis;
  const detected = detectShape(record.value, facts.hint);
  const shape = facts.forced ? shapeForForcedFormat(facts.format, record.value, facts.hint) : detected;
  const conversation = normalise(record.value, shape, facts.hint.mapping);
  let duplicateKey = '';
  for (const turn of conversation.turns) duplicateKey += `${turn.role ?? turn.writtenRole}\u0000${turn.content}\u0000${turn.toolCalls.length > 0 ? safeStringify(turn.toolCalls.map((call) => [call.name, call.arguments])) : ''}\u0001`;
  if (conversation.rejected !== undefined) for (const turn of conversation.rejected) duplicateKey += `r\u0000${turn.content}\u0001`;
  const analysis: RecordAnalysis = { detected, shape, conversation, duplicateKey };
  record.cache = { ...(cached ?? {}), analysis: { version: facts.version, analysis } };
  return analysis;
}
