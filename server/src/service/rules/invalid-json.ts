import type { RecordRule } from './rule';

/** A record (a JSONL line, or an element of a JSON array) that is not valid JSON. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'invalid-json', description: 'A record is not valid JSON (reported at the exact bad token).', defaultSeverity: 'error', fixable: false },
  check({ record, report }) {
    const error = record.syntaxError;
    if (error === undefined) return;
    report(`Invalid JSON: ${error.message}. Trainers stop or skip the whole record.`, { offsets: { start: error.offset, end: error.offset + error.length } });
  },
};
