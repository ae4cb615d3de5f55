/**
 * The fields each record shape has: which are required, their JSON types, and whether keys outside
 * the list are reported always (OpenAI messages: the API rejects them) or only when they look like a
 * misspelling of a known key (extra columns such as `id` or `source` are common and harmless).
 */
import type { RecordShape, Role } from './conversation';
import type { FormatMapping } from './formats';

export type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface FieldSpec {
  types: readonly JsonType[];
  required: boolean;
}

export interface ObjectSpec {
  fields: Record<string, FieldSpec>;
  /** true: every unknown key is a problem; false: only near-misses of known keys. */
  strict: boolean;
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
  const c = mapping.columns;
  switch (shape) {
    case 'openai-chat':
      return { strict: false, fields: { messages: field(true, 'array'), tools: field(false, 'array'), functions: field(false, 'array'), parallel_tool_calls: field(false, 'boolean') } };
    case 'sharegpt':
      return { strict: false, fields: { [c.messages]: field(true, 'array'), [c.system]: field(false, 'string'), [c.tools]: field(false, 'string', 'array') } };
    case 'preference-sharegpt':
      return { strict: false, fields: { [c.messages]: field(true, 'array'), [c.system]: field(false, 'string'), [c.tools]: field(false, 'string', 'array'), [c.chosen]: field(true, 'object'), [c.rejected]: field(true, 'object') } };
    case 'alpaca':
      return { strict: false, fields: { [c.prompt]: field(true, 'string'), [c.query]: field(false, 'string'), [c.response]: field(true, 'string'), [c.system]: field(false, 'string'), [c.history]: field(false, 'array') } };
    case 'preference-alpaca':
      return { strict: false, fields: { [c.prompt]: field(true, 'string'), [c.query]: field(false, 'string'), [c.chosen]: field(true, 'string'), [c.rejected]: field(true, 'string'), [c.system]: field(false, 'string'), [c.history]: field(false, 'array') } };
    case 'prompt-completion':
      return { strict: false, fields: { prompt: field(true, 'string', 'array'), completion: field(true, 'string', 'array') } };
    case 'text':
      return { strict: false, fields: { text: field(true, 'string') } };
    case 'preference-trl':
      return { strict: false, fields: { prompt: field(false, 'string', 'array'), chosen: field(true, 'string', 'array'), rejected: field(true, 'string', 'array') } };
    case 'preference-openai':
      return { strict: false, fields: { input: field(true, 'object'), preferred_output: field(true, 'array'), non_preferred_output: field(true, 'array') } };
    case 'unknown':
      return undefined;
  }
}

/** The message variants, indexed by (assistant with tool calls) * 2 + (tool), and 4 for a legacy function result. */
const messageSpecs: (ObjectSpec | undefined)[] = [undefined, undefined, undefined, undefined, undefined];

/**
 * Keys of an OpenAI chat message; the fine-tuning API rejects others. (A few variants, built once.)
 * `legacyFunction`: a `"role": "function"` result of the legacy function_call, named by `name` (no tool_call_id).
 */
export function openaiMessageSpec(role: Role | null, hasToolCalls: boolean, legacyFunction = false): ObjectSpec {
  const variant = legacyFunction ? 4 : (role === 'assistant' && hasToolCalls ? 2 : 0) + (role === 'tool' ? 1 : 0);
  let spec = messageSpecs[variant];
  if (spec === undefined) messageSpecs[variant] = spec = buildMessageSpec(role, hasToolCalls, legacyFunction);
  return spec;
}

// Specs are built once and shared, so their key lists are too (rules walk them for every object of every record).
const entriesOfSpec = new WeakMap<ObjectSpec, readonly (readonly [string, FieldSpec])[]>();
const keysOfSpec = new WeakMap<ObjectSpec, readonly string[]>();

/** `Object.entries(spec.fields)`, computed once per spec. */
export function fieldEntries(spec: ObjectSpec): readonly (readonly [string, FieldSpec])[] {
  let entries = entriesOfSpec.get(spec);
  if (entries === undefined) entriesOfSpec.set(spec, (entries = Object.entries(spec.fields)));
  return entries;
}

/** `Object.keys(spec.fields)`, computed once per spec. */
export function fieldKeys(spec: ObjectSpec): readonly string[] {
  let keys = keysOfSpec.get(spec);
  if (keys === undefined) keysOfSpec.set(spec, (keys = Object.keys(spec.fields)));
  return keys;
}

function buildMessageSpec(role: Role | null, hasToolCalls: boolean, legacyFunction: boolean): ObjectSpec {
  // Content may be omitted (or null) only on an assistant message that calls a tool.
  const contentRequired = !(role === 'assistant' && hasToolCalls);
  return {
    strict: true,
    fields: {
      role: field(true, 'string'),
      content: contentRequired ? field(true, 'string', 'array') : field(false, 'string', 'array', 'null'),
      name: field(legacyFunction, 'string'),
      weight: field(false, 'number'),
      // Not OpenAI's, but local trainers read it as a per-turn loss factor (see formats.ts).
      loss_weight: field(false, 'number'),
      tool_calls: field(false, 'array'),
      tool_call_id: field(role === 'tool' && !legacyFunction, 'string'),
      function_call: field(false, 'object'),
      refusal: field(false, 'string', 'null'),
      reasoning_content: field(false, 'string'),
      thinking: field(false, 'string'),
    },
  };
}

const turnSpecs = new WeakMap<FormatMapping, ObjectSpec>();

export function sharegptTurnSpec(mapping: FormatMapping): ObjectSpec {
  let spec = turnSpecs.get(mapping);
  if (spec === undefined) turnSpecs.set(mapping, (spec = buildTurnSpec(mapping)));
  return spec;
}

function buildTurnSpec(mapping: FormatMapping): ObjectSpec {
  return { strict: false, fields: { [mapping.tags.role]: field(true, 'string'), [mapping.tags.content]: field(true, 'string') } };
}
