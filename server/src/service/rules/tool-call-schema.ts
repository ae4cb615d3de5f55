import type { ToolCall, Turn } from '../conversation';
import type { JsonPath } from '../json/scanner';
import { writesEmptyToolCalls } from '../formats';
import type { RecordRule, RecordRuleContext } from './rule';
import { articleFor, isObject, preferenceSides, typeInWords, valueAt } from './util';

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Function names the OpenAI API accepts (chat templates and parsers assume the same). */
const functionNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

const schemaTypes = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);
/** Nested schemas deeper than this are not checked (a generated spec can nest arbitrarily). */
const schemaDepthLimit = 16;

/**
 * The JSON Schema mistakes that make trainers' tool templates or the API reject a function spec:
 * unknown "type" names, "properties" that are not objects of schemas, "required" naming arguments
 * that are not defined, empty or non-list "enum", "items" that is not a schema. Reports the first
 * mistake of each schema object, at its key.
 */
function checkSchema(context: RecordRuleContext, schema: Record<string, unknown>, path: JsonPath, functionName: string, depth: number): void {
  if (depth > schemaDepthLimit) return;
  const type = schema.type;
  const typeNames = Array.isArray(type) ? type : [type];
  if (type !== undefined && !typeNames.every((name) => typeof name === 'string' && schemaTypes.has(name))) {
    context.report(`Invalid JSON Schema "type" ${JSON.stringify(type)} in function "${functionName}": use one of ${[...schemaTypes].join(', ')}.`, { path: [...path, 'type'] });
    return;
  }
  if (schema.enum !== undefined && !(Array.isArray(schema.enum) && schema.enum.length > 0)) {
    context.report(`"enum" in function "${functionName}" must be a non-empty list of the allowed values: list them, or remove "enum".`, { path: [...path, 'enum'] });
    return;
  }
  const properties = schema.properties;
  if (properties !== undefined) {
    if (!isObject(properties)) {
      context.report(`"properties" of function "${functionName}" must be an object mapping each argument to its schema.`, { path: [...path, 'properties'] });
      return;
    }
    for (const [name, property] of Object.entries(properties)) {
      if (!isObject(property)) {
        context.report(`The schema of argument "${name}" of function "${functionName}" must be an object like {"type": "string", "description": ...}.`, { path: [...path, 'properties', name] });
        continue;
      }
      checkSchema(context, property, [...path, 'properties', name], functionName, depth + 1);
    }
  }
  const required = schema.required;
  if (required !== undefined) {
    if (!(Array.isArray(required) && required.every((entry) => typeof entry === 'string'))) {
      context.report(`"required" of function "${functionName}" must be a list of argument names.`, { path: [...path, 'required'] });
      return;
    }
    // Each undefined name at its place in the list (a long list would otherwise leave the user hunting).
    if (isObject(properties)) {
      required.forEach((name, index) => {
        if (Object.prototype.hasOwnProperty.call(properties, name)) return;
        context.report(`"required" of function "${functionName}" names "${name}", not defined in "properties": define it or remove it from "required".`, { path: [...path, 'required', index] });
      });
    }
  }
  const items = schema.items;
  if (items !== undefined) {
    if (isObject(items)) checkSchema(context, items, [...path, 'items'], functionName, depth + 1);
    else if (!Array.isArray(items)) context.report(`"items" in function "${functionName}" must be a schema object such as {"type": "string"}.`, { path: [...path, 'items'] });
  }
}

/** Checks one function spec ({name, description, parameters}); returns the names it defines. */
function checkFunctionSpec(context: RecordRuleContext, spec: unknown, path: JsonPath, where: string): string | undefined {
  if (!isObject(spec)) {
    context.report(`${where} must be an object like {"name": ..., "description": ..., "parameters": {...}}.`, { path });
    return undefined;
  }
  const named = typeof spec.name === 'string' && spec.name.length > 0;
  if (!named) context.report(`${where} has no function "name": calls refer to the tool by it. Add one.`, { path });
  const name = named ? (spec.name as string) : '(unnamed)';
  if (spec.description !== undefined && typeof spec.description !== 'string') context.report(`The "description" of function "${name}" must be a string: the chat template prints it for the model.`, { path: [...path, 'description'] });
  // OpenAI's structured-outputs switch: the API rejects any other value.
  if (spec.strict !== undefined && spec.strict !== null && typeof spec.strict !== 'boolean') context.report(`"strict" of function "${name}" must be true or false (found ${JSON.stringify(spec.strict)}): true makes the model's arguments follow "parameters" exactly.`, { path: [...path, 'strict'] });
  if (named && !functionNamePattern.test(name)) context.report(`Function name "${name}" is not allowed: use at most 64 letters, digits, underscores or dashes (no spaces or dots), as the API and chat templates require.`, { path: [...path, 'name'] });
  if (spec.parameters !== undefined) {
    const parameters = spec.parameters;
    if (!isObject(parameters)) {
      context.report(`"parameters" of function "${name}" must be a JSON Schema object, e.g. {"type": "object", "properties": {...}}.`, { path: [...path, 'parameters'] });
    } else if (parameters.type !== undefined && parameters.type !== 'object') {
      context.report(`"parameters" of function "${name}" must have "type": "object" (found ${JSON.stringify(parameters.type)}).`, { path: [...path, 'parameters', 'type'] });
    } else {
      checkSchema(context, parameters, [...path, 'parameters'], name, 0);
    }
  }
  return named ? name : undefined;
}

