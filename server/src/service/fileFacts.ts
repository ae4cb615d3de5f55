/** What every rule may know about the file being linted: settings, format mapping, detected format. */
import type { RecordFormat } from '../../../protocol/messages';
import type { LintSettings } from './config';
import type { FileKind } from './document';
import type { FormatHint } from './formats';
import type { TokenCounter } from './tokens';

export interface FileFacts {
  /** The file's URI or path, for messages and cross-file duplicate reports. */
  uri: string;
  /** JSON Lines (a record per line) or JSON. */
  kind: FileKind;
  settings: LintSettings;
  hint: FormatHint;
  /** The file's format: forced, or the most common format among its records. */
  format: RecordFormat;
  /** Whether `format` was forced by settings or dataset_info.json. */
  forced: boolean;
  tokens: TokenCounter;
  /** Changes whenever settings or the mapping change, so cached record results are recomputed. */
  version: number;
}
