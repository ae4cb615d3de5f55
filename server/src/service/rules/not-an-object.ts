import { detectShape } from '../formats';
import { skipValue, skipWhitespace } from '../json/scanner';
import { jsonTypeOf } from '../schema';
import type { RecordRule } from './rule';

/** Every record must be a JSON object; arrays, strings or numbers are rejected by every trainer. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'not-an-object', description: 'A record is valid JSON but not an object.', defaultSeverity: 'error', fixable: true },
  check({ record, report, facts }) {
    if (record.syntaxError !== undefined) return;
    const value = record.value;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return;
    // A JSON array of records pasted onto one line of a JSON Lines file (a list dumped with json.dumps).
    if (facts.kind === 'jsonl' && record.run === undefined && isRecordList(value, facts.hint) && arrayElementTexts(record.text) !== undefined) {
      report(`This line holds a JSON array of ${value.length} record${value.length === 1 ? '' : 's'}, but JSON Lines needs each record on its own line, without the surrounding [ ]: trainers read the file line by line and fail on this one. The quick fix puts each record on its own line, where it is linted.`, { offsets: { start: 0, end: 1 } }, { kind: 'split-array' });
      return;
    }
    report(`Each record must be a JSON object (like {"messages": [...]}), but this is ${jsonTypeOf(value) === 'array' ? 'an array' : jsonTypeOf(value) === 'null' ? 'null' : `a ${jsonTypeOf(value)}`}.`, { offsets: { start: 0, end: record.text.length } });
  },
};

/** An array whose elements are all objects, some of them records of a known format. */
function isRecordList(value: unknown, hint: Parameters<typeof detectShape>[1]): value is Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  if (!value.every((element) => typeof element === 'object' && element !== null && !Array.isArray(element))) return false;
  return value.some((element) => detectShape(element, hint) !== 'unknown');
}

/** The source text of each element of the array that `text` holds (as written, escapes and spacing kept), or undefined when it is not one. */
export function arrayElementTexts(text: string): string[] | undefined {
  let offset = skipWhitespace(text, 0);
  if (text.charCodeAt(offset) !== 91 /* [ */) return undefined;
  offset = skipWhitespace(text, offset + 1);
  const elements: string[] = [];
  while (offset < text.length && text.charCodeAt(offset) !== 93 /* ] */) {
    const end = skipValue(text, offset);
    if (end <= offset) return undefined;
    elements.push(text.slice(offset, end));
    offset = skipWhitespace(text, end);
    if (text.charCodeAt(offset) === 44 /* , */) offset = skipWhitespace(text, offset + 1);
  }
  return elements;
}
