/** The one-line summary the statistics command shows; free of VS Code so it is unit-tested. */
import type { DatasetStatistics, RecordFormat } from '../../protocol/messages';

const FORMAT_NAMES: Record<RecordFormat, string> = {
  'openai-chat': 'OpenAI chat',
  sharegpt: 'ShareGPT',
  alpaca: 'Alpaca',
  'prompt-completion': 'prompt/completion',
  text: 'plain text',
  preference: 'preference pairs',
  unknown: 'unknown format',
};

export function describeStatistics(name: string, statistics: DatasetStatistics): string {
  const count = (n: number, noun: string): string => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
  const parts = [`${count(statistics.records, 'record')} (${FORMAT_NAMES[statistics.format]})`];
  if (statistics.invalidRecords > 0) parts.push(`${statistics.invalidRecords.toLocaleString('en-US')} invalid`);
  parts.push(count(statistics.turns, 'turn'));
  const tokens = statistics.tokens;
  const approx = tokens.estimated ? '~' : '';
  parts.push(`${approx}${count(tokens.total, 'token')} (p50 ${tokens.p50}, p90 ${tokens.p90}, max ${tokens.max})`);
  if (statistics.duplicates > 0) parts.push(count(statistics.duplicates, 'duplicate'));
  return `Tunesmith: ${name}: ${parts.join(', ')}.`;
}
