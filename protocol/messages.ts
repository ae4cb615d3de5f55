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

import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';

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
  /** TRL prompt-only data (GRPO, RLOO, online DPO): a prompt and no answer; the model writes the completions. */
  | 'prompt-only'
  /** TRL stepwise supervision (PRMTrainer): a prompt, reasoning steps in "completions" and one label per step. */
  | 'stepwise'
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

/**
 * `tunesmith/lintFromDisk`: lints a dataset file that the editor cannot share with the language
 * server (VS Code keeps files over 50 MB from extensions: it opens them but never syncs them), read
 * from disk with that file's settings. Answers its diagnostics, as a pull report would carry them,
 * and its statistics (null for a file that is not a dataset).
 */
export namespace LintFromDiskRequest {
  export const method = 'tunesmith/lintFromDisk';
  export interface Params {
    uri: string;
  }
  export interface Result {
    diagnostics: LspDiagnostic[];
    statistics: DatasetStatistics | null;
  }
}

/**
 * `tunesmith.previewExample`: the command each record's code lens runs (the preview issue implements
 * it). Arguments: one object naming the document and the 0-based record index.
 */
export namespace PreviewExampleCommand {
  export const id = 'tunesmith.previewExample';
  export interface Args {
    uri: string;
    /** 0-based index of the record in the file. */
    recordIndex: number;
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Engine process
// ---------------------------------------------------------------------------------------------

// ----- 2a. Transport, models, adapters, generation ---------------------------------------------
//
// The engine is a child process (child_process.fork of dist/engine/worker.js) speaking over Node's IPC
// channel. Every message is one EngineWireMessage. A request gets exactly one response or error with
// its id; notifications carry progress (streamed tokens, training steps) and name the request they
// belong to. `cancel` stops a request at once: it then answers with an error whose code is 'cancelled'
// (generation answers with its partial result and finishReason 'cancelled'). New features add
// request namespaces and an entry in EngineRequestMap; old messages never change shape.

/** Error codes the engine answers with; the message is written for the user. */
export type EngineErrorCode =
  | 'invalid-request'
  | 'model-not-found'
  | 'unsupported-model'
  | 'adapter-invalid'
  | 'no-such-model'
  | 'device'
  | 'cancelled'
  | 'internal';

export interface EngineErrorInfo {
  code: EngineErrorCode;
  message: string;
}

export type EngineWireMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: EngineErrorInfo }
  /** Engine -> host progress; `requestId` names the request it belongs to. Host -> engine: commands without a reply. */
  | { kind: 'notification'; method: string; params: unknown; requestId?: number }
  | { kind: 'cancel'; id: number };

/** `tunesmith.device`: where models run. auto = CUDA when installed, else CPU. */
export type EngineDevice = 'auto' | 'cpu' | 'webgpu' | 'cuda';

export interface EngineModelInfo {
  modelId: string;
  /** The folder the model was read from (a snapshot folder for the Hugging Face cache). */
  path: string;
  architecture: string;
  parameters: number;
  layers: number;
  hiddenSize: number;
  vocabSize: number;
  /** Weight dtypes found in the checkpoint, e.g. ['bfloat16']. */
  weightDtypes: string[];
  /** The device the session runs on, and why it differs from the one asked for. */
  device: 'cpu' | 'webgpu' | 'cuda';
  deviceNote?: string;
  hasChatTemplate: boolean;
  loadMs: number;
  /** Resident memory of the engine process after loading, bytes. */
  memoryBytes: number;
}

/** `engine/loadModel`: loads (or returns the already loaded) model folder. */
export namespace LoadModelRequest {
  export const method = 'engine/loadModel';
  export interface Params {
    /** A model folder, a Hugging Face cache entry (models--org--name) or 'org/name' in the cache. */
    path: string;
    device?: EngineDevice;
    threads?: number;
    /** 'int8' | 'int4': quantise projection weights at load (MatMulNBits); faster, slightly different logits. */
    quantization?: 'none' | 'int8' | 'int4';
  }
  export type Result = EngineModelInfo;
}

/** `engine/unloadModel`: frees a model's session and its adapters. */
export namespace UnloadModelRequest {
  export const method = 'engine/unloadModel';
  export interface Params {
    modelId: string;
  }
  export type Result = { released: boolean };
}

export interface EngineAdapterInfo {
  adapterId: string;
  modelId: string;
  path: string;
  rank: number;
  alpha: number;
  /** Projection names it adapts, e.g. ['q_proj', 'v_proj']. */
  targetModules: string[];
  modules: number;
  /** What the user should know that did not stop loading (latest checkpoint taken, base model not verifiable...). */
  notes?: string[];
}

/** `engine/loadAdapter`: reads a PEFT adapter folder for a loaded model (no model reload). */
export namespace LoadAdapterRequest {
  export const method = 'engine/loadAdapter';
  export interface Params {
    modelId: string;
    /** An adapter folder, a trainer's output folder (latest checkpoint-N), a HF cache entry or 'org/name' in the cache. */
    path: string;
    /** Load even when adapter_config.json names another base model of the same shapes. */
    allowOtherBase?: boolean;
  }
  export type Result = EngineAdapterInfo;
}

export namespace UnloadAdapterRequest {
  export const method = 'engine/unloadAdapter';
  export interface Params {
    adapterId: string;
  }
  export type Result = { released: boolean };
}

export interface EngineChatMessage {
  role: string;
  content: string;
}

export interface EngineSampling {
  /** 0 = greedy. Default: the model's generation_config, else 0.7. */
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  /** Same seed, same request -> same text. */
  seed?: number;
}

/** `engine/generate`: generates text; the text streams as GenerateTokenNotification. */
export namespace GenerateRequest {
  export const method = 'engine/generate';
  export interface Params {
    modelId: string;
    /** Omit for the base model. */
    adapterId?: string;
    /** Chat messages (the model's chat template is applied) or a raw prompt text. */
    messages?: EngineChatMessage[];
    prompt?: string;
    /** Extra chat-template variables, e.g. { enable_thinking: false } for Qwen3. */
    chatTemplateOptions?: Record<string, unknown>;
    maxTokens?: number;
    sampling?: EngineSampling;
    stopStrings?: string[];
  }
  export interface Result {
    text: string;
    finishReason: 'end-token' | 'stop-string' | 'max-tokens' | 'cancelled' | 'context-full';
    promptTokens: number;
    generatedTokens: number;
    timeToFirstTokenMs: number;
    decodeTokensPerSecond: number;
    totalMs: number;
  }
}

/** `engine/generate/token`: the next piece of generated text of request `requestId`. */
export namespace GenerateTokenNotification {
  export const method = 'engine/generate/token';
  export interface Params {
    text: string;
    tokenId: number;
  }
}

export interface EngineMemoryReport {
  /** Resident set size, bytes. */
  rss: number;
  heapUsed: number;
  external: number;
  /** Peak resident set size since the process started, bytes. */
  peakRss: number;
  models: string[];
  adapters: string[];
}

/** `engine/releaseMemory`: unloads every model and adapter (or those listed) and returns memory to the system. */
export namespace ReleaseMemoryRequest {
  export const method = 'engine/releaseMemory';
  export interface Params {
    modelIds?: string[];
  }
  export type Result = EngineMemoryReport;
}

/** `engine/status`: what is loaded and how much memory the engine uses. */
export namespace EngineStatusRequest {
  export const method = 'engine/status';
  export type Params = Record<string, never>;
  export type Result = EngineMemoryReport;
}

/** `engine/progress`: where a long request (loading a model) has got to; names its request. */
export namespace EngineProgressNotification {
  export const method = 'engine/progress';
  export interface Params {
    stage: 'reading' | 'building-graph' | 'creating-session' | 'loading-tokenizer';
    message: string;
  }
}

/** `engine/log`: a diagnostic line from the engine (device fallbacks, warnings). */
export namespace EngineLogNotification {
  export const method = 'engine/log';
  export interface Params {
    level: 'info' | 'warning' | 'error';
    message: string;
  }
}

/** Request method -> params/result, so the client's `request` is typed end to end. */
export interface EngineRequestMap {
  [LoadModelRequest.method]: { params: LoadModelRequest.Params; result: LoadModelRequest.Result };
  [UnloadModelRequest.method]: { params: UnloadModelRequest.Params; result: UnloadModelRequest.Result };
  [LoadAdapterRequest.method]: { params: LoadAdapterRequest.Params; result: LoadAdapterRequest.Result };
  [UnloadAdapterRequest.method]: { params: UnloadAdapterRequest.Params; result: UnloadAdapterRequest.Result };
  [GenerateRequest.method]: { params: GenerateRequest.Params; result: GenerateRequest.Result };
  [ReleaseMemoryRequest.method]: { params: ReleaseMemoryRequest.Params; result: ReleaseMemoryRequest.Result };
  [EngineStatusRequest.method]: { params: EngineStatusRequest.Params; result: EngineStatusRequest.Result };
  [TrainStartRequest.method]: { params: TrainStartRequest.Params; result: TrainStartRequest.Result };
}

// ----- 2b. Training (LoRA fine-tuning in the engine process) -----------------------------------

/** LoRA target modules, by their Hugging Face projection names without the `_proj` suffix. */
export type TrainingTarget = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';

/** Which turns the loss covers. */
export type TrainingLabelMode = 'assistant' | 'all' | 'last-assistant';

/** Everything a training run needs; paths are absolute. Omitted fields take the defaults in docs/training.md. */
export interface TrainingRequest {
  datasets: string[];
  model: string;
  out: string;
  /** Separate evaluation file(s), or a fraction of the training records held out (0..0.5). */
  evalFiles?: string[];
  evalSplit?: number;
  epochs?: number;
  /** Optimizer steps; overrides epochs when given. */
  steps?: number;
  learningRate?: number;
  rank?: number;
  alpha?: number;
  targets?: TrainingTarget[];
  warmupSteps?: number;
  decay?: 'cosine' | 'linear' | 'constant';
  weightDecay?: number;
  maxGradNorm?: number;
  gradientAccumulation?: number;
  /** Micro-batch budget: rows x padded length. */
  batchTokens?: number;
  maxLength?: number;
  overLength?: 'drop' | 'truncate';
  pack?: boolean;
  labels?: TrainingLabelMode;
  seed?: number;
  checkpointEvery?: number;
  evalEvery?: number;
  resume?: boolean;
  device?: 'auto' | 'cpu' | 'webgpu' | 'cuda';
  threads?: number;
}

/** What the data pipeline kept, skipped and why (sent once before the first step). */
export interface TrainingDataReport {
  files: { path: string; records: number; format: string }[];
  trainExamples: number;
  evalExamples: number;
  trainTokens: number;
  /** Records the linter rejects (an error-severity diagnostic), with where and why. */
  invalid: { file: string; line: number; reason: string }[];
  /** Records with no token that carries a loss (e.g. no assistant turn), reported rather than dropped silently. */
  noTrainableTokens: { file: string; line: number }[];
  /** Records longer than maxLength: dropped or truncated per `overLength`. */
  overLength: { file: string; line: number; tokens: number }[];
  overLengthAction: 'drop' | 'truncate';
}

export type TrainingEvent =
  | { type: 'data'; report: TrainingDataReport }
  | { type: 'started'; totalSteps: number; resumedFromStep: number; device: string; parameters: number; trainableParameters: number }
  | {
      type: 'step';
      step: number;
      totalSteps: number;
      /** Fractional epoch (1.5 = half way through the second epoch). */
      epoch: number;
      loss: number;
      learningRate: number;
      gradNorm: number;
      tokensPerSecond: number;
      elapsedSeconds: number;
      etaSeconds: number;
      /** Resident memory now and at its peak, bytes. */
      memoryBytes: number;
      peakMemoryBytes: number;
    }
  | { type: 'eval'; step: number; evalLoss: number; evalTokens: number }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'log'; message: string };

