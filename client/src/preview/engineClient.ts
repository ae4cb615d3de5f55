/**
 * The preview's engine process: the shared client of engine/src/client.ts, set up for a long-lived
 * extension host. After a crash (out of memory, a native fault) pending requests fail with a readable
 * reason and the next request starts a fresh process; the controller compares `generation` to know
 * that its loaded model and adapters are gone. No vscode import: the bench and the tests drive it directly.
 */
import { EngineClient } from '../../../engine/src/client';

export { EngineClient, EngineRequestError } from '../../../engine/src/client';

export interface PreviewEngineOptions {
  /** Absolute path of the bundled worker script (dist/engine/worker.js). */
  workerPath: string;
  /** Lines for the Output channel (engine stdout/stderr and exits), prefixed "[engine]". */
  log?: (line: string) => void;
  /** Notifications that name no request (engine/log). */
  onNotification?: (method: string, params: unknown) => void;
}

export function createPreviewEngineClient(options: PreviewEngineOptions): EngineClient {
  const { log } = options;
  return new EngineClient({
    workerPath: options.workerPath,
    restartAfterExit: true,
    onLog: (line) => log?.(`[engine] ${line}`),
    // A request that did not ask for its progress (tokens, loading stages) does not get it logged either.
    onNotification: (method, params, requestId) => {
      if (requestId === undefined) options.onNotification?.(method, params);
    },
  });
}
