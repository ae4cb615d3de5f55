/**
 * Number literals as written, for copying JSON text without passing it through doubles: JSON.parse
 * turns 98765432109876543210 into 98765432109876540000, and a conversion must not change what is trained.
 */
import { isWhitespace, skipStringFast } from './scanner';

/** Valid JSON `text` without the whitespace between its tokens (strings and numbers kept as written). */
export function compactJson(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      const end = skipStringFast(text, index);
      out += text.slice(index, end);
      index = end;
      continue;
    }
    if (!isWhitespace(code)) out += text[index];
    index++;
  }
  return out;
}

/** A decimal number literal reduced to sign, significant digits and exponent ("-1.50e2" and "-150" -> "-15e2"). */
function normalisedNumber(literal: string): string {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (match === null) return literal;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = whole + fraction;
  let power = Number(exponent) + whole.length;
  const leading = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leading).replace(/0+$/, '');
  power -= leading;
  return digits === '' ? '0' : `${sign}${digits}e${power}`;
}

/** Whether a JSON number literal reads back as another number once held as a double (too many digits, or out of range). */
export function losesPrecision(literal: string): boolean {
  return normalisedNumber(literal) !== normalisedNumber(String(Number(literal)));
}

/**
 * Whether `text` may hold a number a double cannot hold: 16 or more digits in a row (a dot between
 * them counted), or a three-digit exponent. A double holds every decimal of up to 15 significant
 * digits, so text without either needs no closer look (most records: a regular expression is fast).
 */
export function mayHoldImpreciseNumber(text: string): boolean {
  return /\d[\d.]{15}|[eE][+-]?\d{3}/.test(text);
}

/** Whether some number literal in valid JSON `text` would change when parsed with JSON.parse and written again. */
export function holdsImpreciseNumber(text: string): boolean {
  if (!mayHoldImpreciseNumber(text)) return false;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      index = skipStringFast(text, index);
      continue;
    }
    if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      const literal = /^-?[\d.eE+-]+/.exec(text.slice(index, index + 400))?.[0] ?? '';
      if (literal.length > 0 && losesPrecision(literal)) return true;
      index += Math.max(literal.length, 1);
      continue;
    }
    index++;
  }
  return false;
}
