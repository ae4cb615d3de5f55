import type { Role, Turn } from '../conversation';
import type { JsonPath } from '../json/scanner';
import type { RecordRule, RecordRuleContext } from './rule';
import { specifiedObjects } from './structure';
import { misspeltKeyFor } from './unknown-key';
import { allTurns, foreignLayout } from './util';

const skeletons: Record<string, unknown> = { messages: [], conversations: [], content: '', value: '', output: '', instruction: '', completion: '', prompt: '', chosen: '', rejected: '', text: '', role: 'user', from: 'human' };

/** A field the format requires is absent (OpenAI: missing_messages_list, message_missing_key, missing_content). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'missing-field', description: 'A required field is missing from a record or a message.', defaultSeverity: 'error', fixable: true },
  check(context) {
    const { analysis, report } = context;
    if (analysis.shape === 'unknown') {
      const foreign = foreignLayout(context.record.value as Record<string, unknown>);
      if (foreign !== undefined) {
        report(foreign.message, { path: [foreign.key], part: 'key' });
        return;
      }
      const transcript = transcriptKey(context.record.value as Record<string, unknown>);
      if (transcript !== undefined) {
        report(`This record matches no dataset format: its conversation is one transcript under "${transcript}", with the speakers written as line prefixes. Trainers read turns: split it into "conversations" (ShareGPT: from/value turns) or "messages" (OpenAI chat: role/content turns).`, { path: [transcript], part: 'key' });
        return;
      }
      report('This record matches no dataset format: expected "messages" (OpenAI chat), "conversations" (ShareGPT), "instruction"/"output" (Alpaca), "prompt"/"completion", "text", or "prompt"/"chosen"/"rejected" (preference).', { offsets: { start: 0, end: 1 } });
      return;
    }
    // In a file whose format is forced, a record written in another known format lacks every field of
    // the forced one: mixed-formats reports it (with a conversion), not a field at a time.
    // (Role/content conversations and from/value messages are detected as their own shapes and read as ShareGPT: the same record.)
    if (analysis.detected !== analysis.shape && analysis.detected !== 'unknown' && analysis.detected !== 'chat-conversations' && analysis.detected !== 'sharegpt-messages') return;
    for (const object of specifiedObjects(context)) {
      for (const key of object.spec.required) {
        if (Object.prototype.hasOwnProperty.call(object.value, key)) continue;
        const spec = object.spec.fields[key];
        if (spec === undefined) continue;
        // A misspelt instruction key holds the instruction: renaming "input" too would write the key twice.
        if (object.path.length === 0 && misspeltKeyFor(object, key, context.facts.hint) === undefined && inputInsteadOfInstruction(context, key)) continue;
        if (object.path.length === 0 && completionInsteadOfOutput(context, key)) continue;
        // Axolotl's KTO argilla_chat layout: a labelled completion conversation that starts with the user's message holds its prompt.
        if (object.path.length === 0 && key === 'prompt' && completionHoldsPrompt(object.value)) continue;
        const what = `${object.name === 'the record' ? 'The record' : object.name[0]?.toUpperCase() + object.name.slice(1)} is missing the required "${key}" field (${spec.types.join(' or ')}).`;
        const where = object.path.length === 0 ? { offsets: { start: 0, end: 1 } } : { path: object.path };
        // A misspelt key holds the value: the fix renames it (an empty field beside it would strand the text).
        const written = misspeltKeyFor(object, key, context.facts.hint);
        if (written !== undefined) {
          // At the misspelt key, the one to rename (in a pretty-printed record it may be lines below the brace).
          const atKey = { path: [...object.path, written.key], part: 'key' as const };
          const how = written.entryRenames !== undefined
            ? `Its text is under "${written.key}", which LLaMA-Factory does not read here: this file's dataset_info.json entry reads the ${written.entryRenames} column from "${key}". Rename it to "${key}" (quick fix), or change the entry's "columns".`
            : written.misspelt ? `"${written.key}" looks like it, misspelt: rename it to "${key}" (quick fix).` : `Its text is under "${written.key}", another dataset's name for it that this format's loaders do not read: rename it to "${key}" (quick fix)${context.facts.hint.formatting === undefined ? ', or map the column in a LLaMA-Factory dataset_info.json' : ''}.`;
          report(`${what} ${how}`, atKey, { kind: 'rename-key', path: [...object.path, written.key], replacement: key });
          continue;
        }
        const skeleton = turnSkeleton(context, object.path, key) ?? skeletons[key] ?? (spec.types[0] === 'array' ? [] : spec.types[0] === 'object' ? {} : spec.types[0] === 'boolean' ? true : spec.types[0] === 'number' ? 0 : '');
        const layout = object.path.length === 0 ? recordLayoutHint(context, key) : undefined;
        const ktoLabel = object.path.length === 0 && key === context.facts.hint.mapping.columns.kto_tag ? 'Add it: true for a desirable completion, false for an undesirable one (without it LLaMA-Factory drops the example from KTO training).' : undefined;
        report(`${what} ${layout?.why ?? ktoLabel ?? 'Add it.'}`, where, layout?.addField === false ? undefined : { kind: 'add-field', path: object.path, key, skeleton, after: object.spec.keys.slice(0, object.spec.keys.indexOf(key)) });
      }
    }
  },
};

/** A user line and an assistant line, each at the start of a line ("USER: ...\nASSISTANT: ...", "Human: ...\n\nAssistant: ..."). */
const userLine = /(?:^|\n)[ \t]*(?:USER|User|HUMAN|Human|human|user)[ \t]*:/;
const assistantLine = /\n[ \t]*(?:ASSISTANT|Assistant|assistant|GPT|gpt|Bot|BOT)[ \t]*:/;

