/** Shared helpers for service tests: lint in memory and apply LSP text edits. */
import { resolveSettings, type LintSettings } from '../../../server/src/service/config';
import { DatasetDocument, type FileKind } from '../../../server/src/service/document';
import { buildFacts, lintDocument } from '../../../server/src/service/linter';

export function parse(text: string, kind: FileKind = 'jsonl') {
  const document = DatasetDocument.parse(text, kind);
  const { settings } = resolveSettings({ minExamples: 0 });
  // Features run after a lint (the server lints before answering), which sets the file's format.
  const facts = lintDocument(document, 'file:///test/data.' + kind, settings, { facts: buildFacts(document, 'file:///test/data.' + kind, settings) }).facts;
  return { document, facts, settings };
}

export function lint(text: string, kind: FileKind = 'jsonl', overrides: Partial<LintSettings> = {}) {
  const document = DatasetDocument.parse(text, kind);
  const { settings } = resolveSettings({ minExamples: 0, ...overrides });
  return lintDocument(document, 'file:///test/data.' + kind, settings);
}

interface Edit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}

function offsetOf(text: string, line: number, character: number): number {
  let offset = 0;
  for (let current = 0; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + character;
}

/** Applies non-overlapping edits (as an editor does: all ranges refer to the original text). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start.line, b.range.start.character) - offsetOf(text, a.range.start.line, a.range.start.character));
  let result = text;
  for (const edit of sorted) {
    const start = offsetOf(text, edit.range.start.line, edit.range.start.character);
    const end = offsetOf(text, edit.range.end.line, edit.range.end.character);
    result = result.slice(0, start) + edit.newText + result.slice(end);
  }
  return result;
}

/** Diagnostics as comparable lines: rule, range and message (`withRecord`: the record index too). */
export function renderDiagnostics(items: readonly { rule: string; range: unknown; message: string; recordIndex?: number }[], withRecord = false): string[] {
  return items.map((item) => (withRecord ? `${item.rule} ${item.recordIndex} ${JSON.stringify(item.range)} ${item.message}` : `${item.rule} ${JSON.stringify(item.range)} ${item.message}`));
}

/** Deterministic pseudo-random numbers in [0, 1): the same data on every run, and a failing run can be run again as it was. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
