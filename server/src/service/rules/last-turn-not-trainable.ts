import type { RecordRule } from './rule';
import { turnName } from './util';

/** The final turn must be a trained assistant answer (Axolotl warns "Last turn is not trainable"; LLaMA-Factory drops the example). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'last-turn-not-trainable', description: 'The last turn is not a trainable assistant turn.', defaultSeverity: 'warning', fixable: false },
  check({ analysis, report }) {
    const { conversation } = analysis;
    if (conversation.plainText) return;
    const turns = conversation.turns;
    const last = turns[turns.length - 1];
    if (last === undefined || last.role === null) return;
    if (!turns.some((turn) => turn.role === 'assistant')) return; // no-assistant-turn reports it
    if (last.role === 'assistant' && last.trainable) return;
    const index = turns.length - 1;
    const why = last.role === 'assistant' ? 'has weight 0, so it is not trained' : 'is not an assistant answer, so the tokens after the last answer teach nothing and some trainers drop the example';
    report(`The last turn, ${turnName(last, index)}, ${why}. End the example with the assistant's answer.`, { path: last.rolePath ?? last.path });
  },
};
