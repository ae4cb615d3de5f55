/**
 * The objects of a record that have a known set of fields (the record itself, each message, each
 * ShareGPT turn), with their spec. missing-field, wrong-type and unknown-key walk the same list.
 */
import type { Role } from '../conversation';
import type { JsonPath } from '../json/scanner';
import { contentPartSpec, objectSpec, openaiMessageSpec, questionAnswerSpec, recordSpec, segmentSpec, sharegptTurnSpec, type ObjectSpec } from '../schema';
import { checkedTurnList, openaiRoles } from '../formats';
import type { RecordRuleContext } from './rule';
import { isObject } from './util';

export interface SpecifiedObject {
  path: JsonPath;
  value: Record<string, unknown>;
  spec: ObjectSpec;
  /** "the record", "message 2"... for messages. */
  name: string;
  /** True for an OpenAI content part ({"type": "text", "text": ...}). */
  contentPart?: boolean;
  /** The role of a message, or of a content part's message (canonical; null when the role is unknown). */
  messageRole?: Role | null;
  /** True for the object of an image_url part ({"url": ..., "detail": ...}). */
  imageUrl?: boolean;
}

/** The image of an OpenAI image_url part: the API requires its url; detail is one of imageDetails. */
const imageUrlSpec = objectSpec(false, { url: { types: ['string'], required: true }, detail: { types: ['string'], required: false } });

/** Whether any tool call in the messages has an id (then its results must answer by tool_call_id). */
function anyCallId(messages: readonly unknown[]): boolean {
  return messages.some((message) => isObject(message) && Array.isArray(message.tool_calls) && message.tool_calls.some((call) => isObject(call) && call.id !== undefined));
}

function messageObjects(list: unknown, path: JsonPath, out: SpecifiedObject[]): void {
  if (!Array.isArray(list)) return;
  const checked = checkedTurnList(list);
  // Once per list, not per tool message (a list of many tool results made that quadratic).
  const callsHaveIds = anyCallId(checked);
  checked.forEach((message, index) => messageObject(message, [...path, index], `message ${index + 1}`, callsHaveIds, out));
}

/** One OpenAI-style message at `messagePath` (`callsHaveIds`: whether a call in its list has an id, so results answer by id). */
function messageObject(message: unknown, messagePath: JsonPath, name: string, callsHaveIds: boolean, out: SpecifiedObject[]): void {
  if (!isObject(message)) return;
  const role = typeof message.role === 'string' ? (openaiRoles[message.role] ?? null) : null;
  // A tool_calls object (not a list) is wrong-type's finding; the message still calls a tool, so
  // its null content is not reported as well.
  const hasCalls = (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) || (isObject(message.tool_calls) && Object.keys(message.tool_calls).length > 0) || isObject(message.function_call);
  // A tool result answering by "name" (no tool_call_id) in a conversation whose calls carry no id is
  // the Hugging Face chat-template layout (TRL's dataset_formats.md): it needs the name, not the id.
  const byName = message.role === 'function' || (role === 'tool' && typeof message.name === 'string' && message.tool_call_id === undefined && !callsHaveIds);
  out.push({ path: messagePath, value: message, spec: openaiMessageSpec(role, hasCalls, byName), name, messageRole: role });
  trainDetailObjects(message, messagePath, name, out);
  if (Array.isArray(message.content)) {
    message.content.forEach((part, partIndex) => {
      if (!isObject(part)) return;
      const partPath = [...messagePath, 'content', partIndex];
      out.push({ path: partPath, value: part, spec: contentPartSpec(part.type), name: `content part ${partIndex + 1} of ${name}`, contentPart: true, messageRole: role });
      if (part.type === 'image_url' && isObject(part.image_url)) out.push({ path: [...partPath, 'image_url'], value: part.image_url, spec: imageUrlSpec, name: `the image_url of content part ${partIndex + 1} of ${name}`, imageUrl: true });
    });
  }
}

/**
 * The character spans of Axolotl's per-message training detail ("train_detail", or "training_detail" as its loader
 * names the field by default): its loader reads each span's begin_offset, end_offset and train, and fails without one.
 */
const trainDetailSpec = objectSpec(false, { begin_offset: { types: ['number'], required: true }, end_offset: { types: ['number'], required: true }, train: { types: ['boolean'], required: true } });

