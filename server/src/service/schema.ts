/**
 * The fields each record shape has: which are required, their JSON types, and whether keys outside
 * the list are reported always (OpenAI messages: the API rejects them) or only when they look like a
 * misspelling of a known key (extra columns such as `id` or `source` are common and harmless).
 */
import type { RecordShape, Role } from './conversation';
import { closest, roleContentMapping, type FormatMapping } from './formats';

export type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface FieldSpec {
  types: readonly JsonType[];
  required: boolean;
}

export interface ObjectSpec {
  /** Field specs by key (a prototype-less object: a key such as "constructor" is not a field). */
  fields: Readonly<Record<string, FieldSpec | undefined>>;
  /** true: every unknown key is a problem; false: only near-misses of known keys. */
  strict: boolean;
  /** The known keys, and the required ones, in spec order (rules walk these for every object of every record). */
  keys: readonly string[];
  required: readonly string[];
}

/** Builds a spec once, with its key lists. */
export function objectSpec(strict: boolean, fields: Record<string, FieldSpec>): ObjectSpec {
  const keys = Object.keys(fields);
  return { strict, fields: Object.assign(Object.create(null) as Record<string, FieldSpec>, fields), keys, required: keys.filter((key) => fields[key]?.required === true) };
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? type : 'object';
}

const field = (required: boolean, ...types: JsonType[]): FieldSpec => ({ types, required });

const recordSpecs = new WeakMap<FormatMapping, Map<RecordShape, ObjectSpec | undefined>>();

/** The top-level fields of a record shape (built once per mapping and shape). */
export function recordSpec(shape: RecordShape, mapping: FormatMapping): ObjectSpec | undefined {
  let byShape = recordSpecs.get(mapping);
  if (byShape === undefined) recordSpecs.set(mapping, (byShape = new Map()));
  if (byShape.has(shape)) return byShape.get(shape);
  const spec = buildRecordSpec(shape, mapping);
  byShape.set(shape, spec);
  return spec;
}

function buildRecordSpec(shape: RecordShape, mapping: FormatMapping): ObjectSpec | undefined {
  const spec = baseRecordSpec(shape, mapping);
  const c = mapping.columns;
  if (spec === undefined || shape === 'openai-chat' || (c.kto_tag === undefined && c.images === undefined && c.videos === undefined && c.audios === undefined)) return spec;
  // Columns a dataset_info.json names: LLaMA-Factory reads kto_tag as the KTO label (only true or false: without one
  // the example is not a KTO example, and KTO training drops it) and each media column as one path or a list of paths.
  const fields: Record<string, FieldSpec> = {};
  for (const key of spec.keys) fields[key] = spec.fields[key] as FieldSpec;
  if (c.kto_tag !== undefined) fields[c.kto_tag] = field(true, 'boolean');
  for (const media of [c.images, c.videos, c.audios]) if (media !== undefined) fields[media] = field(false, 'array', 'string');
  return objectSpec(spec.strict, fields);
}

/**
 * Optional columns of LLaMA-Factory and Axolotl data (an Alpaca input, system, history or tools; a
 * ShareGPT system or tools) may be null: both read them by truthiness, and Hugging Face's to_json
 * writes null for a column a row lacks.
 */
