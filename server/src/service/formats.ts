/**
 * Record formats: detection from a record's keys, the column/tag mapping of each format (which a
 * LLaMA-Factory dataset_info.json can override), and normalisation into the canonical conversation.
 * Normalisers never throw: wrong types become empty content, and the structural rules report them.
 */
import type { RecordFormat } from '../../../protocol/messages';
import { formatOfShape, type ContentPart, type Conversation, type RecordShape, type Role, type ToolCall, type Turn } from './conversation';
import type { JsonPath } from './json/scanner';

/** Column names and role tags, LLaMA-Factory style. Defaults follow each format's convention. */
export interface FormatMapping {
  columns: {
    prompt: string;
    query: string;
    response: string;
    history: string;
    messages: string;
    system: string;
    tools: string;
    chosen: string;
    rejected: string;
    /** LLaMA-Factory's optional columns, named only by a dataset_info.json: KTO's label, and media paths. */
    kto_tag?: string;
    /**
     * LLaMA-Factory pre-training: an Alpaca entry whose columns name a prompt but no response, chosen,
     * rejected or kto_tag reads plain text from that column ({"columns": {"prompt": "text"}}).
     */
    text?: string;
    images?: string;
    videos?: string;
    audios?: string;
  };
  tags: {
    role: string;
    content: string;
    user: string;
    assistant: string;
    observation: string;
    function: string;
    system: string;
  };
  /**
   * Set when a LLaMA-Factory dataset_info.json entry describes the file: only its tags are roles
   * (LLaMA-Factory skips an example with any other, such as the "tool" that Axolotl also reads).
   */
  onlyListedTags?: true;
  /**
   * LLaMA-Factory's "openai" formatting: ShareGPT read by its tags, except that an answer's
   * "tool_calls" make it a function call turn and consecutive tool results are merged into one.
   */
  openaiMessages?: true;
  /**
   * Axolotl's chat_template over from/value turns (a turn carries its per-message "train" flags): its default role
   * map takes the OpenAI names (user, assistant, system) beside human and gpt.
   */
  openaiRoleNames?: true;
}

export const defaultMapping: FormatMapping = {
  columns: { prompt: 'instruction', query: 'input', response: 'output', history: 'history', messages: 'conversations', system: 'system', tools: 'tools', chosen: 'chosen', rejected: 'rejected' },
  tags: { role: 'from', content: 'value', user: 'human', assistant: 'gpt', observation: 'observation', function: 'function_call', system: 'system' },
};

/**
 * OpenAI-style turns ({"role", "content"}) under ShareGPT's "conversations" column: Axolotl's
 * chat_template with `field_messages: conversations`, torchtune's chat_dataset with
 * `conversation_column: conversations` and `conversation_style: openai`, and LLaMA-Factory's sharegpt
 * formatting with role/content tags. Tool calls are not written as turns in this layout, so the
 * function tag names no role anyone writes.
 */
export const roleContentMapping: FormatMapping = {
  columns: defaultMapping.columns,
  tags: { role: 'role', content: 'content', user: 'user', assistant: 'assistant', observation: 'tool', function: 'function_call', system: 'system' },
};

/**
 * ShareGPT turns ({"from", "value"}) under "messages": TRL reads them (maybe_convert_to_chatml renames
 * from/value to role/content), as do Axolotl's chat_template with message_property_mappings from/value
 * and LLaMA-Factory with "messages": "messages" among its columns.
 */
export const fromValueMessagesMapping: FormatMapping = { columns: { ...defaultMapping.columns, messages: 'messages' }, tags: defaultMapping.tags };

/** From/value "conversations" written for Axolotl's chat_template (see openaiRoleNames). */
export const axolotlConversationsMapping: FormatMapping = { columns: defaultMapping.columns, tags: defaultMapping.tags, openaiRoleNames: true };

/** Whether a turn list carries Axolotl's per-message training keys, which only its chat_template reads. */
function hasAxolotlTrainingKeys(turns: readonly unknown[]): boolean {
  return checkedTurnList(turns).some((turn) => isObject(turn) && ('train' in turn || 'training' in turn || 'train_detail' in turn || 'training_detail' in turn));
}

function firstTurnHas(turns: readonly unknown[], key: string): boolean {
  const first = turns[0];
  return isObject(first) && key in first;
}

/** How the turns of a list are written: every keyed turn role/content, every one from/value, or a mix (or none). */
function turnLayout(turns: readonly unknown[]): 'role-content' | 'from-value' | 'mixed' {
  let roleContent = false;
  let fromValue = false;
  for (const turn of checkedTurnList(turns)) {
    if (!isObject(turn)) continue;
    if ('from' in turn || 'value' in turn) fromValue = true;
    if ('role' in turn || 'content' in turn) roleContent = true;
  }
  return roleContent === fromValue ? 'mixed' : roleContent ? 'role-content' : 'from-value';
}

/**
 * The mapping one record is read with: the file's, except without a dataset_info.json (which names
 * the columns and tags LLaMA-Factory reads): a "conversations" list written in role/content is read
 * with roleContentMapping, and a "messages" list written in from/value with fromValueMessagesMapping.
 * A list that mixes the two layouts keeps its column's own (ShareGPT for "conversations", OpenAI for
 * "messages"), so the turns in the other layout are reported (missing-field, unknown-key).
 */
