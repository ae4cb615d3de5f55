// The engine client without crash restart (the CLI's): a dead engine fails its requests and every later
// one with a readable reason, and nothing hangs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EngineClient, EngineRequestError } from '../../../engine/src/client';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { removeTempDirs, tempDir } from './helpers';

after(removeTempDirs);

const WORKER = path.join(__dirname, '..', '..', '..', 'engine', 'src', 'worker.js');

test('a killed engine fails the pending request and every later one with engine-exited', async () => {
  const modelDir = createTinyModel({ out: path.join(tempDir(), 'tiny'), seed: 2 }).dir;
  const logs: string[] = [];
  const engine = new EngineClient({ workerPath: WORKER, onLog: (line) => logs.push(line) });
  try {
    assert.equal(engine.pid, undefined, 'the process starts on the first request');
    const model = await engine.request('engine/loadModel', { path: modelDir, device: 'cpu' });
    assert.equal(engine.generation, 1);
    const pid = engine.pid;
    assert.ok(pid !== undefined);
    const pending = engine.request('engine/generate', { modelId: model.modelId, prompt: 'x', maxTokens: 4000, sampling: { temperature: 0 } }, {
      onNotification: () => process.kill(pid, 'SIGKILL'),
    });
    const exited = (error: unknown): boolean => error instanceof EngineRequestError && error.code === 'engine-exited' && /exited \(stopped by SIGKILL\)/.test(error.message) && !/restarts/.test(error.message);
    await assert.rejects(pending, exited);
    assert.equal(engine.isRunning, false);
    await assert.rejects(engine.request('engine/status', {}), exited);
    assert.equal(engine.generation, 1, 'no new process was started');
    assert.ok(logs.some((line) => /the engine process exited/.test(line)), 'the exit is logged');
  } finally {
    await engine.dispose();
  }
});

test('a missing worker script fails the request instead of hanging', async () => {
  const missing = path.join(tempDir(), 'no-such-worker.js');
  assert.equal(fs.existsSync(missing), false);
  const engine = new EngineClient({ workerPath: missing, onLog: () => undefined });
  try {
    await assert.rejects(engine.request('engine/status', {}), (error: unknown) => error instanceof EngineRequestError && error.code === 'engine-exited' && /exited with code 1/.test(error.message));
  } finally {
    await engine.dispose();
  }
});

test('a request whose signal is already aborted is refused without starting the engine', async () => {
  const engine = new EngineClient({ workerPath: WORKER });
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(engine.request('engine/status', {}, { signal: abort.signal }), (error: unknown) => error instanceof EngineRequestError && error.code === 'cancelled');
  assert.equal(engine.isRunning, false);
  await engine.dispose();
});