/** "city" or "city", "unit" for messages. */
function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

/**
 * A call's arguments against the called tool's parameters: every required argument is given, and
 * none is given that the spec does not define (unless it allows additional properties). A model
 * trained on such calls learns to drop or invent arguments.
 */
function checkArguments(context: RecordRuleContext, args: Record<string, unknown>, parameters: unknown, name: string, path: JsonPath): void {
  if (!isObject(parameters)) return;
  const properties = parameters.properties;
  // A required name the spec never defines is the spec's error (reported there), not the call's.
  const defined = (key: string): boolean => !isObject(properties) || Object.keys(properties).length === 0 || Object.prototype.hasOwnProperty.call(properties, key);
  const required = Array.isArray(parameters.required) ? parameters.required.filter((entry): entry is string => typeof entry === 'string' && defined(entry)) : [];
  const missing = required.filter((key) => !Object.prototype.hasOwnProperty.call(args, key));
  if (missing.length > 0) context.report(`The call to "${name}" lacks the required argument${missing.length === 1 ? '' : 's'} ${quoted(missing)}. Add ${missing.length === 1 ? 'it' : 'them'} to "arguments".`, { path });
  // An empty "properties" often stands for "not written down": only a spec that lists arguments is held to them.
  if (!isObject(properties) || Object.keys(properties).length === 0 || parameters.additionalProperties === true) return;
  const unknown = Object.keys(args).filter((key) => !Object.prototype.hasOwnProperty.call(properties, key));
  if (unknown.length > 0) context.report(`The call to "${name}" passes ${quoted(unknown)}, which the tool's parameters do not define (${quoted(Object.keys(properties))}): the model learns to invent arguments. Fix the name or define it in the tool.`, { path });
  for (const [key, value] of Object.entries(args)) {
    const problem = argumentValueProblem(value, properties[key]);
    if (problem === undefined) continue;
    // At the argument itself when the arguments are an object in the record (not a JSON string).
    const at = isObject(valueAt(context.record.value, path)) ? { path: [...path, key] } : { path };
    context.report(`The call to "${name}" passes "${key}" ${problem}: the model learns to call the tool with values it rejects. Fix the value, or the tool's parameters.`, at);
  }
}

/** A call between Hermes-style tags in an answer's text: <tool_call>{"name": ..., "arguments": {...}}</tool_call>. */
const taggedCall = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/g;

/**
 * Calls written in the answers' text between <tool_call> tags (Hermes-style function calling, with no structured calls):
 * one written as JSON ({"name": ...}) must parse, and name a function and its arguments. One written as a Python dict
 * ({'name': ...}, as some of these datasets write it) is left alone: templates pass it through as text.
 */
function reportTaggedCalls(context: RecordRuleContext, turns: readonly Turn[]): void {
  for (const turn of turns) {
    if (turn.role !== 'assistant') continue;
    for (const part of turn.parts) {
      taggedCall.lastIndex = 0;
      let match: RegExpExecArray | null;
      while ((match = taggedCall.exec(part.text)) !== null) {
        const body = match[1] ?? '';
        if (!body.startsWith('{"') && !body.startsWith('[{"')) continue;
        const start = match.index + match[0].indexOf(body);
        const at = { path: part.path, inString: { start, end: start + body.length } };
        const parsed = parseJson(body);
        if ('error' in parsed) {
          context.report(`The tool call between <tool_call> tags does not parse as JSON: ${parsed.error}. The model learns to write a call no parser reads: fix the JSON ({"name": "...", "arguments": {...}}).`, at);
          continue;
        }
        for (const call of Array.isArray(parsed.value) ? parsed.value : [parsed.value]) {
          if (!isObject(call) || typeof call.name !== 'string' || call.name.length === 0) context.report('The tool call between <tool_call> tags has no "name": write {"name": "...", "arguments": {...}}.', at);
          else if (call.arguments === undefined) context.report(`The call to "${call.name}" between <tool_call> tags has no "arguments": add them ({} for none).`, at);
        }
      }
    }
  }
}

