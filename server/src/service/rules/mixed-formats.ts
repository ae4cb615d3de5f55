import { formatOfShape } from '../conversation';
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

export function mixedFormatMessage(detectedShape: Parameters<typeof formatOfShape>[0], fileFormat: string, forced: boolean): string | undefined {
  const detected = formatOfShape(detectedShape);
  if (detected === 'unknown' || fileFormat === 'unknown' || detected === fileFormat) return undefined;
  const how = forced ? 'is set to' : 'is mostly';
  // The quick fix converts chat-like records into OpenAI chat, ShareGPT and Alpaca; text and preference pairs have no such conversion.
  const convertible = ['openai-chat', 'sharegpt', 'alpaca', 'prompt-completion'].includes(detected) && ['openai-chat', 'sharegpt', 'alpaca'].includes(fileFormat);
  const what = convertible ? 'Convert the record (quick fix) or move it to another file.' : `Rewrite it as ${fileFormat} or move it to another file.`;
  return `This record is ${detected} but the file ${how} ${fileFormat}: one file must use one format. ${what}`;
}
