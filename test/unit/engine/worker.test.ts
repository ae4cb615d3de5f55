import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineClient, EngineRequestError } from '../../../engine/src/client';
import { removeTempDirs, smallModel, tempDir } from './helpers';

after(removeTempDirs);

describe('engine process', () => {
  let engine: EngineClient;
  let modelDir: string;

  before(() => {
    modelDir = smallModel({ arch: 'llama', vocabSize: 2048 });
    engine = new EngineClient({ workerPath: path.join(__dirname, '..', '..', '..', 'engine', 'src', 'worker.js') });
  });
  after(async () => engine.dispose());

  test('loads a model, streams generated text, and answers with the same text', async () => {
    const stages: string[] = [];
    const model = await engine.request('engine/loadModel', { path: modelDir, device: 'cpu' }, {
      onNotification: (method, params) => method === 'engine/progress' && stages.push((params as { stage: string }).stage),
    });
    assert.deepEqual(stages, ['reading', 'building-graph', 'creating-session', 'loading-tokenizer']);
    assert.equal(model.architecture, 'LlamaForCausalLM');
    assert.equal(model.device, 'cpu');
    assert.equal(model.hasChatTemplate, true);
    const pieces: string[] = [];
    const result = await engine.request(
      'engine/generate',
      { modelId: model.modelId, messages: [{ role: 'user', content: 'Hello' }], maxTokens: 8, sampling: { temperature: 0.9, seed: 4 } },
      { onNotification: (method, params) => method === 'engine/generate/token' && pieces.push((params as { text: string }).text) },
    );
    assert.equal(pieces.join(''), result.text);
    assert.ok(result.generatedTokens > 0 && result.generatedTokens <= 8);
    // Loading the same folder again returns the loaded model.
    assert.equal((await engine.request('engine/loadModel', { path: modelDir, device: 'cpu' })).modelId, model.modelId);
  });

  test('a cancelled request ends at once with its partial answer', async () => {
    const { modelId } = await engine.request('engine/loadModel', { path: modelDir, device: 'cpu' });
    const controller = new AbortController();
    let pieces = 0;
    const result = await engine.request(
      'engine/generate',
      { modelId, prompt: 'x', maxTokens: 100000, sampling: { temperature: 1, seed: 2 } },
      {
        signal: controller.signal,
        onNotification: () => {
          if (++pieces === 2) controller.abort();
        },
      },
    );
    assert.equal(result.finishReason, 'cancelled');
    assert.ok(result.generatedTokens < 50, `${result.generatedTokens} tokens`);
  });

  test('errors carry a code and a message for the user', async () => {
    const bad = path.join(tempDir(), 'bad');
    fs.cpSync(modelDir, bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'config.json'), JSON.stringify({ architectures: ['FalconForCausalLM'] }));
    await assert.rejects(engine.request('engine/loadModel', { path: bad }), (error: unknown) => {
      assert.ok(error instanceof EngineRequestError);
      assert.equal(error.code, 'unsupported-model');
      assert.match(error.message, /FalconForCausalLM is not supported/);
      return true;
    });
    await assert.rejects(engine.request('engine/generate', { modelId: 'model-999', prompt: 'x' }), (error: unknown) => error instanceof EngineRequestError && error.code === 'no-such-model');
  });

  test('releaseMemory unloads every model', async () => {
    await engine.request('engine/loadModel', { path: modelDir, device: 'cpu' });
    const report = await engine.request('engine/releaseMemory', {});
    assert.deepEqual(report.models, []);
    assert.ok(report.rss > 0 && report.peakRss >= report.rss * 0.5);
  });
});