export interface TrainingSummary {
  steps: number;
  epochs: number;
  finalLoss: number | null;
  finalEvalLoss: number | null;
  tokensPerSecond: number;
  seconds: number;
  peakMemoryBytes: number;
  /** The PEFT adapter folder; null when cancelled before the end (the checkpoint remains for --resume). */
  adapterPath: string | null;
  cancelled: boolean;
}

/**
 * `engine/train/start`: starts a run; progress arrives as TrainingEventNotification; resolves with the
 * summary. The transport's `cancel` stops it after the current micro-batch: the run then writes a
 * checkpoint and resolves with a summary whose `cancelled` is true.
 */
export namespace TrainStartRequest {
  export const method = 'engine/train/start';
  export type Params = TrainingRequest;
  export type Result = TrainingSummary;
}

/** `engine/train/event`: one progress event of the running training. */
export namespace TrainingEventNotification {
  export const method = 'engine/train/event';
  export type Params = TrainingEvent;
}

// ---------------------------------------------------------------------------------------------
// 3. Preview webview
// ---------------------------------------------------------------------------------------------
//
// The extension host owns every decision (which record, which model, when to generate); the webview
// only renders what it is sent and reports clicks. Messages are unions keyed on `type`, one per
// direction. The webview never loads a model and never edits the file: "insert suggestion" is a
// request the host carries out as an explicit, undoable edit.

