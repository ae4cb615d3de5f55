import { closest, type FormatHint } from '../formats';
import type { RecordRule, RecordRuleContext } from './rule';
import { foreignLayout, isObject } from './util';
import { specifiedObjects, type SpecifiedObject } from './structure';
import { localTrainerMessageKeys } from '../schema';

/** A key as quoted in a message: a generated key can be megabytes long, and the message is shown in a hover. */
function shownKey(key: string): string {
  return key.length > 60 ? `${key.slice(0, 59)}…` : key;
}

/**
 * A key the format does not know. In OpenAI messages every unknown key is an error for the API
 * (message_unrecognized_key); elsewhere extra columns are allowed and only likely misspellings of a
 * known key ("mesages", "instrution") are reported.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'unknown-key', description: 'An unknown or misspelt key (with "did you mean").', defaultSeverity: 'warning', fixable: true },
  check(context) {
    if (context.analysis.shape === 'unknown') {
      suggestFormatKeys(context);
      return;
    }
    // A column the dataset_info.json entry does not read is reported once, there (its message names the column to use).
    const unreadReported = reportUnreadColumns(context);
    reportSystemColumn(context);
    reportDpoInputKeys(context);
    for (const object of specifiedObjects(context)) {
      const known = object.spec.keys;
      // Built only when an unknown key turns up (most objects have none).
      let missing: string[] | undefined;
      for (const key of Object.keys(object.value)) {
        if (object.spec.fields[key] !== undefined || (object.path.length === 0 && unreadReported.has(key))) continue;
        // An Alpaca record's "completion" without "output": missing-field names it (Alpaca's "output" or a KTO record's label).
        if (key === 'completion' && object.path.length === 0 && completionForOutput(context, object.value)) continue;
        missing ??= known.filter((name) => !Object.prototype.hasOwnProperty.call(object.value, name));
        const suggestion = renameSuggestion(key, missing, object.spec.required);
        if (suggestion !== undefined && !(object.path.length === 0 && promptCopyBesideTurns(object.value, key, suggestion))) {
          context.report(`Unknown key "${shownKey(key)}" in ${object.name}: did you mean "${suggestion}"?`, { path: [...object.path, key], part: 'key' }, { kind: 'rename-key', path: [...object.path, key], replacement: suggestion });
        } else if (object.spec.strict) {
          const local = known.filter((name) => localTrainerMessageKeys.has(name));
          const others = local.length > 0 ? ` (local trainers also read ${local.join(', ')})` : '';
          context.report(`Unknown key "${shownKey(key)}" in ${object.name}: the fine-tuning API accepts only ${known.filter((name) => !localTrainerMessageKeys.has(name)).join(', ')}${others}. Remove it.`, { path: [...object.path, key], part: 'key' });
        } else {
          const twin = writtenTwin(key, known, object.value);
          if (twin !== undefined) context.report(`Unknown key "${shownKey(key)}" in ${object.name} looks like a second "${twin}", which it already has: trainers read only "${twin}" and ignore this one. Merge its text into "${twin}" or remove it.`, { path: [...object.path, key], part: 'key' });
        }
      }
      // OpenAI's "weight" switches an assistant message's training on or off; only assistant messages are trained at all
      // (a weight of 0 elsewhere says what is true anyway, as some generators write on every message).
      if (object.spec.strict && object.contentPart !== true && object.messageRole !== undefined && object.messageRole !== null && object.messageRole !== 'assistant' && 'weight' in object.value && object.value.weight !== 0) {
        context.report(`"weight" on ${object.name} (${object.messageRole}) has no effect: fine-tuning trains only assistant messages, and "weight" turns an assistant message's training on (1) or off (0). Remove it${object.messageRole === 'user' ? ', or make this the assistant\'s message if it is the answer' : ''}.`, { path: [...object.path, 'weight'], part: 'key' }, { kind: 'remove-key', path: [...object.path, 'weight'] });
      }
    }
  },
};

/**
 * The known key, already written in the object, that an unknown one misspells ("instructon" beside
 * "instruction", "Output" beside "output"): a copy left by an edit or a merge, which trainers drop.
 * Longer or shorter forms of a known key ("output2", "inputs", "prompt_id") are other columns.
 */
