import type { FileRule } from './rule';

/**
 * A JSON file whose keys hold the records (`{"data": [...]}`, splits `{"train": [...], "test": [...]}`). The check lives in document.ts
 * (the file's shape is known while it is read); the records themselves are linted as usual.
 */
export const rule: FileRule = {
  kind: 'file',
  meta: { id: 'records-under-key', description: 'A JSON file holds its records under a key ({"data": [...]}, or splits {"train": [...], "test": [...]}) instead of at the top level.', defaultSeverity: 'info', fixable: false },
};
