import { Char, type OffsetRange } from '../json/scanner';
import type { RecordRule } from './rule';
import { quote } from './util';

/** Past this many keys an object's keys go into a Set: comparing each new key with every earlier one would be quadratic. */
const linearKeys = 32;

// Scanner state reused across records (one scan at a time, nothing awaited): no allocation for a clean record.
/** Per open container: the index in `keyStarts` of its first key, or -1 for an array. */
let frames: Int32Array = new Int32Array(64);
/** Per open container: its keys decoded, once it has more than `linearKeys`. */
const frameSets: (Set<string> | undefined)[] = [];
/** The keys of the open objects, innermost last: the offsets of each key literal (quotes included). */
let keyStarts: Int32Array = new Int32Array(256);
let keyEnds: Int32Array = new Int32Array(256);

function grown(array: Int32Array): Int32Array {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** A key literal decoded ("a\u0062" is "ab"), as JSON.parse names the member. */
function decoded(text: string, start: number, end: number): string {
  return hasBackslash(text, start, end) ? (JSON.parse(text.slice(start, end)) as string) : text.slice(start + 1, end - 1);
}

function hasBackslash(text: string, start: number, end: number): boolean {
  for (let index = start + 1; index < end - 1; index++) if (text.charCodeAt(index) === Char.Backslash) return true;
  return false;
}

/** Past the string literal that opens at `start` (scanner.ts's skipStringFast, kept here so the hot loop calls no other module). */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    // An odd number of backslashes before the quote escapes it.
    let back = quote - 1;
    while (back > start && text.charCodeAt(back) === Char.Backslash) back--;
    if ((quote - 1 - back) % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Whether two key literals are the same source text. */
function sameText(text: string, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let index = 1; index < aEnd - aStart - 1; index++) if (text.charCodeAt(aStart + index) !== text.charCodeAt(bStart + index)) return false;
  return true;
}

/**
 * The key literals (quotes included) that repeat an earlier key of the same object, at most `limit`,
 * in the text of valid JSON. One pass that follows the nesting, so it knows which strings are keys
 * (the first string after '{', or after ',' in an object); every string is skipped with indexOf
 * (cheaper per call than reading even short keys character by character). A clean record allocates
 * nothing: most records have no repeat, and this runs on every one.
 */
export function duplicateKeyRanges(text: string, limit = Infinity): OffsetRange[] {
  // Without a backslash no key is escaped, and equal names are equal texts.
  const escapes = text.includes('\\');
  let found: OffsetRange[] | undefined;
  let depth = 0;
  let keyCount = 0;
  let expectKey = false;
  let openSets = 0;
  // Local copies of the shared buffers: the hot loop then reads no module variable.
  let frameStarts = frames;
  let starts = keyStarts;
  let ends = keyEnds;
  const length = text.length;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === Char.Quote) {
      const end = stringEnd(text, index);
      if (expectKey) {
        expectKey = false;
        const first = frameStarts[depth - 1] ?? 0;
        // Most records never need a Set: read the list only when one exists.
        let set = openSets > 0 ? frameSets[depth - 1] : undefined;
        let repeated = false;
        if (set !== undefined) {
          const name = decoded(text, index, end);
          repeated = set.has(name);
          set.add(name);
        } else {
          for (let key = first; key < keyCount && !repeated; key++) {
            const start = starts[key] ?? 0;
            const stop = ends[key] ?? 0;
            // Escaped keys are rare; only they can spell one name two ways ("a" and "\u0061").
            repeated = sameText(text, start, stop, index, end) || (escapes && (hasBackslash(text, start, stop) || hasBackslash(text, index, end)) && decoded(text, start, stop) === decoded(text, index, end));
          }
          if (keyCount - first >= linearKeys) {
            set = new Set<string>();
            for (let key = first; key < keyCount; key++) set.add(decoded(text, starts[key] ?? 0, ends[key] ?? 0));
            set.add(decoded(text, index, end));
            frameSets[depth - 1] = set;
            openSets++;
          }
        }
        if (repeated) {
          (found ??= []).push({ start: index, end });
          if (found.length >= limit) break;
        }
        if (keyCount === starts.length) {
          starts = keyStarts = grown(starts);
          ends = keyEnds = grown(ends);
        }
        starts[keyCount] = index;
        ends[keyCount] = end;
        keyCount++;
      }
      index = end;
      continue;
    }
    if (code === Char.OpenBrace || code === Char.OpenBracket) {
      if (depth === frameStarts.length) frameStarts = frames = grown(frameStarts);
      frameStarts[depth++] = code === Char.OpenBrace ? keyCount : -1;
      expectKey = code === Char.OpenBrace;
    } else if (code === Char.Comma) expectKey = (frameStarts[depth - 1] ?? -1) >= 0;
    else if (code === Char.CloseBrace || code === Char.CloseBracket) {
      const first = frameStarts[--depth] ?? -1;
      if (first >= 0) keyCount = first;
      if (openSets > 0 && frameSets[depth] !== undefined) {
        frameSets[depth] = undefined;
        openSets--;
      }
    }
    index++;
  }
  // Drop the Sets of containers left open when the scan stopped at the limit.
  if (openSets > 0) frameSets.length = 0;
  return found ?? [];
}

/**
 * An object (the record, a message, a tool call, a function spec...) that names one key twice. The
 * JSON grammar allows it, but json.loads, JSON.parse, pandas and the datasets library all keep the
 * last value, so the first is silently lost before training. JSON.parse hides the repeat, so the
 * record's text is scanned for it.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'duplicate-key', description: 'An object has the same key twice: readers keep the last value and silently drop the first.', defaultSeverity: 'warning', fixable: false },
  check({ record, report }) {
    const value = record.value;
    // Invalid JSON and records that are not objects are other rules' findings.
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const text = record.text;
    for (const range of duplicateKeyRanges(text, 5)) {
      const name = quote(decoded(text, range.start, range.end));
      report(`The key "${name}" appears again in this object: json.loads, JSON.parse, pandas and the datasets library all keep only the last "${name}" value, so the earlier one is silently dropped. Merge the two values into one "${name}", or rename one of the keys.`, { offsets: range });
    }
  },
};
