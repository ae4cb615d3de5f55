/**
 * Every message that crosses a process or webview boundary in Tunesmith, typed in one place.
 *
 * Sections:
 *  1. Language server <-> extension client: custom LSP requests and notifications.
 *  2. Extension host / CLI <-> engine child process.
 *  3. Extension host <-> preview webview.
 *
 * Each message is one namespace with its method (or `type`) string and typed params/result, so both
 * sides import the same definition. Changing a message here is a protocol change: update docs/protocol.md.
 */

// ---------------------------------------------------------------------------------------------
// 1. Language server <-> client
// ---------------------------------------------------------------------------------------------

/** Record formats the language service recognises. */
export type RecordFormat =
  | 'openai-chat'
  | 'sharegpt'
  | 'alpaca'
  | 'prompt-completion'
  | 'text'
  | 'preference'
  | 'unknown';

/** Summary statistics of one dataset document, computed by the language server. */
export interface DatasetStatistics {
  uri: string;
  format: RecordFormat;
  records: number;
  /** Records that failed to parse or normalise. */
  invalidRecords: number;
  turns: number;
  tokens: { p50: number; p90: number; max: number; total: number; estimated: boolean };
  roles: Record<string, number>;
  duplicates: number;
}

/** `tunesmith/datasetStatistics`: statistics of an open document. Returns null for non-dataset files. */
export namespace DatasetStatisticsRequest {
  export const method = 'tunesmith/datasetStatistics';
  export interface Params {
    uri: string;
  }
  export type Result = DatasetStatistics | null;
}

// ---------------------------------------------------------------------------------------------
// 2. Engine process
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// 3. Preview webview
// ---------------------------------------------------------------------------------------------

export {};