export function recordMapping(value: unknown, hint: FormatHint): FormatMapping {
  if (hint.mapping !== defaultMapping || !isObject(value)) return hint.mapping;
  const conversations = value[defaultMapping.columns.messages];
  // The usual layout of each column shows in its first turn: no scan of the rest (this runs for every record detected).
  if (Array.isArray(conversations)) {
    if (!firstTurnHas(conversations, 'from') && turnLayout(conversations) === 'role-content') return roleContentMapping;
    return hasAxolotlTrainingKeys(conversations) ? axolotlConversationsMapping : hint.mapping;
  }
  const messages = value.messages;
  if (Array.isArray(messages) && !firstTurnHas(messages, 'role') && turnLayout(messages) === 'from-value') return fromValueMessagesMapping;
  return hint.mapping;
}

/** What a dataset_info.json entry (or the defaults) says about a file. */
export interface FormatHint {
  /** Shape forced by settings or dataset_info.json, or undefined to detect per record. */
  forced: RecordFormat | undefined;
  /** `formatting: sharegpt|openai|alpaca` from dataset_info.json: narrows detection. */
  formatting: 'sharegpt' | 'openai' | 'alpaca' | undefined;
  /** The dataset_info.json entry has no "formatting": LLaMA-Factory reads it as Alpaca (a common slip for ShareGPT data). */
  formattingOmitted?: boolean;
  ranking: boolean;
  mapping: FormatMapping;
  /**
   * From a dataset_info.json: record keys LLaMA-Factory does not read for this file, by the column
   * it would need declared ("history" -> "history"). It reads only the columns an entry lists (with
   * no "columns" at all, only prompt, query, response and messages): a system, tools or history
   * column written in the records but not listed is silently dropped.
   */
  unreadColumns?: Readonly<Record<string, string>>;
  /**
   * From a dataset_info.json entry that renames an optional column ("system": "sys_prompt", "query": "context"): the
   * default names it then does not read, by column ("system" -> "system", "input" -> "query"). A record that still
   * writes the default name trains without that field.
   */
  renamedColumns?: Readonly<Record<string, 'system' | 'tools' | 'history' | 'query' | 'prompt' | 'response' | 'messages' | 'images' | 'videos' | 'audios'>>;
  /**
   * From a dataset_info.json entry with "tags": the optional role tags it does not list, by the role
   * written in records ("observation" -> "observation_tag"). LLaMA-Factory sets every tag an entry
   * leaves out to none, so a turn with such a role is invalid there and its example is skipped.
   */
  unlistedTags?: Readonly<Record<string, string>>;
}

export const defaultHint: FormatHint = { forced: undefined, formatting: undefined, ranking: false, mapping: defaultMapping };

/** Whether a dataset_info.json formatting reads lists of turns by their tags: "sharegpt", and "openai", a special case of it. */
export function readsTaggedTurns(formatting: FormatHint['formatting']): boolean {
  return formatting === 'sharegpt' || formatting === 'openai';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Detects the shape of one record from its keys. */
export function detectShape(value: unknown, hint: FormatHint = defaultHint): RecordShape {
  if (!isObject(value)) return 'unknown';
  const { columns } = hint.mapping;
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);
  // A dataset_info.json pre-training entry: every record is plain text in its one column.
  if (columns.text !== undefined) return 'text';
  if (readsTaggedTurns(hint.formatting) || (hint.formatting === undefined && has(columns.messages))) {
    if (has(columns.messages)) {
      // One answer written is enough: a pair missing the other is still a pair (missing-field names it).
      if (hint.ranking || has(columns.chosen) || has(columns.rejected)) return 'preference-sharegpt';
      return recordMapping(value, hint) === roleContentMapping ? 'chat-conversations' : 'sharegpt';
    }
  }
  if (has('messages')) {
    // OpenAI DPO answers beside the prompt's messages and no "input": a DPO record missing its "input" wrapper (missing-field says so).
    if (!has('input') && (has('preferred_output') || has('non_preferred_output'))) return 'preference-openai';
    // A pair missing one answer is still a pair when a prompt says so (HuggingFaceH4/ultrafeedback_binarized keeps the
    // conversation in "messages" too): missing-field names the other answer.
    if ((has('chosen') && has('rejected')) || (has('prompt') && (has('chosen') || has('rejected')))) return isObject(value.chosen) || isObject(value.rejected) ? 'preference-messages' : 'preference-trl';
    return recordMapping(value, hint) === fromValueMessagesMapping ? 'sharegpt-messages' : 'openai-chat';
  }
  // OpenAI DPO: the answers name the shape even when "input" is missing (missing-field says so).
  if (has('preferred_output') || has('non_preferred_output')) return 'preference-openai';
  // A prompt/completion record with one stray answer column stays prompt/completion (the pair would need both answers).
  if (has('prompt') && (has('chosen') || has('rejected')) && !(has('completion') && !(has('chosen') && has('rejected')))) return 'preference-trl';
  // Axolotl's argilla DPO columns (LLaMA-Factory reads only the columns its dataset_info.json names: there they stay Alpaca).
  if (hint.formatting === undefined && !has(columns.chosen) && !has(columns.response) && (has('chosen_response') || has('rejected_response'))) return 'preference-argilla';
  if (hint.formatting === undefined && unpairedColumns(value)) return 'unpaired-columns';
  // Conversational answers (message lists) beside an instruction or question column (argilla's distilabel-capybara-dpo):
  // TRL reads the pair with its implicit prompt and ignores the column, as Axolotl's chatml.argilla_chat does. LLaMA-Factory's
  // Alpaca ranking and Axolotl's intel DPO have string answers.
  if (hint.formatting === undefined && (Array.isArray(value.chosen) || Array.isArray(value.rejected)) && (has(columns.prompt) || has('question'))) return 'preference-trl';
  if (has(columns.prompt) || hint.formatting === 'alpaca') {
    // A ranking dataset's record missing an answer is still a preference record (missing-field says what is missing).
    if ((hint.ranking && (has(columns.chosen) || has(columns.rejected) || has(columns.prompt))) || (has(columns.chosen) && has(columns.rejected))) return 'preference-alpaca';
    if (has(columns.prompt) || has(columns.response)) return 'alpaca';
  }
  if (has('prompt') && stepLists(value)) return 'stepwise';
  if (has('completion')) return 'prompt-completion';
  if (has('prompt')) return promptWithoutCompletion(value);
  if (Array.isArray(value.segments) || typeof value.segments === 'string') return 'segments';
  if (has('text')) return 'text';
  if (has(columns.messages)) return 'sharegpt';
  // Axolotl's intel DPO columns: the question under "question" (a TRL pair has no prompt column or "prompt").
  if (has('question') && (has('chosen') || has('rejected'))) return 'preference-intel';
  if (has('chosen') && has('rejected')) return 'preference-trl';
  // One answer of a pair and nothing else it could be (an HH-RLHF row that lost its rejected transcript): a pair missing
  // the other answer, which missing-field names, not a record of no format.
  if (has('chosen') !== has('rejected') && Object.keys(value).every((key) => key === 'chosen' || key === 'rejected' || key === 'id')) return 'preference-trl';
  if (inputOutputColumns(value, hint)) return 'input-output';
  if (questionAnswerColumns(value, hint)) return 'question-answer';
  if (has(columns.response) || has(columns.query)) return 'alpaca';
  return 'unknown';
}

