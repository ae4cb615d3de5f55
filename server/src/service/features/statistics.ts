/** Dataset statistics (the `tunesmith/datasetStatistics` request and `tunesmith stats`). */
import type { DatasetStatistics } from '../../../../protocol/messages';
import { analyseRecord, summaryOf } from '../analysis';
import type { DatasetDocument } from '../document';
import type { FileFacts } from '../fileFacts';
import { indexFor } from '../fileChecks';
import { nestingPastPythonLimit } from '../rules/invalid-json';
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
  const roles: Record<string, number> = {};
  const tokenCounts: number[] = [];
  let total = 0;
  let someEstimated = false;
  for (const record of records) {
    const summary = summaryOf(record, facts);
    // No turn to train (a record read as the forced format that is written in another, an empty conversation), or nested
    // past what Python's json module loads (invalid-json's error): trainers cannot use it.
    if (summary === undefined || summary.shape === 'unknown' || (summary.empty && summary.roles.length === 0) || nestingPastPythonLimit(record.text) !== undefined) {
      invalidRecords++;
      continue;
    }
    turns += summary.roles.length;
    for (const role of summary.roles) roles[role] = (roles[role] ?? 0) + 1;
    let tokens = summary.tokens;
    if (tokens === undefined) {
      const analysis = analyseRecord(record, facts);
      tokens = analysis !== undefined ? tokenCountOf(analysis, facts) : undefined;
      summary.tokens = tokens;
    }
    const count = tokens?.total ?? 0;
    // A model's count is an estimate for a record its template rejects or a text too long to tokenize whole.
    if (tokens?.estimated === true) someEstimated = true;
    tokenCounts.push(count);
    total += count;
  }
  tokenCounts.sort((a, b) => a - b);
  // Every copy after the first of equal records, as duplicate-record counts them: a shared hash alone (32 bits,
  // a few chance matches per 100k records) is confirmed with the whole record.
  let duplicates = 0;
  for (const members of indexFor(document, facts).repeated) duplicates += members.length - 1;
  return {
    uri,
    format: facts.format,
    records: records.length,
    // A syntax error outside every record (a missing bracket) still leaves the file with one record trainers cannot read.
    invalidRecords: invalidRecords + (document.problems.some((problem) => problem.rule === 'invalid-json') && !records.some((record) => record.errorReportedByFile) ? 1 : 0),
    turns,
    tokens: { p50: percentile(tokenCounts, 0.5), p90: percentile(tokenCounts, 0.9), max: tokenCounts[tokenCounts.length - 1] ?? 0, total, estimated: facts.tokens.estimated || someEstimated },
    roles,
    duplicates,
  };
}
