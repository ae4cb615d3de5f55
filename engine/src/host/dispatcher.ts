/**
 * Request dispatch inside the engine process: a table of handlers keyed by method. Features register
 * their handlers (inference in ./inference.ts; training adds its own), and the worker routes wire
 * messages here. Handlers get an AbortSignal (the host's `cancel`) and a way to send notifications.
 */
import type { EngineErrorCode, EngineErrorInfo } from '../../../protocol/messages';
import { SamplingError } from '../generate/sampler';
import { TokenizerError } from '../generate/tokenizer';
import { AdapterError } from '../lora/peft';
import { ModelConfigError } from '../model/config';
import { MissingWeightError } from '../model/decoder';
import { ModelFolderError } from '../model/folder';
import { SafetensorsError } from '../model/safetensors';

export interface HandlerContext {
  readonly requestId: number;
  readonly signal: AbortSignal;
  notify(method: string, params: unknown): void;
}

export type Handler = (params: unknown, context: HandlerContext) => Promise<unknown>;
export type NotificationHandler = (params: unknown) => void;

/** An error with a protocol code, shown to the user as is. */
export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
  }
}

const handlers = new Map<string, Handler>();
const notificationHandlers = new Map<string, NotificationHandler>();

export function registerHandler(method: string, handler: Handler): void {
  if (handlers.has(method)) throw new Error(`handler for ${method} registered twice`);
  handlers.set(method, handler);
}

export function registerNotificationHandler(method: string, handler: NotificationHandler): void {
  notificationHandlers.set(method, handler);
}

export function findHandler(method: string): Handler | undefined {
  return handlers.get(method);
}

export function findNotificationHandler(method: string): NotificationHandler | undefined {
  return notificationHandlers.get(method);
}

/** Maps any thrown value to a protocol error; known error classes get specific codes. */
export function toErrorInfo(error: unknown): EngineErrorInfo {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  // instanceof, not class names: production bundles are minified.
  const byClass: [new (...args: never[]) => Error, EngineErrorCode][] = [
    [ModelFolderError, 'model-not-found'],
    [ModelConfigError, 'unsupported-model'],
    [MissingWeightError, 'unsupported-model'],
    [SafetensorsError, 'unsupported-model'],
    [TokenizerError, 'unsupported-model'],
    [AdapterError, 'adapter-invalid'],
    [SamplingError, 'invalid-request'],
  ];
  const match = byClass.find(([errorClass]) => error instanceof errorClass);
  return { code: match?.[1] ?? 'internal', message };
}
