/**
 * LLaMA-Factory's dataset_info.json: when it sits next to a dataset file and has an entry whose
 * `file_name` is that file, its `formatting`, `ranking`, `columns` and `tags` decide how records are
 * read (custom column names and role tags).
 */
import type { RecordFormat } from '../../../protocol/messages';
import { defaultHint, defaultMapping, readsTaggedTurns, type FormatHint, type FormatMapping } from './formats';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The entry of a parsed dataset_info.json that lists a dataset, with the entry's name: the first whose
 * `file_name` names `relativePath`, the dataset's path from the dataset_info.json's folder.
 */
export function datasetInfoEntry(info: unknown, relativePath: string): { name: string; entry: Record<string, unknown> } | undefined {
  if (!isObject(info)) return undefined;
  for (const [name, entry] of Object.entries(info)) {
    if (isObject(entry) && typeof entry.file_name === 'string' && fileNameLists(entry.file_name, relativePath)) return { name, entry };
  }
  return undefined;
}

/** A path's folder and file names, "." and empty ones left out and ".." taken back ("./sft/../a.json" is ["a.json"]). */
function pathParts(written: string): string[] {
  const parts: string[] = [];
  for (const part of written.split(/[\\/]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

/**
 * Whether a `file_name` names the dataset at `relativePath`. LLaMA-Factory joins it to its dataset_dir
 * (the dataset_info.json's folder): "./a.json" is a.json there, "sft/a.json" a file of a subfolder,
 * and a folder ("shards") loads every file directly in it.
 */
export function fileNameLists(fileName: string, relativePath: string): boolean {
  const named = pathParts(fileName);
  const dataset = pathParts(relativePath);
  if (named.length === 0 || (named.length !== dataset.length && named.length !== dataset.length - 1)) return false;
  return named.every((part, index) => part === dataset[index]);
}

/** The keys of a dataset_info.json entry that LLaMA-Factory's parser reads (data/README.md, data/parser.py). */
export const datasetInfoEntryKeys = ['file_name', 'formatting', 'ranking', 'subset', 'split', 'folder', 'num_samples', 'columns', 'tags', 'hf_hub_url', 'ms_hub_url', 'om_hub_url', 'script_url', 'cloud_file_name'] as const;

/** The format hint of the dataset_info.json text's entry for `relativePath` (from its folder), if it lists the file. */
export function hintFromDatasetInfo(infoText: string, relativePath: string): FormatHint | undefined {
  let info: unknown;
  try {
    info = JSON.parse(infoText);
  } catch {
    return undefined;
  }
  const found = datasetInfoEntry(info, relativePath);
  return found !== undefined ? hintFromEntry(found.entry) : undefined;
}

/** LLaMA-Factory's defaults differ per formatting: alpaca columns vs sharegpt columns. */
export function hintFromEntry(entry: Record<string, unknown>): FormatHint {
  const formatting = entry.formatting === 'sharegpt' || entry.formatting === 'openai' ? entry.formatting : entry.formatting === 'alpaca' || entry.formatting === undefined ? 'alpaca' : undefined;
  const ranking = entry.ranking === true;
  const columns = isObject(entry.columns) ? entry.columns : {};
  const tags = isObject(entry.tags) ? entry.tags : {};
  const text = (source: Record<string, unknown>, key: string, fallback: string): string => (typeof source[key] === 'string' ? (source[key] as string) : fallback);
  const mapping: FormatMapping = {
    columns: {
      prompt: text(columns, 'prompt', defaultMapping.columns.prompt),
      query: text(columns, 'query', defaultMapping.columns.query),
      response: text(columns, 'response', defaultMapping.columns.response),
      history: text(columns, 'history', defaultMapping.columns.history),
      messages: text(columns, 'messages', defaultMapping.columns.messages),
      system: text(columns, 'system', defaultMapping.columns.system),
      tools: text(columns, 'tools', defaultMapping.columns.tools),
      chosen: text(columns, 'chosen', defaultMapping.columns.chosen),
      rejected: text(columns, 'rejected', defaultMapping.columns.rejected),
      ...optionalColumns(columns),
    },
    tags: {
      role: text(tags, 'role_tag', defaultMapping.tags.role),
      content: text(tags, 'content_tag', defaultMapping.tags.content),
      user: text(tags, 'user_tag', defaultMapping.tags.user),
      assistant: text(tags, 'assistant_tag', defaultMapping.tags.assistant),
      observation: text(tags, 'observation_tag', defaultMapping.tags.observation),
      function: text(tags, 'function_tag', defaultMapping.tags.function),
      system: text(tags, 'system_tag', defaultMapping.tags.system),
    },
    onlyListedTags: true,
    ...(formatting === 'openai' ? { openaiMessages: true as const } : {}),
  };
  // LLaMA-Factory's pre-training layout (data/README.md, its c4_demo entry): an Alpaca entry naming a
  // prompt column and no answer column reads plain text from it (the record has no response to train).
  const pretraining = formatting === 'alpaca' && !ranking && typeof columns.prompt === 'string' && ['response', 'chosen', 'rejected', 'kto_tag'].every((key) => columns[key] === undefined);
  if (pretraining) mapping.columns = { ...mapping.columns, text: columns.prompt as string };
  let forced: RecordFormat | undefined;
  if (pretraining) forced = 'text';
  else if (ranking) forced = 'preference';
  else if (readsTaggedTurns(formatting)) forced = 'sharegpt';
  else if (formatting === 'alpaca') forced = 'alpaca';
  const unreadColumns = unreadColumnsOf(isObject(entry.columns) ? entry.columns : undefined, formatting ?? 'alpaca', ranking, mapping.columns);
  const renamedColumns = isObject(entry.columns) ? renamedColumnsOf(entry.columns, mapping.columns, formatting ?? 'alpaca') : undefined;
  const unlistedTags = isObject(entry.tags) ? unlistedTagsOf(entry.tags, mapping.tags) : undefined;
  return {
    ...defaultHint,
    forced,
    formatting,
    ranking,
    mapping,
    ...(entry.formatting === undefined ? { formattingOmitted: true } : {}),
    ...(unreadColumns !== undefined ? { unreadColumns } : {}),
    ...(renamedColumns !== undefined ? { renamedColumns } : {}),
    ...(unlistedTags !== undefined ? { unlistedTags } : {}),
  };
}

export type RenamedColumn = 'system' | 'tools' | 'history' | 'query' | 'prompt' | 'response' | 'messages' | 'images' | 'videos' | 'audios';

/** The default name of each column an entry can rename. */
const defaultColumnNames: Readonly<Record<RenamedColumn, string>> = { ...defaultMapping.columns, images: 'images', videos: 'videos', audios: 'audios' };

/**
 * The default names of the columns an entry renames ("system": "sys_prompt" makes a "system" key unread; in Alpaca,
 * "query": "context" an "input" one, "response": "reply" an "output" one; "images": "pics" an "images" one), by column;
 * left out where another column is read from that name. A record that writes only the default name of a required column
 * (the prompt, the response, the turns) is missing-field's finding, with the rename as its fix.
 */
function renamedColumnsOf(listed: Record<string, unknown>, columns: FormatMapping['columns'], formatting: 'sharegpt' | 'openai' | 'alpaca'): Record<string, RenamedColumn> | undefined {
  const readNames = new Set(Object.values(columns).filter((name): name is string => typeof name === 'string'));
  const renamed: Record<string, RenamedColumn> = Object.create(null) as Record<string, RenamedColumn>;
  let any = false;
  const own: readonly RenamedColumn[] = formatting === 'alpaca' ? ['prompt', 'query', 'response'] : ['messages'];
  for (const column of [...own, 'system', 'tools', 'history', 'images', 'videos', 'audios'] as const) {
    const name = listed[column];
    const defaultName = defaultColumnNames[column];
    if (typeof name !== 'string' || name === defaultName || readNames.has(defaultName)) continue;
    renamed[defaultName] = column;
    any = true;
  }
  return any ? renamed : undefined;
}

/**
 * The role tags an entry's "tags" leaves out (user, assistant, observation, function call, system), by
 * the role they default to. The linter still reads those roles by their defaults, to lint the rest of
 * the turn; unknown-role reports them, since LLaMA-Factory skips the example. (Leaving out role_tag or
 * content_tag breaks every example, as leaving out user_tag or assistant_tag does: datasetInfoFor
 * says so once, at the entry.)
 */
function unlistedTagsOf(listed: Record<string, unknown>, tags: FormatMapping['tags']): Record<string, string> | undefined {
  const optional = [['user_tag', tags.user], ['assistant_tag', tags.assistant], ['observation_tag', tags.observation], ['function_tag', tags.function], ['system_tag', tags.system]] as const;
  const unlisted: Record<string, string> = Object.create(null) as Record<string, string>;
  let any = false;
  for (const [key, role] of optional) {
    if (typeof listed[key] === 'string') continue;
    unlisted[role] = key;
    any = true;
  }
  return any ? unlisted : undefined;
}

/**
 * The record keys this linter reads by their default names but LLaMA-Factory does not, because the
 * entry does not list them: with "columns", every column it does not list; without, all but the
 * format's own (prompt, query, response for Alpaca; messages for ShareGPT).
 */
function unreadColumnsOf(listed: Record<string, unknown> | undefined, formatting: 'sharegpt' | 'openai' | 'alpaca', ranking: boolean, columns: FormatMapping['columns']): Record<string, string> | undefined {
  type Column = 'prompt' | 'query' | 'response' | 'history' | 'messages' | 'system' | 'tools' | 'chosen' | 'rejected';
  const own: readonly Column[] = formatting === 'alpaca' ? ['prompt', 'query', 'response', 'history'] : ['messages'];
  const candidates: readonly Column[] = [...own, 'system', 'tools', ...(ranking ? (['chosen', 'rejected'] as const) : [])];
  const unread: Record<string, string> = Object.create(null) as Record<string, string>;
  let any = false;
  for (const column of candidates) {
    if (listed !== undefined && typeof listed[column] === 'string') continue;
    // Without "columns", LLaMA-Factory's defaults read the format's own columns except history.
    if (listed === undefined && column !== 'history' && own.includes(column)) continue;
    unread[columns[column]] = column;
    any = true;
  }
  for (const media of ['images', 'videos', 'audios'] as const) {
    if (listed !== undefined && typeof listed[media] === 'string') continue;
    unread[media] = media;
    any = true;
  }
  return any ? unread : undefined;
}

/** The optional columns a dataset_info.json entry names (kto_tag, images, videos, audios). */
function optionalColumns(columns: Record<string, unknown>): Partial<Record<'kto_tag' | 'images' | 'videos' | 'audios', string>> {
  const named: Partial<Record<'kto_tag' | 'images' | 'videos' | 'audios', string>> = {};
  for (const key of ['kto_tag', 'images', 'videos', 'audios'] as const) {
    const value = columns[key];
    if (typeof value === 'string' && value.length > 0) named[key] = value;
  }
  return named;
}

export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1);
}
