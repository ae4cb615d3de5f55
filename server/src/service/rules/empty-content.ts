import type { RecordRule } from './rule';
import { allTurns, turnName, valueAt } from './util';

/** A turn whose content is empty or only whitespace (torchtune: only the assistant may be empty, and then it teaches nothing). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'empty-content', description: 'A turn has empty or whitespace-only content.', defaultSeverity: 'error', fixable: false },
  check(context) {
    allTurns(context).forEach((turn, index) => {
      if (turn.toolCalls.length > 0) return; // a tool call may have no prose
      if (turn.content.trim().length > 0) return;
      // A missing or mistyped content field is missing-field's or wrong-type's finding, not this one.
      if (turn.parts.length === 0 && !isWrittenText(valueAt(context.record.value, turn.contentPath))) return;
      const value = turn.parts[0] !== undefined ? turn.parts[0].path : turn.contentPath;
      const what = turn.content.length === 0 ? 'empty' : 'only whitespace';
      const who = context.analysis.conversation.plainText ? 'The text' : `The content of ${turnName(turn, index)}`;
      context.report(`${who} is ${what}: write the ${turn.role === 'assistant' ? 'answer' : 'text'} or remove the turn.`, { path: value });
    });
  },
};

/** Whether a content value is written as text (a string, or a list of parts), however empty. */
function isWrittenText(value: unknown): boolean {
  return typeof value === 'string' || Array.isArray(value);
}
