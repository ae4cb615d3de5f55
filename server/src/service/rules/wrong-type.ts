import { closest, promptInsideAnswers, pythonTruthy } from '../formats';
import { contentPartPayloads, jsonTypeOf } from '../schema';
import type { JsonPath } from '../json/scanner';
import type { RecordRule, RecordRuleContext } from './rule';
import { specifiedObjects } from './structure';
import { allTurns, isObject, typeInWords, valueAt } from './util';

/**
 * Media parts of Hugging Face multimodal chat templates: {"type": "image"} with the images in their own
 * column (TRL's vision datasets, transformers processors), or with "path"/"url" (Axolotl). OpenAI
 * writes "image_url"; these are not misspellings of it.
 */
const templatePartTypes: ReadonlySet<string> = new Set(['image', 'video', 'audio']);

/** OpenAI image_url detail levels. */
const imageDetails: readonly string[] = ['auto', 'low', 'high'];
/**
 * Image media types OpenAI takes in a data URL: vision fine-tuning names JPEG, PNG and WEBP; GIF is
 * accepted by the chat API too, so it is let through (image/jpg is a common misnomer the API reads as JPEG).
 */
const imageMediaTypes: ReadonlySet<string> = new Set(['image/jpeg', 'image/jpg', 'image/png', 'image/webp', 'image/gif']);
/** OpenAI content parts that only a user message may hold (inputs to the model). */
const userOnlyPartTypes: ReadonlySet<string> = new Set(['image_url', 'input_audio', 'file']);

