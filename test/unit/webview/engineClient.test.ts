// The preview's engine client against the real engine process (real onnxruntime, the tiny model).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { GenerateRequest, GenerateTokenNotification, LoadModelRequest } from '../../../protocol/messages';
import { type EngineClient, EngineRequestError, createPreviewEngineClient } from '../../../client/src/preview/engineClient';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';

const workerPath = path.join(__dirname, '..', '..', '..', 'engine', 'src', 'worker.js');
let temp = '';
let modelDir = '';
let engine: EngineClient;
const logs: string[] = [];

before(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-preview-engine-'));
  modelDir = path.join(temp, 'tiny');
  createTinyModel({ out: modelDir, seed: 3 });
  engine = createPreviewEngineClient({ workerPath, log: (line) => logs.push(line) });
});
after(async () => {
  await engine.dispose();
  fs.rmSync(temp, { recursive: true, force: true });
});

test('streams tokens of a generation and ends with the stats', async () => {
  const model = await engine.request(LoadModelRequest.method, { path: modelDir, device: 'cpu' });
  const pieces: string[] = [];
  const result = await engine.request(
    GenerateRequest.method,
    { modelId: model.modelId, messages: [{ role: 'user', content: 'Hello there' }], maxTokens: 12, sampling: { temperature: 0 } },
    { onNotification: (method, params) => method === GenerateTokenNotification.method && pieces.push((params as GenerateTokenNotification.Params).text) },
  );
  assert.equal(result.generatedTokens, 12);
  assert.equal(pieces.length, 12);
  assert.equal(pieces.join(''), result.text);
  assert.equal(result.finishReason, 'max-tokens');
});

test('aborting cancels the generation at once', async () => {
  const model = await engine.request(LoadModelRequest.method, { path: modelDir, device: 'cpu' });
  const abort = new AbortController();
  let tokens = 0;
  const outcome = await engine
    .request(
      GenerateRequest.method,
      { modelId: model.modelId, messages: [{ role: 'user', content: 'Count' }], maxTokens: 2000, sampling: { temperature: 0 } },
      {
        signal: abort.signal,
        onNotification: () => {
          tokens++;
          if (tokens === 3) abort.abort();
        },
      },
    )
    .then((result) => result.finishReason, (error: unknown) => (error instanceof EngineRequestError ? error.code : 'other'));
  assert.equal(outcome === 'cancelled', true, `ended with ${outcome}`);
  assert.ok(tokens < 50, `${tokens} tokens after the cancel`);
});

test('a crashed engine fails pending requests with a reason, and the next request starts a new process', async () => {
  const model = await engine.request(LoadModelRequest.method, { path: modelDir, device: 'cpu' });
  const generationBefore = engine.generation;
  const pending = engine.request(GenerateRequest.method, { modelId: model.modelId, messages: [{ role: 'user', content: 'x' }], maxTokens: 4000, sampling: { temperature: 0 } }, {
    onNotification: () => void engine.restart(),
  });
  await assert.rejects(pending, (error: unknown) => error instanceof EngineRequestError && error.code === 'engine-exited' && /restarts on the next request/.test(error.message));
  assert.equal(engine.isRunning, false);
  const reloaded = await engine.request(LoadModelRequest.method, { path: modelDir, device: 'cpu' });
  assert.equal(engine.generation, generationBefore + 1);
  assert.equal(reloaded.architecture, 'Qwen3ForCausalLM');
  assert.ok(logs.some((line) => /engine process/.test(line)), 'the exit is logged');
});
