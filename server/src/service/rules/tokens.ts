/** Token counts of a record, cached on its analysis (an edit re-counts only the changed record). */
import type { RecordAnalysis } from '../analysis';
import type { FileFacts } from '../fileFacts';
import type { TokenCount } from '../tokens';

export function tokenCountOf(analysis: RecordAnalysis, facts: FileFacts): TokenCount {
  if (analysis.tokenCount === undefined) analysis.tokenCount = facts.tokens.count(analysis.conversation);
  return analysis.tokenCount;
}