/** JSON Schema's type names, as a value has them ("integer" for a whole number). */
function schemaTypesOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
}

/**
 * What is wrong with one argument's value against its parameter's schema: a declared "type" it does not have, or an
 * "enum" it is not in. Only these two, and only when the schema states them plainly (no anyOf, $ref or the like).
 */
function argumentValueProblem(value: unknown, schema: unknown): string | undefined {
  if (!isObject(schema)) return undefined;
  const declared = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) && schema.type.every((type) => typeof type === 'string') ? (schema.type as string[]) : undefined;
  // A type name JSON Schema does not have ("strng") is the spec's mistake, reported there: the value is not judged by it.
  if (declared !== undefined && !declared.every((type) => schemaTypes.has(type))) return undefined;
  const shown = JSON.stringify(value);
  const short = shown !== undefined && shown.length <= 40 ? ` (${shown})` : '';
  if (declared !== undefined && declared.length > 0 && !schemaTypesOf(value).some((type) => declared.includes(type))) {
    return `as ${describeValue(value)}${short}, but the tool's parameters want ${declared.map(typeInWords).join(' or ')}`;
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && !schema.enum.some((allowed) => JSON.stringify(allowed) === shown)) {
    return `as ${shown ?? String(value)}, which is not one of the values the tool allows (${schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ')})`;
  }
  return undefined;
}

/**
 * Validates the tools column / field; returns the defined functions' parameters by name, or undefined
 * when there are none. An OpenAI record may hold a legacy "functions" list beside "tools": the
 * conversation reads "tools", and "functions" is checked too, its functions callable as well.
 */
function checkTools(context: RecordRuleContext): Map<string, unknown> | undefined {
  const { conversation } = context.analysis;
  const tools = conversation.tools;
  if (tools === undefined) return undefined;
  const record = context.record.value;
  const lists = [tools];
  if (conversation.shape === 'openai-chat' && tools.path.length === 1 && tools.path[0] === 'tools' && isObject(record) && record.functions !== undefined) lists.push({ value: record.functions, path: ['functions'] });
  let names: Map<string, unknown> | undefined;
  for (const list of lists) {
    const listNames = checkToolList(context, list);
    if (listNames === undefined) continue;
    names ??= new Map();
    for (const [name, parameters] of listNames) if (!names.has(name)) names.set(name, parameters);
  }
  return names;
}

