/**
 * Training on the WebGPU device runs the same graph as on the CPU: same losses step by step and the
 * same adapter. Exercised through SwiftShader (software Vulkan, from Debian's chromium package), so
 * it runs without a GPU; skipped with a message where SwiftShader is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineClient } from '../../../engine/src/client';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { readSafetensorsHeader, readTensorAsFloat32 } from '../../../engine/src/model/safetensors';
import type { TrainingEvent, TrainingRequest } from '../../../protocol/messages';

const fixture = path.resolve(__dirname, '../../../../test/fixtures/training/instructions.jsonl');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

async function train(request: TrainingRequest, env: NodeJS.ProcessEnv): Promise<TrainingEvent[]> {
  const engine = new EngineClient({ env });
  const events: TrainingEvent[] = [];
  try {
    await engine.request('engine/train/start', request, { onNotification: (_method, params) => events.push(params as TrainingEvent) });
    return events;
  } finally {
    await engine.dispose();
  }
}

function adapterTensors(dir: string): Map<string, Float32Array> {
  const header = readSafetensorsHeader(path.join(dir, 'adapter_model.safetensors'));
  return new Map([...header.tensors].map(([name, location]) => [name, readTensorAsFloat32(location)]));
}

test('LoRA training on webgpu (SwiftShader) matches the cpu run: losses and adapter', { timeout: 300_000 }, async (t) => {
  if (!fs.existsSync(SWIFTSHADER_ICD)) {
    t.skip(`SwiftShader not found at ${SWIFTSHADER_ICD} (Debian package chromium); training on WebGPU is not exercised`);
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-webgpu-train-'));
  try {
    const model = createTinyModel({ out: path.join(root, 'model'), arch: 'qwen2', seed: 4, initStd: 0.1 }).dir;
    const request: Omit<TrainingRequest, 'out' | 'device'> = { datasets: [fixture], model, steps: 2, learningRate: 1e-2, rank: 4, alpha: 8, batchTokens: 128, pack: false, seed: 3, threads: 1 };
    const gpuEnv = { ...process.env, LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER_ICD };
    const gpu = await train({ ...request, out: path.join(root, 'gpu'), device: 'webgpu' }, gpuEnv);
    const cpu = await train({ ...request, out: path.join(root, 'cpu'), device: 'cpu' }, process.env);
    const started = gpu.find((event) => event.type === 'started');
    assert.ok(started !== undefined && started.type === 'started');
    assert.equal(started.device, 'webgpu', 'the run stayed on webgpu (no fallback to cpu)');
    const losses = (events: TrainingEvent[]): number[] => events.flatMap((event) => (event.type === 'step' ? [event.loss] : []));
    const gpuLosses = losses(gpu);
    const cpuLosses = losses(cpu);
    assert.equal(gpuLosses.length, 2);
    assert.equal(cpuLosses.length, 2);
    gpuLosses.forEach((loss, step) => assert.ok(Math.abs(loss - (cpuLosses[step] ?? NaN)) <= 1e-4 * Math.abs(loss), `step ${step + 1}: webgpu loss ${loss} vs cpu ${cpuLosses[step]}`));
    // The gradients: their global norm per step (step 2's after step 1's update).
    const norms = (events: TrainingEvent[]): number[] => events.flatMap((event) => (event.type === 'step' ? [event.gradNorm] : []));
    const cpuNorms = norms(cpu);
    norms(gpu).forEach((norm, step) => assert.ok(Math.abs(norm - (cpuNorms[step] ?? NaN)) <= 1e-4 * Math.abs(norm), `step ${step + 1}: webgpu gradient norm ${norm} vs cpu ${cpuNorms[step]}`));
    // The adapters: AdamW moves each weight by about the learning rate in the direction of its
    // gradient's sign, so weights whose gradient is ~0 may move either way on either device; all
    // others must agree, and the adapters as a whole must be close.
    const gpuAdapter = adapterTensors(path.join(root, 'gpu'));
    const cpuAdapter = adapterTensors(path.join(root, 'cpu'));
    assert.deepEqual([...gpuAdapter.keys()].sort(), [...cpuAdapter.keys()].sort());
    let differing = 0;
    let total = 0;
    let differenceSquares = 0;
    let referenceSquares = 0;
    for (const [name, values] of gpuAdapter) {
      const reference = cpuAdapter.get(name)!;
      for (let index = 0; index < values.length; index++) {
        const difference = (values[index] ?? 0) - (reference[index] ?? 0);
        if (Math.abs(difference) > 1e-4) differing++;
        differenceSquares += difference * difference;
        referenceSquares += (reference[index] ?? 0) ** 2;
        total++;
      }
    }
    assert.ok(differing <= total * 0.01, `${differing} of ${total} adapter weights differ by more than 1e-4`);
    assert.ok(Math.sqrt(differenceSquares / referenceSquares) <= 1e-2, `relative adapter difference ${Math.sqrt(differenceSquares / referenceSquares)}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
