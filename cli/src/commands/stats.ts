/** `tunesmith stats [files] [--format text|json]`: records, turns, tokens p50/p90/max, roles, duplicates, format. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { DatasetStatistics } from '../../../protocol/messages';
import { lintFiles } from '../../../server/src/service/files';
import { type CliCommand, argumentErrorMessage, UsageError } from '../command';

const help = `usage: tunesmith stats [files, folders or globs...] [--format text|json] [--model FOLDER]

Prints dataset statistics: records, turns, tokens (p50/p90/max/total), roles, duplicates, format.
Token counts are estimates unless a model is set (--model, or "model" in tunesmith.json).
--format json (or --json) prints one JSON array with an object per file, its path under "file".

exit codes: 0 printed, 1 a file could not be read (binary, UTF-16, over maxFileSize: said on stderr,
            the other files are printed), 2 usage error (a path that names no dataset file, a glob that does not parse,
            a --model folder that does not load, a config file that is not valid)
`;

export function formatStatistics(file: string, statistics: DatasetStatistics): string {
  const approx = statistics.tokens.estimated ? ' (estimated)' : '';
  const roles = Object.entries(statistics.roles)
    .sort((a, b) => b[1] - a[1])
    .map(([role, count]) => `${role} ${count}`)
    .join(', ');
  return [
    file,
    `  format      ${statistics.format}`,
    `  records     ${statistics.records}${statistics.invalidRecords > 0 ? ` (${statistics.invalidRecords} invalid)` : ''}`,
    `  turns       ${statistics.turns}`,
    `  tokens${approx}  p50 ${statistics.tokens.p50}, p90 ${statistics.tokens.p90}, max ${statistics.tokens.max}, total ${statistics.tokens.total}`,
    `  roles       ${roles || '-'}`,
    `  duplicates  ${statistics.duplicates}`,
    '',
  ].join('\n');
}

export const command: CliCommand = {
  name: 'stats',
  summary: 'print dataset statistics (records, turns, tokens, roles, duplicates)',
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, format: { type: 'string' }, model: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      throw new UsageError(`${argumentErrorMessage(error)}\n\n${help}`);
    }
    if (parsed.values.help === true) {
      process.stdout.write(help);
      return 0;
    }
    const format = parsed.values.format ?? (parsed.values.json === true ? 'json' : 'text');
    if (format !== 'json' && format !== 'text') throw new UsageError(`--format must be text or json (got '${format}')\n\n${help}`);
    const result = await lintFiles(parsed.positionals, { statistics: true, overrides: parsed.values.model !== undefined ? { model: parsed.values.model } : {} });
    for (const warning of result.warnings) process.stderr.write(`tunesmith: ${warning}\n`);
    if (result.configError !== undefined || result.unmatched.length > 0) return 2;
    // A JSON file named on the command line that holds no records is worth a word, as lint says it.
    const named = new Set(parsed.positionals.map((given) => path.resolve(given)));
    for (const file of result.files) {
      if (!file.isDataset && named.has(path.resolve(file.file))) process.stderr.write(`tunesmith: ${file.file} is not a dataset (a JSON dataset is an array of records, or an object whose keys hold arrays of records); skipped\n`);
    }
    // A file that could not be read has no statistics to show: "records 0" would read as an empty dataset. (Said whatever
    // the unreadable-file rule's severity: it decides what lint reports, not what stats can count.)
    const unreadable = new Set<(typeof result.files)[number]>();
    for (const file of result.files) {
      if (file.unreadable === undefined) continue;
      unreadable.add(file);
      process.stderr.write(`tunesmith: ${file.file}: ${file.unreadable}\n`);
    }
    const files = result.files.filter((file) => file.statistics !== undefined && !unreadable.has(file));
    if (files.length === 0 && unreadable.size === 0) {
      process.stderr.write(`tunesmith: no dataset files${parsed.positionals.length === 0 ? ' (give files, folders or globs, or set "files" in tunesmith.json)' : ''}\n`);
      return 2;
    }
    if (format === 'json') process.stdout.write(`${JSON.stringify(files.map((file) => ({ file: file.file, ...file.statistics })), null, 2)}\n`);
    else process.stdout.write(files.flatMap((file) => (file.statistics !== undefined ? [formatStatistics(file.file, file.statistics)] : [])).join('\n'));
    // Printed with estimated counts, but a --model that does not load is a usage error (exact counts were asked for).
    if (result.modelUnavailable === true) return 2;
    return unreadable.size > 0 ? 1 : 0;
  },
};
