/**
 * `tunesmith lint [files/globs] [--format stylish|json|sarif] [--max-warnings N]`
 * Exit 0 when clean, 1 on errors or more than N warnings, 2 on usage errors.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { setRulesDocsFromBundle, ruleDocsUrl } from '../../../server/src/service/docsUrl';
import { lintFiles, type FileLintResult } from '../../../server/src/service/files';
import { allRules } from '../../../server/src/service/rules/index';
import { type CliCommand, UsageError } from '../command';

/** One problem as `--format json` prints it: 1-based lines and columns (columns in UTF-16 code units, as editors count). */
export interface JsonLintItem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  rule: string;
  message: string;
}

export function toJsonItems(files: readonly FileLintResult[]): JsonLintItem[] {
  return files.flatMap((result) =>
    [...result.diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character).map((diagnostic) => ({
      file: result.file,
      line: diagnostic.range.start.line + 1,
      column: diagnostic.range.start.character + 1,
      endLine: diagnostic.range.end.line + 1,
      endColumn: diagnostic.range.end.character + 1,
      severity: diagnostic.severity,
      rule: diagnostic.rule,
      message: diagnostic.message,
    })),
  );
}

export function formatStylish(items: readonly JsonLintItem[], useColor: boolean): string {
  const paint = (code: string, text: string): string => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
  const byFile = new Map<string, JsonLintItem[]>();
  for (const item of items) byFile.set(item.file, [...(byFile.get(item.file) ?? []), item]);
  let output = '';
  for (const [file, fileItems] of byFile) {
    output += `\n${paint('4', file)}\n`;
    for (const item of fileItems) {
      const severity = item.severity === 'error' ? paint('31', 'error') : item.severity === 'warning' ? paint('33', 'warning') : paint('36', item.severity);
      output += `  ${`${item.line}:${item.column}`.padEnd(10)} ${severity.padEnd(useColor ? 16 : 7)}  ${item.message}  ${paint('2', item.rule)}\n`;
    }
  }
  const errors = items.filter((item) => item.severity === 'error').length;
  const warnings = items.filter((item) => item.severity === 'warning').length;
  const others = items.length - errors - warnings;
  if (items.length > 0) output += `\n${paint(errors > 0 ? '31;1' : '33;1', `✖ ${items.length} problem${items.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${others} info/hint)`)}\n`;
  return output;
}

/** SARIF 2.1.0 as GitHub code scanning reads it: one run, the rules as the driver's rules, a location per result. */
export function toSarif(items: readonly JsonLintItem[], version: string): unknown {
  const levels: Record<JsonLintItem['severity'], string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
  const rules = allRules.map((rule) => {
    const helpUri = ruleDocsUrl(rule.meta.id);
    return {
      id: rule.meta.id,
      name: rule.meta.id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase()),
      shortDescription: { text: rule.meta.description },
      fullDescription: { text: rule.meta.description },
      defaultConfiguration: { level: levels[rule.meta.defaultSeverity] },
      ...(helpUri !== undefined ? { helpUri } : {}),
      help: { text: `${rule.meta.description} See docs/rules/${rule.meta.id}.md.` },
    };
  });
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'tunesmith', informationUri: 'https://example.invalid/tunesmith', version, semanticVersion: version, rules } },
        columnKind: 'utf16CodeUnits',
        results: items.map((item) => ({
          ruleId: item.rule,
          ...(ruleIndex.has(item.rule) ? { ruleIndex: ruleIndex.get(item.rule) } : {}),
          level: levels[item.severity],
          message: { text: item.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: item.file.split(path.sep).join('/'), ...(path.isAbsolute(item.file) ? {} : { uriBaseId: '%SRCROOT%' }) },
                region: { startLine: item.line, startColumn: item.column, endLine: item.endLine, endColumn: Math.max(item.endColumn, item.line === item.endLine ? item.column : 1) },
              },
            },
          ],
        })),
      },
    ],
  };
}

const help = `usage: tunesmith lint [files, folders or globs...] [options]

Lints instruction-tuning datasets (JSONL or JSON). Without paths, lints the files matched by the
"files" globs of tunesmith.json (default: every .jsonl/.json file under the current folder).

options:
  --format stylish|json|sarif   output format (default stylish)
  --max-warnings N              exit 1 when there are more than N warnings
  --max-tokens N                override maxTokens
  --model FOLDER                Hugging Face model folder for exact token counts
  --no-color                    plain stylish output
  -h, --help                    this help

exit codes: 0 clean, 1 errors or too many warnings, 2 usage error
`;

export const command: CliCommand = {
  name: 'lint',
  summary: 'lint dataset files (stylish, JSON or SARIF output)',
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'stylish' }, 'max-warnings': { type: 'string' }, 'max-tokens': { type: 'string' }, model: { type: 'string' }, 'no-color': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${help}`);
    }
    const { values, positionals } = parsed;
    if (values.help === true) {
      process.stdout.write(help);
      return 0;
    }
    const format = values.format ?? 'stylish';
    if (!['stylish', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be stylish, json or sarif (got '${format}')`);
    const number = (name: string, text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      const value = Number(text);
      if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} needs a non-negative whole number (got '${text}')`);
      return value;
    };
    const maxWarnings = number('max-warnings', values['max-warnings']);
    const maxTokens = number('max-tokens', values['max-tokens']);
    setRulesDocsFromBundle(__dirname);
    const overrides: Record<string, unknown> = { maxProblems: 0 };
    if (maxTokens !== undefined) overrides.maxTokens = maxTokens;
    if (values.model !== undefined) overrides.model = values.model;
    const result = await lintFiles(positionals, { overrides });
    for (const warning of result.warnings) process.stderr.write(`tunesmith: ${warning}\n`);
    if (result.files.length === 0) {
      process.stderr.write('tunesmith: no dataset files to lint\n');
      return positionals.length > 0 ? 2 : 0;
    }
    const items = toJsonItems(result.files.filter((file) => file.isDataset));
    if (format === 'json') process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    else if (format === 'sarif') process.stdout.write(`${JSON.stringify(toSarif(items, readVersion()), null, 2)}\n`);
    else process.stdout.write(formatStylish(items, values['no-color'] !== true && process.stdout.isTTY === true));
    const errors = items.filter((item) => item.severity === 'error').length;
    const warnings = items.filter((item) => item.severity === 'warning').length;
    if (errors > 0) return 1;
    if (maxWarnings !== undefined && warnings > maxWarnings) {
      process.stderr.write(`tunesmith: ${warnings} warnings, more than --max-warnings ${maxWarnings}\n`);
      return 1;
    }
    return 0;
  },
};

function readVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
