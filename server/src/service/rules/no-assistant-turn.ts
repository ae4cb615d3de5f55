import type { RecordRule } from './rule';
import { preferenceSides } from './util';

/** Keys of a chat record that say nothing about how it is trained (an extra key beside these is a grader's input). */
const chatRecordKeys: ReadonlySet<string> = new Set(['messages', 'tools', 'functions', 'parallel_tool_calls', 'id', 'source', 'metadata', 'category', 'tags', 'split', 'language', 'lang']);

/**
 * OpenAI's reinforcement fine-tuning rows: the messages up to the user's question, and the fields the grader reads
 * ("reference_answer", "correct_label"...) beside them. The model writes the answer during training: none is missing.
 */
function reinforcementRow(shape: string, value: Record<string, unknown>): boolean {
  return shape === 'openai-chat' && Object.keys(value).some((key) => !chatRecordKeys.has(key)) && !Object.keys(value).some((key) => otherFormatKeys.has(key));
}

/** Keys of other dataset formats: a record with one of them is not a reinforcement row but a record of two formats. */
const otherFormatKeys: ReadonlySet<string> = new Set(['input', 'preferred_output', 'non_preferred_output', 'chosen', 'rejected', 'prompt', 'completion', 'conversations', 'instruction', 'output', 'text']);

/** An example with no assistant turn has nothing to learn (OpenAI: example_missing_assistant_message). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'no-assistant-turn', description: 'A conversation has no assistant turn to learn from.', defaultSeverity: 'error', fixable: false },
  check(context) {
    const { analysis, facts, record, report } = context;
    const { conversation } = analysis;
    const value = record.value as Record<string, unknown>;
    const sides = preferenceSides(context);
    if (sides !== undefined) {
      // Each side written as a message list must hold an answer (a missing or mistyped side is missing-field's or wrong-type's).
      for (const side of [sides.chosen, sides.rejected]) {
        // A turn whose role is unknown or unreadable (a list where one turn belongs) is unknown-role's or wrong-type's.
        if (!Array.isArray(value[side.key]) || side.turns.some((turn) => turn.role === 'assistant' || turn.role === null)) continue;
        report(`"${side.key}" has no assistant message: a preference pair needs both answers. Add the ${side === sides.chosen ? 'preferred' : 'rejected'} answer as an assistant message.`, { path: [side.key] });
      }
      return;
    }
    // A prompt-only record has no answer by design: the trainer (GRPO, online DPO) generates it.
    if (conversation.shape === 'prompt-only') return;
    if (conversation.shape === 'stepwise') {
      if (Array.isArray(value.completions) && value.completions.length === 0) report('"completions" has no steps: a stepwise-supervision example needs at least one reasoning step with its label. Add the steps, or remove the record.', { path: ['completions'] });
      return;
    }
    if (conversation.shape === 'segments') {
      // Axolotl's input_output format: only segments labelled true are trained.
      if (conversation.turns.length > 0 && !conversation.turns.some((turn) => turn.trainable)) report('No segment has "label": true: every token of this example is masked, so the model learns nothing from it. Set "label": true on the segment the model should learn to write.', { path: ['segments'], part: 'key' });
      return;
    }
    if (conversation.plainText || analysis.shape === 'unknown' || conversation.shape === 'alpaca' || conversation.shape.startsWith('preference')) return;
    if (conversation.turns.length === 0) {
      // A missing or mistyped list is missing-field's or wrong-type's finding; an empty one is this one's.
      const key = analysis.shape === 'sharegpt' ? (conversation.mapping ?? facts.hint.mapping).columns.messages : 'messages';
      const list = value[key];
      if (Array.isArray(list) && list.length === 0) report(`The conversation is empty ("${key}" has no messages): the model has nothing to learn from this example. Add the user's message and the assistant's answer, or remove the record.`, { path: [key] });
      return;
    }
    if (conversation.turns.some((turn) => turn.role === 'assistant')) return;
    // A turn whose role is missing or unknown may be the answer: missing-field or unknown-role says so.
    if (conversation.turns.some((turn) => turn.role === null)) return;
    if (reinforcementRow(analysis.shape, value)) return;
    const key = Object.keys(record.value as object).find((name) => name === 'messages' || name === 'conversations' || name === 'completion') ?? Object.keys(record.value as object)[0];
    report('No assistant turn: the model has nothing to learn from this example. Add the answer as an assistant message.', key !== undefined ? { path: [key], part: 'key' } : { offsets: { start: 0, end: 1 } });
  },
};
