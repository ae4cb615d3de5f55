import type * as vscode from 'vscode';
import type { PreviewApi } from './preview';

/** What `activate` returns to other extensions and to the integration tests. */
export interface TunesmithApi {
  /** Milliseconds `activate` took, measured inside it. */
  readonly activationTimeMs: number;
  /** Whether the language server has been started (it starts once a dataset is open). */
  isLanguageServerStarted(): boolean;
  /** Starts the language server if needed and resolves once it is running. */
  whenLanguageServerReady(): Promise<void>;
  /** The dataset statistics status-bar item's text, or undefined while it is hidden (no dataset active). */
  statisticsStatusText(): string | undefined;
  /** Fires after the statistics item refreshes, with its text (undefined: hidden). */
  readonly onDidUpdateStatisticsStatus: vscode.Event<string | undefined>;
  /** The preview panel, training and engine (client/src/preview). */
  readonly preview: PreviewApi;
}
