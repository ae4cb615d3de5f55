/** The one-line summary the statistics command shows; free of VS Code so it is unit-tested. */
import type { DatasetStatistics, RecordFormat } from '../../protocol/messages';

const FORMAT_NAMES: Record<RecordFormat, string> = {
  'openai-chat': 'OpenAI chat',
  sharegpt: 'ShareGPT',
  alpaca: 'Alpaca',
  'prompt-completion': 'prompt/completion',
  text: 'plain text',
  preference: 'preference pairs',
  'prompt-only': 'prompt-only',
  stepwise: 'stepwise supervision',
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

/**
 * The status-bar item's text (short: records, p90 tokens, then duplicates and invalid records when
 * there are any) and its tooltip (every figure, as Markdown).
 */
export function statisticsStatus(name: string, statistics: DatasetStatistics): { text: string; tooltip: string } {
  const number = (n: number): string => n.toLocaleString('en-US');
  const plural = (n: number, noun: string): string => `${number(n)} ${noun}${n === 1 ? '' : 's'}`;
  const { tokens } = statistics;
  const approx = tokens.estimated ? '~' : '';
  const parts = [plural(statistics.records, 'record'), `p90 ${approx}${number(tokens.p90)} tokens`];
  if (statistics.duplicates > 0) parts.push(plural(statistics.duplicates, 'duplicate'));
  if (statistics.invalidRecords > 0) parts.push(`${number(statistics.invalidRecords)} invalid`);
  const roles = Object.entries(statistics.roles)
    .sort((a, b) => b[1] - a[1])
    .map(([role, count]) => `${role} ${number(count)}`)
    .join(' · ');
  const tooltip = [
    `**Tunesmith: ${name}**`,
    '',
    '| | |',
    '|---|---|',
    `| Format | ${FORMAT_NAMES[statistics.format]} |`,
    `| Records | ${number(statistics.records)}${statistics.invalidRecords > 0 ? ` (${number(statistics.invalidRecords)} invalid)` : ''} |`,
    `| Turns | ${number(statistics.turns)} |`,
    `| Tokens per record | p50 ${approx}${number(tokens.p50)} · p90 ${approx}${number(tokens.p90)} · max ${approx}${number(tokens.max)} |`,
    `| Tokens in all | ${approx}${number(tokens.total)}${tokens.estimated ? ' (estimate: set tunesmith.model for exact counts)' : ''} |`,
    `| Roles | ${roles === '' ? 'none' : roles} |`,
    `| Duplicate records | ${number(statistics.duplicates)} |`,
    '',
    'Click for the statistics message.',
  ].join('\n');
  return { text: `$(database) ${parts.join(' · ')}`, tooltip };
}
