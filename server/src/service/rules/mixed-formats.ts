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
  if (detected === 'prompt-only' && (fileFormat === 'prompt-completion' || fileFormat === 'preference')) {
    const answers = fileFormat === 'preference' ? '"chosen" and "rejected" answers' : '"completion"';
    return `This record has a "prompt" but no ${answers}, unlike the rest of this ${fileFormat} file: trainers drop it or fail on it. Add the ${answers}. (A prompt-only record belongs in a file for TRL's GRPO, RLOO or online DPO trainers, which generate the answers.)`;
  }
  if (detected === 'stepwise') return `This record is TRL stepwise supervision ("completions" as steps with one "labels" entry each, read only by PRMTrainer) but the file ${how} ${fileFormat}. Join the steps into one answer in the file's format, or move the record to a stepwise file.`;
  // The quick fix converts chat-like records into OpenAI chat, ShareGPT and Alpaca; text and preference pairs have no such conversion.
  const convertible = ['openai-chat', 'sharegpt', 'alpaca', 'prompt-completion'].includes(detected) && ['openai-chat', 'sharegpt', 'alpaca'].includes(fileFormat);
  const what = convertible ? 'Convert the record (quick fix) or move it to another file.' : `Rewrite it as ${fileFormat} or move it to another file.`;
  return `This record is ${detected} but the file ${how} ${fileFormat}: one file must use one format. ${what}`;
}