/** Validates one list of tool or function specs; returns its functions' parameters by name, or undefined when it is blank. */
function checkToolList(context: RecordRuleContext, tools: { value: unknown; path: JsonPath }): Map<string, unknown> | undefined {
  let list = tools.value;
  const names = new Map<string, unknown>();
  if (typeof list === 'string') {
    if (list.trim() === '') return undefined;
    const parsed = parseJson(list);
    if ('error' in parsed) {
      context.report(`"${String(tools.path[tools.path.length - 1])}" must be a JSON string holding a list of function specs, but it does not parse: ${parsed.error}.`, { path: tools.path });
      return names;
    }
    list = parsed.value;
    // Inside a string we cannot point at entries: report at the whole value.
    const entries = Array.isArray(list) ? list : [list];
    for (const entry of entries) {
      const spec = isObject(entry) && isObject(entry.function) ? entry.function : entry;
      const quiet: RecordRuleContext = { ...context, report: (message) => context.report(message, { path: tools.path }) };
      const name = checkFunctionSpec(quiet, spec, tools.path, 'A tool in the list');
      if (name !== undefined) names.set(name, isObject(spec) ? spec.parameters : undefined);
    }
    return names;
  }
  // A value that is not a list is wrong-type's finding (the record spec declares the tools field).
  if (!Array.isArray(list)) return names;
  // Two tools with one name: a call to it is ambiguous, and the API rejects the request.
  const addName = (name: string | undefined, namePath: JsonPath, spec: unknown): void => {
    if (name === undefined) return;
    if (names.has(name)) context.report(`Two tools are named "${name}": a call to it is ambiguous. Rename or remove one.`, { path: namePath });
    names.set(name, isObject(spec) ? spec.parameters : undefined);
  };
  // ShareGPT tools are bare function specs ({name, description, parameters}) as in its JSON string,
  // or OpenAI-style {type, function} entries; OpenAI chat requires the latter (legacy `functions`: bare).
  const shape = context.analysis.conversation.shape;
  const bareAllowed = shape === 'sharegpt' || shape === 'preference-sharegpt' || shape === 'alpaca';
  list.forEach((entry, index) => {
    const path = [...tools.path, index];
    const legacy = tools.path[tools.path.length - 1] === 'functions';
    if (legacy || (bareAllowed && isObject(entry) && entry.type === undefined && entry.function === undefined)) {
      addName(checkFunctionSpec(context, entry, path, `Function ${index + 1}`), [...path, 'name'], entry);
      return;
    }
    if (!isObject(entry)) {
      context.report(`Tool ${index + 1} must be an object like {"type": "function", "function": {...}}.`, { path });
      return;
    }
    if (entry.type !== 'function') context.report(entry.type === undefined ? `Tool ${index + 1} has no "type": add "type": "function" next to its "function" object.` : `Tool ${index + 1} has "type" ${JSON.stringify(entry.type)}: set it to "function", the only type chat templates and the API accept.`, entry.type === undefined ? { path } : { path: [...path, 'type'] });
    if (!isObject(entry.function)) {
      context.report(`Tool ${index + 1} needs a "function" object with name, description and parameters.`, { path });
      return;
    }
    addName(checkFunctionSpec(context, entry.function, [...path, 'function'], `Tool ${index + 1}`), [...path, 'function', 'name'], entry.function);
  });
  return names;
}

/**
 * What makes an example OpenAI's tool layout rather than the Hugging Face chat-template one (calls
 * without ids, arguments as objects, results answering by name, as TRL documents it): OpenAI's DPO
 * shape, "parallel_tool_calls", a message "weight", a tool result's "tool_call_id", or a call with an
 * id. Undefined when nothing does; otherwise the marker, for the message.
 */
function openaiLayoutMarker(context: RecordRuleContext): string | undefined {
  const { conversation } = context.analysis;
  const value = context.record.value;
  if (conversation.shape === 'preference-openai') return 'an OpenAI DPO example';
  if (isObject(value) && value.parallel_tool_calls !== undefined) return 'it sets "parallel_tool_calls"';
  for (const turn of [...conversation.turns, ...(conversation.rejected ?? [])]) {
    if (turn.role === 'tool' && turn.toolCallId !== undefined) return 'a tool result names its call by "tool_call_id"';
    if (turn.weight !== undefined && valueAt(value, [...turn.path, 'weight']) !== undefined) return 'a message has a "weight"';
    for (const call of turn.toolCalls) {
      const raw = valueAt(value, call.path);
      if (isObject(raw) && raw.id !== undefined) return 'another call has an "id"';
    }
  }
  return undefined;
}

