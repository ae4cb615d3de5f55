import type { RecordRule, RecordRuleContext } from './rule';
import { isObject } from './util';

/** The media a record can list, with the placeholder LLaMA-Factory counts and the Hugging Face content-part type. */
const mediaKinds = [
  { kind: 'image', column: 'images', placeholder: '<image>' },
  { kind: 'video', column: 'videos', placeholder: '<video>' },
  { kind: 'audio', column: 'audios', placeholder: '<audio>' },
] as const;

/** How many media a column lists: a list of paths, or one path written as a string. */
function listedCount(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'string' && value.length > 0 ? 1 : 0;
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** {"type": "image"} parts in message content lists (TRL vision data, transformers multimodal templates). */
function typedParts(value: unknown, type: string): number {
  let count = 0;
  const visitList = (messages: unknown): void => {
    if (!Array.isArray(messages)) return;
    for (const message of messages) {
      const content = isObject(message) ? message.content : undefined;
      if (Array.isArray(content)) for (const part of content) if (isObject(part) && part.type === type) count++;
    }
  };
  if (!isObject(value)) return 0;
  for (const key of ['messages', 'prompt', 'completion', 'chosen', 'conversations']) visitList(value[key]);
  return count;
}

/**
 * A multimodal record whose media list and placeholders disagree: LLaMA-Factory raises "The number
 * of images does not match the number of <image> tokens" and the run stops. Only records with a media
 * column are looked at (no pass over other records' text). Without placeholders at all the record is
 * reported only when a dataset_info.json declares the column (LLaMA-Factory then requires one per
 * image); TRL puts the images into the first user message by itself.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'media-placeholders', description: 'The <image>/<video>/<audio> placeholders do not match the images, videos or audios a record lists.', defaultSeverity: 'error', fixable: false },
  check(context) {
    const value = context.record.value;
    if (!isObject(value)) return;
    const { columns } = context.facts.hint.mapping;
    for (const media of mediaKinds) {
      const declared = columns[media.column];
      const column = declared ?? media.column;
      // A column of the wrong type is wrong-type's finding.
      if (!Array.isArray(value[column]) && typeof value[column] !== 'string') continue;
      const listed = listedCount(value[column]);
      const placeholders = placeholderCount(context, media.placeholder) + typedParts(value, media.kind);
      if (listed === placeholders || (placeholders === 0 && declared === undefined)) continue;
      const noun = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
      const what = placeholders === 0
        ? `"${column}" lists ${noun(listed, media.kind)} but no message holds a ${media.placeholder} placeholder`
        : `"${column}" lists ${noun(listed, media.kind)} but the messages hold ${noun(placeholders, `${media.placeholder} placeholder`)}`;
      context.report(`${what}: LLaMA-Factory raises "The number of ${media.column} does not match the number of ${media.placeholder} tokens" and stops. Put one ${media.placeholder} in the text where each ${media.kind} goes, or list exactly one ${media.kind} per placeholder.`, { path: [column] });
    }
  },
};

/**
 * Placeholders written in the text of the prompt and answer turns. The system prompt is not among
 * LLaMA-Factory's messages: a system column, or a first system turn, which its converter takes out.
 */
function placeholderCount(context: RecordRuleContext, placeholder: string): number {
  let count = 0;
  for (const [index, turn] of context.analysis.conversation.turns.entries()) {
    if (turn.role === 'system' && (turn.rolePath === undefined || index === 0)) continue;
    if (turn.content.includes(placeholder)) count += occurrences(turn.content, placeholder);
  }
  return count;
}
