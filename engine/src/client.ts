/**
 * The host side of the engine process: forks the worker and speaks the typed protocol of
 * protocol/messages.ts section 2 over Node's IPC channel. The one client for the CLI, the extension
 * host (preview panel), the benches and the tests; never imports vscode.
 *
 * The process starts on the first request. If it dies, every pending request fails with a readable
 * reason (code 'engine-exited'); with `restartAfterExit` the next request starts a fresh process and
 * `generation` counts up, because models loaded in the old one are gone.
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineErrorCode, EngineRequestMap, EngineWireMessage } from '../../protocol/messages';

/** An engine error, or 'engine-exited' when the process itself went away (crash, out of memory, shut down). */
export type EngineClientErrorCode = EngineErrorCode | 'engine-exited';

export class EngineRequestError extends Error {
  constructor(readonly code: EngineClientErrorCode, message: string) {
    super(message);
  }
}

export interface EngineClientOptions {
  /** The worker script; default: next to this file (out/) or dist/engine/worker.js (bundles). */
  workerPath?: string;
  /** The engine process's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** Engine output (stdout/stderr lines, e.g. onnxruntime warnings) and process exits, one line each. */
  onLog?: (line: string) => void;
  /**
   * Notifications no request listens to: engine/log (no `requestId`), or progress of a request sent
   * without `onNotification`. Default: written to `onLog` as "method: params".
   */
  onNotification?: (method: string, params: unknown, requestId: number | undefined) => void;
  /** After the process dies, start a new one on the next request (the extension host) instead of failing every later request (the CLI). */
  restartAfterExit?: boolean;
}

export interface RequestOptions {
  /** Aborting sends `cancel` for the request; it then settles as the engine answers. */
  signal?: AbortSignal;
  /** Notifications the engine sends while this request runs (streamed tokens, progress, training events). */
  onNotification?: (method: string, params: unknown) => void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  onNotification: ((method: string, params: unknown) => void) | undefined;
  cleanup(): void;
}

export function defaultWorkerPath(): string {
  const candidates = [path.join(__dirname, 'worker.js'), path.join(__dirname, '..', 'engine', 'worker.js'), path.join(__dirname, '..', '..', '..', 'dist', 'engine', 'worker.js')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (found === undefined) throw new Error(`the engine worker script was not found (looked in ${candidates.join(', ')}); run the build first`);
  return found;
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the last process ended, while no new one may start (without restartAfterExit). */
  private exitReason: string | undefined;
  private disposed = false;
  /** Counts the processes started: loaded models and adapters do not survive a new one. */
  generation = 0;

  constructor(private readonly options: EngineClientOptions = {}) {}

  /** The running engine process's id (undefined before the first request and after an exit). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined;
  }

  private start(): ChildProcess {
    if (this.child !== undefined) return this.child;
    if (this.disposed) throw new EngineRequestError('engine-exited', 'the engine was shut down');
    if (this.exitReason !== undefined) throw new EngineRequestError('engine-exited', this.exitReason);
    const child = fork(this.options.workerPath ?? defaultWorkerPath(), [], {
      // In desktop VS Code process.execPath is Electron: run it as plain Node (plain Node ignores this).
      env: { ...(this.options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      execArgv: this.options.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.generation++;
    this.child = child;
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) if (line.trim() !== '') this.options.onLog?.(line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('message', (message: EngineWireMessage) => this.receive(message));
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      this.onExit(child, code, signal);
    };
    child.on('error', (error) => {
      this.options.onLog?.(`the engine process failed: ${error.message}`);
      // A process that never started emits no 'exit': fail its requests here rather than leave them waiting.
      if (child.pid === undefined) end(null, null);
    });
    child.on('exit', end);
    return child;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = undefined;
    const how = signal !== null ? `exited (stopped by ${signal})` : `exited with code ${code ?? '?'}`;
    const reason = `The engine process ${how} (out of memory, or a crash: see the engine's log lines).`;
    if (!this.disposed) this.options.onLog?.(`the engine process ${how}`);
    if (this.options.restartAfterExit !== true) this.exitReason = reason;
    const failed = [...this.pending.values()];
    this.pending.clear();
    const message = this.options.restartAfterExit === true ? `${reason} It restarts on the next request.` : reason;
    for (const entry of failed) {
      entry.cleanup();
      entry.reject(new EngineRequestError('engine-exited', message));
    }
  }

  private receive(message: EngineWireMessage): void {
    switch (message.kind) {
      case 'response':
      case 'error': {
        const entry = this.pending.get(message.id);
        if (entry === undefined) return;
        this.pending.delete(message.id);
        entry.cleanup();
        if (message.kind === 'response') entry.resolve(message.result);
        else entry.reject(new EngineRequestError(message.error.code, message.error.message));
        return;
      }
      case 'notification': {
        const owner = message.requestId === undefined ? undefined : this.pending.get(message.requestId);
        if (owner?.onNotification !== undefined) owner.onNotification(message.method, message.params);
        else if (this.options.onNotification !== undefined) this.options.onNotification(message.method, message.params, message.requestId);
        else this.options.onLog?.(`${message.method}: ${JSON.stringify(message.params)}`);
        return;
      }
      default:
        return;
    }
  }

  /** Sends a typed request and resolves with its typed result; `signal` cancels it (the engine stops at once). */
  request<M extends keyof EngineRequestMap>(method: M, params: EngineRequestMap[M]['params'], options: RequestOptions = {}): Promise<EngineRequestMap[M]['result']> {
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(new EngineRequestError('cancelled', 'cancelled before it started'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (this.pending.has(id)) this.child?.send({ kind: 'cancel', id } satisfies EngineWireMessage);
      };
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort);
      try {
        const child = this.start();
        this.pending.set(id, { resolve: (result) => resolve(result as EngineRequestMap[M]['result']), reject, onNotification: options.onNotification, cleanup });
        signal?.addEventListener('abort', onAbort, { once: true });
        child.send({ kind: 'request', id, method, params } satisfies EngineWireMessage);
      } catch (error) {
        this.pending.delete(id);
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** A one-way message to the engine (no reply); dropped when no process runs. */
  notify(method: string, params: unknown): void {
    if (this.child?.connected === true) this.child.send({ kind: 'notification', method, params } satisfies EngineWireMessage);
  }

  /** Stops the process (pending requests fail with 'engine-exited'); with restartAfterExit a later request starts a new one. */
  async restart(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    await this.stop(child, () => child.kill());
  }

  /** Stops the engine process for good (its memory goes back to the system). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.child;
    if (child === undefined) return;
    // Closing the channel lets the worker exit by itself; SIGKILL only if it does not within 3 s.
    await this.stop(child, () => (child.connected ? child.disconnect() : child.kill()));
  }

  private async stop(child: ChildProcess, ask: () => void): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    ask();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
