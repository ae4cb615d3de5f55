import { jsonTypeOf } from '../schema';
import type { RecordRule } from './rule';

/** Every record must be a JSON object; arrays, strings or numbers are rejected by every trainer. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'not-an-object', description: 'A record is valid JSON but not an object.', defaultSeverity: 'error', fixable: false },
  check({ record, report }) {
    if (record.syntaxError !== undefined) return;
    const value = record.value;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return;
    report(`Each record must be a JSON object (like {"messages": [...]}), but this is ${jsonTypeOf(value) === 'array' ? 'an array' : jsonTypeOf(value) === 'null' ? 'null' : `a ${jsonTypeOf(value)}`}.`, { offsets: { start: 0, end: record.text.length } });
  },
};
