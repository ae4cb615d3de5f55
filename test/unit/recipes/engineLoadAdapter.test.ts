/**
 * "Load Adapter" through the real engine process and protocol: a trainer's output folder (latest
 * checkpoint) and the Hugging Face cache layout load, with notes; another base model is refused
 * with a clear adapter-invalid error unless the caller allows it.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineClient, EngineRequestError } from '../../../engine/src/client';
import { moduleName, moduleShape } from '../../../engine/src/model/decoder';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { removeTempDirs, tempDir } from '../engine/helpers';
import { type FixtureTensor, peftAdapterConfig, peftTensorName, seededValues, writeAdapterFolder, writeHubCacheEntry } from './peftFixtures';

after(removeTempDirs);

describe('engine/loadAdapter accepts adapters from other trainers', () => {
  it('loads output folders and cache entries, and refuses another base model clearly', { timeout: 120_000 }, async () => {
    const root = tempDir('tunesmith-load-adapter-');
    const modelDir = path.join(root, 'hub', 'models--tunesmith--tiny-qwen', 'snapshots', 'r1');
    createTinyModel({ out: modelDir, arch: 'qwen3', seed: 3, vocabSize: 512, configOverrides: { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16 } });
    const config = loadModelFolder(modelDir).config;
    const adapterFor = (dir: string, base: string): void => {
      const tensors: FixtureTensor[] = [];
      for (const layer of [0, 1]) {
        const shape = moduleShape(config, 'v_proj');
        tensors.push({ name: peftTensorName(moduleName(layer, 'v_proj'), 'A'), dtype: 'F32', shape: [4, shape.in], values: seededValues(layer + 1, 4 * shape.in, 0.2) });
        tensors.push({ name: peftTensorName(moduleName(layer, 'v_proj'), 'B'), dtype: 'F32', shape: [shape.out, 4], values: seededValues(layer + 9, 4 * shape.out, 0.2) });
      }
      writeAdapterFolder(dir, peftAdapterConfig({ base, r: 4, alpha: 8, targets: ['v_proj'] }), tensors);
    };
    const output = path.join(root, 'axolotl-output');
    adapterFor(path.join(output, 'checkpoint-10'), 'tunesmith/tiny-qwen');
    adapterFor(path.join(output, 'checkpoint-20'), 'tunesmith/tiny-qwen');
    const source = path.join(root, 'for-cache');
    adapterFor(source, 'tunesmith/tiny-qwen');
    const entry = writeHubCacheEntry(path.join(root, 'hub'), 'someone/qwen-lora', source, 'abc');
    const other = path.join(root, 'other-base');
    adapterFor(other, 'Qwen/Qwen3-0.6B');

    // The worker inherits the environment: 'org/name' is looked up in this hub cache.
    const previousCache = process.env['HF_HUB_CACHE'];
    process.env['HF_HUB_CACHE'] = path.join(root, 'hub');
    const engine = new EngineClient();
    try {
      const model = await engine.request('engine/loadModel', { path: modelDir, device: 'cpu' });
      const fromOutput = await engine.request('engine/loadAdapter', { modelId: model.modelId, path: output });
      assert.equal(fromOutput.path, path.join(output, 'checkpoint-20'));
      assert.deepEqual(fromOutput.targetModules, ['v_proj']);
      assert.match((fromOutput.notes ?? []).join('\n'), /latest checkpoint, checkpoint-20/);
      const fromCache = await engine.request('engine/loadAdapter', { modelId: model.modelId, path: entry });
      assert.equal(fromCache.path, path.join(entry, 'snapshots', 'abc'));
      assert.equal(fromCache.rank, 4);
      const byId = await engine.request('engine/loadAdapter', { modelId: model.modelId, path: 'someone/qwen-lora' });
      assert.equal(byId.path, path.join(entry, 'snapshots', 'abc'));
      await assert.rejects(
        engine.request('engine/loadAdapter', { modelId: model.modelId, path: other }),
        (error: unknown) => error instanceof EngineRequestError && error.code === 'adapter-invalid' && /trained on Qwen\/Qwen3-0\.6B.*selected model is tunesmith\/tiny-qwen/.test(error.message),
      );
      const forced = await engine.request('engine/loadAdapter', { modelId: model.modelId, path: other, allowOtherBase: true });
      assert.match((forced.notes ?? []).join('\n'), /loaded anyway as asked/);
      // The loaded adapter previews like a local one: generation with it runs.
      const generated = await engine.request('engine/generate', { modelId: model.modelId, adapterId: fromCache.adapterId, prompt: 'Hi', maxTokens: 3, sampling: { temperature: 0 } });
      assert.equal(generated.finishReason === 'max-tokens' || generated.finishReason === 'end-token', true);
    } finally {
      await engine.dispose();
      if (previousCache === undefined) delete process.env['HF_HUB_CACHE'];
      else process.env['HF_HUB_CACHE'] = previousCache;
    }
  });
});
