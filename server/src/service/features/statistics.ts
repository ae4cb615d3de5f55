/** Dataset statistics (the `tunesmith/datasetStatistics` request and `tunesmith stats`). */
import type { DatasetStatistics } from '../../../../protocol/messages';
import { analyseRecord } from '../analysis';
import type { DatasetDocument } from '../document';
import type { FileFacts } from '../fileFacts';
import { tokenCountOf } from '../rules/tokens';

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export function datasetStatistics(document: DatasetDocument, facts: FileFacts, uri: string): DatasetStatistics {
  const records = document.records;
  let invalidRecords = 0;
  let turns = 0;
  let duplicates = 0;
  const roles: Record<string, number> = {};
  const tokenCounts: number[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const record of records) {
    const analysis = analyseRecord(record, facts);
    if (analysis === undefined || analysis.shape === 'unknown') {
      invalidRecords++;
      continue;
    }
    const { conversation } = analysis;
    turns += conversation.turns.length;
    for (const turn of conversation.turns) {
      const role = turn.role ?? turn.writtenRole ?? 'unknown';
      roles[role] = (roles[role] ?? 0) + 1;
    }
    if (seen.has(analysis.duplicateKey)) duplicates++;
    else seen.add(analysis.duplicateKey);
    const count = tokenCountOf(analysis, facts).total;
    tokenCounts.push(count);
    total += count;
  }
  tokenCounts.sort((a, b) => a - b);
  return {
    uri,
    format: facts.format,
    records: records.length,
    invalidRecords: invalidRecords + (document.problems.some((problem) => problem.rule === 'invalid-json') ? 1 : 0),
    turns,
    tokens: { p50: percentile(tokenCounts, 0.5), p90: percentile(tokenCounts, 0.9), max: tokenCounts[tokenCounts.length - 1] ?? 0, total, estimated: facts.tokens.estimated },
    roles,
    duplicates,
  };
}