/**
 * Axolotl's question/answer columns (see the 'question-answer' shape), when no dataset_info.json declares the file: a
 * question with an "answer" or "response", and none of Alpaca's or TRL's own answer columns.
 */
const questionAnswerAnswers = ['answer', 'response'];
const questionOnlyColumns = new Set(['question', 'context', 'system', 'system_prompt', 'id']);

function questionAnswerColumns(value: Record<string, unknown>, hint: FormatHint): boolean {
  if (hint.formatting !== undefined || hint.mapping !== defaultMapping || !('question' in value)) return false;
  if (!('answer' in value) && !('response' in value)) {
    // A misspelt answer ("anwser", "reponse"), or a question and its layout's other columns only: the layout missing its
    // answer (missing-field and unknown-key then name the column), not a record of no format.
    return Object.keys(value).some((key) => key !== 'question' && closest(key, questionAnswerAnswers, 2) !== undefined) || Object.keys(value).every((key) => questionOnlyColumns.has(key));
  }
  return !('output' in value) && !('completion' in value) && !('instruction' in value) && !('label' in value);
}

/**
 * torchtune's instruct_dataset columns ({"input", "output"}, no "instruction"), when no
 * dataset_info.json declares the file: a record with Alpaca's system or history columns is Alpaca
 * data that lacks its instruction (torchtune would drop those columns silently).
 */
function inputOutputColumns(value: Record<string, unknown>, hint: FormatHint): boolean {
  if (hint.formatting !== undefined || hint.mapping !== defaultMapping) return false;
  if ('instruction' in value || 'system' in value || 'history' in value) return false;
  // A misspelt "output" ("ouput") keeps the pair's shape: missing-field and unknown-key then name "output", not "instruction".
  if (!('output' in value) && !Object.keys(value).some((key) => key !== 'input' && closest(key, ['output'], 2) !== undefined)) return false;
  // Alpaca writes an empty "input" when the instruction says it all; torchtune's question is the input itself.
  if (typeof value.input !== 'string' || value.input.trim().length === 0) return false;
  // A misspelt instruction ("instruct", "instrution") makes it an Alpaca record (unknown-key suggests the key).
  for (const key of Object.keys(value)) if (key !== 'input' && key !== 'output' && (key.toLowerCase().startsWith('instr') || closest(key, ['instruction'], 3) !== undefined)) return false;
  return true;
}

/**
 * Axolotl's KTO columns (kto type chatml.argilla / llama3.argilla: instruction; chatml.intel /
 * llama3.intel: question): a completion, a label and no Alpaca output. The label decides: an Alpaca
 * record whose "output" is misspelt "completion" has none (unknown-key and missing-field say so).
 */
function unpairedColumns(value: Record<string, unknown>): boolean {
  if (!('label' in value) || !('completion' in value) || 'prompt' in value || 'output' in value) return false;
  return 'instruction' in value || 'question' in value;
}

/** Answer keys whose misspelling ("completon", "complete", "choosen") means the record meant to have that answer. */
const answerKeys = ['completion', 'chosen', 'rejected'];
/**
 * Keys that hold a supervised answer under another name ({"prompt", "response"}): the record meant a
 * completion. "answer" and "solution" are not among them: GRPO data keeps the reference answer that
 * its reward function reads there, beside a prompt-only record.
 */
const completionSynonyms: ReadonlySet<string> = new Set(['response', 'output']);

