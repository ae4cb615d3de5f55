import { trainableAfterTruncation } from '../tokens';
import type { RecordRule } from './rule';
import { tokenCountOf } from './tokens';

/** After truncation to maxTokens no trained token is left: all labels are masked and the loss is 0 (TRL drops the row, others train on nothing). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'no-trainable-tokens', description: 'No trainable tokens remain after truncation to maxTokens.', defaultSeverity: 'error', fixable: false },
  check({ analysis, facts, record, report }) {
    const { conversation } = analysis;
    const limit = facts.settings.maxTokens;
    if (limit <= 0 || !conversation.turns.some((turn) => turn.trainable && turn.content.length > 0)) return;
    const count = tokenCountOf(analysis, facts);
    if (count.total <= limit) return;
    if (trainableAfterTruncation(conversation, facts.tokens, limit) > 0) return;
    const key = Object.keys(record.value as object)[0];
    report(`After truncation to ${limit} tokens nothing trainable is left: every trained answer lies past the limit${conversation.turns.some((turn) => turn.role === 'assistant' && !turn.trainable) ? ' (answers with weight 0 or train false are not trained)' : ''}, so the loss is 0 for this example (${count.estimated ? 'estimated' : 'counted with the model'}). Shorten the prompt or raise maxTokens (tunesmith.maxTokens, tunesmith.json or --max-tokens).`, key !== undefined ? { path: [key], part: 'key' } : { offsets: { start: 0, end: 1 } });
  },
};
