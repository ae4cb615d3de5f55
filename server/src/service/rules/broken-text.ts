import { mayHaveBrokenText } from './prefilter';
import type { RecordRule } from './rule';
import { allTurns, reportMatches } from './util';

// U+FFFD from a bad decode; UTF-8 read as Latin-1/Windows-1252 ("Ã©", "â€™"); stray C0 controls.
// After "Ã", a UTF-8 continuation byte read as Windows-1252 may also be one of its letters and signs
// for 0x80-0x9F (€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ): "ÃŸ" is "ß", "Ã¼ÃŸ" is "üß".
const broken = /\uFFFD+|(?:Ã[\u0080-\u00BF¡-ÿ€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|â€[\u0080-\u00BF™œ\u009D˜“”¦¢]|Â[\u00A0-\u00BF])+|[\u0000-\u0008\u000B\u000C\u000E-\u001F]+/g;

/**
 * "\\frac" or "\\beta" written in JSON with one backslash decodes to a form feed or backspace followed
 * by the rest of the command ("rac", "eta"): say so, and how to write it.
 */
function latexEscapeMessage(match: RegExpExecArray): string | undefined {
  const control = match[0];
  if (control !== '\f' && control !== '\b') return undefined;
  const rest = /^[a-z]{2,}/.exec(match.input.slice(match.index + 1, match.index + 16))?.[0];
  if (rest === undefined) return undefined;
  const command = `\\${control === '\f' ? 'f' : 'b'}${rest}`;
  return `Control character ${control === '\f' ? 'U+000C (form feed)' : 'U+0008 (backspace)'} before "${rest}": probably the LaTeX command ${command} whose backslash was read as a JSON escape. Double the backslash in the JSON ("\\${command}").`;
}

/** Broken text: replacement characters, mojibake or control characters from a bad encoding step. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'broken-text', description: 'Broken text: U+FFFD replacement characters, mojibake, control characters.', defaultSeverity: 'warning', fixable: false },
  check(context) {
    if (!mayHaveBrokenText(context.record.text)) return;
    reportMatches(context, allTurns(context), broken, (match) => {
      const text = match[0];
      if (text.includes('\uFFFD')) return 'Replacement character U+FFFD: the text was decoded with the wrong encoding and characters were lost. Re-export the data as UTF-8.';
      if (/^[\u0000-\u001F]+$/.test(text)) return latexEscapeMessage(match) ?? 'Control character in the text: probably an encoding or extraction error. Remove it.';
      return `Mojibake "${text}": UTF-8 text was decoded as Latin-1/Windows-1252 (e.g. "Ã©" for "é", "â€™" for "’"). Fix the encoding where the data was produced.`;
    });
  },
};
