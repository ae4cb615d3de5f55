/**
 * Small, iterative JSON scanners used only when needed: `JSON.parse` does the fast validation, and
 * these find where things are (the exact offset of a syntax error, the range of a key or value).
 * None of them recurses, so JSON nested 10,000 deep cannot overflow the stack.
 */

/** One step of a path into a JSON value: an object key or an array index. */
export type JsonPathSegment = string | number;
export type JsonPath = readonly JsonPathSegment[];

/** Offsets (UTF-16 code units) inside the scanned text; `end` is exclusive. */
export interface OffsetRange {
  start: number;
  end: number;
}

export interface JsonSyntaxError {
  offset: number;
  /** Length of the offending token (at least 1 unless at the end of the text). */
  length: number;
  message: string;
}

/** Character codes the scanner, and rules that read a record's text, compare against. */
export const enum Char {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  Quote = 34,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  UpperE = 69,
  OpenBracket = 91,
  Backslash = 92,
  CloseBracket = 93,
  LowerE = 101,
  OpenBrace = 123,
  CloseBrace = 125,
}

/** JSON's whitespace between tokens: space, tab, line feed, carriage return. */
const escapedCharacters: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The character the escape at `at` (a backslash) stands for and how long it is written, or undefined when JSON has no such escape. */
export function decodeEscape(text: string, at: number): { character: string; length: number } | undefined {
  const letter = text.charAt(at + 1);
  if (letter !== 'u') {
    const character = escapedCharacters[letter];
    return character === undefined ? undefined : { character, length: 2 };
  }
  const hex = text.slice(at + 2, at + 6);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? { character: String.fromCharCode(Number.parseInt(hex, 16)), length: 6 } : undefined;
}

export function isWhitespace(code: number): boolean {
  return code === Char.Space || code === Char.LineFeed || code === Char.CarriageReturn || code === Char.Tab;
}

export function skipWhitespace(text: string, offset: number, end = text.length): number {
  while (offset < end && isWhitespace(text.charCodeAt(offset))) offset++;
  return offset;
}

/** A character of a bare word (a letter of any script, a digit, or what numbers and identifiers hold). */
const wordCharacter = /^[\p{L}\p{M}\p{N}_$+\-.]$/u;

/** Length of the token starting at `offset`, for underlining: a word, a string or one character (a surrogate pair whole). */
export function tokenLength(text: string, offset: number): number {
  if (offset >= text.length) return 0;
  const code = text.charCodeAt(offset);
  if (wordCharacter.test(String.fromCodePoint(text.codePointAt(offset) ?? 0))) {
    let end = offset;
    while (end < text.length && end - offset < 40) {
      const character = String.fromCodePoint(text.codePointAt(end) ?? 0);
      if (!wordCharacter.test(character)) break;
      end += character.length;
    }
    return end - offset;
  }
  if (code === Char.Quote || code === 39 /* ' */) {
    const close = text.indexOf(text[offset] ?? '"', offset + 1);
    const lineEnd = text.indexOf('\n', offset);
    if (close > 0 && (lineEnd < 0 || close < lineEnd) && close - offset < 1000) return close + 1 - offset;
  }
  // Surrogate pairs are one visible character.
  if (code >= 0xd800 && code <= 0xdbff && offset + 1 < text.length) return 2;
  return 1;
}