function baseRecordSpec(shape: RecordShape, mapping: FormatMapping): ObjectSpec | undefined {
  const c = mapping.columns;
  switch (shape) {
    case 'openai-chat':
      return objectSpec(false, { messages: field(true, 'array'), tools: field(false, 'array'), functions: field(false, 'array'), parallel_tool_calls: field(false, 'boolean') });
    case 'sharegpt':
    case 'chat-conversations':
    case 'sharegpt-messages':
      return objectSpec(false, { [c.messages]: field(true, 'array'), [c.system]: field(false, 'string', 'null'), [c.tools]: field(false, 'string', 'array', 'null') });
    case 'preference-sharegpt':
      return objectSpec(false, { [c.messages]: field(true, 'array'), [c.system]: field(false, 'string', 'null'), [c.tools]: field(false, 'string', 'array', 'null'), [c.chosen]: field(true, 'object'), [c.rejected]: field(true, 'object') });
    case 'alpaca':
      // LLaMA-Factory's Alpaca format has a tools column too (a JSON string of function specs).
      return objectSpec(false, { [c.prompt]: field(true, 'string'), [c.query]: field(false, 'string', 'null'), [c.response]: field(true, 'string'), [c.system]: field(false, 'string', 'null'), [c.history]: field(false, 'array', 'null'), [c.tools]: field(false, 'string', 'array', 'null') });
    case 'preference-alpaca':
      return objectSpec(false, { [c.prompt]: field(true, 'string'), [c.query]: field(false, 'string', 'null'), [c.chosen]: field(true, 'string'), [c.rejected]: field(true, 'string'), [c.system]: field(false, 'string', 'null'), [c.history]: field(false, 'array', 'null') });
    case 'prompt-completion':
      // `label`: TRL's unpaired preference (KTO) data marks each completion desirable or not.
      return objectSpec(false, { prompt: field(true, 'string', 'array'), completion: field(true, 'string', 'array'), label: field(false, 'boolean') });
    case 'prompt-only':
      // Other columns are common (an "answer" or "solution" the reward function reads).
      return objectSpec(false, { prompt: field(true, 'string', 'array') });
    case 'stepwise':
      return objectSpec(false, { prompt: field(true, 'string', 'array'), completions: field(true, 'array'), labels: field(true, 'array') });
    case 'preference-argilla':
      return objectSpec(false, { system: field(false, 'string', 'null'), instruction: field(true, 'string'), chosen_response: field(true, 'string'), rejected_response: field(true, 'string') });
    case 'preference-intel':
      return objectSpec(false, { system: field(false, 'string', 'null'), question: field(true, 'string'), chosen: field(true, 'string'), rejected: field(true, 'string') });
    case 'input-output':
      return objectSpec(false, { input: field(true, 'string'), output: field(true, 'string') });
    case 'question-answer':
      return questionAnswerSpecs.either;
    case 'unpaired-columns':
      // Either question column (argilla: instruction, intel: question); detection requires one of them.
      return objectSpec(false, { system: field(false, 'string', 'null'), instruction: field(false, 'string'), question: field(false, 'string'), completion: field(true, 'string'), label: field(true, 'boolean') });
    case 'text':
      return objectSpec(false, { [c.text ?? 'text']: field(true, 'string') });
    case 'segments':
      return objectSpec(false, { segments: field(true, 'array') });
    case 'preference-trl':
      return objectSpec(false, { prompt: field(false, 'string', 'array'), chosen: field(true, 'string', 'array'), rejected: field(true, 'string', 'array') });
    case 'preference-messages':
      return objectSpec(false, { messages: field(true, 'array'), chosen: field(true, 'object'), rejected: field(true, 'object'), tools: field(false, 'array') });
    case 'preference-openai':
      return objectSpec(false, { input: field(true, 'object'), preferred_output: field(true, 'array'), non_preferred_output: field(true, 'array') });
    case 'unknown':
      return undefined;
  }
}

function questionAnswerFields(answer: 'answer' | 'response' | undefined): Record<string, FieldSpec> {
  return { system_prompt: field(false, 'string', 'null'), system: field(false, 'string', 'null'), context: field(false, 'string', 'null'), question: field(true, 'string'), answer: field(answer === 'answer', 'string'), response: field(answer === 'response', 'string') };
}

const questionAnswerSpecs = { either: objectSpec(false, questionAnswerFields(undefined)), answer: objectSpec(false, questionAnswerFields('answer')), response: objectSpec(false, questionAnswerFields('response')) };

/**
 * The fields of a question/answer record: either "answer" or "response" holds the answer, and a record with neither
 * needs the one its misspelt key is nearest ("reponse"), else "answer".
 */
export function questionAnswerSpec(record: Record<string, unknown>): ObjectSpec {
  if ('answer' in record || 'response' in record) return questionAnswerSpecs.either;
  return Object.keys(record).some((key) => key !== 'question' && closest(key, ['response'], 2) !== undefined) ? questionAnswerSpecs.response : questionAnswerSpecs.answer;
}

/** The message variants, indexed by (assistant with tool calls) * 2 + (tool), 3 for an unknown role and 4 for a legacy function result. */
const messageSpecs: (ObjectSpec | undefined)[] = [undefined, undefined, undefined, undefined, undefined];

/**
 * Keys of an OpenAI chat message; the fine-tuning API rejects others. (A few variants, built once.)
 * `legacyFunction`: a `"role": "function"` result of the legacy function_call, named by `name` (no tool_call_id).
 */
export function openaiMessageSpec(role: Role | null, hasToolCalls: boolean, legacyFunction = false): ObjectSpec {
  // 3: a message whose role is unknown (it may be a misspelt tool result, so its tool_call_id is not reported).
  const variant = legacyFunction ? 4 : role === null ? 3 : (role === 'assistant' && hasToolCalls ? 2 : 0) + (role === 'tool' ? 1 : 0);
  let spec = messageSpecs[variant];
  if (spec === undefined) messageSpecs[variant] = spec = buildMessageSpec(role, hasToolCalls, legacyFunction);
  return spec;
}

