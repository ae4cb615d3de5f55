/**
 * The engine process entry (bundled to dist/engine/worker.js, forked by EngineClient). It routes the
 * wire messages of protocol/messages.ts section 2 to the registered handlers; heavy work (model
 * loading, generation, training) happens here so the extension host, the language server and the
 * CLI never block. The process exits when its parent goes away.
 */
import type { EngineWireMessage } from '../../protocol/messages';
import { findHandler, findNotificationHandler, toErrorInfo } from './host/dispatcher';
import './host/inference';
import './training/handler';

const running = new Map<number, AbortController>();

function send(message: EngineWireMessage): void {
  if (process.send === undefined || !process.connected) return;
  process.send(message);
}

async function handleRequest(id: number, method: string, params: unknown): Promise<void> {
  const handler = findHandler(method);
  if (handler === undefined) {
    send({ kind: 'error', id, error: { code: 'invalid-request', message: `unknown engine method '${method}'` } });
    return;
  }
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const result = await handler(params, {
      requestId: id,
      signal: controller.signal,
      notify: (notificationMethod, notificationParams) => send({ kind: 'notification', method: notificationMethod, params: notificationParams, requestId: id }),
    });
    send({ kind: 'response', id, result: result ?? null });
  } catch (error) {
    const info = controller.signal.aborted ? { code: 'cancelled' as const, message: 'cancelled' } : toErrorInfo(error);
    send({ kind: 'error', id, error: info });
  } finally {
    running.delete(id);
  }
}

if (process.send === undefined) {
  process.stderr.write('tunesmith engine: this script runs as a child process of the extension or the CLI\n');
  process.exit(2);
}

process.on('message', (message: EngineWireMessage) => {
  switch (message.kind) {
    case 'request':
      void handleRequest(message.id, message.method, message.params);
      break;
    case 'cancel':
      running.get(message.id)?.abort();
      break;
    case 'notification':
      findNotificationHandler(message.method)?.(message.params);
      break;
    default:
      break;
  }
});

// The parent went away: nothing can read our results any more.
process.on('disconnect', () => process.exit(0));