/** The token at `offset` quoted for a message (its first 20 characters). */
export function describeToken(text: string, offset: number): string {
  if (offset >= text.length) return 'end of text';
  const length = tokenLength(text, offset);
  let end = offset + Math.min(length, 20);
  // Not between the halves of a surrogate pair.
  if (end < text.length && isLowSurrogate(text.charCodeAt(end)) && end > offset) end++;
  return `'${text.slice(offset, end)}'`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Scans a string literal starting at the opening quote; returns the offset after the closing quote,
 * or an error.
 */
function scanString(text: string, offset: number, end: number): number | JsonSyntaxError {
  let index = offset + 1;
  while (index < end) {
    const code = text.charCodeAt(index);
    if (code === Char.Quote) return index + 1;
    if (code === Char.Backslash) {
      const escape = text[index + 1];
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
          return { offset: index, length: Math.min(6, end - index), message: 'Invalid \\u escape: expected four hex digits' };
        }
        index += 6;
        continue;
      }
      if (escape === undefined || !'"\\/bfnrt'.includes(escape)) {
        return { offset: index, length: Math.min(2, end - index), message: `Invalid escape sequence '\\${escape ?? ''}' in string` };
      }
      index += 2;
      continue;
    }
    if (code < 0x20) {
      // A CR is a line break too (alone, or as CRLF, which is underlined whole: the editor keeps no column inside it).
      const lineBreak = code === Char.LineFeed || code === Char.CarriageReturn;
      const name = lineBreak ? 'line break' : code === Char.Tab ? 'tab' : `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
      const length = code === Char.CarriageReturn && text.charCodeAt(index + 1) === Char.LineFeed && index + 1 < end ? 2 : 1;
      return { offset: index, length, message: `Unescaped ${name} inside a string: write it as an escape (\\n, \\t, \\u00XX)` };
    }
    index++;
  }
  return { offset, length: 1, message: 'Unterminated string: the closing quote is missing' };
}

/** Where a text starts and ends without the JSON whitespace around it (a JSONL record's indentation, its line's trailing spaces). */
export function trimmedBounds(text: string): { start: number; end: number } {
  const start = skipWhitespace(text, 0);
  let end = text.length;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return { start, end };
}

/**
 * Whether `text` surely is no JSON: it is blank, starts with a character no JSON value starts with, or
 * opens an object or array that it does not close at its end. Checked before JSON.parse where many or
 * long texts may be broken: JSON.parse reads all of a text before it throws (2 s for a line of 5 MB of
 * '['), and each throw costs microseconds (seconds for a million broken lines).
 */
export function cannotBeJson(text: string): boolean {
  let first = 0;
  while (first < text.length && isWhitespace(text.charCodeAt(first))) first++;
  if (first === text.length) return true;
  let last = text.length - 1;
  while (last > first && isWhitespace(text.charCodeAt(last))) last--;
  const open = text.charCodeAt(first);
  const close = text.charCodeAt(last);
  if (open === Char.OpenBrace) return close !== Char.CloseBrace || last === first;
  if (open === Char.OpenBracket) return close !== Char.CloseBracket || last === first;
  return !startsJsonValue(open);
}

/** Whether a JSON value can start with the character `code` (after white space). */
export function startsJsonValue(code: number): boolean {
  return code === Char.Quote || code === Char.Minus || (code >= Char.Zero && code <= Char.Nine) || code === 116 /* t */ || code === 102 /* f */ || code === 110 /* n */ || code === Char.OpenBrace || code === Char.OpenBracket;
}

/** JSON.parse, refusing at once a text that surely is no JSON (see cannotBeJson); callers read the error's place with findJsonSyntaxError. */
export function parseJson(text: string): unknown {
  if (cannotBeJson(text)) throw new SyntaxError('Unexpected end of JSON input');
  return JSON.parse(text);
}

/** A JSON number, matched where its first character is (sticky); one object, not one per number scanned. */
const jsonNumber = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function scanNumber(text: string, offset: number, end: number): number | JsonSyntaxError {
  const match = jsonNumber;
  match.lastIndex = offset;
  const found = match.exec(text);
  if (found === null || found[0].length === 0 || offset + found[0].length > end) {
    return { offset, length: tokenLength(text, offset), message: `Invalid number ${describeToken(text, offset)}` };
  }
  const after = offset + found[0].length;
  const next = text.charCodeAt(after);
  if (after < end && (next === Char.Dot || (next >= Char.Zero && next <= Char.Nine) || next === Char.LowerE || next === Char.UpperE)) {
    return { offset, length: tokenLength(text, offset), message: `Invalid number ${describeToken(text, offset)}` };
  }
  return after;
}

const enum Expect {
  Value,
  ValueOrCloseArray,
  CommaOrCloseArray,
  KeyOrCloseObject,
  Key,
  Colon,
  CommaOrCloseObject,
}

/** Said after text that follows a complete value: in JSON Lines, the usual cause (two records on one line). */
export const oneValuePerLineHint = ' (one record per line in JSONL)';

/**
 * Finds the first syntax error in `text[start, end)` (one JSON value with optional surrounding
 * whitespace). Returns null when the text is valid JSON. Iterative: nesting depth only costs heap.
 */
export function findJsonSyntaxError(text: string, start = 0, end = text.length): JsonSyntaxError | null {
  const offset = skipWhitespace(text, start, end);
  if (offset >= end) return { offset: end, length: 0, message: 'Expected a JSON value but found nothing' };
  return asComment(text, scanFrom(text, offset, end, [], Expect.Value));
}

/**
 * `findJsonSyntaxError(text)` for a text that is a top-level array whose elements up to
 * `afterElement` (the offset just after one of them) are known to be valid: the scan starts there.
 */
export function findJsonSyntaxErrorAfterElement(text: string, afterElement: number): JsonSyntaxError | null {
  return asComment(text, scanFrom(text, afterElement, text.length, [Char.OpenBracket], Expect.CommaOrCloseArray));
}

/** The 1-based line and column (UTF-16 code units, as editors count) of an offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** An error at a `//` or `/* *\/` comment (JSONC, JSON5), said as such and spanning the comment. */
function asComment(text: string, error: JsonSyntaxError | null): JsonSyntaxError | null {
  return error === null ? null : (commentErrorAt(text, error.offset) ?? error);
}

/** The error for a `//` or `/* *\/` comment at `offset` (to its end on the line), or undefined when none starts there. */
export function commentErrorAt(text: string, offset: number): JsonSyntaxError | undefined {
  const next = text.charCodeAt(offset + 1);
  if (text.charCodeAt(offset) !== 47 /* / */ || (next !== 47 && next !== 42 /* * */)) return undefined;
  const lineEnd = text.indexOf('\n', offset);
  const close = next === 42 ? text.indexOf('*/', offset + 2) : -1;
  // A block comment to its end on this line (or the line's end), a line comment to the line's end (a CR before the LF excluded).
  let end = close >= 0 && (lineEnd < 0 || close < lineEnd) ? close + 2 : lineEnd < 0 ? text.length : lineEnd;
  if (text.charCodeAt(end - 1) === 13) end--;
  return { offset, length: end - offset, message: 'A comment: JSON has none (// and /* */ are JSONC and JSON5), and the JSON loaders trainers use reject it. Remove it' };
}

/**
 * The open containers (Char.OpenBrace or Char.OpenBracket) of a scan, in bytes: a JS array pushed to millions
 * of entries (a line of 5 MB of '[') costs over half a second, this a few milliseconds.
 */
class ContainerStack {
  private codes = new Uint8Array(64);
  length = 0;

  constructor(initial: readonly number[]) {
    for (const code of initial) this.push(code);
  }

  push(code: number): void {
    if (this.length === this.codes.length) {
      const grown = new Uint8Array(this.codes.length * 2);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.length++] = code;
  }

  pop(): void {
    if (this.length > 0) this.length--;
  }

  /** The innermost open container, or undefined at the top level. */
  top(): number | undefined {
    return this.length === 0 ? undefined : this.codes[this.length - 1];
  }
}

/** The scan of findJsonSyntaxError from `offset`, inside the containers of `initialStack` (Char.OpenBrace or Char.OpenBracket), expecting `expect`. */
function scanFrom(text: string, start: number, end: number, initialStack: readonly number[], initial: Expect): JsonSyntaxError | null {
  const stack = new ContainerStack(initialStack);
  let expect = initial;
  let offset = start;
  for (;;) {
    offset = skipWhitespace(text, offset, end);
    if (offset >= end) {
      if (stack.length === 0 && expect === Expect.CommaOrCloseArray) return null; // not reached
      const open = stack.top();
      return {
        offset: end,
        length: 0,
        message: open === Char.OpenBrace ? "Unexpected end of text: an object is missing its closing '}'" : open === Char.OpenBracket ? "Unexpected end of text: an array is missing its closing ']'" : 'Unexpected end of text: expected a value',
      };
    }
    const code = text.charCodeAt(offset);
    switch (expect) {
      case Expect.Value:
      case Expect.ValueOrCloseArray: {
        if (expect === Expect.ValueOrCloseArray && code === Char.CloseBracket) {
          stack.pop();
          offset++;
          break;
        }
        if (code === Char.OpenBrace) {
          stack.push(Char.OpenBrace);
          expect = Expect.KeyOrCloseObject;
          offset++;
          continue;
        }
        if (code === Char.OpenBracket) {
          stack.push(Char.OpenBracket);
          expect = Expect.ValueOrCloseArray;
          offset++;
          continue;
        }
        let after: number | JsonSyntaxError;
        if (code === Char.Quote) after = scanString(text, offset, end);
        else if (code === Char.Minus || (code >= Char.Zero && code <= Char.Nine)) after = scanNumber(text, offset, end);
        else if (text.startsWith('true', offset)) after = offset + 4;
        else if (text.startsWith('false', offset)) after = offset + 5;
        else if (text.startsWith('null', offset)) after = offset + 4;
        else {
          const hint = code === 39 ? ": JSON strings use double quotes" : code === Char.CloseBrace || code === Char.CloseBracket || code === Char.Comma ? ': a value is missing (trailing comma?)' : '';
          return { offset, length: tokenLength(text, offset), message: `Unexpected ${describeToken(text, offset)}: expected a JSON value${hint}` };
        }
        if (typeof after !== 'number') return after;
        offset = after;
        break;
      }
      case Expect.KeyOrCloseObject:
      case Expect.Key: {
        if (expect === Expect.KeyOrCloseObject && code === Char.CloseBrace) {
          stack.pop();
          offset++;
          break;
        }
        if (code !== Char.Quote) {
          // An object where a key belongs is usually the next record, after one whose closing '}' is missing.
          const opensValue = code === 123 /* { */ && expect === Expect.Key;
          const hint = code === Char.CloseBrace ? ' (trailing comma?)' : code === 39 ? ': JSON keys use double quotes' : opensValue ? ": an object cannot be a key. If it starts the next record, the record before it is missing its closing '}'" : ': object keys must be double-quoted strings';
          return { offset, length: tokenLength(text, offset), message: `Unexpected ${describeToken(text, offset)}: expected a property name${hint}` };
        }
        const after = scanString(text, offset, end);
        if (typeof after !== 'number') return after;
        offset = after;
        expect = Expect.Colon;
        continue;
      }
      case Expect.Colon: {
        if (code !== Char.Colon) return { offset, length: tokenLength(text, offset), message: `Unexpected ${describeToken(text, offset)}: expected ':' after the property name` };
        offset++;
        expect = Expect.Value;
        continue;
      }
      case Expect.CommaOrCloseArray: {
        if (code === Char.Comma) {
          offset++;
          expect = Expect.Value;
          continue;
        }
        if (code === Char.CloseBracket) {
          stack.pop();
          offset++;
          break;
        }
        return { offset, length: tokenLength(text, offset), message: `Unexpected ${describeToken(text, offset)}: expected ',' or ']' in the array` };
      }
      case Expect.CommaOrCloseObject: {
        if (code === Char.Comma) {
          offset++;
          expect = Expect.Key;
          continue;
        }
        if (code === Char.CloseBrace) {
          stack.pop();
          offset++;
          break;
        }
        return { offset, length: tokenLength(text, offset), message: `Unexpected ${describeToken(text, offset)}: expected ',' or '}' in the object` };
      }
    }
    // A value just ended: decide what comes next from the enclosing container.
    const container = stack.top();
    if (container === undefined) {
      const rest = skipWhitespace(text, offset, end);
      if (rest < end) {
        return { offset: rest, length: tokenLength(text, rest), message: `Unexpected ${describeToken(text, rest)} after the end of the JSON value${oneValuePerLineHint}` };
      }
      return null;
    }
    expect = container === Char.OpenBrace ? Expect.CommaOrCloseObject : Expect.CommaOrCloseArray;
  }
}

/** Skips one JSON value starting at `offset` (no whitespace before it); returns the offset after it. Assumes valid JSON. */
export function skipValue(text: string, offset: number): number {
  const code = text.charCodeAt(offset);
  if (code === Char.Quote) return skipStringFast(text, offset);
  if (code !== Char.OpenBrace && code !== Char.OpenBracket) {
    let index = offset;
    while (index < text.length) {
      const c = text.charCodeAt(index);
      if (c === Char.Comma || c === Char.CloseBrace || c === Char.CloseBracket || isWhitespace(c)) break;
      index++;
    }
    return index;
  }
  let depth = 0;
  let index = offset;
  while (index < text.length) {
    const c = text.charCodeAt(index);
    if (c === Char.Quote) {
      index = skipStringFast(text, index);
      continue;
    }
    if (c === Char.OpenBrace || c === Char.OpenBracket) depth++;
    else if (c === Char.CloseBrace || c === Char.CloseBracket) {
      depth--;
      if (depth === 0) return index + 1;
    }
    index++;
  }
  return index;
}

/** Offset after the closing quote of the string that opens at `offset`. Assumes valid JSON. */
export function skipStringFast(text: string, offset: number): number {
  let index = offset + 1;
  for (;;) {
    const quote = text.indexOf('"', index);
    if (quote < 0) return text.length;
    // Count the backslashes before the quote: an odd number escapes it.
    let backslashes = 0;
    let back = quote - 1;
    while (back > offset && text.charCodeAt(back) === Char.Backslash) {
      backslashes++;
      back--;
    }
    if (backslashes % 2 === 0) return quote + 1;
    index = quote + 1;
  }
}

function decodeKey(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  if (!raw.includes('\\')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** Where a path points inside a JSON text: the key (for object members) and the value. */
export interface LocatedNode {
  key?: OffsetRange;
  value: OffsetRange;
}

/**
 * Finds the key and value ranges of `path` inside valid JSON `text` (starting at `start`).
 * Returns null when the path does not exist. Only walks the members along the path.
 */
export function locatePath(text: string, path: JsonPath, start = 0): LocatedNode | null {
  let offset = skipWhitespace(text, start);
  let key: OffsetRange | undefined;
  for (const segment of path) {
    const code = text.charCodeAt(offset);
    if (typeof segment === 'string') {
      if (code !== Char.OpenBrace) return null;
      offset = skipWhitespace(text, offset + 1);
      let found = false;
      while (offset < text.length && text.charCodeAt(offset) === Char.Quote) {
        const keyEnd = skipStringFast(text, offset);
        const name = decodeKey(text, offset, keyEnd);
        const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past ':'
        if (name === segment) {
          key = { start: offset, end: keyEnd };
          offset = valueStart;
          found = true;
          // JSON.parse keeps the last duplicate key; keep scanning for a later one.
          let probe = skipWhitespace(text, skipValue(text, valueStart));
          let later: { key: OffsetRange; value: number } | undefined;
          while (text.charCodeAt(probe) === Char.Comma) {
            probe = skipWhitespace(text, probe + 1);
            const otherEnd = skipStringFast(text, probe);
            const otherValue = skipWhitespace(text, skipWhitespace(text, otherEnd) + 1);
            if (decodeKey(text, probe, otherEnd) === segment) later = { key: { start: probe, end: otherEnd }, value: otherValue };
            probe = skipWhitespace(text, skipValue(text, otherValue));
          }
          if (later !== undefined) {
            key = later.key;
            offset = later.value;
          }
          break;
        }
        offset = skipWhitespace(text, skipValue(text, valueStart));
        if (text.charCodeAt(offset) !== Char.Comma) break;
        offset = skipWhitespace(text, offset + 1);
      }
      if (!found) return null;
    } else {
      if (code !== Char.OpenBracket) return null;
      offset = skipWhitespace(text, offset + 1);
      if (text.charCodeAt(offset) === Char.CloseBracket) return null;
      for (let index = 0; index < segment; index++) {
        offset = skipWhitespace(text, skipValue(text, offset));
        if (text.charCodeAt(offset) !== Char.Comma) return null;
        offset = skipWhitespace(text, offset + 1);
      }
      key = undefined;
    }
  }
  const valueEnd = skipValue(text, offset);
  return key === undefined ? { value: { start: offset, end: valueEnd } } : { key, value: { start: offset, end: valueEnd } };
}

/**
 * Maps an offset inside a JSON string literal's decoded value to the offset in the source text.
 * `literalStart` is the opening quote. Needed to underline e.g. a placeholder inside a long string.
 */
export function sourceOffsetInString(text: string, literalStart: number, decodedOffset: number): number {
  let index = literalStart + 1;
  let decoded = 0;
  while (decoded < decodedOffset && index < text.length) {
    const code = text.charCodeAt(index);
    if (code === Char.Quote) break;
    if (code === Char.Backslash) {
      index += text[index + 1] === 'u' ? 6 : 2;
    } else {
      index++;
    }
    decoded++;
  }
  return index;
}