/** The key of a record's string that holds a whole dialogue as a transcript (glaive-function-calling-v2's "chat"), if any. */
function transcriptKey(record: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(record)) if (typeof value === 'string' && userLine.test(value) && assistantLine.test(value)) return key;
  return undefined;
}

/** A KTO record whose "completion" is a conversation that starts with the user's message (Axolotl's argilla_chat): no "prompt" column is needed. */
function completionHoldsPrompt(record: Record<string, unknown>): boolean {
  const completion = record.completion;
  if (!('label' in record) || !Array.isArray(completion) || completion.length < 2) return false;
  const first: unknown = completion[0];
  return typeof first === 'object' && first !== null && (first as { role?: unknown }).role === 'user';
}

/**
 * {"input": ..., "output": ...}: torchtune's instruct_dataset reads these two columns as they are, but
 * the Alpaca loaders of LLaMA-Factory and Axolotl need "instruction" and stop without it. The question
 * is already written, under "input": reported at that key, with a rename instead of an empty field.
 */
function inputInsteadOfInstruction(context: RecordRuleContext, key: string): boolean {
  const { columns } = context.facts.hint.mapping;
  const value = context.record.value as Record<string, unknown>;
  if (context.analysis.shape !== 'alpaca' || key !== columns.prompt || typeof value[columns.query] !== 'string' || (value[columns.query] as string).trim().length === 0) return false;
  context.report(`The record has no "${key}": its question is in "${columns.query}". torchtune's instruct_dataset reads "${columns.query}"/"${columns.response}" as they are, but the Alpaca loaders of LLaMA-Factory and Axolotl stop without "${key}". Rename "${columns.query}" to "${key}" (quick fix).`,
    { path: [columns.query], part: 'key' },
    { kind: 'rename-key', path: [columns.query], replacement: key });
  return true;
}

/** An Alpaca record with "completion" and neither its "output" (`response`) nor a KTO "label": missing-field names both ways. */
export function completionWithoutOutput(value: Record<string, unknown>, response: string): boolean {
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);
  return has('completion') && !has(response) && !has('label');
}

/**
 * An Alpaca record whose answer is under "completion" and that has no "label": Alpaca with "output"
 * misspelt, or Axolotl's KTO columns (instruction or question, completion, label) without the label.
 * Which one only the rest of the file can tell, so one finding at "completion" names both ways (and
 * unknown-key leaves the key to it).
 */
