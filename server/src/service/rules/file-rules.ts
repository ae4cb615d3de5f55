/** Metadata of the file-level rules; their checks live in fileChecks.ts and document.ts. */
import type { FileRule } from './rule';

export const duplicateRecord: FileRule = { kind: 'file', meta: { id: 'duplicate-record', description: 'An exact duplicate of an earlier record in the same file.', defaultSeverity: 'warning', fixable: true } };
export const crossFileDuplicate: FileRule = { kind: 'file', meta: { id: 'cross-file-duplicate', description: 'The same example is in another dataset file (train/eval leakage).', defaultSeverity: 'warning', fixable: false } };
export const nearDuplicate: FileRule = { kind: 'file', meta: { id: 'near-duplicate', description: 'An instruction nearly repeats an earlier one (ROUGE-L >= 0.7).', defaultSeverity: 'info', fixable: false } };
export const tooFewExamples: FileRule = { kind: 'file', meta: { id: 'too-few-examples', description: 'The file has too few examples for fine-tuning.', defaultSeverity: 'info', fixable: false } };
export const unreadableFile: FileRule = { kind: 'file', meta: { id: 'unreadable-file', description: 'The file cannot be linted: binary, too large, or not a dataset.', defaultSeverity: 'error', fixable: false } };
