/**
 * `tunesmith lint [files/globs] [--format stylish|json|sarif] [--max-warnings N]`
 * Exit 0 when clean, 1 on errors or more than N warnings, 2 on usage errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ruleDocsUrl, setRulesDocsFromBundle } from '../../../server/src/service/docsUrl';
import { lintFiles, type FileLintResult } from '../../../server/src/service/files';
import { allRules } from '../../../server/src/service/rules/index';
import { type CliCommand, argumentErrorMessage, UsageError } from '../command';

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

/**
 * A SARIF artifact location: a file inside the source root is a URI reference relative to it
 * (percent-encoded, `/`-separated) resolved against %SRCROOT%; a file outside it becomes an absolute
 * file: URI, which must not carry a uriBaseId. `file` is as printed: absolute, or relative to the
 * working folder (which is the source root when none is given).
 */
export function sarifArtifactLocation(file: string, sourceRoot?: string): { uri: string; uriBaseId?: string } {
  const absolute = path.resolve(file);
  const relative = sourceRoot !== undefined ? path.relative(sourceRoot, absolute) : path.isAbsolute(file) ? undefined : file;
  if (relative === undefined || relative === '' || relative.startsWith(`..${path.sep}`) || relative === '..' || path.isAbsolute(relative)) return { uri: pathToFileURL(absolute).href };
  return { uri: relative.split(path.sep).map((segment) => encodeURIComponent(segment)).join('/'), uriBaseId: '%SRCROOT%' };
}

/**
 * The folder SARIF paths are relative to: the repository holding the working folder (the nearest
 * folder with a `.git` entry, a folder or a worktree's file), else the working folder. GitHub code
 * scanning reads relative URIs from the repository root and ignores originalUriBaseIds, so a lint run
 * in a subfolder (a workflow's working-directory) must still write paths from the root.
 */
export function sarifSourceRoot(workingFolder: string): string {
  for (let folder = path.resolve(workingFolder); ; ) {
    if (fs.existsSync(path.join(folder, '.git'))) return folder;
    const parent = path.dirname(folder);
    if (parent === folder) return path.resolve(workingFolder);
    folder = parent;
  }
}

/** Settings that describe the tool (the project's homepage), from package.json; none are invented. */
export interface SarifToolInfo {
  version: string;
  /** The homepage from package.json, when it has one. */
  informationUri?: string;
  /** Folder that relative artifact URIs are relative to (the repository root, see sarifSourceRoot). */
  sourceRoot?: string;
  /** A rule's documentation page (Markdown), for the rule's `help` (GitHub shows it with each alert). */
  ruleHelp?: (id: string) => string | undefined;
  /** Where a rule's documentation page is (an absolute URI), for the rule's `helpUri`. */
  ruleHelpUri?: (id: string) => string | undefined;
  /** The most results the run may hold (GitHub code scanning refuses a run with more than 25,000). */
  maxResults?: number;
}

/** GitHub code scanning rejects a SARIF run with more results than this. */
export const githubResultsPerRun = 25_000;

const severityRank: Record<JsonLintItem['severity'], number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** The items a capped SARIF run keeps: the first `limit` by severity (errors first), in their own order. */
export function itemsWithinLimit(items: readonly JsonLintItem[], limit: number): JsonLintItem[] {
  if (items.length <= limit) return [...items];
  const kept = new Set(
    items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => severityRank[a.item.severity] - severityRank[b.item.severity] || a.index - b.index)
      .slice(0, limit)
      .map(({ index }) => index),
  );
  return items.filter((_, index) => kept.has(index));
}

/** What a capped run says about the results it left out (a notification, and the CLI's stderr). */
export function leftOutMessage(total: number, limit: number): string {
  return `${total - limit} of ${total} problems were left out of the SARIF output: GitHub code scanning accepts at most ${limit.toLocaleString('en-US')} results per run. The first ${limit.toLocaleString('en-US')} by severity (errors first) are in it; --format json lists them all.`;
}

/**
 * A rule page's links as GitHub shows them with an alert: a link relative to the docs folder
 * (../configuration.md) would resolve against the user's repository, where it does not exist, so
 * it is kept as its text. Absolute links and in-page anchors stay.
 */
export function withoutRelativeLinks(markdown: string): string {
  return markdown.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (link: string, _image: string, text: string, target: string) => (/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(target) ? link : text));
}

