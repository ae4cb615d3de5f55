import type { Turn } from '../conversation';
import { safeStringify } from '../json/safe';
import type { RecordRule } from './rule';
import { preferenceSides } from './util';

/** What a side of a preference pair answers: its assistant turns' text and tool calls. */
function answerKey(turns: readonly Turn[]): string {
  let key = '';
  for (const turn of turns) {
    if (turn.role !== 'assistant') continue;
    key += `${turn.content.trim()}\u0000${turn.toolCalls.length > 0 ? safeStringify(turn.toolCalls.map((call) => [call.name, call.arguments])) : ''}\u0001`;
  }
  return key;
}

/**
 * A preference pair whose chosen and rejected answers are the same: DPO-style losses see no margin
 * and learn nothing from it (and reward models get a contradictory label). Usually a generation or
 * a join went wrong.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'identical-preference', description: 'The chosen and rejected answers of a preference pair are identical.', defaultSeverity: 'warning', fixable: false },
  check(context) {
    const sides = preferenceSides(context);
    if (sides === undefined) return;
    const chosenKey = answerKey(sides.chosen.turns);
    // Empty answers are empty-content's finding.
    if (chosenKey.replace(/[\u0000\u0001]/g, '').length === 0 || chosenKey !== answerKey(sides.rejected.turns)) return;
    const where = sides.rejected.turns.find((turn) => turn.role === 'assistant') ?? sides.rejected.turns[0];
    if (where === undefined) return;
    context.report('The rejected answer is identical to the chosen one: a preference pair with no difference teaches nothing (the DPO loss has no margin). Replace the rejected answer with a worse one, or drop the pair.', { path: where.parts[0]?.path ?? where.contentPath });
  },
};
