/**
 * Lint settings: one typed object built from VS Code settings (`tunesmith.*`) and/or the workspace
 * config file (`tunesmith.json` or `.tunesmithrc.json`), which the CLI reads too.
 */
import type { RecordFormat } from '../../../protocol/messages';

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

export const defaultSettings: LintSettings = {
  rules: {},
  maxTokens: 4096,
  model: null,
  format: 'auto',
  files: ['**/*.jsonl', '**/*.json'],
  minExamples: 10,
  maxProblems: 1000,
  nearDuplicateThreshold: 0.7,
  maxFileSize: 512 * 1024 * 1024,
};

const formats: readonly (RecordFormat | 'auto')[] = ['auto', 'openai-chat', 'sharegpt', 'alpaca', 'prompt-completion', 'text', 'preference'];

/**
 * Merges loosely typed input (settings JSON, config file) over the defaults, dropping what is
 * malformed and collecting a message for each dropped entry.
 */
export function resolveSettings(...layers: unknown[]): { settings: LintSettings; warnings: string[] } {
  const settings: LintSettings = { ...defaultSettings, rules: {} };
  const warnings: string[] = [];
  for (const layer of layers) {
    if (layer === null || layer === undefined || typeof layer !== 'object' || Array.isArray(layer)) continue;
    const input = layer as Record<string, unknown>;
    if (input.rules !== undefined) {
      if (typeof input.rules === 'object' && input.rules !== null && !Array.isArray(input.rules)) {
        for (const [rule, value] of Object.entries(input.rules)) {
          if (typeof value === 'string' && (severities as readonly string[]).includes(value)) settings.rules[rule] = value as Severity;
          else warnings.push(`rules.${rule}: expected one of ${severities.join(', ')}`);
        }
      } else warnings.push('rules: expected an object of rule id -> severity');
    }
    const positive = (key: 'maxTokens' | 'minExamples' | 'maxProblems' | 'maxFileSize'): void => {
      const value = input[key];
      if (value === undefined || value === null) return;
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) settings[key] = Math.floor(value);
      else warnings.push(`${key}: expected a non-negative number`);
    };
    positive('maxTokens');
    positive('minExamples');
    positive('maxProblems');
    positive('maxFileSize');
    if (input.nearDuplicateThreshold !== undefined) {
      const value = input.nearDuplicateThreshold;
      if (typeof value === 'number' && value > 0 && value <= 1) settings.nearDuplicateThreshold = value;
      else warnings.push('nearDuplicateThreshold: expected a number in (0, 1]');
    }
    if (input.model !== undefined) {
      if (input.model === null || input.model === '') settings.model = null;
      else if (typeof input.model === 'string') settings.model = input.model;
      else warnings.push('model: expected a path to a Hugging Face model folder');
    }
    if (input.format !== undefined) {
      if (typeof input.format === 'string' && (formats as readonly string[]).includes(input.format)) settings.format = input.format as RecordFormat | 'auto';
      else warnings.push(`format: expected one of ${formats.join(', ')}`);
    }
    if (input.files !== undefined) {
      if (Array.isArray(input.files) && input.files.every((glob) => typeof glob === 'string')) settings.files = input.files as string[];
      else warnings.push('files: expected an array of glob strings');
    }
  }
  return { settings, warnings };
}

/** Names of the workspace config file, in lookup order. */
export const configFileNames = ['tunesmith.json', '.tunesmithrc.json'] as const;
