import type { ContentPart, Turn } from '../conversation';
import type { RecordRule, RecordRuleContext } from './rule';
import { isObject, preferenceSides, valueAt } from './util';

/** The media a record can list, with the placeholder LLaMA-Factory counts and the Hugging Face content-part type. */
const mediaKinds = [
  { kind: 'image', column: 'images', singular: 'image', placeholder: '<image>' },
  { kind: 'video', column: 'videos', singular: 'video', placeholder: '<video>' },
  { kind: 'audio', column: 'audios', singular: 'audio', placeholder: '<audio>' },
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

/** At most this many answer placeholders are reported per record and media kind (a generated answer may repeat one). */
const answerReportLimit = 5;

/**
 * Where one turn writes a media kind: its text placeholders (counted in the text the trainer reads)
 * and its {"type": "image"} content parts (TRL vision data, transformers multimodal templates).
 */
interface TurnMedia {
  turn: Turn;
  placeholders: number;
  /** Indexes of the typed parts in the turn's content list. */
  typedParts: number[];
  /** The strings that hold the turn's text, with their paths (a function_call value included). */
  texts: readonly ContentPart[];
}

/**
 * The texts a trainer counts placeholders in. A ShareGPT function_call turn keeps its value out of
 * the prose (it is a call), but LLaMA-Factory counts the placeholders written in it all the same.
 */
function turnTexts(context: RecordRuleContext, turn: Turn): readonly ContentPart[] {
  if (turn.parts.length > 0 || turn.toolCalls.length === 0) return turn.parts;
  const raw = valueAt(context.record.value, turn.contentPath);
  return typeof raw === 'string' ? [{ path: turn.contentPath, text: raw, offset: 0 }] : turn.parts;
}

function turnMedia(context: RecordRuleContext, turn: Turn, placeholder: string, kind: string): TurnMedia {
  const texts = turnTexts(context, turn);
  let placeholders = 0;
  for (const part of texts) if (part.text.includes(placeholder)) placeholders += occurrences(part.text, placeholder);
  const typedParts: number[] = [];
  const content = valueAt(context.record.value, turn.contentPath);
  if (Array.isArray(content)) content.forEach((part, index) => { if (isObject(part) && part.type === kind) typedParts.push(index); });
  return { turn, placeholders, typedParts, texts };
}

/** Where an answer is: its place in the conversation, or the column it is written in. */
function answerName(turn: Turn): string {
  const place = turn.path[1];
  return typeof place === 'number' ? `an answer (${turn.writtenRole || 'assistant'} turn ${place + 1})` : `the "${String(turn.path[0])}" answer`;
}

/**
 * A multimodal record whose media list and placeholders disagree: LLaMA-Factory raises "The number
 * of images does not match the number of <image> tokens" and the run stops. Only records with a media
 * column are looked at (no pass over other records' text). Without placeholders at all the record is
 * reported only when a dataset_info.json declares the column (LLaMA-Factory then requires one per
 * image); TRL puts the images into the first user message by itself. A preference pair is counted
 * side by side (the prompt with the chosen answer, the prompt with the rejected one), as
 * LLaMA-Factory's pairwise processor checks each. Media in an answer is reported where it is written.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'media-placeholders', description: 'The <image>/<video>/<audio> placeholders do not match the images, videos or audios a record lists.', defaultSeverity: 'error', fixable: false },
  check(context) {
    const value = context.record.value;
    if (!isObject(value)) return;
    const { columns } = context.facts.hint.mapping;
    const { conversation } = context.analysis;
    const sides = preferenceSides(context);
    for (const media of mediaKinds) {
      const declared = columns[media.column];
      // LLaVA-Instruct's one image per record, in "image" (read by LLaVA's own trainer, by others once mapped).
      const llava = declared === undefined && !(media.column in value) && typeof value[media.singular] === 'string' && 'conversations' in value;
      const column = declared ?? (llava ? media.singular : media.column);
      // A column of the wrong type is wrong-type's finding.
      if (!Array.isArray(value[column]) && typeof value[column] !== 'string') continue;
      const listed = listedCount(value[column]);
      // The system prompt is not among LLaMA-Factory's messages: a system column, or a first system turn, which its converter takes out.
      const counted = conversation.turns.map((turn, index) => (turn.role === 'system' && (turn.rolePath === undefined || index === 0) ? undefined : turnMedia(context, turn, media.placeholder, media.kind)));
      const rejected = (conversation.rejected ?? []).map((turn) => turnMedia(context, turn, media.placeholder, media.kind));
      const countOf = (list: readonly (TurnMedia | undefined)[]): number => list.reduce((sum, item) => sum + (item === undefined ? 0 : item.placeholders + item.typedParts.length), 0);
      const chosenCount = countOf(counted);
      const checks: { count: number; where: string }[] = [];
      if (sides !== undefined) {
        const chosenOnly = countOf(counted.filter((item) => item !== undefined && item.turn.path[0] === sides.chosen.key));
        const rejectedCount = chosenCount - chosenOnly + countOf(rejected);
        if (rejectedCount === chosenCount) checks.push({ count: chosenCount, where: 'the messages' });
        else checks.push({ count: chosenCount, where: `the prompt with the "${sides.chosen.key}" answer` }, { count: rejectedCount, where: `the prompt with the "${sides.rejected.key}" answer` });
      } else {
        checks.push({ count: chosenCount, where: 'the messages' });
      }
      const noun = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
      for (const { count, where } of checks) {
        if (listed === count || (count === 0 && declared === undefined)) continue;
        const verb = where === 'the messages' ? 'hold' : 'holds';
        const what = count === 0 && where === 'the messages'
          ? `"${column}" lists ${noun(listed, media.kind)} but no message holds a ${media.placeholder} placeholder`
          : `"${column}" lists ${noun(listed, media.kind)} but ${where} ${verb} ${count === 0 ? `no ${media.placeholder} placeholder` : noun(count, `${media.placeholder} placeholder`)}`;
        const sideNote = where === 'the messages' ? '' : ' (it counts the prompt with each answer on its own)';
        const consequence = llava ? `LLaVA puts one ${media.kind} where each ${media.placeholder} is, so the ${media.kind}s and their places no longer match and training misaligns or stops` : `LLaMA-Factory raises "The number of ${media.column} does not match the number of ${media.placeholder} tokens" and stops`;
        context.report(`${what}: ${consequence}${sideNote}. Put one ${media.placeholder} in the text where each ${media.kind} goes, or list exactly one ${media.kind} per placeholder.`, { path: [column] });
      }
      let reported = 0;
      for (const item of [...counted, ...rejected]) if (item !== undefined && item.turn.role === 'assistant' && reported < answerReportLimit) reported += reportInAnswer(context, item, media.placeholder, media.kind, answerReportLimit - reported);
    }
  },
};

/**
 * Media written in an answer (a gpt, function_call or assistant turn): the counts may match, but the
 * image's tokens then land in the labels and the model is trained to output them.
 */
function reportInAnswer(context: RecordRuleContext, item: TurnMedia, placeholder: string, kind: string, limit: number): number {
  let reported = 0;
  const why = `the ${kind}'s tokens land in the labels and the model is trained to output them`;
  const where = answerName(item.turn);
  if (item.placeholders > 0) {
    for (const part of item.texts) {
      for (let at = part.text.indexOf(placeholder); at >= 0 && reported < limit; at = part.text.indexOf(placeholder, at + placeholder.length), reported++) {
        context.report(`${placeholder} in ${where}: ${why}. Move the ${placeholder} into the user turn before it.`, { path: part.path, inString: { start: at, end: at + placeholder.length } });
      }
    }
  }
  for (const index of item.typedParts) {
    if (reported >= limit) break;
    context.report(`A {"type": "${kind}"} part in ${where}: ${why}. Move the ${kind} into the user message before it.`, { path: [...item.turn.contentPath, index] });
    reported++;
  }
  return reported;
}