/** SARIF 2.1.0 as GitHub code scanning reads it: one run, the rules as the driver's rules, a location per result. */
export function toSarif(items: readonly JsonLintItem[], tool: SarifToolInfo | string): unknown {
  const info: SarifToolInfo = typeof tool === 'string' ? { version: tool } : tool;
  const levels: Record<JsonLintItem['severity'], string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
  const rules = allRules.map((rule) => {
    const markdown = info.ruleHelp?.(rule.meta.id);
    const helpUri = info.ruleHelpUri?.(rule.meta.id);
    return {
      id: rule.meta.id,
      name: rule.meta.id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase()),
      shortDescription: { text: rule.meta.description },
      fullDescription: { text: rule.meta.description },
      defaultConfiguration: { level: levels[rule.meta.defaultSeverity] },
      ...(helpUri !== undefined ? { helpUri } : {}),
      help: { text: `${rule.meta.description}${helpUri !== undefined ? ` See ${helpUri}.` : ''}`, ...(markdown !== undefined ? { markdown: withoutRelativeLinks(markdown) } : {}) },
      properties: { tags: ['dataset', 'fine-tuning'] },
    };
  });
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const limit = info.maxResults ?? githubResultsPerRun;
  const kept = itemsWithinLimit(items, limit);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'tunesmith', ...(info.informationUri !== undefined ? { informationUri: info.informationUri } : {}), version: info.version, semanticVersion: info.version, rules } },
        ...(info.sourceRoot !== undefined ? { originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(info.sourceRoot.endsWith(path.sep) ? info.sourceRoot : info.sourceRoot + path.sep).href } } } : {}),
        columnKind: 'utf16CodeUnits',
        ...(kept.length < items.length ? { invocations: [{ executionSuccessful: true, toolExecutionNotifications: [{ level: 'warning', message: { text: leftOutMessage(items.length, limit) } }] }] } : {}),
        results: kept.map((item) => ({
          ruleId: item.rule,
          ...(ruleIndex.has(item.rule) ? { ruleIndex: ruleIndex.get(item.rule) } : {}),
          level: levels[item.severity],
          message: { text: item.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: sarifArtifactLocation(item.file, info.sourceRoot),
                region: { startLine: item.line, startColumn: item.column, endLine: item.endLine, endColumn: Math.max(item.endColumn, item.line === item.endLine ? item.column : 1) },
              },
            },
          ],
        })),
      },
    ],
  };
}

/** The rule's docs page next to the bundle (dist/cli -> docs/rules), read once per rule. */
function ruleHelpFromDocs(bundleFolder: string): (id: string) => string | undefined {
  const folder = path.resolve(bundleFolder, '..', '..', 'docs', 'rules');
  return (id) => {
    try {
      return fs.readFileSync(path.join(folder, `${id}.md`), 'utf8');
    } catch {
      return undefined;
    }
  };
}

const help = `usage: tunesmith lint [files, folders or globs...] [options]

Lints instruction-tuning datasets (JSONL or JSON). Without paths, lints the files matched by the
"files" globs of tunesmith.json (default: every .jsonl/.json file under the current folder).

options:
  --format stylish|json|sarif   output format (default stylish)
  --max-warnings N              exit 1 when there are more than N warnings (-1: no limit)
  --max-tokens N                override maxTokens
  --model FOLDER                Hugging Face model folder for exact token counts
  --no-color                    plain stylish output (as NO_COLOR set to a non-empty value does)
  -h, --help                    this help

Settings come from tunesmith.json or .tunesmithrc.json, the one nearest to each file (looked up
from its folder upwards, then from the current folder); see docs/configuration.md.

exit codes: 0 clean, 1 errors or too many warnings, 2 usage error (unknown option, bad value, a
            --model folder that does not load, a path that names no dataset file, a glob that
            does not parse, no files to lint, a config file that is not valid)
`;

