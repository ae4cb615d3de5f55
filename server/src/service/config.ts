/**
 * Lint settings: one typed object built from VS Code settings (`tunesmith.*`) and/or the workspace
 * config file (`tunesmith.json` or `.tunesmithrc.json`), which the CLI reads too.
 */
import type { RecordFormat } from '../../../protocol/messages';
import { closest } from './formats';
import { defaultDatasetGlobs, globProblem } from './glob';
import type { JsonPath } from './json/scanner';

export type Severity = 'off' | 'hint' | 'info' | 'warning' | 'error';
export const severities: readonly Severity[] = ['off', 'hint', 'info', 'warning', 'error'];

export interface LintSettings {
  /** Per-rule severity overrides, keyed by rule id. */
  rules: Record<string, Severity>;
  /** Longest example (in tokens) the training run keeps. */
  maxTokens: number;
  /** Hugging Face model folder used for exact token counts; null = estimate. */
  model: string | null;
  /** Force a record format instead of detecting it. */
  format: RecordFormat | 'auto';
  /** Globs (relative to the workspace) of the files that are datasets. */
  files: string[];
  /** Below this many records, `too-few-examples` reports. */
  minExamples: number;
  /** At most this many problems are reported per file (the rest are summarised). */
  maxProblems: number;
  /** ROUGE-L F-measure at or above which two instructions are near-duplicates. */
  nearDuplicateThreshold: number;
  /** Files larger than this (bytes/characters) are not linted. */
  maxFileSize: number;
}

/** Whether a file of `size` characters or bytes is over `maxFileSize` (0: no limit, as for maxProblems). */
export function overFileSizeLimit(size: number, settings: Pick<LintSettings, 'maxFileSize'>, factor = 1): boolean {
  return settings.maxFileSize > 0 && size > settings.maxFileSize * factor;
}

export const defaultSettings: LintSettings = {
  rules: {},
  maxTokens: 4096,
  model: null,
  format: 'auto',
  files: [...defaultDatasetGlobs],
  minExamples: 10,
  maxProblems: 1000,
  nearDuplicateThreshold: 0.7,
  maxFileSize: 512 * 1024 * 1024,
};

/** The near-duplicate threshold's range, as the schema (package.json) declares it: below 0.1 nearly every pair of instructions would match. */
export const nearDuplicateThresholdRange = { minimum: 0.1, maximum: 1 } as const;

/**
 * Every format detection knows can be forced (`satisfies` keeps the list complete: a format added to
 * RecordFormat and not here fails to compile).
 */
const formatNames = { auto: true, 'openai-chat': true, sharegpt: true, alpaca: true, 'prompt-completion': true, text: true, preference: true, 'prompt-only': true, stepwise: true } as const satisfies Record<Exclude<RecordFormat, 'unknown'> | 'auto', true>;
export const forceableFormats: readonly (RecordFormat | 'auto')[] = Object.keys(formatNames) as (keyof typeof formatNames)[];
const formats = forceableFormats;

/** The keys a config file may hold (the settings above; `$schema` for editors that validate it). */
export const settingKeys: readonly string[] = ['rules', 'maxTokens', 'model', 'format', 'files', 'minExamples', 'maxProblems', 'nearDuplicateThreshold', 'maxFileSize', '$schema'];

/**
 * Where a layer came from, for layers read from a config file: messages about its entries then say
 * `file:line:column`, so a user can go straight to the bad entry. A WeakMap keeps the layer a plain
 * object for every caller (the server, the CLI, recipes) while the file reader attaches its origin.
 */
export interface LayerSource {
  file: string;
  /** Where an entry's value (or key) is, as `file:line:column` (1-based), or undefined when it cannot be found. */
  locate(path: JsonPath, part?: 'key' | 'value'): string | undefined;
  /** Messages about the layer's text that no entry carries (a key written twice: JSON.parse keeps the last), each with its place. */
  notes?: readonly string[];
}
const layerSources = new WeakMap<object, LayerSource>();

export function setLayerSource(layer: object, source: LayerSource): void {
  layerSources.set(layer, source);
}

