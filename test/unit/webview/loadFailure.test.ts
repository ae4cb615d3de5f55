import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineRequestError } from '../../../client/src/preview/engineClient';
import { describeLoadFailure } from '../../../client/src/preview/loadFailure';

test('each engine error code gets its reason and a fix', () => {
  const notFound = describeLoadFailure('model', '/m/x', new EngineRequestError('model-not-found', "no model at '/m/x': expected a folder with config.json"));
  assert.match(notFound, /no model at '\/m\/x': expected a folder with config\.json/);
  assert.match(notFound, /Fix: run "Tunesmith: Select Model"/);
  assert.match(describeLoadFailure('model', '/m/gpt2', new EngineRequestError('unsupported-model', 'GPT2LMHeadModel is not supported')), /GPT2LMHeadModel[\s\S]*Fix: pick a Llama, Qwen2, Qwen3 or Mistral model/);
  assert.match(describeLoadFailure('adapter', '/a/run', new EngineRequestError('adapter-invalid', 'shape mismatch')), /adapter "run" does not fit[\s\S]*Fix: load an adapter trained on this base model/);
  assert.match(describeLoadFailure('model', '/m/x', new EngineRequestError('device', 'webgpu failed')), /Fix: set "tunesmith.device" to "cpu"/);
  assert.match(describeLoadFailure('model', '/m/x', new EngineRequestError('engine-exited', 'The engine process was stopped by SIGKILL.')), /SIGKILL[\s\S]*restarts on the next request/);
});

test('a stack trace never reaches the message', () => {
  const error = new Error('boom');
  error.message = 'boom\n    at load (/x/engine.js:1:1)\n    at run (/x/engine.js:2:2)';
  const text = describeLoadFailure('model', '/m/x', error);
  assert.match(text, /failed: boom\. Fix:/);
  assert.doesNotMatch(text, /engine\.js/);
});