/** Tool calls as MLX-LM, OpenAI and LLaMA-Factory need them: id, type, function name, arguments that parse; results that match calls; valid tool specs. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'tool-call-schema', description: 'A tool call, tool result or tool definition is malformed.', defaultSeverity: 'error', fixable: false },
  check(context) {
    const { conversation } = context.analysis;
    const value = context.record.value;
    const defined = checkTools(context);
    let openCalls = new Set<string>();
    // The calls of the latest message that made any, which the results after it answer (OpenAI
    // requires each to be answered before the next turn), and the ids answered so far.
    let round: Round = { calls: new Set(), answered: new Set(), everAnswered: new Set() };
    const sharegpt = conversation.shape === 'sharegpt' || conversation.shape === 'preference-sharegpt';
    const rejected = conversation.rejected ?? [];
    // The legacy function_call made last: its result (a "function" message) names it.
    let legacyCall: string | undefined;
    // The names of the latest assistant message's calls that have no id, which its results answer by name.
    let namedCalls = new Set<string>();
    const openaiMarker = sharegpt ? undefined : openaiLayoutMarker(context);
    if (context.record.text.includes('<tool_call>') && !conversation.turns.some((turn) => turn.toolCalls.length > 0)) reportTaggedCalls(context, [...conversation.turns, ...rejected]);
    for (const [position, turn] of [...conversation.turns, ...rejected].entries()) {
      if (!sharegpt && writesEmptyToolCalls(turn)) context.report(`"tool_calls" is an empty list: OpenAI's API rejects it (a message that calls no tool has no "tool_calls"). Remove the key, or add the call.`, { path: [...turn.path, 'tool_calls'], part: 'key' });
      if (position === conversation.turns.length && rejected.length > 0) {
        openCalls = promptCallIds(context);
        round = promptRound(context);
      }
      if (!sharegpt && turn.toolCalls.length > 0 && turn.role !== 'assistant' && turn.role !== null) {
        const key = turn.toolCalls[0]?.path[turn.path.length];
        context.report(`Only an assistant message can call a tool, not a "${turn.writtenRole}" message: move "${String(key)}" to the assistant's message, or make this the assistant's.`, { path: [...turn.path, key ?? 'tool_calls'], part: 'key' });
      }
      if (!sharegpt && turn.writtenRole === 'function') {
        const name = valueAt(value, [...turn.path, 'name']);
        if (typeof name === 'string' && legacyCall !== undefined && name !== legacyCall) context.report(`This function result is named "${name}" but the call before it is to "${legacyCall}": a legacy function result is matched to its call by name. Use "${legacyCall}".`, { path: [...turn.path, 'name'] });
      }
      // The Hugging Face chat-template layout: a result of calls without ids answers by the function's name.
      if (!sharegpt && turn.role === 'tool' && turn.toolCallId === undefined && typeof turn.name === 'string' && namedCalls.size > 0 && !namedCalls.has(turn.name)) {
        const names = [...namedCalls].map((name) => `"${name}"`).join(', ');
        context.report(`This tool result is named "${turn.name}" but the call${namedCalls.size === 1 ? '' : 's'} before it ${namedCalls.size === 1 ? 'is' : 'are'} to ${names}: in this layout (calls without ids) a result answers its call by name. Use ${namedCalls.size === 1 ? names : `one of ${names}`}.`, { path: [...turn.path, 'name'] });
      }
      const legacy = turn.toolCalls.find(isLegacyCall);
      if (legacy !== undefined) legacyCall = legacy.name;
      else if (turn.role === 'assistant') legacyCall = undefined;
      if (turn.role === 'assistant') namedCalls = new Set();
      for (const call of turn.toolCalls) {
        const raw = valueAt(value, call.path);
        if (turn.role === 'assistant' && !isLegacyCall(call) && isObject(raw) && raw.id === undefined && call.name !== undefined) namedCalls.add(call.name);
        if (sharegpt) {
          // LLaMA-Factory's openai formatting: the answer's "tool_calls", whose "function" objects it writes as the call
          // (its findings sit on the call's name and arguments).
          const openaiCall = call.path[call.path.length - 2] === 'tool_calls';
          const namePath = openaiCall && isObject(raw) && isObject(raw.function) && raw.function.name !== undefined ? [...call.path, 'function', 'name'] : call.path;
          const argumentsPath = openaiCall && isObject(raw) && isObject(raw.function) && raw.function.arguments !== undefined ? [...call.path, 'function', 'arguments'] : call.path;
          if (openaiCall) {
            if (!isObject(raw) || !isObject(raw.function)) {
              context.report('A tool call must be an object like {"type": "function", "function": {"name": "...", "arguments": {...}}}: LLaMA-Factory reads its "function".', { path: call.path });
              continue;
            }
          } else {
            const text = typeof raw === 'string' ? raw : '';
            const parsed = parseJson(text);
            if ('error' in parsed) {
              context.report(`A "${turn.writtenRole}" turn must hold the call as JSON like {"name": "...", "arguments": {...}}, but it does not parse: ${parsed.error}.`, { path: call.path });
              break;
            }
          }
          if (call.name === undefined) context.report(`The function call has no "name": add the name of the tool it calls.`, { path: call.path });
          else if (call.arguments === undefined) context.report(`The call to "${call.name}" has no "arguments": add them ({} for none).`, { path: call.path });
          else {
            // LLaMA-Factory json.dumps "arguments" once more when it renders the call: a string or list
            // arrives in the prompt quoted or positional, and the model learns to write that.
            if (!isObject(call.arguments)) context.report(`The "arguments" of the call to "${call.name}" is ${Array.isArray(call.arguments) ? 'a list' : typeof call.arguments === 'string' ? 'a JSON string' : JSON.stringify(call.arguments)}: LLaMA-Factory encodes it again, so the model learns to write ${Array.isArray(call.arguments) ? 'positional arguments' : 'a quoted string'}. Write "arguments" as a JSON object, such as {"city": "Paris"}, not a string or list.`, { path: argumentsPath });
            if (defined !== undefined && defined.size > 0 && !defined.has(call.name)) context.report(`The call names "${call.name}", which is not among the tools of this example (${[...defined.keys()].join(', ')}): the model learns to call a tool it was not given. Fix the name or add the tool.`, { path: namePath });
            else if (defined !== undefined && isObject(call.arguments)) checkArguments(context, call.arguments, defined.get(call.name), call.name, argumentsPath);
          }
          continue;
        }
        const isLegacy = isLegacyCall(call);
        if (!isObject(raw)) {
          context.report('A tool call must be an object like {"id": "...", "type": "function", "function": {"name": "...", "arguments": "{...}"}}.', { path: call.path });
          continue;
        }
        // A call with no id and its arguments as an object is the Hugging Face chat-template layout (TRL's
        // dataset_formats.md, transformers' tool use docs): templates read the mapping and results answer
        // by name. With an id it is the OpenAI layout, whose API wants the arguments as a JSON string.
        // An example that OpenAI's layout marks elsewhere (see openaiLayoutMarker) is held to it in every call.
        const templateLayout = openaiMarker === undefined && !isLegacy && raw.id === undefined && isObject(raw.function) && isObject(raw.function.arguments);
        if (!isLegacy && !templateLayout) {
          if (raw.id === undefined && openaiMarker !== undefined) context.report(`The tool call has no "id", but this example is in OpenAI's layout (${openaiMarker}), whose API requires one and the arguments as a JSON string: give it an id such as "call_1" and use the same in its result's "tool_call_id".`, { path: call.path });
          else if (typeof raw.id !== 'string' || raw.id.length === 0) context.report(`The tool call ${raw.id === '' ? 'has an empty "id"' : raw.id === undefined ? 'has no "id"' : 'has an "id" that is not a string'}: the tool result refers to it by "tool_call_id". Give it one, such as "call_1", and use the same in its result.`, raw.id === undefined ? { path: call.path } : { path: [...call.path, 'id'] });
          else if (openCalls.has(raw.id)) context.report(`The tool call id "${raw.id}" is used twice in this example: each call needs its own id, or its result cannot be matched.`, { path: [...call.path, 'id'] });
          else openCalls.add(raw.id);
        }
        if (!isLegacy && raw.type !== 'function') context.report(raw.type === undefined ? 'The tool call has no "type": add "type": "function" (the API and MLX-LM reject a call without it).' : `The tool call has "type" ${JSON.stringify(raw.type)}: set it to "function".`, raw.type === undefined ? { path: call.path } : { path: [...call.path, 'type'] });
        const fnPath = isLegacy ? call.path : [...call.path, 'function'];
        const fn = isLegacy ? raw : raw.function;
        if (!isObject(fn)) {
          context.report('The tool call needs a "function" object with "name" and "arguments".', { path: call.path });
          continue;
        }
        if (typeof fn.name !== 'string' || fn.name.length === 0) context.report('The called function has no "name": add the name of the tool it calls.', { path: fn.name === undefined ? fnPath : [...fnPath, 'name'] });
        else if (defined !== undefined && defined.size > 0 && !defined.has(fn.name)) context.report(`The call names "${fn.name}", which is not among the tools of this example (${[...defined.keys()].join(', ')}): the model learns to call a tool it was not given. Fix the name or add the tool.`, { path: [...fnPath, 'name'] });
        // With no tools to compare against, the name is still held to what the API and templates accept.
        else if ((defined === undefined || defined.size === 0) && !functionNamePattern.test(fn.name)) context.report(`The call names "${fn.name}", which is not a valid function name: use at most 64 letters, digits, underscores or dashes (no spaces or dots), as the API and chat templates require.`, { path: [...fnPath, 'name'] });
        if (fn.arguments === undefined) context.report('The tool call has no "arguments" (use "{}" for none).', { path: fnPath });
        else if (templateLayout) {
          if (defined !== undefined && typeof fn.name === 'string') checkArguments(context, fn.arguments as Record<string, unknown>, defined.get(fn.name), fn.name, [...fnPath, 'arguments']);
        } else if (typeof fn.arguments !== 'string') context.report(`"arguments" must be a string holding JSON, not ${describeValue(fn.arguments)}: OpenAI's format writes the arguments encoded, as ${encodedExample(fn.arguments)}. Encode it as a string.`, { path: [...fnPath, 'arguments'] });
        else {
          const parsed = parseJson(fn.arguments);
          if ('error' in parsed) context.report(`"arguments" does not parse as JSON: ${parsed.error}. Write a JSON object as a string, such as "{\\"city\\": \\"Paris\\"}".`, { path: [...fnPath, 'arguments'] });
          else if (!isObject(parsed.value)) context.report('"arguments" must encode a JSON object of argument names to values, such as "{\\"city\\": \\"Paris\\"}" ("{}" for none).', { path: [...fnPath, 'arguments'] });
          else if (defined !== undefined && typeof fn.name === 'string') checkArguments(context, parsed.value, defined.get(fn.name), fn.name, [...fnPath, 'arguments']);
        }
      }
      if (sharegpt) continue;
      const id = turn.role === 'tool' ? turn.toolCallId : undefined;
      const idPath = [...turn.path, 'tool_call_id'];
      if (id !== undefined && round.calls.has(id) && round.answered.has(id)) {
        context.report(`"tool_call_id" "${id}": this call already has its result above. Remove the repeated result, or give it the id of the call it answers.`, { path: idPath });
      } else if (id !== undefined && !round.calls.has(id) && openCalls.has(id)) {
        const current = round.calls.size > 0 ? `the calls of the assistant message before it: ${[...round.calls].join(', ')}` : 'no call of the assistant message before it';
        context.report(`"tool_call_id" "${id}" answers a call of an earlier turn${round.everAnswered.has(id) ? ', already answered' : ''}, not one of ${current}. Each result must answer a call of the latest assistant message: use that call's id.`, { path: idPath });
      } else if (id !== undefined && openCalls.size > 0 && !openCalls.has(id)) {
        context.report(`"tool_call_id" "${id}" matches no earlier tool call (ids: ${[...openCalls].join(', ')}): use the id of the call this result answers.`, { path: idPath });
      }
      advanceRound(round, turn, value);
    }
    // Calls without ids (ShareGPT function_call turns, legacy function_call, id-less calls) are paired with their result by position.
    reportCallsWithoutResult(context, conversation.turns, sharegpt, openaiMarker === undefined);
    // Only records that call a tool can leave a call unanswered (most records: nothing to build).
    if (!sharegpt && (conversation.turns.some((turn) => turn.toolCalls.length > 0) || rejected.some((turn) => turn.toolCalls.length > 0))) {
      const known = new Set([...conversation.turns, ...rejected].flatMap((turn) => [...callIds(turn, value)]));
      reportUnansweredCalls(context, conversation.turns, known);
      if (conversation.rejected !== undefined) reportUnansweredCalls(context, conversation.rejected, known);
    }
  },
};

/**
 * The ids of the calls made in a preference record's shared prompt: the rejected answer continues
 * the prompt, not the chosen answer, so it may reuse the chosen answer's call ids.
 */
