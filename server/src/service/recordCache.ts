/**
 * What the linter keeps on a record between lints. One object per record with every field declared up front: V8 then keeps
 * the fields inside the object and every record's cache has one shape (filled a field at a time by two modules, each of
 * 100k records' caches carried an extra property array, and reading them met several shapes).
 */
import type { RecordSummary } from './analysis';
import type { RecordShape } from './conversation';
import type { RecordProblem } from './rules/rule';

export class RecordCache {
  /** The shape a look at the record's keys found (before any full analysis), for facts version `detectedVersion`. */
  detected: RecordShape | undefined = undefined;
  detectedVersion = -1;
  /** What the file checks read of the record (its `version` says for which facts). */
  summary: RecordSummary | undefined = undefined;
  /** The record rules' problems, for the settings and format that `problemsKey` names. */
  problemsKey: string | undefined = undefined;
  problems: RecordProblem[] | undefined = undefined;
  /** How many of `problems` are shown (severity not off), and how many of those are errors. */
  shownCount = 0;
  errorCount = 0;
  /** The file index the record is in (fileChecks' DocumentIndex; a later index of the file takes it over), and its near-duplicate slot there (-1: none). */
  memberOf: object | undefined = undefined;
  memberSlot = -1;
}

/** The record's cache, created empty on first use. */
export function cacheOf(record: { cache: RecordCache | undefined }): RecordCache {
  return (record.cache ??= new RecordCache());
}
