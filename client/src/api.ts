import type { PreviewApi } from './preview';

/** What `activate` returns to other extensions and to the integration tests. */
export interface TunesmithApi {
  /** Milliseconds `activate` took, measured inside it. */
  readonly activationTimeMs: number;
  /** Whether the language server has been started (it starts once a dataset is open). */
  isLanguageServerStarted(): boolean;
  /** Starts the language server if needed and resolves once it is running. */
  whenLanguageServerReady(): Promise<void>;
  /** The preview panel, training and engine (client/src/preview). */
  readonly preview: PreviewApi;
}