function promptCallIds(context: RecordRuleContext): Set<string> {
  const ids = new Set<string>();
  const sides = preferenceSides(context);
  if (sides === undefined) return ids;
  for (const turn of context.analysis.conversation.turns) {
    if (turn.path[0] === sides.chosen.key) continue;
    for (const call of turn.toolCalls) {
      const raw = valueAt(context.record.value, call.path);
      if (isObject(raw) && typeof raw.id === 'string' && raw.id.length > 0) ids.add(raw.id);
    }
  }
  return ids;
}

/** The results answering the latest message with calls: its call ids, those answered, and every id answered so far. */
interface Round {
  calls: Set<string>;
  answered: Set<string>;
  everAnswered: Set<string>;
}

/** The ids of a turn's OpenAI calls (legacy function_call and id-less calls have none). */
function callIds(turn: Turn, value: unknown): Set<string> {
  const ids = new Set<string>();
  for (const call of turn.toolCalls) {
    if (isLegacyCall(call)) continue;
    const raw = valueAt(value, call.path);
    if (isObject(raw) && typeof raw.id === 'string' && raw.id.length > 0) ids.add(raw.id);
  }
  return ids;
}

/** Moves the round past a turn: a message with calls opens a new round, a result answers its id. */
function advanceRound(round: Round, turn: Turn, value: unknown): void {
  if (turn.toolCalls.length > 0) {
    round.calls = callIds(turn, value);
    round.answered = new Set();
  }
  if (turn.role === 'tool' && turn.toolCallId !== undefined) {
    if (round.calls.has(turn.toolCallId)) round.answered.add(turn.toolCallId);
    round.everAnswered.add(turn.toolCallId);
  }
}

