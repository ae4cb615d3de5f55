import { formatOfShape, type RecordShape } from '../conversation';
import type { FileRule } from './rule';

/**
 * Trainers read a whole file with one format; a record in another format is dropped or crashes the
 * loader. A file-level rule: the file's format (the majority, known only after every record was
 * read, or the forced one) is compared with each record's detected format from its summary.
 */
export const rule: FileRule = {
  kind: 'file',
  meta: { id: 'mixed-formats', description: 'A record is in a different format from the rest of the file.', defaultSeverity: 'error', fixable: true },
};

/**
 * `forcedBy`: the setting that forces the file's format, named in the message (a wrong one is a common mistake).
 * `formattingOmitted`: the file is Alpaca only because its dataset_info.json entry has no "formatting"
 * (LLaMA-Factory's default), which is usually a ShareGPT file's missing line.
 */
export function mixedFormatMessage(detectedShape: Parameters<typeof formatOfShape>[0], fileFormat: string, forced: boolean, formattingOmitted = false, tie = false, forcedBy?: string): string | undefined {
  const detected = formatOfShape(detectedShape);
  if (detected === 'unknown' || fileFormat === 'unknown' || detected === fileFormat) return undefined;
  if (formattingOmitted && (detected === 'sharegpt' || detected === 'openai-chat')) {
    return `This record is ${detected}, but the file's dataset_info.json entry has no "formatting", so LLaMA-Factory reads the file as Alpaca and finds no example in it. Add "formatting": "sharegpt" to the entry${detected === 'openai-chat' ? ' (with "columns": {"messages": "messages"} and the OpenAI role tags: "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "system_tag": "system"})' : ''}.`;
  }
  // A tie goes to the format of the file's first records: "mostly" would not be true.
  const how = forced ? 'is set to' : tie ? 'has as many records in each format and starts in' : 'is mostly';
  const source = forced && forcedBy !== undefined ? ` (${forcedBy})` : '';
  if (missingAnswer(detected, fileFormat)) {
    const what = fileFormat === 'preference' ? 'the required "chosen" and "rejected" fields' : 'the required "completion" field (string or array)';
    return `The record is missing ${what}: the rest of this ${fileFormat} file has them, and trainers drop a record without its answer or fail on it. Add ${fileFormat === 'preference' ? 'them' : 'it'}. (A record with only a prompt belongs in a prompt-only file, for TRL's GRPO, RLOO or online DPO trainers, which generate the answers.)`;
  }
  if (detected === 'stepwise') return `This record is TRL stepwise supervision ("completions" as steps with one "labels" entry each, read only by PRMTrainer) but the file ${how} ${fileFormat}${source}. Join the steps into one answer in the file's format, or move the record to a stepwise file.`;
  // Alpaca and its look-alikes differ by a key or two: say which keys make the record the file's format.
  if (detected === 'prompt-completion' && fileFormat === 'alpaca') return `This record is not Alpaca, but ${forced ? `the file is set to Alpaca${source}` : tie ? 'the file starts in Alpaca (as many records in each format)' : 'the rest of this file is'}: Alpaca loaders (LLaMA-Factory, Axolotl) need "instruction" and "output". A torchtune {"input", "output"} pair needs its "instruction" (or rename "input" to "instruction"); a prompt/completion or KTO record needs its keys renamed ("prompt" or "question" to "instruction", "completion" to "output"). Fix the keys, or move the record to another file.`;
  if (detected === 'alpaca' && fileFormat === 'prompt-completion') return `This record is Alpaca but the file ${how} prompt-completion${source}: one file must use one format. In a KTO file of Axolotl's argilla or intel columns ("instruction" or "question", "completion", "label"), add the record's boolean "label"; in a torchtune file, write the question under "input" and the answer under "output"; otherwise rename its keys to "prompt" and "completion".`;
  // The quick fix converts chat-like records into OpenAI chat, ShareGPT and Alpaca; text and preference pairs have no such conversion.
  const convertible = ['openai-chat', 'sharegpt', 'alpaca', 'prompt-completion'].includes(detected) && ['openai-chat', 'sharegpt', 'alpaca'].includes(fileFormat);
  const what = convertible ? 'Convert the record (quick fix) or move it to another file.' : `Rewrite it as ${fileFormat} or move it to another file.`;
  // OpenAI-style and ShareGPT turns can share the "conversations" column: name the keys that differ.
  const layouts = (detected === 'openai-chat' && fileFormat === 'sharegpt') || (detected === 'sharegpt' && fileFormat === 'openai-chat') ? ' (turns written {"role", "content"} are OpenAI-style, {"from", "value"} ShareGPT; trainers map one layout per file)' : '';
  return `This record is ${detected} but the file ${how} ${fileFormat}${source}${layouts}: one file must use one format. ${what}`;
}

