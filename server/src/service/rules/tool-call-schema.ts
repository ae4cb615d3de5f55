import type { JsonPath } from '../json/scanner';
import type { RecordRule, RecordRuleContext } from './rule';
import { isObject, valueAt } from './util';

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Checks one function spec ({name, description, parameters}); returns the names it defines. */
function checkFunctionSpec(context: RecordRuleContext, spec: unknown, path: JsonPath, where: string): string | undefined {
  if (!isObject(spec)) {
    context.report(`${where} must be an object like {"name": ..., "description": ..., "parameters": {...}}.`, { path });
    return undefined;
  }
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    context.report(`${where} has no function "name".`, { path });
    return undefined;
  }
  if (spec.parameters !== undefined) {
    const parameters = spec.parameters;
    if (!isObject(parameters)) {
      context.report(`"parameters" of function "${spec.name}" must be a JSON Schema object, e.g. {"type": "object", "properties": {...}}.`, { path: [...path, 'parameters'] });
    } else if (parameters.type !== undefined && parameters.type !== 'object') {
      context.report(`"parameters" of function "${spec.name}" must have "type": "object" (found ${JSON.stringify(parameters.type)}).`, { path: [...path, 'parameters', 'type'] });
    } else if (parameters.properties !== undefined && !isObject(parameters.properties)) {
      context.report(`"properties" of function "${spec.name}" must be an object mapping each argument to its schema.`, { path: [...path, 'parameters', 'properties'] });
    } else if (parameters.required !== undefined && !(Array.isArray(parameters.required) && parameters.required.every((entry) => typeof entry === 'string'))) {
      context.report(`"required" of function "${spec.name}" must be a list of argument names.`, { path: [...path, 'parameters', 'required'] });
    }
  }
  return spec.name;
}

/** Validates the tools column / field; returns the defined function names, or undefined when there are none. */
function checkTools(context: RecordRuleContext): Set<string> | undefined {
  const tools = context.analysis.conversation.tools;
  if (tools === undefined) return undefined;
  let list = tools.value;
  const names = new Set<string>();
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
      if (name !== undefined) names.add(name);
    }
    return names;
  }
  if (!Array.isArray(list)) {
    context.report('"tools" must be a list of tool definitions.', { path: tools.path });
    return names;
  }
  list.forEach((entry, index) => {
    const path = [...tools.path, index];
    const legacy = tools.path[tools.path.length - 1] === 'functions';
    if (legacy) {
      const name = checkFunctionSpec(context, entry, path, `Function ${index + 1}`);
      if (name !== undefined) names.add(name);
      return;
    }
    if (!isObject(entry)) {
      context.report(`Tool ${index + 1} must be an object like {"type": "function", "function": {...}}.`, { path });
      return;
    }
    if (entry.type !== 'function') context.report(`Tool ${index + 1} must have "type": "function".`, entry.type === undefined ? { path } : { path: [...path, 'type'] });
    if (!isObject(entry.function)) {
      context.report(`Tool ${index + 1} needs a "function" object with name, description and parameters.`, { path });
      return;
    }
    const name = checkFunctionSpec(context, entry.function, [...path, 'function'], `Tool ${index + 1}`);
    if (name !== undefined) names.add(name);
  });
  return names;
}

/** Tool calls as MLX-LM, OpenAI and LLaMA-Factory need them: id, type, function name, arguments that parse; results that match calls; valid tool specs. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'tool-call-schema', description: 'A tool call, tool result or tool definition is malformed.', defaultSeverity: 'error', fixable: false },
  check(context) {
    const { conversation } = context.analysis;
    const value = context.record.value;
    const defined = checkTools(context);
    const openCalls = new Set<string>();
    const sharegpt = conversation.shape === 'sharegpt' || conversation.shape === 'preference-sharegpt';
    for (const turn of [...conversation.turns, ...(conversation.rejected ?? [])]) {
      for (const call of turn.toolCalls) {
        const raw = valueAt(value, call.path);
        if (sharegpt) {
          const text = typeof raw === 'string' ? raw : '';
          const parsed = parseJson(text);
          if ('error' in parsed) {
            context.report(`A "${turn.writtenRole}" turn must hold the call as JSON like {"name": "...", "arguments": {...}}, but it does not parse: ${parsed.error}.`, { path: call.path });
            break;
          }
          if (call.name === undefined) context.report(`The function call has no "name".`, { path: call.path });
          else if (call.arguments === undefined) context.report(`The call to "${call.name}" has no "arguments".`, { path: call.path });
          else if (defined !== undefined && defined.size > 0 && !defined.has(call.name)) context.report(`The call names "${call.name}", which is not among the tools of this example (${[...defined].join(', ')}).`, { path: call.path });
          continue;
        }
        const isLegacy = call.path[call.path.length - 1] === 'function_call';
        if (!isObject(raw)) {
          context.report('A tool call must be an object like {"id": "...", "type": "function", "function": {"name": "...", "arguments": "{...}"}}.', { path: call.path });
          continue;
        }
        if (!isLegacy) {
          if (typeof raw.id !== 'string' || raw.id.length === 0) context.report('The tool call has no "id": the tool result refers to it by "tool_call_id".', raw.id === undefined ? { path: call.path } : { path: [...call.path, 'id'] });
          else openCalls.add(raw.id);
          if (raw.type !== 'function') context.report('The tool call must have "type": "function".', raw.type === undefined ? { path: call.path } : { path: [...call.path, 'type'] });
        }
        const fnPath = isLegacy ? call.path : [...call.path, 'function'];
        const fn = isLegacy ? raw : raw.function;
        if (!isObject(fn)) {
          context.report('The tool call needs a "function" object with "name" and "arguments".', { path: call.path });
          continue;
        }
        if (typeof fn.name !== 'string' || fn.name.length === 0) context.report('The called function has no "name".', { path: fn.name === undefined ? fnPath : [...fnPath, 'name'] });
        else if (defined !== undefined && defined.size > 0 && !defined.has(fn.name)) context.report(`The call names "${fn.name}", which is not among the tools of this example (${[...defined].join(', ')}).`, { path: [...fnPath, 'name'] });
        if (fn.arguments === undefined) context.report('The tool call has no "arguments" (use "{}" for none).', { path: fnPath });
        else if (typeof fn.arguments !== 'string') context.report('"arguments" must be a JSON string like "{\\"city\\": \\"Paris\\"}", not an already-parsed value.', { path: [...fnPath, 'arguments'] });
        else {
          const parsed = parseJson(fn.arguments);
          if ('error' in parsed) context.report(`"arguments" does not parse as JSON: ${parsed.error}.`, { path: [...fnPath, 'arguments'] });
          else if (!isObject(parsed.value)) context.report('"arguments" must encode a JSON object of argument names to values.', { path: [...fnPath, 'arguments'] });
        }
      }
      if (turn.role === 'tool' && !sharegpt && turn.toolCallId !== undefined && openCalls.size > 0 && !openCalls.has(turn.toolCallId)) {
        context.report(`"tool_call_id" "${turn.toolCallId}" matches no earlier tool call (ids: ${[...openCalls].join(', ')}).`, { path: [...turn.path, 'tool_call_id'] });
      }
    }
  },
};