/** OpenAI's legacy `function_call` (answered by a "function" message, by name), not a `tool_calls` entry. */
function isLegacyCall(call: ToolCall): boolean {
  return call.path[call.path.length - 1] === 'function_call';
}

/** The round where a preference record's shared prompt leaves off, which the rejected answer continues. */
function promptRound(context: RecordRuleContext): Round {
  const round: Round = { calls: new Set(), answered: new Set(), everAnswered: new Set() };
  const sides = preferenceSides(context);
  if (sides === undefined) return round;
  for (const turn of context.analysis.conversation.turns) if (turn.path[0] !== sides.chosen.key) advanceRound(round, turn, context.record.value);
  return round;
}

/**
 * A call without an id (a ShareGPT function_call turn, OpenAI's legacy function_call, a Hugging Face
 * chat-template call) followed by a user or assistant turn instead of its result: the model learns to
 * call a tool and go on without its answer (MLX-LM and torchtune pair each call with the result after
 * it). A call that ends the example is what it teaches (call the tool here), not a missing result.
 */
function reportCallsWithoutResult(context: RecordRuleContext, turns: readonly Turn[], sharegpt: boolean, templateLayout: boolean): void {
  const value = context.record.value;
  for (let index = 0; index + 1 < turns.length; index++) {
    const turn = turns[index] as Turn;
    const next = turns[index + 1] as Turn;
    const call = turn.toolCalls[0];
    if (call === undefined || turn.role !== 'assistant' || next.role === 'tool' || next.role === null) continue;
    // OpenAI's tool_calls are paired by id (a call without one is reported as such): here legacy and ShareGPT calls, and
    // id-less calls in the Hugging Face chat-template layout (results answer by name, in order).
    const raw = valueAt(value, call.path);
    const idless = templateLayout && isObject(raw) && raw.id === undefined;
    if (!sharegpt && !isLegacyCall(call) && !idless) continue;
    const observation = context.analysis.conversation.mapping?.tags.observation ?? context.facts.hint.mapping.tags.observation;
    const result = sharegpt ? `${articleFor(observation)} "${observation}" turn` : isLegacyCall(call) ? 'a "function" message' : 'a "tool" message';
    context.report(`The tool call${call.name !== undefined ? ` to "${call.name}"` : ''} gets no result: the next turn is ${articleFor(next.writtenRole || next.role || '')} ${next.writtenRole || next.role} message, so the model learns to call a tool and go on without its answer. Add the tool's result (${result}) right after the call, or remove the call.`, { path: call.path });
  }
}