export function completionInsteadOfOutput(context: RecordRuleContext, key: string): boolean {
  const { columns } = context.facts.hint.mapping;
  const value = context.record.value as Record<string, unknown>;
  if (context.analysis.shape !== 'alpaca' || key !== columns.response || !completionWithoutOutput(value, columns.response)) return false;
  // Alpaca's input column says Alpaca: then "completion" is only the misspelt "output".
  const message = Object.prototype.hasOwnProperty.call(value, columns.query)
    ? `The record has no "${key}": its answer is under "completion". Alpaca loaders (LLaMA-Factory, Axolotl) read "${key}": rename "completion" to "${key}" (quick fix).`
    : `The record has "completion" but neither Alpaca's "${key}" nor a KTO "label": rename "completion" to "${key}" for Alpaca (quick fix), or, if this is KTO data (Axolotl's "instruction" or "question", "completion" and "label" columns), add its boolean "label" (true for a desirable completion).`;
  context.report(message,
    { path: ['completion'], part: 'key' },
    { kind: 'rename-key', path: ['completion'], replacement: key });
  return true;
}

/**
 * Why a record lacks a field, when its keys show a layout another trainer reads: Axolotl's
 * chatml.argilla preference columns (chosen_response/rejected_response) in a file that a
 * dataset_info.json declares as LLaMA-Factory Alpaca data (elsewhere they are read as they are).
 */
function recordLayoutHint(context: RecordRuleContext, key: string): { why: string; addField: boolean } | undefined {
  const value = context.record.value as Record<string, unknown>;
  const { columns } = context.facts.hint.mapping;
  if (context.analysis.shape === 'alpaca' && key === columns.response && 'chosen_response' in value && 'rejected_response' in value) {
    // No empty-output fix: the answers are there, under other names.
    return { why: `This is Axolotl's chatml.argilla preference layout, which LLaMA-Factory does not read: rename "chosen_response" to "${columns.chosen}" and "rejected_response" to "${columns.rejected}" and mark the entry "ranking": true in dataset_info.json.`, addField: false };
  }
  if (context.analysis.shape === 'preference-openai' && key === 'input' && 'messages' in value) {
    // No empty-input fix: the prompt is there, one level too high.
    return { why: 'The prompt\'s "messages" are at the top of the record: OpenAI\'s DPO format takes them inside "input" ({"input": {"messages": [...]}, "preferred_output": [...], ...}). Move them there.', addField: false };
  }
  return undefined;
}

function samePath(a: JsonPath, b: JsonPath): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

/**
 * What the quick fix writes for a turn's missing role or tool_call_id, from the turns around it: the
 * role that comes next (an answer after the user, a tool result after a call, the user after an
 * answer), and the id of the call that is still waiting for its result. Undefined for other keys.
 */
function turnSkeleton(context: RecordRuleContext, path: JsonPath, key: string): string | undefined {
  const { shape } = context.analysis;
  const tags = (context.analysis.conversation.mapping ?? context.facts.hint.mapping).tags;
  const sharegpt = shape === 'sharegpt' || shape === 'preference-sharegpt';
  if (key !== 'tool_call_id' && key !== (sharegpt ? tags.role : 'role')) return undefined;
  const turns = allTurns(context);
  const index = turns.findIndex((turn) => samePath(turn.path, path));
  if (index < 0) return undefined;
  const previous: Turn | undefined = turns[index - 1];
  if (key === 'tool_call_id') {
    for (let at = index - 1; at >= 0; at--) {
      const turn = turns[at];
      if (turn === undefined || (turn.role !== 'tool' && !(turn.role === 'assistant' && turn.toolCalls.length > 0))) break;
      if (turn.role !== 'assistant') continue;
      const answered = new Set(turns.slice(at + 1, index).map((later) => later.toolCallId));
      return turn.toolCalls.map((call) => call.id).find((id): id is string => id !== undefined && !answered.has(id));
    }
    return undefined;
  }
  let role: Role = 'user';
  if (previous?.role === 'user' || previous?.role === 'tool') role = 'assistant';
  else if (previous?.role === 'assistant' && previous.toolCalls.length > 0) role = 'tool';
  if (!sharegpt) return role;
  return role === 'user' ? tags.user : role === 'assistant' ? tags.assistant : tags.observation;
}