/** Message keys that local trainers read and OpenAI's API does not (named apart in unknown-key's message). */
export const localTrainerMessageKeys: ReadonlySet<string> = new Set(['loss_weight', 'train', 'training', 'train_detail', 'training_detail', 'reasoning_content', 'thinking']);

function buildMessageSpec(role: Role | null, hasToolCalls: boolean, legacyFunction: boolean): ObjectSpec {
  // Content may be omitted (or null) only on an assistant message that calls a tool.
  const contentRequired = !(role === 'assistant' && hasToolCalls);
  // Only a tool result names the call it answers (the API rejects the key on other messages).
  const toolCallId: Record<string, FieldSpec> = role === 'tool' || role === null ? { tool_call_id: field(role === 'tool' && !legacyFunction, 'string') } : {};
  return objectSpec(true, {
    role: field(true, 'string'),
    content: contentRequired ? field(true, 'string', 'array') : field(false, 'string', 'array', 'null'),
    name: field(legacyFunction, 'string'),
    weight: field(false, 'number'),
    // Not OpenAI's, but local trainers read it as a per-turn loss factor (see formats.ts).
    loss_weight: field(false, 'number'),
    tool_calls: field(false, 'array'),
    ...toolCallId,
    function_call: field(false, 'object'),
    refusal: field(false, 'string', 'null'),
    // Axolotl chat_template's per-message training flags (message_field_training: "training" by
    // default, "train" in its docs) and character spans (message_field_training_detail).
    train: field(false, 'boolean'),
    training: field(false, 'boolean'),
    train_detail: field(false, 'array'),
    training_detail: field(false, 'array'),
    // A string, or content parts as Axolotl's chat_template reads them (per-part train flags on the reasoning).
    reasoning_content: field(false, 'string', 'array'),
    thinking: field(false, 'string'),
  });
}

/** One segment of Axolotl's input_output format: its loader reads both keys of every segment. */
export const segmentSpec: ObjectSpec = objectSpec(false, { label: field(true, 'boolean'), text: field(true, 'string') });

const turnSpecs = new WeakMap<FormatMapping, ObjectSpec>();

export function sharegptTurnSpec(mapping: FormatMapping): ObjectSpec {
  let spec = turnSpecs.get(mapping);
  if (spec === undefined) turnSpecs.set(mapping, (spec = buildTurnSpec(mapping)));
  return spec;
}

function buildTurnSpec(mapping: FormatMapping): ObjectSpec {
  // Role/content turns are OpenAI-style messages: their content may be a list of parts (text, image) as in OpenAI chat.
  const content = mapping.tags === roleContentMapping.tags ? field(true, 'string', 'array') : field(true, 'string');
  // LLaMA-Factory's openai formatting: an answer's tool_calls replace its content, which may then be null (but not missing: it reads it first).
  if (mapping.openaiMessages === true) return objectSpec(false, { [mapping.tags.role]: field(true, 'string'), [mapping.tags.content]: field(true, 'string', 'null'), tool_calls: field(false, 'array') });
  return objectSpec(false, { [mapping.tags.role]: field(true, 'string'), [mapping.tags.content]: content });
}

/** The kinds of OpenAI content parts, each with the field that holds its payload. */
export const contentPartPayloads: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, { text: 'text', image_url: 'image_url', input_audio: 'input_audio', file: 'file', refusal: 'refusal' });

const contentPartSpecs = new Map<string, ObjectSpec>();

/**
 * Keys of one OpenAI content part ({"type": "text", "text": ...}, {"type": "image_url", "image_url": ...}).
 * Not strict: other providers add keys such as cache_control. A part of a known type needs its payload.
 */
export function contentPartSpec(type: unknown): ObjectSpec {
  const known = typeof type === 'string' ? contentPartPayloads[type] : undefined;
  const key = known ?? '';
  let spec = contentPartSpecs.get(key);
  if (spec === undefined) {
    spec = objectSpec(false, {
      type: field(true, 'string'),
      text: field(known === 'text', 'string'),
      image_url: field(known === 'image_url', 'object', 'string'),
      input_audio: field(known === 'input_audio', 'object'),
      file: field(known === 'file', 'object'),
      // An assistant's refusal as a part ({"type": "refusal", "refusal": "..."}), as the chat API writes it.
      refusal: field(known === 'refusal', 'string'),
    });
    contentPartSpecs.set(key, spec);
  }
  return spec;
}