function writtenTwin(key: string, known: readonly string[], value: Record<string, unknown>): string | undefined {
  if (key.length < 4) return undefined;
  const twin = closest(key, known.filter((name) => Object.prototype.hasOwnProperty.call(value, name)), 2);
  if (twin === undefined) return undefined;
  const lower = key.toLowerCase();
  const other = twin.toLowerCase();
  return lower !== other && (lower.startsWith(other) || other.startsWith(lower)) ? undefined : twin;
}

/** The known key an unknown one was probably meant to be, among the keys the object lacks (renaming onto a present key would lose data). */
function renameSuggestion(key: string, missing: readonly string[], required: readonly string[]): string | undefined {
  return closest(key, missing, 2) ?? truncatedRequired(key, missing, required) ?? sameMeaning(key, missing);
}

/**
 * The unknown key of `object` that this rule suggests renaming to the missing `wanted` ("contnet" for
 * "content"; `misspelt` false for another tool's name of the same field, Dolly's "response" for
 * "output"), so missing-field offers that rename rather than an empty field beside the written text.
 */
export function misspeltKeyFor(object: SpecifiedObject, wanted: string, hint?: FormatHint): { key: string; misspelt: boolean; entryRenames?: string } | undefined {
  // The column's default name where the file's dataset_info.json entry reads it from another ("output" where it reads "reply").
  if (object.path.length === 0 && hint?.renamedColumns !== undefined) {
    for (const [key, column] of Object.entries(hint.renamedColumns)) {
      if (hint.mapping.columns[column] === wanted && Object.prototype.hasOwnProperty.call(object.value, key)) return { key, misspelt: false, entryRenames: column };
    }
  }
  const missing = object.spec.keys.filter((name) => !Object.prototype.hasOwnProperty.call(object.value, name));
  for (const key of Object.keys(object.value)) {
    if (object.spec.fields[key] === undefined && renameSuggestion(key, missing, object.spec.required) === wanted) return { key, misspelt: sameMeaning(key, missing) !== wanted };
  }
  return undefined;
}

/** The case missing-field reports at "completion" (an Alpaca record with "completion", no "output" and no "label"). */
function completionForOutput(context: RecordRuleContext, value: Record<string, unknown>): boolean {
  const { response } = context.facts.hint.mapping.columns;
  return context.analysis.shape === 'alpaca' && !Object.prototype.hasOwnProperty.call(value, response) && !Object.prototype.hasOwnProperty.call(value, 'label') && context.facts.settings.rules['missing-field'] !== 'off';
}

/**
 * A required key that is missing and that the unknown key cuts short or extends by more than two
 * edits ("complete" for "completion", "instruct" for "instruction"): a shared start of at least five
 * characters and most of the shorter word.
 */
function truncatedRequired(key: string, missing: readonly string[], required: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  for (const candidate of missing) {
    if (!required.includes(candidate)) continue;
    const other = candidate.toLowerCase();
    let shared = 0;
    while (shared < lower.length && shared < other.length && lower[shared] === other[shared]) shared++;
    if (shared >= 5 && shared * 5 >= Math.min(lower.length, other.length) * 4) return candidate;
  }
  return undefined;
}

/**
 * Columns written in the record that LLaMA-Factory will not read, because the file's dataset_info.json
 * entry does not list them: the record trains without its system prompt, tools or history.
 */
/** The keys OpenAI's DPO format reads inside "input" (beside its messages), not at the top of the record. */
const dpoInputKeys: readonly string[] = ['tools', 'parallel_tool_calls', 'functions'];

/** An OpenAI DPO record's tools written at its top, where the API does not read them (the calls are then checked against no tools). */
function reportDpoInputKeys(context: RecordRuleContext): void {
  const value = context.record.value;
  if (context.analysis.shape !== 'preference-openai' || !isObject(value)) return;
  for (const key of dpoInputKeys) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    context.report(`"${key}" at the top of an OpenAI DPO record is not read: the API takes it inside "input", beside the messages ("input": {"messages": [...], "${key}": ...}). Move it into "input".`, { path: [key], part: 'key' });
  }
}

const noKeys: ReadonlySet<string> = new Set();

