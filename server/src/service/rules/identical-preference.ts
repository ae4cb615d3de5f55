import type { Turn } from '../conversation';
import { safeStringify } from '../json/safe';
import type { RecordRule } from './rule';

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
  check({ analysis, facts, report }) {
    const { conversation } = analysis;
    const rejected = conversation.rejected;
    if (rejected === undefined || rejected.length === 0) return;
    const chosenColumns = new Set<string | number>(['chosen', 'preferred_output', facts.hint.mapping.columns.chosen]);
    const chosen = conversation.turns.filter((turn) => chosenColumns.has(turn.path[0] ?? ''));
    const chosenKey = answerKey(chosen);
    // Empty answers are empty-content's finding.
    if (chosenKey.replace(/[\u0000\u0001]/g, '').length === 0 || chosenKey !== answerKey(rejected)) return;
    const where = rejected.find((turn) => turn.role === 'assistant') ?? rejected[0];
    if (where === undefined) return;
    report('The rejected answer is identical to the chosen one: a preference pair with no difference teaches nothing (the DPO loss has no margin). Replace the rejected answer with a worse one, or drop the pair.', { path: where.parts[0]?.path ?? where.contentPath });
  },
};
