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
    // The prompt is what comes before the chosen answer: the turns up to the last non-assistant turn. A rejected
    // side that opens with prompt turns of its own (TRL's implicit prompt: both sides are whole conversations) is
    // counted as written: adding the chosen side's prompt would count it twice.
    let promptEnd = conversation.turns.length;
    while (promptEnd > 0 && conversation.turns[promptEnd - 1]?.role === 'assistant') promptEnd--;
    const opening = conversation.rejected[0]?.role;
    const ownPrompt = opening === 'user' || opening === 'system';
    analysis.rejectedTokenCount = facts.tokens.count({ ...conversation, turns: ownPrompt ? conversation.rejected : [...conversation.turns.slice(0, promptEnd), ...conversation.rejected], rejected: undefined });
  }
  return analysis.rejectedTokenCount;
}