/** Reports the columns a dataset_info.json entry leaves unread; returns their keys. */
function reportUnreadColumns(context: RecordRuleContext): ReadonlySet<string> {
  const { unreadColumns: unread, renamedColumns: renamed } = context.facts.hint;
  const value = context.record.value;
  if ((unread === undefined && renamed === undefined) || !isObject(value)) return noKeys;
  const reported = new Set<string>();
  for (const key of Object.keys(value)) {
    if (isEmptyColumn(value[key])) continue;
    const column = unread?.[key];
    if (column !== undefined) {
      reported.add(key);
      context.report(`LLaMA-Factory ignores "${shownKey(key)}" here: the dataset_info.json entry for this file does not list "${column}" in its "columns", so this record trains without it. Add "${column}": "${shownKey(key)}" to "columns", or remove the field.`, { path: [key], part: 'key' });
      continue;
    }
    // A column the entry renames ("system": "sys_prompt"), written by its default name.
    const renamedColumn = renamed?.[key];
    const readFrom = renamedColumn !== undefined ? context.facts.hint.mapping.columns[renamedColumn] : undefined;
    if (renamedColumn === undefined || readFrom === undefined) continue;
    reported.add(key);
    const free = !Object.prototype.hasOwnProperty.call(value, readFrom);
    // A required column written only by its default name: missing-field reports the column missing, at this key, with the rename.
    if (free && (renamedColumn === 'prompt' || renamedColumn === 'response' || renamedColumn === 'messages') && context.facts.settings.rules['missing-field'] !== 'off') continue;
    context.report(
      `LLaMA-Factory ignores "${shownKey(key)}" here: the dataset_info.json entry for this file reads the ${renamedColumn} column from "${shownKey(readFrom)}", so this record trains without it. ${free ? `Rename it to "${shownKey(readFrom)}"` : `Merge it into "${shownKey(readFrom)}"`}, or change the entry's "columns".`,
      { path: [key], part: 'key' },
      free ? { kind: 'rename-key', path: [key], replacement: readFrom } : undefined,
    );
  }
  return reported;
}

/**
 * A top-level "system" (or "system_prompt") beside OpenAI-style messages, as other APIs write it:
 * OpenAI's format, TRL and the chat templates read the system prompt only from a system message, so
 * the column is silently dropped.
 */
function reportSystemColumn(context: RecordRuleContext): void {
  const { shape } = context.analysis;
  if (shape !== 'openai-chat' && shape !== 'prompt-completion' && shape !== 'prompt-only' && shape !== 'preference-trl' && shape !== 'sharegpt' && shape !== 'preference-sharegpt') return;
  const value = context.record.value;
  if (!isObject(value)) return;
  if (shape === 'sharegpt' || shape === 'preference-sharegpt') {
    reportShadowedSystemColumn(context);
    return;
  }
  const listKey = shape === 'openai-chat' ? 'messages' : 'prompt';
  if (shape !== 'openai-chat' && !Array.isArray(value[listKey])) return;
  for (const key of ['system', 'system_prompt']) {
    if (typeof value[key] !== 'string' || isEmptyColumn(value[key])) continue;
    context.report(`"${shownKey(key)}" is not read in this format: the system prompt must be the first message of "${listKey}", as {"role": "system", "content": "..."}. Move it there, or the model trains without it.`, { path: [key], part: 'key' });
  }
}

/** ShareGPT: LLaMA-Factory takes the system prompt from a first system turn and then ignores the system column. */
function reportShadowedSystemColumn(context: RecordRuleContext): void {
  const { turns } = context.analysis.conversation;
  const column = turns[0];
  const first = turns[1];
  if (column === undefined || first === undefined || column.role !== 'system' || column.rolePath !== undefined || first.role !== 'system' || first.rolePath === undefined) return;
  const key = context.facts.hint.mapping.columns.system;
  context.report(`LLaMA-Factory ignores the "${shownKey(key)}" column here: the first turn is a "${first.writtenRole}" turn, and it uses that one instead. Keep one system prompt: remove the column or the turn.`, { path: [key], part: 'key' });
}

/**
 * An instruction or question string beside conversational answers (argilla's distilabel-capybara-dpo): a copy of the prompt
 * that the answers' lists hold (TRL's implicit prompt), not a misnamed "prompt", which would have to be a message list there.
 */
