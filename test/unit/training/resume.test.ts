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

function adapterTensors(dir: string): Map<string, Float32Array> {
  const header = readSafetensorsHeader(path.join(dir, 'adapter_model.safetensors'));
  return new Map([...header.tensors].map(([name, location]) => [name, readTensorAsFloat32(location)]));
}

async function train(request: TrainingRequest, onEvent: (event: TrainingEvent, engine: EngineClient) => void = () => {}): Promise<{ events: TrainingEvent[]; error?: Error }> {
  const engine = new EngineClient();
  const events: TrainingEvent[] = [];
  try {
    await engine.request('engine/train/start', request, {
      onNotification: (_method, params) => {
        events.push(params as TrainingEvent);
        onEvent(params as TrainingEvent, engine);
      },
    });
    return { events };
  } catch (error) {
    return { events, error: error as Error };
  } finally {
    await engine.dispose();
  }
}

test('a run killed with SIGKILL resumes from its last checkpoint and ends exactly where an uninterrupted run ends', { timeout: 240_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-resume-'));
  try {
    const model = createTinyModel({ out: path.join(root, 'model'), arch: 'llama', seed: 2, initStd: 0.1 }).dir;
    const base: Omit<TrainingRequest, 'out'> = {
      datasets: [fixture],
      model,
      steps: 24,
      learningRate: 2e-3,
      rank: 4,
      alpha: 8,
      checkpointEvery: 4,
      batchTokens: 256,
      pack: false,
      gradientAccumulation: 2,
      warmupSteps: 3,
      seed: 5,
      threads: 1,
    };
    const straight = path.join(root, 'straight');
    const uninterrupted = await train({ ...base, out: straight });
    assert.equal(uninterrupted.error, undefined);

    const interrupted = path.join(root, 'interrupted');
    let killedAfter = -1;
    const first = await train({ ...base, out: interrupted }, (event, engine) => {
      if (event.type === 'checkpoint' && event.step >= 8 && killedAfter < 0) {
        killedAfter = event.step;
        process.kill(engine.pid!, 'SIGKILL');
      }
    });
    assert.ok(killedAfter >= 8, 'the run was killed after a checkpoint');
    assert.ok(first.error !== undefined && /exited/.test(first.error.message), `the engine died: ${first.error?.message}`);
    assert.ok(!fs.existsSync(path.join(interrupted, 'adapter_model.safetensors')), 'no final adapter from the killed run');
    assert.ok(fs.readdirSync(interrupted).every((name) => !name.endsWith('.tmp')), 'no torn temporary file is left as the checkpoint');

    const resumed = await train({ ...base, out: interrupted, resume: true });
    assert.equal(resumed.error, undefined);
    const started = resumed.events.find((e) => e.type === 'started');
    assert.ok(started !== undefined && started.type === 'started');
    assert.ok(started.resumedFromStep >= killedAfter, `resumed at step ${started.resumedFromStep}, last checkpoint seen at ${killedAfter}`);
    const resumedSteps = resumed.events.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? e.step : 0));
    assert.equal(resumedSteps[0], started.resumedFromStep + 1, 'only the steps after the checkpoint are redone');

    const a = adapterTensors(straight);
    const b = adapterTensors(interrupted);
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    let worst = 0;
    for (const [name, values] of a) {
      const other = b.get(name)!;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - other[i]!));
    }
    assert.ok(worst < 1e-6, `resumed adapter differs from the uninterrupted one by ${worst}`);

    // A resume with different settings is refused rather than silently mixing runs.
    const mismatched = await train({ ...base, out: interrupted, learningRate: 1e-3, resume: true });
    assert.ok(mismatched.error !== undefined && /different settings/.test(mismatched.error.message));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
