import type { Turn } from '../conversation';
import { safeStringify } from '../json/safe';
import { promptInsideAnswers } from '../formats';
import type { RecordRule, RecordRuleContext } from './rule';
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
    if (context.analysis.conversation.shape === 'preference-trl') reportDivergentImplicitPrompt(context);
    const chosenKey = answerKey(sides.chosen.turns);
    // Empty answers are empty-content's finding.
    if (chosenKey.replace(/[\u0000\u0001]/g, '').length === 0 || chosenKey !== answerKey(sides.rejected.turns)) return;
    const where = sides.rejected.turns.find((turn) => turn.role === 'assistant') ?? sides.rejected.turns[0];
    if (where === undefined) return;
    context.report('The rejected answer is identical to the chosen one: a preference pair with no difference teaches nothing (the DPO loss has no margin). Replace the rejected answer with a worse one, or drop the pair.', { path: where.parts[0]?.path ?? where.contentPath });
  },
};

/** Two turns the same as TRL's prefix comparison sees them (role, text and calls). */
function sameTurn(a: Turn | undefined, b: Turn | undefined): boolean {
  return a !== undefined && b !== undefined && a.writtenRole === b.writtenRole && a.content === b.content && a.toolCalls.length === b.toolCalls.length && (a.toolCalls.length === 0 || safeStringify(a.toolCalls.map((call) => [call.name, call.arguments])) === safeStringify(b.toolCalls.map((call) => [call.name, call.arguments])));
}

/**
 * A conversational pair with an implicit prompt ({"chosen": [...], "rejected": [...]}, no "prompt"):
 * TRL's extract_prompt takes the messages both sides start with as the prompt and the rest as the
 * answers. When the sides part before their answers, the prompt loses the question (or is empty) and
 * the "answers" hold user turns.
 */
function reportDivergentImplicitPrompt(context: RecordRuleContext): void {
  const value = context.record.value as Record<string, unknown>;
  const chosen = value.chosen;
  const rejected = value.rejected;
  if (('prompt' in value && !promptInsideAnswers(value)) || !Array.isArray(chosen) || !Array.isArray(rejected)) return;
  const turns = context.analysis.conversation.rejected ?? [];
  const chosenTurns = context.analysis.conversation.turns;
  const shared = Math.min(chosen.length, rejected.length, chosenTurns.length, turns.length);
  let index = 0;
  while (index < shared && sameTurn(chosenTurns[index], turns[index])) index++;
  const at = turns[index];
  const chosenTurn = chosenTurns[index];
  // A role that is not known there is unknown-role's finding.
  if (at === undefined || index === shared || at.role === null || chosenTurn?.role === null) return;
  // Parting at the answers is the point of the pair; parting earlier moves prompt turns into the answers.
  if (at.role === 'assistant' && chosenTurn?.role === 'assistant' && index > 0) return;
  const where = index === 0 ? 'at their first message, so TRL extracts an empty prompt' : `at message ${index + 1}, a ${at.writtenRole} message, so TRL's prompt stops before it`;
  context.report(`"chosen" and "rejected" part ${where}: with no conversational "prompt", TRL takes the messages both sides start with as the prompt, and the rest (here user turns too) as the answers. Start both sides with the same messages up to the answer, or add a "prompt".`, { path: at.path });
}
