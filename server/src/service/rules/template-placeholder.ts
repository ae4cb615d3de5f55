import { mayHavePlaceholder } from './prefilter';
import type { RecordRule } from './rule';
import { allTurns, inMarkdownCode, quote, reportMatches } from './util';

// {{name}} / {{ user_input }}, [INSERT ...] / [Your Name], <PLACEHOLDER>, ${var}: text a generator meant to fill.
// [Company Name], [Recipient's Name], [DATE]: a bracketed field name (up to three words before it).
const placeholder = /\{\{\s*[A-Za-z_][\w .-]{0,40}\}\}|\[(?:INSERT|PLACEHOLDER|YOUR|ADD|FILL IN|TODO|ENTER|Insert|Your|Placeholder|Add|Fill in|Enter)\b[^\]\n]{0,60}\]|\[(?:[A-Z][\w'’]*\s){0,3}(?:Name|NAME|Date|DATE|Address|ADDRESS|Email|EMAIL|Phone Number|PHONE NUMBER|Company|COMPANY|Company Name|Job Title|Position|POSITION|Recipient|RECIPIENT|City|CITY)\]|<(?:INSERT|PLACEHOLDER|YOUR)[ _][^>\n]{0,40}>|<PLACEHOLDER>/g;

/** Bracketed words that also name keys and buttons: "[Enter]" alone is a key, "[Enter your email]" a placeholder. */
const keyNames = /^\[(?:enter|insert|add)\]$/i;

/**
 * Whether a match is a placeholder and not legitimate text: `{{ user.name }}` in Markdown code is a
 * Jinja/Handlebars template the answer teaches; `[Add to cart](url)` is a Markdown link; `[Enter]` a key.
 */
function isPlaceholder(match: RegExpExecArray): boolean {
  const text = match[0];
  const end = match.index + text.length;
  if (text.startsWith('{{')) return !inMarkdownCode(match.input, match.index);
  if (text.startsWith('[')) return match.input.charCodeAt(end) !== 40 /* ( */ && !keyNames.test(text);
  return true;
}

/** Unfilled template placeholders: the generator never substituted them, and the model learns to emit them. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'template-placeholder', description: 'Unfilled template placeholders such as {{name}} or [INSERT ...].', defaultSeverity: 'warning', fixable: false },
  check(context) {
    if (!mayHavePlaceholder(context.record.text)) return;
    reportMatches(context, allTurns(context), placeholder, (match) => (isPlaceholder(match) ? `Unfilled placeholder "${quote(match[0])}": the template was never filled in. Replace it with real text.` : undefined));
  },
};
