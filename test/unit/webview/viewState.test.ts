import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PreviewRecord, TrainingEvent } from '../../../protocol/messages';
import { applyTrainingEvent, initialViewState, maxChartPoints, reduce, startTraining } from '../../../media/src/viewState';

function record(prompt: string, reference: string | null = 'ref'): PreviewRecord {
  return {
    uri: 'file:///d.jsonl',
    fileName: 'd.jsonl',
    recordIndex: 0,
    line: 0,
    format: 'openai-chat',
    turns: [
      { role: 'user', writtenRole: 'user', content: prompt, toolCalls: [], trainable: false },
      ...(reference === null ? [] : [{ role: 'assistant', writtenRole: 'assistant', content: reference, toolCalls: [], trainable: true }]),
    ],
    tools: undefined,
    promptTurnIndex: 0,
    reference,
    problem: undefined,
  };
}

test('streamed tokens accumulate in their slot and the end message records the stats', () => {
  let state = reduce(initialViewState(), { type: 'record', record: record('Hi') });
  state = reduce(state, { type: 'generationStart', generationId: 7, slot: 'adapter', label: 'tiny + run-1' });
  state = reduce(state, { type: 'generationToken', generationId: 7, text: 'Hel' });
  state = reduce(state, { type: 'generationToken', generationId: 7, text: 'lo' });
  assert.equal(state.columns.adapter?.text, 'Hello');
  assert.equal(state.columns.adapter?.status, 'streaming');
  state = reduce(state, { type: 'generationEnd', generationId: 7, finishReason: 'end-token', generatedTokens: 2, tokensPerSecond: 50, timeToFirstTokenMs: 12 });
  assert.deepEqual(
    { status: state.columns.adapter?.status, tokens: state.columns.adapter?.generatedTokens, rate: state.columns.adapter?.tokensPerSecond, reason: state.columns.adapter?.finishReason },
    { status: 'done', tokens: 2, rate: 50, reason: 'end-token' },
  );
  assert.equal(state.columns.base, undefined);
});

test('tokens of a replaced (cancelled) generation are dropped', () => {
  let state = reduce(initialViewState(), { type: 'generationStart', generationId: 1, slot: 'base', label: 'tiny' });
  state = reduce(state, { type: 'generationToken', generationId: 1, text: 'old' });
  state = reduce(state, { type: 'generationStart', generationId: 2, slot: 'base', label: 'tiny' });
  const before = state;
  state = reduce(state, { type: 'generationToken', generationId: 1, text: ' late' });
  assert.equal(state, before);
  state = reduce(state, { type: 'generationToken', generationId: 2, text: 'new' });
  assert.equal(state.columns.base?.text, 'new');
});

test('a changed prompt clears the answers; an edit of the reference alone keeps them', () => {
  let state = reduce(initialViewState(), { type: 'record', record: record('Hi', 'a') });
  state = reduce(state, { type: 'generationStart', generationId: 1, slot: 'base', label: 'tiny' });
  state = reduce(state, { type: 'record', record: record('Hi', 'a longer reference') });
  assert.notEqual(state.columns.base, undefined);
  state = reduce(state, { type: 'record', record: record('Hi there') });
  assert.deepEqual(state.columns, {});
});

test('generation errors are kept in the column', () => {
  let state = reduce(initialViewState(), { type: 'generationStart', generationId: 3, slot: 'compare', label: 'x' });
  state = reduce(state, { type: 'generationError', generationId: 3, message: 'engine exited' });
  assert.equal(state.columns.compare?.status, 'error');
  assert.equal(state.columns.compare?.error, 'engine exited');
});

test('training events build the chart history and the run summary', () => {
  let training = startTraining('run-1', 'd.jsonl', 'tiny');
  const events: TrainingEvent[] = [
    { type: 'started', totalSteps: 10, resumedFromStep: 0, device: 'cpu', parameters: 1000, trainableParameters: 10 },
    { type: 'step', step: 1, totalSteps: 10, epoch: 0.1, loss: 7.5, learningRate: 0.003, gradNorm: 1, tokensPerSecond: 900, elapsedSeconds: 1, etaSeconds: 9, memoryBytes: 1, peakMemoryBytes: 1 },
    { type: 'step', step: 2, totalSteps: 10, epoch: 0.2, loss: 6.5, learningRate: 0.003, gradNorm: 1, tokensPerSecond: 950, elapsedSeconds: 2, etaSeconds: 8, memoryBytes: 1, peakMemoryBytes: 1 },
    { type: 'eval', step: 2, evalLoss: 6.9, evalTokens: 40 },
    { type: 'log', message: 'ignored' },
  ];
  for (const event of events) training = applyTrainingEvent(training, event);
  assert.equal(training.status, 'running');
  assert.equal(training.device, 'cpu');
  assert.deepEqual(training.trainLoss, [{ step: 1, loss: 7.5 }, { step: 2, loss: 6.5 }]);
  assert.deepEqual(training.evalLoss, [{ step: 2, loss: 6.9 }]);
  assert.equal(training.etaSeconds, 8);
  assert.equal(training.tokensPerSecond, 950);
});

test('a resumed run drops the points after the step it resumes from', () => {
  let training = { ...startTraining('r', 'd', 'm'), trainLoss: [{ step: 1, loss: 3 }, { step: 2, loss: 2 }, { step: 3, loss: 1 }] };
  training = applyTrainingEvent(training, { type: 'started', totalSteps: 10, resumedFromStep: 2, device: 'cpu', parameters: 1, trainableParameters: 1 });
  assert.deepEqual(training.trainLoss.map((point) => point.step), [1, 2]);
  assert.equal(training.step, 2);
});

test('events of another run do not touch the panel snapshot', () => {
  let state = reduce(initialViewState(), { type: 'training', training: startTraining('run-a', 'd', 'm') });
  const before = state;
  state = reduce(state, { type: 'trainingEvent', runId: 'run-b', event: { type: 'eval', step: 1, evalLoss: 1, evalTokens: 1 } });
  assert.equal(state, before);
});

test('the chart history stays bounded on a long run', () => {
  let training = startTraining('r', 'd', 'm');
  for (let step = 1; step <= maxChartPoints * 3; step++) {
    training = applyTrainingEvent(training, { type: 'step', step, totalSteps: maxChartPoints * 3, epoch: 0, loss: 1 / step, learningRate: 0, gradNorm: 0, tokensPerSecond: 0, elapsedSeconds: 0, etaSeconds: 0, memoryBytes: 0, peakMemoryBytes: 0 });
  }
  assert.ok(training.trainLoss.length <= maxChartPoints, `kept ${training.trainLoss.length}`);
  assert.equal(training.trainLoss[training.trainLoss.length - 1]?.step, maxChartPoints * 3);
  assert.equal(training.trainLoss[0]?.step, 1);
});

test('non-finite losses are not charted', () => {
  const training = applyTrainingEvent(startTraining('r', 'd', 'm'), { type: 'step', step: 1, totalSteps: 2, epoch: 0, loss: Number.NaN, learningRate: 0, gradNorm: 0, tokensPerSecond: 0, elapsedSeconds: 0, etaSeconds: 0, memoryBytes: 0, peakMemoryBytes: 0 });
  assert.deepEqual(training.trainLoss, []);
  assert.equal(training.step, 1);
});
