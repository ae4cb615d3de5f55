import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { EngineClient } from '../../../engine/src/client';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { removeTempDirs, smallModel } from './helpers';

after(removeTempDirs);

const WORKER = path.join(__dirname, '..', '..', '..', 'engine', 'src', 'worker.js');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('devices', () => {
  const modelDir = smallModel({ arch: 'qwen3', vocabSize: 2048 });

  test('cuda without its binaries falls back to cpu and says why', async () => {
    const model = await LoadedModel.load(modelDir, { device: 'cuda' });
    try {
      if (model.device === 'cuda') return; // a machine with onnxruntime's CUDA binaries
      assert.equal(model.device, 'cpu');
      assert.match(model.deviceNote ?? '', /cuda: .*ONNXRUNTIME_NODE_INSTALL=cuda12.*using cpu/);
    } finally {
      await model.release();
    }
  });

  test('webgpu with no adapter falls back to cpu and says why', async () => {
    const env = { ...process.env };
    delete env['VK_ICD_FILENAMES'];
    env['LD_LIBRARY_PATH'] = '';
    const engine = new EngineClient({ workerPath: WORKER, env });
    try {
      const info = await engine.request('engine/loadModel', { path: modelDir, device: 'webgpu' });
      if (info.device === 'webgpu') return; // a machine with a real GPU
      assert.equal(info.device, 'cpu');
      assert.match(info.deviceNote ?? '', /^webgpu: .+; using cpu$/);
    } finally {
      await engine.dispose();
    }
  });

  test('webgpu through SwiftShader (software Vulkan) gives the same answers as cpu', async (t) => {
    if (!fs.existsSync(SWIFTSHADER_ICD)) {
      t.skip(`SwiftShader not found at ${SWIFTSHADER_ICD} (Debian package chromium); the WebGPU path is not exercised`);
      return;
    }
    const env = { ...process.env, LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER_ICD };
    const engine = new EngineClient({ workerPath: WORKER, env });
    try {
      const gpu = await engine.request('engine/loadModel', { path: modelDir, device: 'webgpu' });
      assert.equal(gpu.device, 'webgpu', gpu.deviceNote);
      const cpu = await engine.request('engine/loadModel', { path: modelDir, device: 'cpu' });
      const ask = async (modelId: string): Promise<string> =>
        (await engine.request('engine/generate', { modelId, messages: [{ role: 'user', content: 'Say something' }], maxTokens: 6, sampling: { temperature: 0 } })).text;
      const gpuText = await ask(gpu.modelId);
      assert.ok(gpuText.length > 0);
      assert.equal(gpuText, await ask(cpu.modelId));
    } finally {
      await engine.dispose();
    }
  });
});