/** A tool call as the panel shows it (arguments pretty-printed JSON or the text as written). */
export interface PreviewToolCall {
  name: string;
  arguments: string;
}

/** One turn of the record under the cursor, as the panel shows it. */
export interface PreviewTurn {
  /** Canonical role ('system' | 'user' | 'assistant' | 'tool'), or the written role when unknown. */
  role: string;
  /** The role exactly as written ("human", "gpt"...). */
  writtenRole: string;
  content: string;
  toolCalls: PreviewToolCall[];
  trainable: boolean;
}

/** The record under the cursor, already normalised by the language service on the host. */
export interface PreviewRecord {
  uri: string;
  fileName: string;
  /** 0-based index of the record in its file, and its first line (0-based). */
  recordIndex: number;
  line: number;
  format: RecordFormat;
  turns: PreviewTurn[];
  /** Tool definitions offered to the model, as JSON text. */
  tools: string | undefined;
  /** Index in `turns` of the last user turn the models answer, or -1 when there is none. */
  promptTurnIndex: number;
  /** The record's own answer to that turn (the reference), or null when it has none yet. */
  reference: string | null;
  /** Why nothing can be generated for this record (invalid JSON, no user turn...), shown instead. */
  problem: string | undefined;
}

/** Which column of the side-by-side view a generation fills. */
export type PreviewSlot = 'base' | 'adapter' | 'compare';

