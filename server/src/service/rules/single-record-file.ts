import type { FileRule } from './rule';

/**
 * A .json file that holds one record object instead of an array of records. The check lives in
 * document.ts (the file's shape is known while it is read); the record itself is linted as usual.
 */
export const rule: FileRule = {
  kind: 'file',
  meta: { id: 'single-record-file', description: 'A JSON file holds one record object instead of an array of records.', defaultSeverity: 'warning', fixable: false },
};
