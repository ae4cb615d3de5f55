/**
 * The host side of the engine process: forks the worker and speaks the typed protocol of
 * protocol/messages.ts section 2. Used by the extension host and the CLI; never imports vscode.
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineErrorCode, EngineRequestMap, EngineWireMessage } from '../../protocol/messages';

export class EngineRequestError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
  }
}

export interface EngineClientOptions {
  /** The worker script; default: next to this file (out/) or dist/engine/worker.js (bundles). */
  workerPath?: string;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** Called for engine output on stderr (warnings from onnxruntime) and for notifications without a request. */
  onLog?: (line: string) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Notifications the engine sends while this request runs (streamed tokens, progress). */
  onNotification?: (method: string, params: unknown) => void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  onNotification: ((method: string, params: unknown) => void) | undefined;
}

export function defaultWorkerPath(): string {
  const candidates = [path.join(__dirname, 'worker.js'), path.join(__dirname, '..', 'engine', 'worker.js'), path.join(__dirname, '..', '..', '..', 'dist', 'engine', 'worker.js')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (found === undefined) throw new Error(`the engine worker script was not found (looked in ${candidates.join(', ')}); run the build first`);
  return found;
}

export class EngineClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: string | undefined;

  constructor(private readonly options: EngineClientOptions = {}) {
    this.child = fork(options.workerPath ?? defaultWorkerPath(), [], {
      env: options.env ?? process.env,
      execArgv: options.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() !== '') options.onLog?.(line);
    });
    this.child.on('message', (message: EngineWireMessage) => this.receive(message));
    this.child.on('exit', (code, signal) => {
      this.exited = `the engine process exited (${signal ?? `code ${code}`})`;
      for (const pending of this.pending.values()) pending.reject(new EngineRequestError('internal', this.exited));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private receive(message: EngineWireMessage): void {
    switch (message.kind) {
      case 'response':
        this.pending.get(message.id)?.resolve(message.result);
        this.pending.delete(message.id);
        break;
      case 'error':
        this.pending.get(message.id)?.reject(new EngineRequestError(message.error.code, message.error.message));
        this.pending.delete(message.id);
        break;
      case 'notification': {
        const owner = message.requestId === undefined ? undefined : this.pending.get(message.requestId);
        if (owner?.onNotification !== undefined) owner.onNotification(message.method, message.params);
        else this.options.onLog?.(`${message.method}: ${JSON.stringify(message.params)}`);
        break;
      }
      default:
        break;
    }
  }

  /** Sends a typed request; `signal` cancels it (the engine stops at once). */
  request<M extends keyof EngineRequestMap>(method: M, params: EngineRequestMap[M]['params'], options: RequestOptions = {}): Promise<EngineRequestMap[M]['result']> {
    if (this.exited !== undefined) return Promise.reject(new EngineRequestError('internal', this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const abort = (): void => this.send({ kind: 'cancel', id });
      const cleanup = (): void => options.signal?.removeEventListener('abort', abort);
      this.pending.set(id, {
        resolve: (result) => {
          cleanup();
          resolve(result as EngineRequestMap[M]['result']);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        onNotification: options.onNotification,
      });
      this.send({ kind: 'request', id, method, params });
      if (options.signal?.aborted) abort();
      else options.signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** A one-way message to the engine (e.g. a training cancel). */
  notify(method: string, params: unknown): void {
    this.send({ kind: 'notification', method, params });
  }

  private send(message: EngineWireMessage): void {
    if (this.exited === undefined && this.child.connected) this.child.send(message);
  }

  /** Stops the engine process (its memory goes back to the system). */
  async dispose(): Promise<void> {
    if (this.exited !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