/**
 * A chat record whose turn list says nothing about its layout (empty, or no turn with a role/content
 * or from/value key) fits a file that writes the same column in the other layout: `{"messages": []}`
 * among from/value messages (detected OpenAI chat, the file ShareGPT), `{"conversations": []}` among
 * role/content conversations. It is not another format (no-assistant-turn reports the empty
 * conversation). `fileShape`: the detected shape of a record of the file's format.
 */
export function layoutlessChatFitsFile(value: unknown, detectedShape: RecordShape, fileShape: RecordShape): boolean {
  const column = detectedShape === 'openai-chat' && fileShape === 'sharegpt-messages' ? 'messages' : detectedShape === 'sharegpt' && fileShape === 'chat-conversations' ? 'conversations' : undefined;
  if (column === undefined || typeof value !== 'object' || value === null) return false;
  const turns = (value as Record<string, unknown>)[column];
  if (!Array.isArray(turns)) return false;
  // Only the first few turns are looked at: a layout-less list is empty or nearly so.
  for (let index = 0; index < Math.min(turns.length, 8); index++) {
    const turn: unknown = turns[index];
    if (typeof turn === 'object' && turn !== null && ('role' in turn || 'content' in turn || 'from' in turn || 'value' in turn)) return false;
  }
  return turns.length <= 8;
}

/** A prompt-only record among records that have answers: a record of that file whose answer is missing. */
function missingAnswer(detected: string, fileFormat: string): boolean {
  return detected === 'prompt-only' && (fileFormat === 'prompt-completion' || fileFormat === 'preference');
}

/**
 * The rule a record of another format is reported under (for the file checks): a prompt-only record
 * in a prompt/completion or preference file lacks its answer, which is missing-field's finding (at the
 * record's start, where missing-field reports a record's missing key); any other is mixed-formats.
 */
export function mixedFormatRuleId(detectedShape: Parameters<typeof formatOfShape>[0], fileFormat: string): 'missing-field' | 'mixed-formats' {
  return missingAnswer(formatOfShape(detectedShape), fileFormat) ? 'missing-field' : 'mixed-formats';
}

/** How each preference layout is written, for messages: the columns that tell them apart. */
const preferenceLayouts: Partial<Record<RecordShape, string>> = {
  'preference-trl': 'TRL columns ("prompt", "chosen", "rejected")',
  'preference-openai': 'OpenAI DPO ("input", "preferred_output", "non_preferred_output")',
  'preference-sharegpt': 'LLaMA-Factory ShareGPT ranking ("conversations" with one "chosen" and one "rejected" turn)',
  'preference-alpaca': 'LLaMA-Factory Alpaca ranking ("instruction", "chosen", "rejected")',
  'preference-messages': 'a chat with a chosen and a rejected message ("messages", "chosen", "rejected")',
  'preference-intel': 'Axolotl intel columns ("question", "chosen", "rejected")',
  'preference-argilla': 'Axolotl argilla columns ("instruction", "chosen_response", "rejected_response")',
};

/**
 * A preference pair in another layout than the file's (TRL columns among OpenAI DPO rows...): each trainer
 * reads one layout, and the datasets library fills the other layout's columns with null (TRL then gets a
 * null prompt; OpenAI's API rejects a row without "input").
 */
export function mixedPreferenceLayoutMessage(detectedShape: RecordShape, fileShape: RecordShape): string | undefined {
  const detected = preferenceLayouts[detectedShape];
  const file = preferenceLayouts[fileShape];
  if (detected === undefined || file === undefined || detectedShape === fileShape) return undefined;
  return `This preference pair is written in ${detected}, but the rest of the file in ${file}: a trainer reads one layout per file, and the other layout's columns load as null. Rewrite the pair in the file's layout, or move it to another file.`;
}
