/**
 * Turning a built graph into an onnxruntime session. External initializers point into the
 * safetensors files; onnxruntime only accepts relative locations inside the model's folder, so the
 * model is created from a buffer and told the (real, symlink-resolved) folder of the weight files.
 * When weight files live in several folders, their bytes are handed over in memory instead.
 */
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { GraphBuilder } from '../graph/builder';
import { emitModel } from '../graph/onnx';

export type Device = 'cpu' | 'webgpu' | 'cuda';

export interface SessionSettings {
  device?: Device;
  /** Threads for one operator; default: onnxruntime's choice (all cores). */
  threads?: number;
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Write the optimised model here (debugging). */
  optimizedModelPath?: string;
  /** onnxruntime's CPU memory arena (default on). Without it, every run page-faults its intermediates afresh. */
  memoryArena?: boolean;
  /**
   * onnxruntime's memory pattern (default on): one block planned per input shape for all
   * intermediates. Training turns it off: with the arena, tensors reuse freed arena chunks instead.
   */
  memoryPattern?: boolean;
  /** Extra session config entries, e.g. { 'session.disable_prepacking': '1' } (training: no packed weight copies). */
  config?: Record<string, string>;
  /**
   * Whether idle worker threads spin before sleeping (onnxruntime's default: yes). Spinning lowers
   * per-op latency but burns CPU that other sessions or processes on the same cores could use.
   */
  spinning?: boolean;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  modelBytes: number;
  buildMs: number;
  createMs: number;
}

export async function createSession(graph: GraphBuilder, settings: SessionSettings = {}): Promise<CreatedSession> {
  const started = performance.now();
  const { bytes, externalFiles } = emitModel(graph);
  const built = performance.now();
  const folders = new Set(externalFiles.values());
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [settings.device ?? 'cpu'],
    graphOptimizationLevel: settings.optimization ?? 'all',
    // Warnings (e.g. about folded constants) would reach users' terminals; errors still surface as exceptions.
    logSeverityLevel: 3,
    ...(settings.threads !== undefined ? { intraOpNumThreads: settings.threads, interOpNumThreads: 1 } : {}),
    ...(settings.optimizedModelPath !== undefined ? { optimizedModelFilePath: settings.optimizedModelPath } : {}),
    ...(settings.memoryArena !== undefined ? { enableCpuMemArena: settings.memoryArena } : {}),
    ...(settings.memoryPattern !== undefined ? { enableMemPattern: settings.memoryPattern } : {}),
  };
  // onnxruntime-node flattens `extra` into dotted config keys (extra.session.x -> "session.x"), so
  // full keys such as 'session.disable_prepacking' lose their prefix here.
  const sessionConfig: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings.config ?? {})) sessionConfig[key.replace(/^session\./, '')] = value;
  if (settings.spinning === false) sessionConfig['intra_op.allow_spinning'] = '0';
  if (folders.size === 1) sessionConfig['model_external_initializers_file_folder_path'] = [...folders][0]!;
  if (Object.keys(sessionConfig).length > 0) options.extra = { session: sessionConfig };
  if (folders.size > 1) {
    options.externalData = [...externalFiles].map(([location, folder]) => ({ path: location, data: fs.readFileSync(`${folder}/${location}`) }));
  }
  const session = await ort.InferenceSession.create(bytes, options);
  return { session, modelBytes: bytes.length, buildMs: built - started, createMs: performance.now() - built };
}
