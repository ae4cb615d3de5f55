import { formatOfShape } from '../conversation';
import type { RecordRule } from './rule';

/** Trainers read a whole file with one format; a record in another format is dropped or crashes the loader. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'mixed-formats', description: 'A record is in a different format from the rest of the file.', defaultSeverity: 'error', fixable: true },
  check({ record, analysis, facts, report }) {
    const detected = formatOfShape(analysis.detected);
    if (detected === 'unknown' || facts.format === 'unknown' || detected === facts.format) return;
    const firstKey = Object.keys(record.value as object)[0];
    const how = facts.forced ? 'is set to' : 'is mostly';
    report(`This record is ${detected} but the file ${how} ${facts.format}: one file must use one format. Convert the record (quick fix) or move it to another file.`, firstKey !== undefined ? { path: [firstKey], part: 'key' } : { offsets: { start: 0, end: 1 } });
  },
};