/** A field has the wrong JSON type (a number where a string belongs, an object instead of a list...). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'wrong-type', description: 'A field has the wrong JSON type.', defaultSeverity: 'error', fixable: false },
  check(context) {
    for (const object of specifiedObjects(context)) {
      // The object's own keys (two or three for a message), not every field the spec knows.
      for (const key of Object.keys(object.value)) {
        const spec = object.spec.fields[key];
        if (spec === undefined) continue;
        const actual = jsonTypeOf(object.value[key]);
        if (spec.types.includes(actual)) {
          // OpenAI's per-message weight is a switch, not a factor (other trainers read loss_weight).
          // The API checks a message's "name" against a pattern: no spaces and none of < | \ / >.
          const name = object.value[key];
          if (key === 'name' && object.spec.strict && typeof name === 'string' && (name.length === 0 || /[\s<|\\/>]/.test(name))) {
            context.report(`"name" must be one word such as "${name.trim().replace(/[\s<|\\/>]+/g, '_') || 'ann'}": the fine-tuning API rejects a message name that is empty or has spaces or any of < | \\ / >.`, { path: [...object.path, key] });
          }
          if (key === 'weight' && object.spec.strict && object.value[key] !== 0 && object.value[key] !== 1) {
            context.report(`"weight" must be 0 (do not train on this message) or 1 (train on it), not ${String(object.value[key])}: the fine-tuning API rejects other values. For a loss factor use "loss_weight".`, { path: [...object.path, key] });
          }
          continue;
        }
        context.report(`"${key}" must be ${spec.types.map(typeInWords).join(' or ')}, not ${describedType(object.value[key])}${encodedAdvice(object.value[key], spec.types) || (object.path.length === 0 ? labelAdvice(context, key, object.value[key]) : object.path[0] === 'segments' && key === 'label' ? segmentLabelAdvice(object.value[key]) : '')}.`, { path: [...object.path, key] });
      }
    }
    // A content list holds part objects: the API rejects a bare string or number there ("expected an object"), and
    // chat templates that read part["type"] drop it, with the text it holds.
    for (const object of specifiedObjects(context)) {
      if (object.contentPart === true || object.imageUrl === true || object.messageRole === undefined || !Array.isArray(object.value.content)) continue;
      object.value.content.forEach((part, index) => {
        if (isObject(part)) return;
        const example = typeof part === 'string' ? `{"type": "text", "text": ${JSON.stringify(part.length > 40 ? `${part.slice(0, 40)}…` : part)}}` : '{"type": "text", "text": "..."}';
        context.report(`Content part ${index + 1} of ${object.name} must be an object such as ${example}, not ${describedType(part)}: the fine-tuning API rejects it, and chat templates skip it.`, { path: [...object.path, 'content', index] });
      });
    }
    // A content part's "type" names its kind; the API rejects others ("txt", "img").
    for (const object of specifiedObjects(context)) {
      if (object.imageUrl === true) {
        // OpenAI's image detail: "auto", "low" or "high" (the API rejects other values).
        const detail = object.value.detail;
        if (typeof detail === 'string' && !imageDetails.includes(detail)) {
          const suggestion = closest(detail, imageDetails, 2);
          context.report(`"detail" must be ${imageDetails.map((name) => `"${name}"`).join(', ')}, not "${detail}"${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ''}: the API rejects other values.`, { path: [...object.path, 'detail'] });
        }
        reportImageUrl(context, object.value.url, [...object.path, 'url']);
        continue;
      }
      if (object.contentPart !== true) continue;
      const type = object.value.type;
      // The schema lets a string through (some local loaders take one), but OpenAI requires {"url": ...}.
      const imageUrl = object.value.image_url;
      if (type === 'image_url' && typeof imageUrl === 'string') {
        context.report(`"image_url" must be an object such as {"url": ${JSON.stringify(imageUrl.length > 60 ? `${imageUrl.slice(0, 60)}…` : imageUrl)}}, not a string: the fine-tuning API rejects a bare URL there.`, { path: [...object.path, 'image_url'] });
      }
      // OpenAI's preference fine-tuning: "DPO is currently only supported for text inputs and outputs".
      if (typeof type === 'string' && userOnlyPartTypes.has(type) && context.analysis.shape === 'preference-openai') {
        context.report(`An "${type}" content part in an OpenAI DPO record: OpenAI's preference fine-tuning takes text inputs and outputs only. Describe it in text, or train on it with supervised fine-tuning instead.`, { path: [...object.path, 'type'] });
        continue;
      }
      // Images, audio and files are inputs: OpenAI takes them only in user messages ("You cannot include
      // images as output from messages with the assistant role"; system, tool and developer content is text).
      if (typeof type === 'string' && userOnlyPartTypes.has(type) && object.messageRole !== undefined && object.messageRole !== null && object.messageRole !== 'user') {
        context.report(`An "${type}" content part in ${object.messageRole === 'assistant' ? 'an assistant' : `a ${object.messageRole}`} message: OpenAI fine-tuning takes images, audio and files only in user messages (the model cannot be trained to output them). Move it to a user message, or describe it in text.`, { path: [...object.path, 'type'] });
        continue;
      }
      if (type === 'refusal' && object.messageRole !== undefined && object.messageRole !== null && object.messageRole !== 'assistant') {
        context.report(`A "refusal" content part in ${object.messageRole === 'user' ? 'a user' : `a ${object.messageRole}`} message: only an assistant message refuses. Write it as a "text" part, or move it to the answer.`, { path: [...object.path, 'type'] });
        continue;
      }
      if (typeof type !== 'string' || contentPartPayloads[type] !== undefined || templatePartTypes.has(type)) continue;
      const suggestion = closest(type, Object.keys(contentPartPayloads), 2);
      context.report(`Unknown content part type "${type}": use ${Object.keys(contentPartPayloads).map((name) => `"${name}"`).join(', ')}${suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ''}.`, { path: [...object.path, 'type'] });
    }
    // Alpaca history: a list of [instruction, response] pairs of strings (LLaMA-Factory unpacks each pair).
    const { shape } = context.analysis;
    if (shape === 'alpaca' || shape === 'preference-alpaca') {
      const historyKey = context.facts.hint.mapping.columns.history;
      const history = (context.record.value as Record<string, unknown>)[historyKey];
      if (Array.isArray(history)) {
        history.forEach((pair, index) => {
          if (Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string') return;
          if (Array.isArray(pair) && pair.length === 2) {
            // A pair of the right length: the element of the wrong type is the one to fix.
            pair.forEach((item, side) => {
              if (typeof item !== 'string') context.report(`The ${side === 0 ? 'instruction' : 'response'} of history entry ${index + 1} must be a string, not ${describedType(item)}.`, { path: [historyKey, index, side] });
            });
            return;
          }
          context.report(`History entry ${index + 1} must be an [instruction, response] pair of two strings, not ${Array.isArray(pair) ? `a list of ${pair.length}` : describedType(pair)}.`, { path: [historyKey, index] });
        });
      }
    }
    if (shape === 'prompt-completion' || shape === 'preference-trl') reportMixedTrlSides(context);
    if (shape === 'stepwise') reportSteps(context);
    // Entries of a message list that are not objects at all ("hello", [..], 3). A turn written as a
    // column of its own (LLaMA-Factory's chosen/rejected) is checked by the record's spec above.
    const sharegpt = shape === 'sharegpt' || shape === 'preference-sharegpt';
    const { tags } = context.analysis.conversation.mapping ?? context.facts.hint.mapping;
    const example = sharegpt ? `{"${tags.role}": "${tags.user}", "${tags.content}": "..."}` : '{"role": "user", "content": "..."}';
    let stringsReported: unknown;
    for (const turn of allTurns(context)) {
      if (turn.writtenRole !== '' || turn.rolePath !== undefined || turn.path.length < 2) continue;
      const value = valueAt(context.record.value, turn.path);
      if (value === undefined || isObject(value)) continue;
      // A list of plain strings (LIMA: the user's and the assistant's texts alternating) is one problem, said once at its key.
      const listPath = turn.path.slice(0, -1);
      const list = valueAt(context.record.value, listPath);
      if (Array.isArray(list) && list.length >= 2 && list.every((entry) => typeof entry === 'string')) {
        if (stringsReported === list) continue;
        stringsReported = list;
        const key = listPath[listPath.length - 1];
        context.report(
          `The ${sharegpt ? 'turns' : 'messages'} under "${String(key)}" are plain strings (LIMA's layout, the user's and the assistant's texts alternating): trainers read each ${sharegpt ? 'turn' : 'message'} as an object like ${example}. Write each string as one, the first as the user's and the next as the answer.`,
          typeof key === 'string' ? { path: listPath, part: 'key' } : { path: listPath },
        );
        continue;
      }
      context.report(`Each ${sharegpt ? 'turn' : 'message'} must be an object like ${example}, not ${describedType(value)}.`, { path: turn.path });
    }
  },
};

/**
 * TRL reads a record as conversational (every field a message list) or as plain text (every field a
 * string): a record that mixes them fails in its chat-template step. The fields of the less common
 * kind are reported (on a tie, the strings: the record was probably meant to be conversational).
 */