/** The answer key that `key` misspells or cuts short (at least five shared leading characters, most of the shorter word). */
function misspeltAnswerKey(key: string): string | undefined {
  const near = closest(key, answerKeys, 2);
  if (near !== undefined) return near;
  const lower = key.toLowerCase();
  for (const answer of answerKeys) {
    let shared = 0;
    while (shared < lower.length && shared < answer.length && lower[shared] === answer[shared]) shared++;
    if (shared >= 5 && shared * 5 >= Math.min(lower.length, answer.length) * 4) return answer;
  }
  return undefined;
}

/**
 * TRL stepwise supervision: steps in "completions" and labels in "labels", both lists, also with one of
 * the two keys misspelt in the singular (missing-field and unknown-key then name it). A KTO record's
 * "label" is one boolean and its conversational "completion" a list of message objects, not of steps.
 */
function stepLists(value: Record<string, unknown>): boolean {
  if (Array.isArray(value.completions)) return Array.isArray(value.labels) || Array.isArray(value.label);
  const steps = value.completion;
  return Array.isArray(value.labels) && Array.isArray(steps) && steps.length > 0 && steps.every((step) => typeof step === 'string');
}

/**
 * A record with a "prompt" and no "completion": TRL's stepwise supervision ("completions" and
 * "labels"), a prompt/completion or preference record whose answer key is misspelt or whose KTO
 * "label" is there without its completion (missing-field and unknown-key say so), or else TRL's
 * prompt-only type (GRPO, RLOO, online DPO), which may carry other columns (an "answer" for the
 * reward function).
 */
function promptWithoutCompletion(value: Record<string, unknown>): RecordShape {
  if (Object.prototype.hasOwnProperty.call(value, 'label')) return 'prompt-completion';
  for (const key of Object.keys(value)) {
    if (key === 'prompt') continue;
    const meant = completionSynonyms.has(key) ? 'completion' : misspeltAnswerKey(key);
    if (meant !== undefined) return meant === 'completion' ? 'prompt-completion' : 'preference-trl';
  }
  return 'prompt-only';
}

/** The shape to normalise with when the file's format is forced. */
export function shapeForForcedFormat(format: RecordFormat, value: unknown, hint: FormatHint): RecordShape {
  const detected = detectShape(value, hint);
  if (formatOfShape(detected) === format) return detected;
  switch (format) {
    case 'preference':
      // LLaMA-Factory ranking data keeps its own layout (forced by dataset_info.json's "ranking": true).
      if (hint.ranking && readsTaggedTurns(hint.formatting)) return 'preference-sharegpt';
      if (hint.ranking && hint.formatting === 'alpaca') return 'preference-alpaca';
      return 'preference-trl';
    case 'unknown':
      return 'unknown';
    default:
      return format;
  }
}

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

/** A lookup table with no prototype: a written role such as "constructor" must not find anything. */
function table<V>(entries: Record<string, V>): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, entries);
}

export const openaiRoles = table<Role>({ system: 'system', developer: 'system', user: 'user', assistant: 'assistant', tool: 'tool', function: 'tool' });

/** Roles of role/content turns under "conversations": OpenAI's, and human/gpt, which Axolotl's chat_template maps by default. */
const roleContentRoles = table<Role>({ user: 'user', human: 'user', assistant: 'assistant', gpt: 'assistant', system: 'system', tool: 'tool' });

export function sharegptRoles(mapping: FormatMapping): Record<string, Role> {
  if (mapping.tags === roleContentMapping.tags) return roleContentRoles;
  const { tags } = mapping;
  const roles: Record<string, Role> = { [tags.user]: 'user', [tags.assistant]: 'assistant', [tags.system]: 'system', [tags.function]: 'assistant', [tags.observation]: 'tool' };
  if (mapping.openaiRoleNames === true) Object.assign(roles, { user: 'user', assistant: 'assistant', system: 'system' });
  if (mapping.onlyListedTags !== true && roles.tool === undefined) roles.tool = 'tool';
  return roles;
}

/** Words people write for a role, mapped to the canonical role (for "did you mean"). */
const roleSynonyms = table<Role>({
  human: 'user', user: 'user', usr: 'user', person: 'user', prompter: 'user', question: 'user', instruction: 'user', input: 'user', customer: 'user',
  gpt: 'assistant', assistant: 'assistant', assistent: 'assistant', asistant: 'assistant', bot: 'assistant', ai: 'assistant', model: 'assistant', chatgpt: 'assistant', answer: 'assistant', response: 'assistant', agent: 'assistant', output: 'assistant', gpt4: 'assistant', claude: 'assistant',
  system: 'system', sys: 'system', developer: 'system', sytem: 'system', systen: 'system',
  tool: 'tool', function: 'tool', observation: 'tool', ipython: 'tool', function_response: 'tool', tool_response: 'tool',
});

/**
 * The role name (as the format writes it) closest to a misspelt or foreign one, or undefined.
 * `allowed` maps the format's role names to canonical roles.
 */
