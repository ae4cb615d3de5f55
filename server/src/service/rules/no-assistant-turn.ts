import type { RecordRule } from './rule';

/** An example with no assistant turn has nothing to learn (OpenAI: example_missing_assistant_message). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'no-assistant-turn', description: 'A conversation has no assistant turn to learn from.', defaultSeverity: 'error', fixable: false },
  check({ analysis, record, report }) {
    const { conversation } = analysis;
    if (conversation.plainText || analysis.shape === 'unknown' || conversation.shape === 'alpaca' || conversation.shape.startsWith('preference')) return;
    if (conversation.turns.length === 0) return; // empty list: missing-field / wrong-type / empty
    if (conversation.turns.some((turn) => turn.role === 'assistant')) return;
    const key = Object.keys(record.value as object).find((name) => name === 'messages' || name === 'conversations' || name === 'completion') ?? Object.keys(record.value as object)[0];
    report('No assistant turn: the model has nothing to learn from this example. Add the answer as an assistant message.', key !== undefined ? { path: [key], part: 'key' } : { offsets: { start: 0, end: 1 } });
  },
};
