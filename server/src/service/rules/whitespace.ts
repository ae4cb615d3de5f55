import type { RecordRule } from './rule';
import { allTurns, turnName } from './util';

/** Leading or trailing whitespace in a response: the model learns to emit it, and it wastes tokens. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'whitespace', description: 'Leading or trailing whitespace in an assistant response.', defaultSeverity: 'warning', fixable: true },
  check(context) {
    allTurns(context).forEach((turn, index) => {
      if (turn.role !== 'assistant' || context.analysis.conversation.plainText) return;
      for (const part of turn.parts) {
        const text = part.text;
        if (text.trim().length === 0) continue; // empty-content reports it
        const leading = text.length - text.trimStart().length;
        const trailing = text.length - text.trimEnd().length;
        if (leading === 0 && trailing === 0) continue;
        const where = leading > 0 && trailing > 0 ? 'Leading and trailing' : leading > 0 ? 'Leading' : 'Trailing';
        const start = leading > 0 ? 0 : text.length - trailing;
        const end = trailing > 0 ? text.length : leading;
        context.report(`${where} whitespace in the response of ${turnName(turn, index)}: the model learns to produce it. Trim it (quick fix).`, { path: part.path, inString: { start, end } }, { kind: 'trim', path: part.path });
      }
    });
  },
};