export const command: CliCommand = {
  name: 'lint',
  summary: 'lint dataset files (stylish, JSON or SARIF output)',
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args: joinNegativeValues(args), allowPositionals: true, options: { format: { type: 'string', default: 'stylish' }, 'max-warnings': { type: 'string' }, 'max-tokens': { type: 'string' }, model: { type: 'string' }, 'no-color': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      throw new UsageError(`${argumentErrorMessage(error)}\n\n${help}`);
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
      // Number('') is 0 and Number('1e3') is 1000: accept plain digits only.
      if (!/^\d+$/.test(text.trim())) throw new UsageError(`--${name} needs a non-negative whole number${name === 'max-warnings' ? ', or -1 for no limit' : ''} (got '${text}')`);
      return Number(text.trim());
    };
    // -1 means no limit, as in ESLint.
    const maxWarnings = values['max-warnings']?.trim() === '-1' ? undefined : number('max-warnings', values['max-warnings']);
    const maxTokens = number('max-tokens', values['max-tokens']);
    setRulesDocsFromBundle(__dirname);
    const overrides: Record<string, unknown> = { maxProblems: 0 };
    if (maxTokens !== undefined) overrides.maxTokens = maxTokens;
    if (values.model !== undefined) overrides.model = values.model;
    const result = await lintFiles(positionals, { overrides });
    for (const warning of result.warnings) process.stderr.write(`tunesmith: ${warning}\n`);
    if (result.configError !== undefined) return 2;
    // As ESLint does: a path that names nothing is a usage error, even beside paths that match.
    if (result.unmatched.length > 0) return 2;
    // A JSON file named on the command line that holds no records is worth a word (found by a glob, it is skipped quietly).
    const named = new Set(positionals.map((given) => path.resolve(given)));
    for (const file of result.files) {
      if (!file.isDataset && named.has(path.resolve(file.file))) process.stderr.write(`tunesmith: ${file.file} is not a dataset (a JSON dataset is an array of records, or an object whose keys hold arrays of records); skipped\n`);
    }
    if (!result.files.some((file) => file.isDataset)) {
      process.stderr.write(`tunesmith: no dataset files to lint${positionals.length === 0 ? ' (give files, folders or globs, or set "files" in tunesmith.json)' : ''}\n`);
      return 2;
    }
    const items = toJsonItems(result.files.filter((file) => file.isDataset));
    if (format === 'json') writeJsonArray(items);
    else if (format === 'sarif') {
      process.stdout.write(`${JSON.stringify(toSarif(items, { version: readVersion(), sourceRoot: sarifSourceRoot(process.cwd()), ruleHelp: ruleHelpFromDocs(__dirname), ruleHelpUri: webRuleDocsUrl, ...(readHomepage() !== undefined ? { informationUri: readHomepage() } : {}) }), null, 2)}\n`);
      if (items.length > githubResultsPerRun) process.stderr.write(`tunesmith: ${leftOutMessage(items.length, githubResultsPerRun)}\n`);
    }
    else process.stdout.write(formatStylish(items, values['no-color'] !== true && !noColorRequested() && process.stdout.isTTY === true));
    // The report (with estimated counts) is written for whoever reads it, but a --model that does not
    // load is a usage error: the user asked for exact counts and must not get a pass on estimates.
    if (result.modelUnavailable === true) return 2;
    const errors = items.filter((item) => item.severity === 'error').length;
    const warnings = items.filter((item) => item.severity === 'warning').length;
    if (errors > 0) return 1;
    if (maxWarnings !== undefined && warnings > maxWarnings) {
      process.stderr.write(`tunesmith: ${warnings} warning${warnings === 1 ? '' : 's'}, more than --max-warnings ${maxWarnings}\n`);
      return 1;
    }
    return 0;
  },
};

/**
 * `JSON.stringify(items, null, 2)`, written a thousand items at a time: millions of problems (a 300 MB file of templated
 * records) would make one string longer than V8 allows ("Invalid string length"), and the report would be lost.
 */
function writeJsonArray(items: readonly unknown[]): void {
  if (items.length === 0) {
    process.stdout.write('[]\n');
    return;
  }
  for (let start = 0; start < items.length; start += 1000) {
    const chunk = items.slice(start, start + 1000).map((item) => `  ${JSON.stringify(item, null, 2).replace(/\n/g, '\n  ')}`);
    process.stdout.write(`${start === 0 ? '[\n' : ',\n'}${chunk.join(',\n')}${start + 1000 >= items.length ? '\n]\n' : ''}`);
  }
}

/** NO_COLOR set to anything but an empty string turns colour off (https://no-color.org). */
export function noColorRequested(environment: NodeJS.ProcessEnv = process.env): boolean {
  return (environment.NO_COLOR ?? '') !== '';
}

function readVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * A rule page's URL for SARIF's helpUri, only where it is on the web: code scanning shows it on another
 * machine, where a file: URL to this installation is a dead link (help.markdown carries the page itself).
 */
function webRuleDocsUrl(rule: string): string | undefined {
  const url = ruleDocsUrl(rule);
  return url !== undefined && /^https?:/.test(url) ? url : undefined;
}

/** package.json's `homepage` when it is a real http(s) URL (a placeholder such as example.invalid is left out). */
function readHomepage(): string | undefined {
  try {
    const homepage = (require('../../package.json') as { homepage?: unknown }).homepage;
    return typeof homepage === 'string' && /^https?:\/\//.test(homepage) && !/\.invalid(?:[/:]|$)/.test(homepage) ? homepage : undefined;
  } catch {
    return undefined;
  }
}

/** `--max-warnings -1` as `--max-warnings=-1`: parseArgs takes a value starting with '-' for an option. */
function joinNegativeValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const next = args[index + 1];
    if ((arg === '--max-warnings' || arg === '--max-tokens') && next !== undefined && /^-\d+$/.test(next)) {
      joined.push(`${arg}=${next}`);
      index++;
    } else joined.push(arg);
  }
  return joined;
}
