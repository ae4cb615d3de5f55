import { checkedTurnList } from '../formats';
import type { RecordRule, RecordRuleContext } from './rule';
import { allTurns, sharedPrefixLength, turnName, valueAt } from './util';

/** A turn whose content is empty or only whitespace (torchtune: only the assistant may be empty, and then it teaches nothing). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'empty-content', description: 'A turn has empty or whitespace-only content.', defaultSeverity: 'error', fixable: false },
  check(context) {
    // An empty template-free segment adds nothing to the joined text; a record with nothing to train is no-assistant-turn's.
    if (context.analysis.conversation.shape === 'segments') return;
    if (context.analysis.conversation.shape === 'preference-trl') reportEmptyImplicitAnswer(context);
    const stepwise = context.analysis.conversation.shape === 'stepwise';
    if (stepwise) reportEmptySteps(context);
    allTurns(context).forEach((turn, index) => {
      if (turn.toolCalls.length > 0) return; // a tool call may have no prose
      if (stepwise && turn.path[0] === 'completions') return; // each step is checked on its own above
      if (!isBlank(turn.content)) return;
      // An empty first system turn in ShareGPT data (SlimOrca and OpenOrca ship thousands): LLaMA-Factory then uses the
      // template's default system prompt and Axolotl renders an empty one; neither drops the example.
      if (turn.role === 'system' && index === 0 && context.analysis.conversation.format === 'sharegpt') return;
      // A missing or mistyped content field is missing-field's or wrong-type's finding, not this one.
      const written = valueAt(context.record.value, turn.contentPath);
      if (turn.parts.length === 0 && !isWrittenText(written)) return;
      // An image, audio or file beside an empty text part: the message is the media (a vision question needs no words).
      if (Array.isArray(written) && written.some((part) => typeof part === 'object' && part !== null && (part as { type?: unknown }).type !== 'text')) return;
      const value = turn.parts[0] !== undefined ? turn.parts[0].path : turn.contentPath;
      const what = turn.content.length === 0 ? 'empty' : turn.content.trim().length === 0 ? 'only whitespace' : 'only invisible characters (zero-width spaces or joiners)';
      if (context.analysis.conversation.plainText) {
        context.report(`The text is ${what}: write the text or remove the record.`, { path: value });
        return;
      }
      // A field that is the turn (Alpaca's "output", a pair's "chosen") cannot be removed alone: the record goes.
      const fieldTurn = turn.rolePath === undefined && typeof turn.path[0] === 'string' && turn.path.length === 1;
      context.report(`The content of ${turnName(turn, index)} is ${what}: write the ${turn.role === 'assistant' ? 'answer' : 'text'} or remove the ${fieldTurn ? 'record' : 'turn'}.`, { path: value });
    });
  },
};

/** Zero-width spaces and joiners, the word joiner and the soft hyphen: they render as nothing. (U+FEFF is whitespace to trim().) */
const invisibleOnly = /^[\s\u200B-\u200D\u2060\u00AD\u180E]*$/;

/**
 * Whether a text shows nothing: empty, whitespace, or only invisible characters (an answer that is a lone U+200B trains
 * the model on an empty reply just the same). The anchored pattern stops at the first visible character.
 */
export function isBlank(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length === 0 || invisibleOnly.test(trimmed);
}

/**
 * TRL stepwise supervision: PRMTrainer tokenizes each step with its label, so an empty or
 * whitespace-only step trains a label on no text. An empty list is no-assistant-turn's finding; a
 * step that is not a string is wrong-type's. trim() stops at the first non-space, so a step costs little.
 */
function reportEmptySteps(context: RecordRuleContext): void {
  const completions = (context.record.value as Record<string, unknown>).completions;
  if (!Array.isArray(completions)) return;
  checkedTurnList(completions).forEach((step, index) => {
    if (typeof step !== 'string' || step.trim().length > 0) return;
    context.report(`Step ${index + 1} of "completions" is ${step.length === 0 ? 'empty' : 'only whitespace'}: PRMTrainer trains its label on no text. Write the step or remove it with its label.`, { path: ['completions', index] });
  });
}

/**
 * Whether a content value is written as text, however empty: a string, or an empty list of parts. A
 * list whose items hold no text is not empty text: image or audio parts (a vision example's user turn
 * may be only an image), or a list where a string belongs, which is wrong-type's finding.
 */
function isWrittenText(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.length === 0);
}

/**
 * A string pair with no prompt column (Anthropic's HH-RLHF: "\n\nHuman: ...\n\nAssistant: ..."): TRL's
 * extract_prompt takes the text both sides start with as the prompt, and an answer is what follows. A side
 * that is all shared text and stops at its turn label (a transcript cut at "Assistant:") has no answer left.
 */
function reportEmptyImplicitAnswer(context: RecordRuleContext): void {
  const value = context.record.value as Record<string, unknown>;
  const { chosen, rejected } = value;
  if ('prompt' in value || typeof chosen !== 'string' || typeof rejected !== 'string' || chosen === rejected) return;
  const shared = sharedPrefixLength(chosen, rejected);
  for (const [key, side, other] of [['chosen', chosen, rejected], ['rejected', rejected, chosen]] as const) {
    if (side.length === 0 || side.slice(shared).trim().length > 0) continue;
    // A side that stops inside its answer where the other goes on ("Assistant: Yes" and "Assistant: Yes, it is.") keeps its
    // last character as its answer (TRL then splits one character earlier): a pair about going on. Only a side that stops at
    // its turn label ("Assistant:") has no answer at all.
    if (other.length > side.length && !/(?:^|\n)[^\S\n]*[A-Za-z][\w ]{0,20}:\s*$/.test(side)) continue;
    context.report(`The ${key} answer is empty: "${key}" is only the text both sides start with (${other.length > side.length ? `the other side goes on from where it stops` : 'they differ only in whitespace'}), and with no "prompt" column TRL takes that shared text as the prompt, leaving no answer. Write the ${key} answer after the last turn label, or drop the pair.`, { path: [key] });
  }
}