/** Generation settings in the panel; persisted by the host. */
export interface PreviewGenerationSettings {
  /** 0 = greedy. */
  temperature: number;
  maxTokens: number;
  seed: number;
}

export interface PreviewModelSummary {
  name: string;
  path: string;
  architecture: string;
  parameters: number;
  device: string;
}

/** An adapter of this dataset (trained by Tunesmith, or loaded by the user). */
export interface PreviewAdapterSummary {
  path: string;
  name: string;
  /** ISO time the adapter was written, when known. */
  createdAt: string | undefined;
  steps: number | undefined;
  finalLoss: number | undefined;
}

/** Everything except the record and the streams: sent whole whenever it changes. */
export interface PreviewHostState {
  model: PreviewModelSummary | null;
  /** What the engine is doing to the model ("Loading SmolLM2-135M...", "Creating the demo model..."). */
  modelStatus: string | undefined;
  /** The last model or adapter problem, with its fix, shown in the panel. */
  modelError: string | undefined;
  adapter: PreviewAdapterSummary | null;
  /** The second adapter for A/B comparison, or null. */
  compareAdapter: PreviewAdapterSummary | null;
  /** Earlier adapters of the active dataset, newest first. */
  adapters: PreviewAdapterSummary[];
  settings: PreviewGenerationSettings;
  /** False in restricted mode: the panel says why nothing is loaded. */
  workspaceTrusted: boolean;
}

export type PreviewTrainingStatus = 'starting' | 'running' | 'finished' | 'cancelled' | 'failed';

/** The training run the panel charts: a snapshot the host keeps and sends whole on (re)load. */
export interface PreviewTrainingState {
  runId: string;
  status: PreviewTrainingStatus;
  datasetName: string;
  modelName: string;
  device: string;
  step: number;
  totalSteps: number;
  epoch: number;
  tokensPerSecond: number;
  etaSeconds: number;
  learningRate: number;
  trainLoss: { step: number; loss: number }[];
  evalLoss: { step: number; loss: number }[];
  /** A line about how it ended (failure reason, where the partial checkpoint is). */
  message: string | undefined;
  adapterPath: string | null;
}

export interface PreviewSuggestion {
  text: string;
}

/** Host -> webview. */
export type HostToPreviewMessage =
  | { type: 'state'; state: PreviewHostState }
  | { type: 'record'; record: PreviewRecord | null }
  /** A generation begins in `slot`; earlier text in that slot is cleared. */
  | { type: 'generationStart'; generationId: number; slot: PreviewSlot; label: string }
  | { type: 'generationToken'; generationId: number; text: string }
  | {
      type: 'generationEnd';
      generationId: number;
      finishReason: string;
      generatedTokens: number;
      tokensPerSecond: number;
      timeToFirstTokenMs: number;
    }
  | { type: 'generationError'; generationId: number; message: string }
  /** The whole training snapshot (on open, reload, start and end), or null for none. */
  | { type: 'training'; training: PreviewTrainingState | null }
  /** One engine progress event of run `runId`, applied by the webview to its snapshot. */
  | { type: 'trainingEvent'; runId: string; event: TrainingEvent }
  | { type: 'suggestions'; status: 'working' | 'done' | 'failed'; suggestions: PreviewSuggestion[]; message: string | undefined };

/** Commands the panel's buttons run (the same as the palette's). */
export type PreviewCommandName = 'selectModel' | 'fineTune' | 'loadAdapter' | 'exportAdapter' | 'stopTraining';

/** Webview -> host. */
export type PreviewToHostMessage =
  | { type: 'ready' }
  | { type: 'settings'; settings: PreviewGenerationSettings }
  | { type: 'regenerate' }
  /** Chooses the adapter (slot 'adapter') or the A/B comparison adapter (slot 'compare'); null clears. */
  | { type: 'chooseAdapter'; slot: 'adapter' | 'compare'; path: string | null }
  | { type: 'command'; command: PreviewCommandName }
  | { type: 'suggest' }
  | { type: 'insertSuggestion'; text: string };

/** What the webview keeps with `setState`, so the serializer can restore the panel after a reload. */
export interface PreviewPersistedState {
  uri: string | undefined;
  recordIndex: number | undefined;
}

export {};
