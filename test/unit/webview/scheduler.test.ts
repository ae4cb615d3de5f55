import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RoundScheduler } from '../../../client/src/preview/scheduler';

test('a new round aborts the running one and starts only after it settled', async () => {
  const scheduler = new RoundScheduler();
  const events: string[] = [];
  let releaseFirst!: () => void;
  const first = scheduler.run(async (signal) => {
    events.push('first start');
    signal.addEventListener('abort', () => events.push('first aborted'));
    // Like a prefill inside onnxruntime: it ends a little after the cancel.
    await new Promise<void>((resolve) => (releaseFirst = resolve));
    events.push('first end');
  });
  await Promise.resolve();
  const second = scheduler.run(async () => {
    events.push('second start');
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(events, ['first start', 'first aborted']);
  releaseFirst();
  await Promise.all([first, second]);
  assert.deepEqual(events, ['first start', 'first aborted', 'first end', 'second start']);
});

test('rounds superseded while waiting never start', async () => {
  const scheduler = new RoundScheduler();
  const started: number[] = [];
  let release!: () => void;
  const rounds = [scheduler.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => void started.push(0)))];
  await Promise.resolve();
  for (let index = 1; index <= 5; index++) rounds.push(scheduler.run(async () => void started.push(index)));
  release();
  await Promise.all(rounds);
  assert.deepEqual(started, [0, 5]);
});