export function suggestRole(written: string, allowed: Record<string, Role>): string | undefined {
  const lower = written.trim().toLowerCase();
  for (const name of Object.keys(allowed)) if (name.toLowerCase() === lower) return name;
  const nearest = closest(lower, Object.keys(allowed), 2);
  if (nearest !== undefined) return nearest;
  // A misspelt synonym ("assistnat" in ShareGPT, whose tag is "gpt"): two edits away when long enough to be sure, one when short.
  const canonical = roleSynonyms[lower] ?? roleSynonyms[closest(lower, Object.keys(roleSynonyms), lower.length >= 6 ? 2 : 1) ?? ''];
  if (canonical !== undefined) {
    // Prefer the format's primary name for that canonical role (the first listed).
    for (const [name, role] of Object.entries(allowed)) if (role === canonical) return name;
  }
  return undefined;
}

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment: "gtp" is
 * one edit from "gpt", as people mistype it), with an early exit above `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  let previousMinimum = 0;
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (beforePrevious[j - 2] ?? 0) + 1);
      current.push(value);
      if (value < rowMinimum) rowMinimum = value;
    }
    // Later rows build on this row and (through a transposition) the one before it.
    if (rowMinimum > limit && previousMinimum > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
    previousMinimum = rowMinimum;
  }
  return previous[b.length] ?? 0;
}

/** The candidate within `limit` edits of `word` (case-insensitive), closest first; undefined if none. */
export function closest(word: string, candidates: readonly string[], limit: number): string | undefined {
  let best: string | undefined;
  let bestDistance = limit + 1;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase(), limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Very short words match too much: require the distance to be less than half the word.
  if (best !== undefined && bestDistance * 2 >= Math.max(word.length, 2) && bestDistance > 0) return undefined;
  return best;
}

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

function textOf(value: unknown, path: JsonPath): { content: string; parts: ContentPart[] } {
  if (typeof value === 'string') return { content: value, parts: [{ path, text: value, offset: 0 }] };
  if (Array.isArray(value)) {
    // OpenAI content parts: [{type: "text", text: "..."}, {type: "image_url", ...}]
    const parts: ContentPart[] = [];
    let content = '';
    value.forEach((part, index) => {
      // An assistant's refusal part holds its text under "refusal".
      const key = isObject(part) && part.type === 'refusal' ? 'refusal' : 'text';
      const text = isObject(part) ? part[key] : typeof part === 'string' ? part : undefined;
      if (typeof text !== 'string') return;
      if (content.length > 0) content += '\n\n';
      parts.push({ path: isObject(part) ? [...path, index, key] : [...path, index], text, offset: content.length });
      content += text;
    });
    return { content, parts };
  }
  return { content: '', parts: [] };
}

function joinParts(pieces: { path: JsonPath; value: unknown }[]): { content: string; parts: ContentPart[] } {
  let content = '';
  const parts: ContentPart[] = [];
  for (const piece of pieces) {
    if (typeof piece.value !== 'string' || piece.value.length === 0) continue;
    // One line break, as LLaMA-Factory's Alpaca converter joins instruction and input into the user turn.
    if (content.length > 0) content += '\n';
    parts.push({ path: piece.path, text: piece.value, offset: content.length });
    content += piece.value;
  }
  return { content, parts };
}

/** Most turns call no tool: they share one empty list (no consumer adds to a turn's calls). */
const noToolCalls: ToolCall[] = [];

function makeTurn(role: Role | null, writtenRole: string, path: JsonPath, rolePath: JsonPath | undefined, text: { content: string; parts: ContentPart[] }, contentPath: JsonPath = path): Turn {
  return { role, writtenRole, content: text.content, parts: text.parts, toolCalls: noToolCalls, toolCallId: undefined, trainable: role === 'assistant', weight: undefined, path, rolePath, contentPath };
}

/** The calls of a message that writes "tool_calls": [] (OpenAI's API rejects the empty list): told apart by identity, at no cost to other turns. */
const emptyToolCallList: ToolCall[] = [];

/** Whether a turn's message writes an empty "tool_calls" list. */
export function writesEmptyToolCalls(turn: Turn): boolean {
  return turn.toolCalls === emptyToolCallList;
}

function openaiToolCalls(message: Record<string, unknown>, path: JsonPath): ToolCall[] {
  if (message.tool_calls === undefined && message.function_call === undefined) return noToolCalls;
  if (Array.isArray(message.tool_calls) && message.tool_calls.length === 0 && message.function_call === undefined) return emptyToolCallList;
  const calls: ToolCall[] = [];
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((call, index) => {
      const callObject = isObject(call) ? call : {};
      const fn = isObject(callObject.function) ? callObject.function : {};
      calls.push({ path: [...path, 'tool_calls', index], id: typeof callObject.id === 'string' ? callObject.id : undefined, name: typeof fn.name === 'string' ? fn.name : undefined, arguments: fn.arguments });
    });
  }
  if (isObject(message.function_call)) {
    const fn = message.function_call;
    calls.push({ path: [...path, 'function_call'], id: undefined, name: typeof fn.name === 'string' ? fn.name : undefined, arguments: fn.arguments });
  }
  return calls;
}

/**
 * The most turns of one list that are read. No trainer's context holds more, and each turn read costs
 * about a kilobyte and a half: a generated record of a million messages took 1.4 GB.
 */
export const maxTurnsChecked = 10_000;
/** Turns left unread by the lists of the record being normalised (normalise is synchronous and resets it). */
let turnsOmitted = 0;

/** The entries of a turn list that are read: the first maxTurnsChecked (the rules that walk the raw list read the same). */
export function checkedTurnList(list: readonly unknown[]): readonly unknown[] {
  return list.length > maxTurnsChecked ? list.slice(0, maxTurnsChecked) : list;
}

/** checkedTurnList, counting the entries left unread for the conversation's omittedTurns. */
function checkedTurns(list: readonly unknown[]): readonly unknown[] {
  turnsOmitted += Math.max(0, list.length - maxTurnsChecked);
  return checkedTurnList(list);
}

/** Normalises a list of OpenAI-style messages ({role, content, ...}). */
export function openaiTurns(messages: unknown, path: JsonPath): Turn[] {
  if (!Array.isArray(messages)) return [];
  return checkedTurns(messages).map((message, index) => openaiTurn(message, [...path, index]));
}

/** Normalises one OpenAI-style message written at `turnPath`. */
function openaiTurn(message: unknown, turnPath: JsonPath): Turn {
  // An entry that is not an object has no content of its own (wrong-type reports the entry; empty-content must not read it as text).
  if (!isObject(message)) return makeTurn(null, '', turnPath, undefined, { content: '', parts: [] }, [...turnPath, 'content']);
  const written = typeof message.role === 'string' ? message.role : '';
  const role = openaiRoles[written] ?? null;
  const contentPath = [...turnPath, 'content'];
  const turn = makeTurn(role, written, turnPath, 'role' in message ? [...turnPath, 'role'] : undefined, textOf(message.content, contentPath), contentPath);
  turn.toolCalls = openaiToolCalls(message, turnPath);
  turn.toolCallId = typeof message.tool_call_id === 'string' ? message.tool_call_id : undefined;
  // Set only when written (strings, as the schema wants), so most turns keep makeTurn's shape.
  if (typeof message.name === 'string') turn.name = message.name;
  if (typeof message.reasoning_content === 'string') turn.reasoningContent = message.reasoning_content;
  if (typeof message.thinking === 'string') turn.thinking = message.thinking;
  applyTurnWeight(turn, message);
  return turn;
}

/**
 * A per-turn loss weight: OpenAI's `weight` (0 or 1) or `loss_weight` (any factor, as some trainers
 * read it). 0 makes an assistant turn untrainable; other values scale its tokens in the loss.
 */
function applyTurnWeight(turn: Turn, entry: Record<string, unknown>): void {
  // Axolotl's per-message flag trains (or masks) that message whatever its role.
  const train = typeof entry.train === 'boolean' ? entry.train : typeof entry.training === 'boolean' ? entry.training : undefined;
  if (train !== undefined) turn.trainable = train;
  const weight = typeof entry.weight === 'number' ? entry.weight : typeof entry.loss_weight === 'number' ? entry.loss_weight : undefined;
  // A masked answer weighs 0 for every consumer (a conversion writes it as OpenAI's weight 0, or declines where it cannot).
  if (weight === undefined && train === false && turn.role === 'assistant') turn.weight = 0;
  if (weight === undefined) return;
  turn.weight = weight;
  if (turn.role === 'assistant' && train === undefined) turn.trainable = weight !== 0;
}

/** Normalises ShareGPT turns ({from, value} or the mapped tags). */
export function sharegptTurns(turns: unknown, path: JsonPath, mapping: FormatMapping): Turn[] {
  if (!Array.isArray(turns)) return [];
  const roles = sharegptRoles(mapping);
  return checkedTurns(turns).map((entry, index) => sharegptTurn(entry, [...path, index], roles, mapping));
}

function sharegptTurn(entry: unknown, turnPath: JsonPath, roles: Record<string, Role>, mapping: FormatMapping): Turn {
  const { tags } = mapping;
  if (!isObject(entry)) return makeTurn(null, '', turnPath, undefined, { content: '', parts: [] }, [...turnPath, tags.content]);
  const written = typeof entry[tags.role] === 'string' ? (entry[tags.role] as string) : '';
  const role = Object.prototype.hasOwnProperty.call(roles, written) ? (roles[written] ?? null) : null;
  const valuePath = [...turnPath, tags.content];
  const text = textOf(entry[tags.content], valuePath);
  const turn = makeTurn(role, written, turnPath, tags.role in entry ? [...turnPath, tags.role] : undefined, text, valuePath);
  applyTurnWeight(turn, entry);
  // LLaMA-Factory's openai formatting: an answer with tool calls is the call (its text is replaced by them).
  if (mapping.openaiMessages === true && (written === tags.assistant || written === tags.function) && Array.isArray(entry.tool_calls) && entry.tool_calls.length > 0) {
    turn.toolCalls = openaiToolCalls({ tool_calls: entry.tool_calls }, turnPath);
    turn.content = '';
    turn.parts = [];
    return turn;
  }
  if (written === tags.function) {
    // The value is a JSON string: {"name": ..., "arguments": {...}} or a list of such calls.
    let parsed: unknown;
    try {
      parsed = typeof entry[tags.content] === 'string' ? JSON.parse(entry[tags.content] as string) : undefined;
    } catch {
      parsed = undefined;
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    turn.toolCalls = calls.map((call) => {
      const callObject = isObject(call) ? call : {};
      return { path: valuePath, id: undefined, name: typeof callObject.name === 'string' ? callObject.name : undefined, arguments: 'arguments' in callObject ? callObject.arguments : undefined };
    });
    // The call itself is what the model learns; it is not prose content.
    turn.content = '';
    turn.parts = [];
  }
  return turn;
}

/**
 * A preference record with a plain string "prompt" and both answers as conversations that start with
 * the prompt turns ({"prompt": "...", "chosen": [user, assistant], "rejected": [user, assistant]}, as
 * Axolotl's chatml.ultra and many hub datasets write it). TRL's maybe_extract_prompt then ignores the
 * string and takes the prompt from the messages both answers start with.
 */
export function promptInsideAnswers(record: Record<string, unknown>): boolean {
  if (typeof record.prompt !== 'string') return false;
  const startsWithPrompt = (side: unknown): boolean => Array.isArray(side) && side.length > 1 && isObject(side[0]) && side[0].role !== 'assistant';
  // KTO the same way ({"prompt": "...", "completion": [user, assistant], "label": true}, as
  // argilla/kto-mix-15k and Axolotl's argilla_chat KTO type write it): the completion's last message
  // is the answer, the ones before it the prompt.
  if ('label' in record && !('chosen' in record) && !('rejected' in record)) return startsWithPrompt(record.completion);
  // TRL reads the string prompt only when "chosen" is a string too; otherwise it takes the prompt from the answers. One answer
  // that starts with the prompt's turns is enough: the other, broken, is reported for itself (no-assistant-turn, wrong-type).
  const holdsPrompt = (side: unknown): boolean => Array.isArray(side) && side.length > 0 && isObject(side[0]) && side[0].role !== 'assistant';
  return Array.isArray(record.chosen) && (holdsPrompt(record.chosen) || holdsPrompt(record.rejected));
}

/** Normalises prompt/chosen/rejected values that are either strings or message lists (TRL). */
function trlSide(value: unknown, path: JsonPath, role: Role): Turn[] {
  if (Array.isArray(value)) return openaiTurns(value, path);
  return [makeTurn(role, role, path, undefined, textOf(value, path))];
}

/** A value's truth in Python: false, null, 0, "", an empty list or object are false; anything else is true. */
export function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Builds the canonical conversation of one record of the given shape. */
export function normalise(value: unknown, shape: RecordShape, mapping: FormatMapping = defaultMapping): Conversation {
  // Role/content turns under "conversations" are read as ShareGPT with role/content tags.
  if (shape === 'chat-conversations' || shape === 'sharegpt-messages') return normalise(value, 'sharegpt', recordMapping(value, { ...defaultHint, mapping }));
  const record = isObject(value) ? value : {};
  const { columns } = mapping;
  const conversation: Conversation = { shape, format: formatOfShape(shape), turns: [], rejected: undefined, tools: undefined, plainText: false };
  turnsOmitted = 0;
  if (mapping !== defaultMapping) conversation.mapping = mapping;
  const systemColumn = (key: string): Turn[] => (typeof record[key] === 'string' && (record[key] as string).length > 0 ? [makeTurn('system', 'system', [key], undefined, textOf(record[key], [key]))] : []);
  switch (shape) {
    case 'openai-chat':
      conversation.turns = openaiTurns(record.messages, ['messages']);
      if ('tools' in record) conversation.tools = { value: record.tools, path: ['tools'] };
      else if ('functions' in record) conversation.tools = { value: record.functions, path: ['functions'] };
      break;
    case 'sharegpt':
    case 'preference-sharegpt': {
      conversation.turns = [...systemColumn(columns.system), ...sharegptTurns(record[columns.messages], [columns.messages], mapping)];
      if (columns.tools in record) conversation.tools = { value: record[columns.tools], path: [columns.tools] };
      if (shape === 'preference-sharegpt') {
        const roles = sharegptRoles(mapping);
        const chosen = record[columns.chosen];
        const rejected = record[columns.rejected];
        if (chosen !== undefined) conversation.turns.push(sharegptTurn(chosen, [columns.chosen], roles, mapping));
        if (rejected !== undefined) conversation.rejected = [sharegptTurn(rejected, [columns.rejected], roles, mapping)];
      }
      break;
    }
    case 'alpaca':
    case 'preference-alpaca': {
      const turns = systemColumn(columns.system);
      const history = record[columns.history];
      if (Array.isArray(history)) {
        checkedTurns(history).forEach((pair, index) => {
          if (!Array.isArray(pair)) return;
          turns.push(makeTurn('user', 'user', [columns.history, index, 0], undefined, textOf(pair[0], [columns.history, index, 0])));
          turns.push(makeTurn('assistant', 'assistant', [columns.history, index, 1], undefined, textOf(pair[1], [columns.history, index, 1])));
        });
      }
      turns.push(makeTurn('user', 'user', [columns.prompt], undefined, joinParts([{ path: [columns.prompt], value: record[columns.prompt] }, { path: [columns.query], value: record[columns.query] }])));
      if (shape === 'alpaca') {
        turns.push(makeTurn('assistant', 'assistant', [columns.response], undefined, textOf(record[columns.response], [columns.response])));
      } else {
        turns.push(makeTurn('assistant', 'assistant', [columns.chosen], undefined, textOf(record[columns.chosen], [columns.chosen])));
        conversation.rejected = [makeTurn('assistant', 'assistant', [columns.rejected], undefined, textOf(record[columns.rejected], [columns.rejected]))];
      }
      conversation.turns = turns;
      if (shape === 'alpaca' && columns.tools in record) conversation.tools = { value: record[columns.tools], path: [columns.tools] };
      break;
    }
    case 'prompt-completion':
      // No "prompt" beside a completion conversation (Axolotl's KTO argilla_chat): the prompt is its first messages, not
      // an empty user turn before them (missing-field still names the column TRL needs).
      conversation.turns = [...(promptInsideAnswers(record) || (record.prompt === undefined && Array.isArray(record.completion)) ? [] : trlSide(record.prompt, ['prompt'], 'user')), ...trlSide(record.completion, ['completion'], 'assistant')];
      break;
    case 'prompt-only':
      // Nothing is trained from the prompt: the trainer generates the completions and scores them.
      conversation.turns = trlSide(record.prompt, ['prompt'], 'user');
      for (const turn of conversation.turns) turn.trainable = false;
      break;
    case 'stepwise': {
      // The steps are one answer, each step written in its own string (PRMTrainer joins them with a separator).
      const steps = Array.isArray(record.completions) ? checkedTurns(record.completions) : [];
      const answer = joinParts(steps.map((step, index) => ({ path: ['completions', index], value: step })));
      // No steps, no answer turn: no-assistant-turn says the list is empty.
      conversation.turns = [...trlSide(record.prompt, ['prompt'], 'user'), ...(steps.length > 0 ? [makeTurn('assistant', 'assistant', ['completions'], undefined, answer)] : [])];
      break;
    }
    case 'input-output':
      conversation.turns = [makeTurn('user', 'user', ['input'], undefined, textOf(record.input, ['input'])), makeTurn('assistant', 'assistant', ['output'], undefined, textOf(record.output, ['output']))];
      break;
    case 'question-answer': {
      // context_qa puts the context before the question; open_orca names its answer "response" and its system "system_prompt".
      const answer = 'answer' in record ? 'answer' : 'response';
      const question = typeof record.context === 'string' && record.context.length > 0 ? joinParts([{ path: ['context'], value: record.context }, { path: ['question'], value: record.question }]) : textOf(record.question, ['question']);
      conversation.turns = [...systemColumn('system_prompt'), ...systemColumn('system'), makeTurn('user', 'user', ['question'], undefined, question), makeTurn('assistant', 'assistant', [answer], undefined, textOf(record[answer], [answer]))];
      break;
    }
    case 'unpaired-columns': {
      const question = 'instruction' in record ? 'instruction' : 'question';
      conversation.turns = [...systemColumn('system'), makeTurn('user', 'user', [question], undefined, textOf(record[question], [question])), makeTurn('assistant', 'assistant', ['completion'], undefined, textOf(record.completion, ['completion']))];
      break;
    }
    case 'preference-argilla':
    case 'preference-intel': {
      const [question, chosen, rejected] = shape === 'preference-argilla' ? ['instruction', 'chosen_response', 'rejected_response'] : ['question', 'chosen', 'rejected'];
      conversation.turns = [...systemColumn('system'), makeTurn('user', 'user', [question], undefined, textOf(record[question], [question])), makeTurn('assistant', 'assistant', [chosen], undefined, textOf(record[chosen], [chosen]))];
      conversation.rejected = [makeTurn('assistant', 'assistant', [rejected], undefined, textOf(record[rejected], [rejected]))];
      break;
    }
    case 'preference-trl': {
      const prompt = 'prompt' in record && !promptInsideAnswers(record) ? trlSide(record.prompt, ['prompt'], 'user') : [];
      conversation.turns = [...prompt, ...trlSide(record.chosen, ['chosen'], 'assistant')];
      conversation.rejected = trlSide(record.rejected, ['rejected'], 'assistant');
      break;
    }
    case 'preference-messages':
      conversation.turns = openaiTurns(record.messages, ['messages']);
      if ('tools' in record) conversation.tools = { value: record.tools, path: ['tools'] };
      if (record.chosen !== undefined) conversation.turns.push(openaiTurn(record.chosen, ['chosen']));
      conversation.rejected = record.rejected !== undefined ? [openaiTurn(record.rejected, ['rejected'])] : [];
      break;
    case 'preference-openai': {
      const input = isObject(record.input) ? record.input : {};
      conversation.turns = openaiTurns(input.messages, ['input', 'messages']);
      if ('tools' in input) conversation.tools = { value: input.tools, path: ['input', 'tools'] };
      conversation.turns.push(...openaiTurns(record.preferred_output, ['preferred_output']));
      conversation.rejected = openaiTurns(record.non_preferred_output, ['non_preferred_output']);
      break;
    }
    case 'text': {
      const key = columns.text ?? 'text';
      const turn = makeTurn('assistant', 'text', [key], undefined, textOf(record[key], [key]));
      conversation.turns = [turn];
      conversation.plainText = true;
      break;
    }
    case 'segments': {
      // Each segment is a piece of the raw text; Axolotl trains the ones labelled true and masks the rest.
      const segments = Array.isArray(record.segments) ? checkedTurns(record.segments) : [];
      conversation.turns = segments.map((segment, index) => {
        const entry = isObject(segment) ? segment : {};
        const path: JsonPath = ['segments', index];
        // Axolotl tests the label's truth as Python does ("if label"): a string label, "false" too, trains its segment
        // (wrong-type reports the string).
        const trained = pythonTruthy(entry.label);
        const turn = makeTurn(trained ? 'assistant' : 'user', 'segment', path, undefined, textOf(entry.text, [...path, 'text']), [...path, 'text']);
        turn.trainable = trained;
        return turn;
      });
      conversation.plainText = true;
      break;
    }
    case 'unknown':
      break;
  }
  if (turnsOmitted > 0) conversation.omittedTurns = turnsOmitted;
  for (const turn of conversation.turns) if (turn.rolePath === undefined && turn.path.length === 1 && turn.content === '' && record[turn.path[0] as string] === undefined) turn.missing = true;
  return conversation;
}