function promptCopyBesideTurns(record: Record<string, unknown>, key: string, suggestion: string): boolean {
  return suggestion === 'prompt' && sameMeaning(key, ['prompt']) === 'prompt' && typeof record[key] === 'string' && (Array.isArray(record.chosen) || Array.isArray(record.rejected));
}

function isEmptyColumn(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim().length === 0;
  return Array.isArray(value) && value.length === 0;
}

/**
 * Keys that mean the same in the formats people mix up: a turn's speaker and its text, a record's
 * question, its context and its answer (Dolly's instruction/context/response, prompt/response pairs).
 */
const sameMeaningGroups: readonly (readonly string[])[] = [
  ['role', 'from', 'speaker', 'author'],
  ['content', 'value', 'text'],
  ['completion', 'output', 'response', 'answer'],
  ['instruction', 'prompt', 'question'],
  ['input', 'context'],
];

/**
 * The missing key that means what the unknown one means: a ShareGPT turn written with OpenAI's
 * "role"/"content" (LLaMA-Factory reads "from"/"value" unless dataset_info.json maps its tags), a
 * message written with "from"/"value", an Alpaca record with Dolly's "response" and "context".
 */
function sameMeaning(key: string, missing: readonly string[]): string | undefined {
  const group = sameMeaningGroups.find((names) => names.includes(key));
  return group === undefined ? undefined : missing.find((candidate) => group.includes(candidate));
}

/**
 * Whether a value could be what a format key holds, so that renaming its key makes a record of the
 * format: text or a list (a flag such as LMSYS's "redacted": false is not a misspelt "rejected"), and
 * for a turn list, turns (Capybara's [{"input", "output"}] under "conversation" is not ShareGPT).
 */
function couldHold(value: unknown, turnList: boolean): boolean {
  if (!turnList) return typeof value === 'string' || Array.isArray(value) || isObject(value);
  if (!Array.isArray(value)) return false;
  const first: unknown = value[0];
  return first === undefined || (isObject(first) && ['role', 'content', 'from', 'value'].some((key) => key in first));
}

/**
 * The list key for a misspelt one by how its turns are written: role/content turns are OpenAI chat's "messages", from/value
 * turns ShareGPT's "conversations" (LMSYS-Chat's "conversation" holds role/content turns: "messages" reads them as written).
 */
function listKeyForTurns(value: unknown, suggestion: string | undefined): string | undefined {
  if ((suggestion !== 'messages' && suggestion !== 'conversations') || !Array.isArray(value)) return suggestion;
  const first: unknown = value[0];
  if (!isObject(first)) return suggestion;
  if ('role' in first && 'content' in first) return 'messages';
  if ('from' in first && 'value' in first) return 'conversations';
  return suggestion;
}

/**
 * A record that matches no format often has its one defining key misspelt ("mesages"): point at that
 * key with the format key it was meant to be (missing-field says the record matches no format).
 */
function suggestFormatKeys(context: RecordRuleContext): void {
  const value = context.record.value;
  if (!isObject(value) || foreignLayout(value) !== undefined) return;
  const { columns } = context.facts.hint.mapping;
  const formatKeys = [...new Set(['messages', 'conversations', 'instruction', 'output', 'prompt', 'completion', 'text', 'chosen', 'rejected', columns.messages, columns.prompt, columns.response, columns.chosen, columns.rejected])];
  // A question/answer record (MetaMathQA's query/response, Magicoder's problem/solution) reads as Alpaca once its keys are
  // renamed (only when the Alpaca keys are absent).
  const alpacaNames: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, { question: columns.prompt, query: columns.prompt, problem: columns.prompt, answer: columns.response, response: columns.response, solution: columns.response, context: columns.query });
  const keys = Object.keys(value);
  const listKeys = new Set(['messages', 'conversations', columns.messages]);
  for (const key of keys) {
    const alpaca = alpacaNames[key];
    const suggestion = listKeyForTurns(value[key], closest(key, formatKeys, 2)) ?? (alpaca !== undefined && !keys.includes(alpaca) ? alpaca : undefined);
    if (suggestion === undefined || suggestion === key || !couldHold(value[key], listKeys.has(suggestion))) continue;
    context.report(`Unknown key "${shownKey(key)}": did you mean "${suggestion}"? Without it the record matches no dataset format.`, { path: [key], part: 'key' }, { kind: 'rename-key', path: [key], replacement: suggestion });
  }
}
