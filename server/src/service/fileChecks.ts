/**
 * File-level rules: exact duplicates (within the file and across files: train/eval leakage),
 * near-duplicate instructions and too few examples. They run over each record's cached analysis.
 */
import { analyseRecord } from './analysis';
import type { DatasetDocument, DatasetRecord } from './document';
import type { FileFacts } from './fileFacts';
import { findNearDuplicates } from './nearDuplicates';
import type { FileProblem } from './rules/rule';
import { severityOf } from './rules/index';

/** Where a record lives in another file (for leakage messages). */
export interface RecordLocation {
  uri: string;
  /** 0-based line of the record's start. */
  line: number;
}

/** The duplicate keys of other dataset files in the workspace (train vs eval leakage). */
export class WorkspaceIndex {
  private readonly files = new Map<string, Map<string, number>>();

  /** Replaces what is known about one file: each record's duplicate key and line. */
  setFile(uri: string, entries: Iterable<{ key: string; line: number }>): void {
    const keys = new Map<string, number>();
    for (const entry of entries) if (!keys.has(entry.key)) keys.set(entry.key, entry.line);
    this.files.set(uri, keys);
  }

  removeFile(uri: string): void {
    this.files.delete(uri);
  }

  /** The first other file holding the same conversation, if any. */
  findElsewhere(key: string, uri: string): RecordLocation | undefined {
    for (const [otherUri, keys] of this.files) {
      if (otherUri === uri) continue;
      const line = keys.get(key);
      if (line !== undefined) return { uri: otherUri, line };
    }
    return undefined;
  }

  get size(): number {
    return this.files.size;
  }
}

/** Duplicate keys of a document's records, for WorkspaceIndex.setFile. */
export function duplicateKeys(document: DatasetDocument, facts: FileFacts): { key: string; line: number }[] {
  const entries: { key: string; line: number }[] = [];
  for (const record of document.records) {
    const analysis = analyseRecord(record, facts);
    if (analysis !== undefined && analysis.duplicateKey.length > 0) entries.push({ key: analysis.duplicateKey, line: record.line });
  }
  return entries;
}

function fileName(uri: string): string {
  const slash = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\'));
  return decodeURIComponent(uri.slice(slash + 1));
}

/** The text compared for near-duplicates: the user turns (the instruction and its input). */
function instructionText(record: DatasetRecord, facts: FileFacts): string | undefined {
  const analysis = analyseRecord(record, facts);
  if (analysis === undefined) return undefined;
  let text = '';
  for (const turn of analysis.conversation.turns) if (turn.role === 'user') text += (text.length > 0 ? '\n' : '') + turn.content;
  if (analysis.conversation.plainText) text = analysis.conversation.turns[0]?.content ?? '';
  return text;
}

export function fileChecks(document: DatasetDocument, facts: FileFacts, workspace?: WorkspaceIndex): FileProblem[] {
  const problems: FileProblem[] = [];
  const records = document.records;
  const settings = facts.settings;
  const checkDuplicates = severityOf('duplicate-record', settings) !== 'off';
  const checkLeakage = workspace !== undefined && severityOf('cross-file-duplicate', settings) !== 'off';
  if (checkDuplicates || checkLeakage) {
    const firstByKey = new Map<string, DatasetRecord>();
    for (const record of records) {
      const analysis = analyseRecord(record, facts);
      if (analysis === undefined || analysis.conversation.turns.length === 0) continue;
      const key = analysis.duplicateKey;
      const first = firstByKey.get(key);
      if (first === undefined) {
        firstByKey.set(key, record);
        if (checkLeakage) {
          const elsewhere = workspace?.findElsewhere(key, facts.uri);
          if (elsewhere !== undefined) {
            problems.push({ rule: 'cross-file-duplicate', record, message: `The same example is in ${fileName(elsewhere.uri)} (line ${elsewhere.line + 1}). If one file is the evaluation set, this example leaks into training and inflates the scores: remove it from one file.` });
          }
        }
      } else if (checkDuplicates) {
        problems.push({ rule: 'duplicate-record', record, message: `Duplicate of record ${first.index + 1} (line ${first.line + 1}): repeated examples are over-weighted in training. Remove this copy.`, fix: { kind: 'remove-record' } });
      }
    }
  }
  if (severityOf('near-duplicate', settings) !== 'off' && records.length > 1) {
    const items: { item: DatasetRecord; text: string }[] = [];
    for (const record of records) {
      const text = instructionText(record, facts);
      if (text !== undefined && text.length > 0) items.push({ item: record, text });
    }
    for (const match of findNearDuplicates(items, settings.nearDuplicateThreshold)) {
      const analysis = analyseRecord(match.item, facts);
      const firstUser = analysis?.conversation.turns.find((turn) => turn.role === 'user' || analysis.conversation.plainText);
      const part = firstUser?.parts[0];
      problems.push({
        rule: 'near-duplicate',
        record: match.item,
        ...(part !== undefined ? { target: { path: part.path } } : {}),
        message: `This instruction nearly repeats record ${match.original.index + 1} (line ${match.original.line + 1}; ROUGE-L ${match.score.toFixed(2)} >= ${settings.nearDuplicateThreshold}). Near-duplicates add little and skew training: rewrite or remove one.`,
      });
    }
  }
  if (severityOf('too-few-examples', settings) !== 'off' && document.problems.length === 0) {
    const valid = records.filter((record) => record.syntaxError === undefined).length;
    if (valid > 0 && valid < settings.minExamples) {
      problems.push({ rule: 'too-few-examples', message: `Only ${valid} example${valid === 1 ? '' : 's'}: fine-tuning needs at least ${settings.minExamples} (OpenAI requires 10 and recommends 50 to 100). Add more examples.` });
    }
  }
  return problems;
}
