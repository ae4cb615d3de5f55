/**
 * The extension host's side of the engine process: forks dist/engine/worker.js and speaks section 2 of
 * protocol/messages.ts over Node's IPC channel. Requests are typed end to end through
 * EngineRequestMap; notifications reach the listener of the request they name. If the process dies,
 * every pending request fails with a readable reason and the next request starts a fresh process.
 * No vscode import: the bench and the tests drive it directly.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { EngineErrorCode, EngineRequestMap, EngineWireMessage } from '../../../protocol/messages';

export class EngineRequestError extends Error {
  constructor(readonly code: EngineErrorCode | 'engine-exited', message: string) {
    super(message);
  }
}

export interface RequestOptions {
  /** Aborting sends `cancel` for the request; it then settles as the engine answers. */
  signal?: AbortSignal;
  /** Progress notifications that name this request (streamed tokens, training events). */
  onNotification?: (method: string, params: unknown) => void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  onNotification: ((method: string, params: unknown) => void) | undefined;
  cleanup(): void;
}

export interface EngineClientOptions {
  /** Absolute path of the bundled worker script. */
  workerPath: string;
  /** Lines for the Output channel (engine stderr, logs, exits). */
  log?: (line: string) => void;
  /** Notifications that name no request (engine/log). */
  onNotification?: (method: string, params: unknown) => void;
  /** Extra environment for the engine process. */
  env?: NodeJS.ProcessEnv;
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** Bumps each time a new process starts: loaded models do not survive a restart. */
  generation = 0;

  constructor(private readonly options: EngineClientOptions) {}

  get isRunning(): boolean {
    return this.child !== undefined;
  }

  private start(): ChildProcess {
    if (this.child !== undefined) return this.child;
    if (this.disposed) throw new EngineRequestError('engine-exited', 'the engine was shut down');
    const child = fork(this.options.workerPath, [], {
      // In desktop VS Code process.execPath is Electron: run it as plain Node.
      env: { ...process.env, ...this.options.env, ELECTRON_RUN_AS_NODE: '1' },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.generation++;
    this.child = child;
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) if (line.trim() !== '') this.options.log?.(`[engine] ${line}`);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('message', (message: EngineWireMessage) => this.receive(message));
    child.on('error', (error) => this.options.log?.(`[engine] process error: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const reason = signal !== null ? `was stopped by ${signal}` : `exited with code ${code ?? '?'}`;
      if (!this.disposed) this.options.log?.(`[engine] the engine process ${reason}`);
      const failed = [...this.pending.values()];
      this.pending.clear();
      for (const entry of failed) {
        entry.cleanup();
        entry.reject(new EngineRequestError('engine-exited', `The engine process ${reason} (out of memory, or a crash: see the Tunesmith output). It restarts on the next request.`));
      }
    });
    return child;
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
      case 'notification':
        if (message.requestId !== undefined) this.pending.get(message.requestId)?.onNotification?.(message.method, message.params);
        else this.options.onNotification?.(message.method, message.params);
        return;
      default:
        return;
    }
  }

  private send(message: EngineWireMessage): void {
    const child = this.start();
    child.send(message);
  }

  /** Sends a request and resolves with its typed result. */
  request<M extends keyof EngineRequestMap>(method: M, params: EngineRequestMap[M]['params'], options: RequestOptions = {}): Promise<EngineRequestMap[M]['result']> {
    return this.requestUntyped(method, params, options) as Promise<EngineRequestMap[M]['result']>;
  }

  /** For requests outside EngineRequestMap (training's start request). */
  requestUntyped(method: string, params: unknown, options: RequestOptions = {}): Promise<unknown> {
    const id = this.nextId++;
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(new EngineRequestError('cancelled', 'cancelled before it started'));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (this.pending.has(id) && this.child !== undefined) this.child.send({ kind: 'cancel', id } satisfies EngineWireMessage);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { resolve, reject, onNotification: options.onNotification, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      try {
        this.send({ kind: 'request', id, method, params });
      } catch (error) {
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** A notification to the engine (no reply), e.g. training's cancel. */
  notify(method: string, params: unknown): void {
    if (this.child === undefined) return;
    this.child.send({ kind: 'notification', method, params } satisfies EngineWireMessage);
  }

  /** Stops the process (pending requests fail); a later request starts a new one. */
  async restart(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill();
    await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 3000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.restart();
  }
}