function reportMixedTrlSides(context: RecordRuleContext): void {
  const value = context.record.value as Record<string, unknown>;
  // A string prompt beside answers that hold the prompt turns: TRL takes the prompt from the answers, so only they must agree.
  const keys = promptInsideAnswers(value) ? ['completion', 'chosen', 'rejected'] : ['prompt', 'completion', 'chosen', 'rejected'];
  const lists: string[] = [];
  const strings: string[] = [];
  for (const key of keys) {
    if (Array.isArray(value[key])) lists.push(key);
    else if (typeof value[key] === 'string') strings.push(key);
  }
  if (lists.length === 0 || strings.length === 0) return;
  const names = (keys: readonly string[]): string => keys.map((key) => `"${key}"`).join(' and ');
  if (strings.length <= lists.length) {
    for (const key of strings) context.report(`"${key}" is a string but ${names(lists)} ${lists.length === 1 ? 'is a list' : 'are lists'} of messages: TRL reads a record either as conversational or as plain text, and fails on a mix. Write "${key}" as a message list too, such as [{"role": "${key === 'prompt' ? 'user' : 'assistant'}", "content": "..."}].`, { path: [key] });
  } else {
    for (const key of lists) context.report(`"${key}" is a list of messages but ${names(strings)} ${strings.length === 1 ? 'is a string' : 'are strings'}: TRL reads a record either as conversational or as plain text, and fails on a mix. Write "${key}" as a string too (or every field as a message list).`, { path: [key] });
  }
}

/**
 * An image OpenAI cannot read: a local path or file:// URL instead of an https or data: URL, or a data URL of a media
 * type OpenAI does not take (SVG, BMP, TIFF...), reported at the "data:<type>" prefix (only the few characters before
 * the first ";" or "," are read).
 */
function reportImageUrl(context: RecordRuleContext, url: unknown, path: JsonPath): void {
  if (typeof url !== 'string') return;
  if (!url.startsWith('data:')) {
    // A local file: the API downloads an image from its URL and has no access to the author's disk.
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^file:/i.test(url)) {
      const shown = url.length > 60 ? `${url.slice(0, 59)}…` : url;
      context.report(`The image URL "${shown}" is a local file: OpenAI downloads each image from its https URL (or reads it from a data: URL) and cannot open a path on your disk. Host it at an https URL, or embed it as "data:image/png;base64,...".`, { path });
    }
    return;
  }
  let end = 5;
  // A media type is short: stop at 100 characters so a malformed URL does not scan its whole payload.
  while (end < url.length && end < 100 && url[end] !== ';' && url[end] !== ',') end++;
  const mediaType = url.slice(5, end).trim().toLowerCase();
  if (imageMediaTypes.has(mediaType)) return;
  const what = mediaType.length === 0 ? 'no media type' : `media type "${mediaType}"`;
  context.report(`The image's data URL has ${what}: OpenAI vision fine-tuning takes only JPEG, PNG, WEBP and GIF images. Convert it to PNG or JPEG and write "data:image/png;base64,...".`, { path, inString: { start: 0, end } });
}

