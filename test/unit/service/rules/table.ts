/**
 * Rule test tables: each rule has valid cases (the rule reports nothing) and invalid cases (the rule
 * reports exactly the listed problems, at exactly these ranges). A range is given by the line and the
 * exact text it underlines (`text`, its `nth` occurrence on that line), or by explicit columns.
 */
import type { LintSettings } from '../../../../server/src/service/config';

export interface ExpectedProblem {
  /** 0-based line of the range start. */
  line: number;
  /** The underlined text (found on `line`); the range must cover exactly it. */
  text?: string;
  nth?: number;
  /** Explicit 0-based columns (for empty ranges or ranges that span lines). */
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** A pattern the message must match. */
  message?: RegExp;
}

export interface RuleCase {
  name: string;
  text: string;
  /** File kind (default jsonl). */
  kind?: 'jsonl' | 'json';
  settings?: Partial<LintSettings>;
  /** Other dataset files of the workspace (for cross-file duplicates), by name. */
  otherFiles?: Record<string, string>;
  /** Lint with a model folder: the repository's Qwen3 tokenizer with this chat template (exact token counts). */
  chatTemplate?: string;
}

export interface InvalidCase extends RuleCase {
  problems: ExpectedProblem[];
}

export interface RuleTable {
  valid: RuleCase[];
  invalid: InvalidCase[];
}

/** A two-turn OpenAI chat record as one JSONL line. */
export function chat(user: string, assistant: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }], ...extra });
}

/** JSONL text of several lines. */
export function lines(...records: (string | object)[]): string {
  return records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record))).join('\n') + '\n';
}

/** Ten distinct filler records so file-level rules such as too-few-examples stay quiet. */
export function filler(count = 10): string[] {
  return Array.from({ length: count }, (_, index) => chat(`Question number ${index} about topic ${index * 7}?`, `Answer ${index}: the result is ${index * 3}.`));
}