function trainDetailObjects(message: Record<string, unknown>, messagePath: JsonPath, name: string, out: SpecifiedObject[]): void {
  for (const key of ['train_detail', 'training_detail']) {
    const spans = message[key];
    if (!Array.isArray(spans)) continue;
    spans.forEach((span, index) => {
      if (isObject(span)) out.push({ path: [...messagePath, key, index], value: span, spec: trainDetailSpec, name: `span ${index + 1} of the "${key}" of ${name}` });
    });
  }
}

/** The `input` object of an OpenAI DPO record. */
const openaiInputSpec = objectSpec(false, { messages: { types: ['array'], required: true }, tools: { types: ['array'], required: false }, parallel_tool_calls: { types: ['boolean'], required: false } });

// One entry, not a WeakMap keyed by analysis: the three rules ask in a row for the same record, and
// a long-lived WeakMap made the young-generation GC promote every record's parsed value.
let memoAnalysis: object | undefined;
let memoObjects: SpecifiedObject[] = [];

/** The specified objects of the record (computed once per analysis: three rules walk them). */
export function specifiedObjects(context: RecordRuleContext): SpecifiedObject[] {
  if (memoAnalysis === context.analysis) return memoObjects;
  const result = computeSpecifiedObjects(context);
  memoAnalysis = context.analysis;
  memoObjects = result;
  return result;
}

function computeSpecifiedObjects(context: RecordRuleContext): SpecifiedObject[] {
  const { analysis, facts } = context;
  const value = context.record.value as Record<string, unknown>;
  const mapping = analysis.conversation.mapping ?? facts.hint.mapping;
  const out: SpecifiedObject[] = [];
  const top = analysis.shape === 'question-answer' ? questionAnswerSpec(value) : recordSpec(analysis.shape, mapping);
  if (top !== undefined) out.push({ path: [], value, spec: top, name: 'the record' });
  switch (analysis.shape) {
    case 'openai-chat':
      messageObjects(value.messages, ['messages'], out);
      break;
    case 'preference-openai':
      if (isObject(value.input)) {
        out.push({ path: ['input'], value: value.input, spec: openaiInputSpec, name: 'input' });
        messageObjects(value.input.messages, ['input', 'messages'], out);
      }
      messageObjects(value.preferred_output, ['preferred_output'], out);
      messageObjects(value.non_preferred_output, ['non_preferred_output'], out);
      break;
    case 'prompt-completion':
    case 'preference-trl':
      for (const key of ['prompt', 'completion', 'chosen', 'rejected']) messageObjects(value[key], [key], out);
      break;
    case 'prompt-only':
    case 'stepwise':
      messageObjects(value.prompt, ['prompt'], out);
      break;
    case 'preference-messages': {
      messageObjects(value.messages, ['messages'], out);
      const callsHaveIds = Array.isArray(value.messages) && anyCallId(checkedTurnList(value.messages));
      for (const key of ['chosen', 'rejected']) messageObject(value[key], [key], `"${key}"`, callsHaveIds, out);
      break;
    }
    case 'sharegpt':
    case 'preference-sharegpt': {
      const spec = sharegptTurnSpec(mapping);
      const turns = value[mapping.columns.messages];
      if (Array.isArray(turns)) {
        checkedTurnList(turns).forEach((turn, index) => {
          if (!isObject(turn)) return;
          out.push({ path: [mapping.columns.messages, index], value: turn, spec, name: `turn ${index + 1}` });
          trainDetailObjects(turn, [mapping.columns.messages, index], `turn ${index + 1}`, out);
        });
      }
      for (const key of [mapping.columns.chosen, mapping.columns.rejected]) {
        const turn = value[key];
        if (analysis.shape === 'preference-sharegpt' && isObject(turn)) out.push({ path: [key], value: turn, spec, name: key });
      }
      break;
    }
    case 'segments':
      if (Array.isArray(value.segments)) {
        checkedTurnList(value.segments).forEach((segment, index) => {
          if (isObject(segment)) out.push({ path: ['segments', index], value: segment, spec: segmentSpec, name: `segment ${index + 1}` });
        });
      }
      break;
    default:
      break;
  }
  return out;
}