/**
 * Every tool call must get its result (a "tool" message with its id) before the conversation goes on:
 * chat templates and the API pair them up. A conversation may end on the calls (it teaches making them).
 */
function reportUnansweredCalls(context: RecordRuleContext, turns: readonly Turn[], known: ReadonlySet<string>): void {
  const value = context.record.value;
  let pending = new Map<string, JsonPath>();
  // A result without an id, or with one that matches no call (a typo), is reported as such; the call
  // it was probably meant for is not reported again. One that repeats a call's id (stale or duplicate)
  // is reported as that, and leaves the call it should have answered without a result.
  let strayResult = false;
  for (const turn of turns) {
    if (turn.role === 'tool') {
      if (turn.toolCallId === undefined || (!pending.delete(turn.toolCallId) && !known.has(turn.toolCallId))) strayResult = true;
      continue;
    }
    if (!strayResult) for (const [id, path] of pending) context.report(`The tool call "${id}" gets no result: a "tool" message with "tool_call_id": "${id}" must follow it before the next message.`, { path });
    pending = new Map();
    strayResult = false;
    for (const call of turn.toolCalls) {
      if (isLegacyCall(call)) continue; // legacy calls are answered by name
      const raw = valueAt(value, call.path);
      if (isObject(raw) && typeof raw.id === 'string' && raw.id.length > 0) pending.set(raw.id, [...call.path, 'id']);
    }
  }
}

/** A JSON value's kind, as a message names it. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The value encoded as the string it should be (shortened for a message). */
function encodedExample(value: unknown): string {
  let encoded: string;
  try {
    encoded = JSON.stringify(JSON.stringify(value) ?? 'null');
  } catch {
    encoded = '"{\\"city\\": \\"Paris\\"}"';
  }
  return encoded.length > 80 ? `${encoded.slice(0, 76)}…"` : encoded;
}
