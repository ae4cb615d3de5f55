/**
 * What a rule is: metadata plus a check. Record rules see one record at a time (their results are
 * cached per record, so an edit re-checks only what changed); file rules see the whole file.
 */
import type { LintSettings, Severity } from '../config';
import type { DatasetRecord } from '../document';
import type { JsonPath } from '../json/scanner';
import type { RecordAnalysis } from '../analysis';
import type { FileFacts } from '../fileFacts';

export interface RuleMeta {
  /** Stable id: the diagnostic code and the docs page name (docs/rules/<id>.md). */
  id: string;
  /** One line: what the rule finds. */
  description: string;
  defaultSeverity: Exclude<Severity, 'off'>;
  /** Whether the rule offers a quick fix. */
  fixable: boolean;
}

/** Where a problem is: a JSON path in the record (its key or value), or raw offsets in the record text. */
export type ProblemTarget =
  | { path: JsonPath; part?: 'key' | 'value' }
  | { path: JsonPath; inString: { start: number; end: number } }
  | { offsets: { start: number; end: number } };

/** Data a quick fix needs; kept on the diagnostic so code actions can rebuild the edit. */
export type FixData =
  /** `ends`: the side the rule reported (a leading space it exempts, such as a completion's separator, is kept); absent = both. */
  | { kind: 'trim'; path: JsonPath; ends?: 'start' | 'end' }
  | { kind: 'replace-role'; path: JsonPath; replacement: string }
  | { kind: 'rename-key'; path: JsonPath; replacement: string }
  /** A string value replaced with another (a generator's marker for an empty field made empty). */
  | { kind: 'set-value'; path: JsonPath; value: string }
  /** A key and its value removed from their object (a key that has no effect there). */
  | { kind: 'remove-key'; path: JsonPath }
  | { kind: 'remove-record' }
  /** `after`: the keys the field goes after when the object has them (its format's order), else it goes first. */
  | { kind: 'add-field'; path: JsonPath; key: string; skeleton: unknown; after: readonly string[] }
  /** JSONL: a record (or an array of records) written over several lines, put one record per line. */
  | { kind: 'join-lines' }
  /** JSONL: an array of records written on one line, each element put on its own line. */
  | { kind: 'split-array' };

export interface RecordProblem {
  rule: string;
  message: string;
  target: ProblemTarget;
  fix?: FixData;
}

export interface RecordRuleContext {
  record: DatasetRecord;
  analysis: RecordAnalysis;
  settings: LintSettings;
  /** The file's format (detected by majority or forced). */
  facts: FileFacts;
  report(message: string, target: ProblemTarget, fix?: FixData): void;
}

export interface RecordRule {
  meta: RuleMeta;
  kind: 'record';
  check(context: RecordRuleContext): void;
}

/** A file-level finding about one record (duplicates) or the whole file (too few examples). */
export interface FileProblem {
  rule: string;
  message: string;
  /** The record it concerns; absent = the whole file (reported at the top). */
  record?: DatasetRecord;
  target?: ProblemTarget;
  fix?: FixData;
}

export interface FileRule {
  meta: RuleMeta;
  kind: 'file';
}

export type Rule = RecordRule | FileRule;
