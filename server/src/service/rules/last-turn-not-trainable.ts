import type { RecordRule } from './rule';
import { endsWithoutAnswerInLlamaFactory } from './role-order';
import type { JsonPath } from '../json/scanner';
import { isObject, turnName, valueAt } from './util';

/** The Axolotl training flag ("train" or "training") that masks the turn at `path`, if one does. */
function trainFlagOf(record: unknown, path: JsonPath): string | undefined {
  const turn = valueAt(record, path);
  if (!isObject(turn)) return undefined;
  return turn.train === false ? 'train' : turn.training === false ? 'training' : undefined;
}

/** The final turn must be a trained assistant answer (Axolotl warns "Last turn is not trainable"; LLaMA-Factory drops the example). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'last-turn-not-trainable', description: 'The last turn is not a trainable assistant turn.', defaultSeverity: 'warning', fixable: false },
  check(context) {
    const { analysis, report } = context;
    const { conversation } = analysis;
    // A prompt ends where the trainer starts generating: nothing in it is trained.
    if (conversation.plainText || conversation.shape === 'prompt-only') return;
    const turns = conversation.turns;
    const last = turns[turns.length - 1];
    if (last === undefined || last.role === null) return;
    if (!turns.some((turn) => turn.role === 'assistant')) return; // no-assistant-turn reports it
    if (last.role === 'assistant' && last.trainable) return;
    if (endsWithoutAnswerInLlamaFactory(context)) return; // role-order reports it: LLaMA-Factory skips the example
    // An OpenAI DPO output that is not one assistant message: role-order or no-assistant-turn says so.
    if (conversation.shape === 'preference-openai' && last.path[0] === 'preferred_output' && last.role !== 'assistant') return;
    const index = turns.length - 1;
    if (last.role === 'assistant') {
      // An untrained final answer: say whether anything of the example is trained at all.
      const nothingTrained = !turns.some((turn) => turn.role === 'assistant' && turn.trainable);
      const consequence = nothingTrained ? 'and no other answer is trained either, so the example teaches nothing' : 'so the example ends on an answer the model does not learn';
      // Masked by Axolotl's per-message flag, or by a weight of 0.
      const flag = trainFlagOf(context.record.value, last.path);
      const why = flag !== undefined ? `is marked "${flag}": false` : 'has weight 0';
      const fix = flag !== undefined ? `Set "${flag}" to true` : 'Set its weight to 1';
      // At the value to change: the flag, or the weight as written ("weight" or "loss_weight").
      const written = valueAt(context.record.value, last.path);
      const key = flag ?? (isObject(written) ? ['weight', 'loss_weight'].find((name) => name in written) : undefined);
      report(`The last turn, ${turnName(last, index)}, ${why}: it is not trained, ${consequence}. ${fix}, or end the example with a trained answer.`, { path: key !== undefined ? [...last.path, key] : (last.rolePath ?? last.path) });
      return;
    }
    report(`The last turn, ${turnName(last, index)}, is not an assistant answer, so the tokens after the last answer teach nothing and some trainers drop the example. End the example with the assistant's answer.`, { path: last.rolePath ?? last.path });
  },
};
