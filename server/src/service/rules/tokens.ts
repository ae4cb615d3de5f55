/** Token counts of a record, cached on its analysis (an edit re-counts only the changed record). */
import type { RecordAnalysis } from '../analysis';
import type { FileFacts } from '../fileFacts';
import type { TokenCount } from '../tokens';

export function tokenCountOf(analysis: RecordAnalysis, facts: FileFacts): TokenCount {
  if (analysis.tokenCount === undefined) analysis.tokenCount = facts.tokens.count(analysis.conversation);
  return analysis.tokenCount;
}

/**
 * Tokens of the prompt followed by the rejected answer (DPO trainers truncate that sequence to the
 * same max_length as the chosen one), or undefined for records without a rejected answer.
 */
export function rejectedTokenCountOf(analysis: RecordAnalysis, facts: FileFacts): TokenCount | undefined {
  const { conversation } = analysis;
  if (conversation.rejected === undefined || conversation.rejected.length === 0) return undefined;
  if (analysis.rejectedTokenCount === undefined) {
    // The prompt is what comes before the chosen answer: the turns up to the last non-assistant turn.
    let promptEnd = conversation.turns.length;
    while (promptEnd > 0 && conversation.turns[promptEnd - 1]?.role === 'assistant') promptEnd--;
    analysis.rejectedTokenCount = facts.tokens.count({ ...conversation, turns: [...conversation.turns.slice(0, promptEnd), ...conversation.rejected], rejected: undefined });
  }
  return analysis.rejectedTokenCount;
}