export function layerSourceOf(layer: unknown): LayerSource | undefined {
  return typeof layer === 'object' && layer !== null ? layerSources.get(layer) : undefined;
}

function quoted(value: unknown): string {
  // JSON reads 1e400 as Infinity, which JSON.stringify would write as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : `${value < 0 ? '-' : ''}a number too large to hold (${value})`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function didYouMean(word: string, candidates: readonly string[]): string {
  // A short form ("warn", as ESLint writes it) is suggested by its prefix; a typo by edit distance.
  const lower = word.toLowerCase();
  const suggestion = (lower.length >= 3 ? candidates.find((candidate) => candidate.startsWith(lower)) : undefined) ?? closest(word, candidates, 3);
  return suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : '';
}

/**
 * Merges loosely typed input (settings JSON, config file) over the defaults, dropping what is
 * malformed and collecting a message for each dropped entry. A layer read from a config file (see
 * `setLayerSource`) also gets messages for keys it does not know, each with its location.
 */
export function resolveSettings(...layers: unknown[]): { settings: LintSettings; warnings: string[] } {
  const settings: LintSettings = { ...defaultSettings, rules: {} };
  // A message about a dropped value names the value used instead, known once every layer is merged
  // (an editor setting below the file's bad value, or a command-line option above it).
  const warnings: (string | (() => string))[] = [];
  for (const layer of layers) {
    if (layer === null || layer === undefined) continue;
    const source = typeof layer === 'object' ? layerSources.get(layer) : undefined;
    const warn = (path: JsonPath, message: string | (() => string), part: 'key' | 'value' = 'value'): void => {
      const where = source?.locate(path, part) ?? source?.file;
      warnings.push(where === undefined ? message : typeof message === 'string' ? `${where}: ${message}` : () => `${where}: ${message()}`);
    };
    if (typeof layer !== 'object' || Array.isArray(layer)) {
      if (source !== undefined) warn([], `expected an object of settings such as { "rules": { ... }, "maxTokens": 4096 }, got ${Array.isArray(layer) ? 'an array' : quoted(layer)}; it was ignored`);
      continue;
    }
    const input = layer as Record<string, unknown>;
    if (source?.notes !== undefined) warnings.push(...source.notes);
    if (source !== undefined) {
      for (const key of Object.keys(input)) if (!settingKeys.includes(key)) warn([key], `unknown setting "${key}"${didYouMean(key, settingKeys)}; it was ignored. Settings are ${settingKeys.filter((name) => name !== '$schema').join(', ')}.`, 'key');
    }
    if (input.rules !== undefined) {
      if (typeof input.rules === 'object' && input.rules !== null && !Array.isArray(input.rules)) {
        for (const [rule, value] of Object.entries(input.rules)) {
          if (typeof value === 'string' && (severities as readonly string[]).includes(value)) settings.rules[rule] = value as Severity;
          else {
            const problem = `rules.${rule}: expected one of ${severities.join(', ')}, got ${quoted(value)}${typeof value === 'string' ? didYouMean(value, severities) : ''}`;
            warn(['rules', rule], () => `${problem}; ${settings.rules[rule] !== undefined ? `"${settings.rules[rule]}" from the other settings is used` : 'the rule keeps its default severity'}`);
          }
        }
      } else warn(['rules'], 'rules: expected an object of rule id -> severity');
    }
    const positive = (key: 'maxTokens' | 'minExamples' | 'maxProblems' | 'maxFileSize'): void => {
      const value = input[key];
      if (value === undefined) return;
      // null is not "no limit" (0 is): from a config file it is a mistake to point at; VS Code sends null for an unset setting.
      if (value === null && source === undefined) return;
      // What 0 means, said where a message names the value used instead.
      const shown = (used: number): string => (used !== 0 || key === 'minExamples' ? String(used) : `0 (${key === 'maxTokens' ? 'no length checks' : 'no limit'})`);
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        settings[key] = Math.floor(value);
        // A count of tokens, records or characters: a fraction is a slip (maxTokens 1.5 would count as 1).
        if (!Number.isInteger(value)) warn([key], `${key}: expected a whole number, got ${value}; ${shown(Math.floor(value))} is used`);
      } else {
        const problem = `${key}: expected a non-negative number, got ${quoted(value)}${value === null && key !== 'minExamples' ? ` (use 0 to turn ${key === 'maxTokens' ? 'the length checks' : 'the limit'} off)` : ''}`;
        warn([key], () => `${problem}; ${settings[key] === defaultSettings[key] ? `the default ${shown(defaultSettings[key])}` : shown(settings[key])} is used`);
      }
    };
    positive('maxTokens');
    positive('minExamples');
    positive('maxProblems');
    positive('maxFileSize');
    if (input.nearDuplicateThreshold !== undefined) {
      const value = input.nearDuplicateThreshold;
      const { minimum, maximum } = nearDuplicateThresholdRange;
      if (typeof value === 'number' && value >= minimum && value <= maximum) settings.nearDuplicateThreshold = value;
      else {
        const problem = `nearDuplicateThreshold: expected a number from ${minimum} to ${maximum}, got ${quoted(value)}${typeof value === 'number' && value > 1 && value <= 100 ? ` (a fraction: ${value / 100}?)` : ''}`;
        warn(['nearDuplicateThreshold'], () => `${problem}; ${settings.nearDuplicateThreshold === defaultSettings.nearDuplicateThreshold ? `the default ${defaultSettings.nearDuplicateThreshold}` : settings.nearDuplicateThreshold} is used`);
      }
    }
    if (input.model !== undefined) {
      if (input.model === null || input.model === '') settings.model = null;
      else if (typeof input.model === 'string') settings.model = input.model;
      else warn(['model'], () => `model: expected a path to a Hugging Face model folder, got ${quoted(input.model)}; ${settings.model === null ? 'token counts are estimated' : `"${settings.model}" from the other settings is used`}`);
    }
    if (input.format !== undefined) {
      if (typeof input.format === 'string' && (formats as readonly string[]).includes(input.format)) settings.format = input.format as RecordFormat | 'auto';
      else {
        const problem = `format: expected one of ${formats.join(', ')}, got ${quoted(input.format)}${typeof input.format === 'string' ? didYouMean(input.format, formats) : ''}`;
        warn(['format'], () => `${problem}; ${settings.format === 'auto' ? '"auto" (each file\'s format found from its records) is used' : `"${settings.format}" from the other settings is used`}`);
      }
    }
    if (input.files !== undefined) {
      if (Array.isArray(input.files) && input.files.every((glob) => typeof glob === 'string')) {
        settings.files = input.files as string[];
        // A glob that cannot be read matches no file: say so where it is written (the command line refuses it too).
        settings.files.forEach((glob, index) => {
          const problem = globProblem(glob);
          if (problem !== undefined) warn(['files', index], `files: '${glob}' is not a valid glob: ${problem}; it was ignored`);
          else if (glob.startsWith('!')) warn(['files', index], exclusionWarning(glob));
        });
      } else warn(['files'], 'files: expected an array of glob strings');
    }
  }
  return { settings, warnings: warnings.map((warning) => (typeof warning === 'string' ? warning : warning())) };
}

/** A "!" entry of `files` is a glob like any other (that matches no file), not an exclusion: the editor and `tunesmith lint` say so alike. */
export function exclusionWarning(glob: string): string {
  return `files: '${glob}': "!" exclusions are not supported, so nothing was left out; list the files or folders to lint instead`;
}

/** Messages for rule ids in `rules` that no rule has (a typo silently did nothing), with a suggestion. */
export function unknownRuleWarnings(layer: unknown, knownRules: readonly string[]): string[] {
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) return [];
  const rules = (layer as Record<string, unknown>).rules;
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) return [];
  const source = layerSources.get(layer);
  return Object.keys(rules)
    .filter((rule) => !knownRules.includes(rule))
    .map((rule) => {
      const where = source?.locate(['rules', rule], 'key') ?? source?.file;
      return `${where !== undefined ? `${where}: ` : ''}rules.${rule}: no rule has this id${didYouMean(rule, knownRules)}; it was ignored`;
    });
}

/** Names of the workspace config file, in lookup order. */
export const configFileNames = ['tunesmith.json', '.tunesmithrc.json'] as const;