/** What a value is, in words, for messages. */
function kindOf(value: unknown): string {
  const type = jsonTypeOf(value);
  return type === 'array' ? 'a list' : type === 'object' ? 'an object' : type === 'null' ? 'null' : `a ${type}`;
}

/**
 * TRL stepwise supervision: each step a string, each label a boolean, one label per step.
 * PRMTrainer pairs steps and labels one to one (zip), so a step without a label is silently dropped.
 */
function reportSteps(context: RecordRuleContext): void {
  const value = context.record.value as Record<string, unknown>;
  const { completions, labels } = value;
  if (Array.isArray(completions)) {
    completions.forEach((step, index) => {
      if (typeof step !== 'string') context.report(`Step ${index + 1} of "completions" must be a string, not ${kindOf(step)}: each step is one piece of the reasoning text.`, { path: ['completions', index] });
    });
  }
  if (!Array.isArray(labels)) return;
  labels.forEach((label, index) => {
    if (typeof label !== 'boolean') context.report(`Label ${index + 1} of "labels" must be true or false, not ${kindOf(label)}${typeof label === 'string' && /^(true|false)$/i.test(label) ? ' (remove the quotes)' : ''}: PRMTrainer reads each label as whether that step is correct.`, { path: ['labels', index] });
  });
  if (Array.isArray(completions) && completions.length !== labels.length && completions.length > 0) {
    const fewer = labels.length < completions.length;
    context.report(`"labels" has ${labels.length} label${labels.length === 1 ? '' : 's'} for ${completions.length} step${completions.length === 1 ? '' : 's'} in "completions": PRMTrainer pairs them one to one and silently drops ${fewer ? 'the steps without a label' : 'the labels without a step'}. Give every step exactly one label.`, { path: ['labels'] });
  }
}

/**
 * For a string that holds the right value as JSON text (a list written with json.dumps): say so, and
 * what to write instead. Only called for a value of the wrong type.
 */
/** What Axolotl does with a template-free segment's label that is not a boolean: it tests its truth as Python does. */
function segmentLabelAdvice(value: unknown): string {
  const trained = pythonTruthy(value);
  return `: Axolotl trains a segment whose label is true in Python's sense, so this segment is ${trained ? 'trained' : 'masked'}${typeof value === 'string' && value.length > 0 ? ' ("false" too is a non-empty string)' : ''}. Write true or false without quotes`;
}

/** What a KTO label must be and what a wrong one does: LLaMA-Factory's kto_tag column, or TRL's "label" beside a prompt and completion. */
function labelAdvice(context: RecordRuleContext, key: string, value: unknown): string {
  const ktoColumn = (context.analysis.conversation.mapping ?? context.facts.hint.mapping).columns.kto_tag;
  const trl = key === 'label' && context.analysis.shape === 'prompt-completion';
  if (key !== ktoColumn && !trl) return '';
  const quoted = typeof value === 'string' && /^\s*(?:true|false)\s*$/i.test(value) ? ` (write ${value.trim().toLowerCase()}, without quotes)` : '';
  const consequence = key === ktoColumn ? 'LLaMA-Factory reads any other value as no label and drops the example from KTO training' : "TRL's KTOTrainer counts the example as neither, so it trains nothing";
  return `: a KTO label is true for a desirable completion and false for an undesirable one${quoted}; ${consequence}`;
}

function encodedAdvice(value: unknown, expected: readonly string[]): string {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return '';
  }
  const type = jsonTypeOf(parsed);
  if (!expected.includes(type)) return '';
  return `: it holds ${type === 'array' ? 'a list' : 'an object'} written as JSON text (encoded twice). Write the ${type === 'array' ? 'list' : 'object'} itself, without the quotes`;
}

function describedType(value: unknown): string {
  const type = jsonTypeOf(value);
  return type === 'array' ? 'a list' : type === 'object' ? 'an object' : type === 'null' ? 'null' : `a ${type}`;
}
