import { mayHavePlaceholder } from './prefilter';
import type { RecordRule } from './rule';
import { allTurns, quote, reportMatches } from './util';

// {{name}} / {{ user_input }}, [INSERT ...] / [Your Name], <PLACEHOLDER>, ${var}: text a generator meant to fill.
const placeholder = /\{\{\s*[A-Za-z_][\w .-]{0,40}\}\}|\[(?:INSERT|PLACEHOLDER|YOUR|ADD|FILL IN|TODO|ENTER|Insert|Your|Placeholder|Add|Fill in|Enter)\b[^\]\n]{0,60}\]|<(?:INSERT|PLACEHOLDER|YOUR)[ _][^>\n]{0,40}>|<PLACEHOLDER>/g;

/** Unfilled template placeholders: the generator never substituted them, and the model learns to emit them. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'template-placeholder', description: 'Unfilled template placeholders such as {{name}} or [INSERT ...].', defaultSeverity: 'warning', fixable: false },
  check(context) {
    if (!mayHavePlaceholder(context.record.text)) return;
    reportMatches(context, allTurns(context), placeholder, (match) => `Unfilled placeholder "${quote(match[0])}": the template was never filled in. Replace it with real text.`);
  },
};
