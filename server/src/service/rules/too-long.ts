import { maxTurnsChecked } from '../formats';
import type { RecordRule } from './rule';
import { rejectedTokenCountOf, tokenCountOf } from './tokens';

/** Longer than the training sequence length: trainers truncate it (or drop it), and the end of the answer is lost. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'too-long', description: 'An example is longer than maxTokens for the configured model.', defaultSeverity: 'warning', fixable: false },
  check({ analysis, facts, record, report }) {
    if (analysis.conversation.turns.length === 0) return;
    const key = Object.keys(record.value as object)[0];
    const omitted = analysis.conversation.omittedTurns;
    if (omitted !== undefined) {
      const turns = analysis.conversation.turns.length + (analysis.conversation.rejected?.length ?? 0) + omitted;
      report(`This example has ${turns.toLocaleString('en-US')} turns: no model's context holds that many, so trainers truncate or drop it. Only the first ${maxTurnsChecked.toLocaleString('en-US')} turns of each list are checked. Split it into separate examples.`, key !== undefined ? { path: [key], part: 'key' } : { offsets: { start: 0, end: 1 } });
      return;
    }
    const count = tokenCountOf(analysis, facts);
    const limit = facts.settings.maxTokens;
    if (limit <= 0) return;
    const amount = (tokens: { total: number; estimated: boolean }): string => `${tokens.estimated ? 'about ' : ''}${tokens.total.toLocaleString('en-US')} tokens (${facts.tokens.label})`;
    // At the field that holds the longest turn (Alpaca's "output", a pair's "chosen", "messages"): what to shorten.
    const where = (): { path: string[]; part: 'key' } | { offsets: { start: number; end: number } } => {
      let longest = analysis.conversation.turns[0];
      for (const turn of analysis.conversation.turns) if (longest === undefined || turn.content.length > longest.content.length) longest = turn;
      const field = typeof longest?.path[0] === 'string' ? longest.path[0] : key;
      return field !== undefined ? { path: [field], part: 'key' } : { offsets: { start: 0, end: 1 } };
    };
    if (count.total > limit) {
      report(`This example is ${amount(count)}, over maxTokens = ${limit} (tunesmith.maxTokens, tunesmith.json or --max-tokens): it will be truncated or dropped in training. Shorten it or raise the limit.`, where());
    }
    // DPO trainers cut the prompt + rejected answer at the same length: a long rejected answer loses its end too (said
    // also when the chosen side is over: each side is shortened on its own).
    const rejected = rejectedTokenCountOf(analysis, facts);
    if (rejected === undefined || rejected.total <= limit) return;
    const rejectedField = analysis.conversation.rejected?.[0]?.path[0];
    report(`With its rejected answer this example is ${amount(rejected)}, over maxTokens = ${limit} (tunesmith.maxTokens, tunesmith.json or --max-tokens): the rejected answer will be truncated (or the pair dropped) in training. Shorten it or raise the limit.`, typeof rejectedField === 'string' ? { path: [rejectedField], part: 'key' } : where());
  },
};
