import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { EngineClient } from '../../../engine/src/client';
import { parseTuneArgs } from '../../../cli/src/commands/tune';
import { UsageError } from '../../../cli/src/command';
import type { TrainingEvent } from '../../../protocol/messages';

const cli = path.resolve(__dirname, '../../../cli/src/tunesmith.js');
const fixture = path.resolve(__dirname, '../../../../test/fixtures/training/instructions.jsonl');

test('tune arguments map onto the training request, and bad ones are usage errors', () => {
  const parsed = parseTuneArgs(['a.jsonl', 'b.json', '--model', 'm', '--out', 'o', '--steps', '5', '--lr', '1e-3', '--targets', 'q,v_proj', '--eval-split', '0.1', '--no-pack', '--resume', '--json']);
  assert.ok(parsed !== 'help');
  assert.deepEqual(parsed.request.datasets, [path.resolve('a.jsonl'), path.resolve('b.json')]);
  assert.equal(parsed.request.steps, 5);
  assert.equal(parsed.request.learningRate, 1e-3);
  assert.deepEqual(parsed.request.targets, ['q', 'v']);
  assert.equal(parsed.request.evalSplit, 0.1);
  assert.equal(parsed.request.pack, false);
  assert.equal(parsed.request.resume, true);
  assert.equal(parsed.json, true);
  assert.throws(() => parseTuneArgs(['a.jsonl', '--model', 'm', '--out', 'o', '--epochs', '1', '--steps', '2']), UsageError);
  assert.throws(() => parseTuneArgs(['a.jsonl', '--model', 'm', '--out', 'o', '--targets', 'q,attn']), /unknown: attn/);
  assert.throws(() => parseTuneArgs(['--model', 'm', '--out', 'o']), /at least one dataset/);
  assert.throws(() => parseTuneArgs(['a.jsonl', '--model', 'm', '--out', 'o', '--lr', 'fast']), /--lr must be a number/);
});

test('tunesmith tune stops with exit 2 on a tunesmith.json that does not parse, naming its line and column (as lint does)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-tunecli-config-'));
  try {
    const data = path.join(root, 'data.jsonl');
    fs.copyFileSync(fixture, data);
    fs.writeFileSync(path.join(root, 'tunesmith.json'), '{\n  "rules": { "whitespace": "error", }\n}\n');
    // The model is never loaded: the config is checked first.
    const run = spawnSync(process.execPath, [cli, 'tune', data, '--model', path.join(root, 'no-model'), '--out', path.join(root, 'adapter')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 2);
    assert.equal(run.stderr.split('\n')[0], `tunesmith: ${path.join(root, 'tunesmith.json')}:2:37: not valid JSON: Unexpected '}': expected a property name (trailing comma?). Nothing was done: fix the file first (running with the defaults would use settings nobody chose).`);
    assert.equal(fs.existsSync(path.join(root, 'adapter')), false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('tunesmith tune --json prints one JSON object per event and ends with a summary', { timeout: 120_000 }, () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-tunecli-'));
  try {
    const model = createTinyModel({ out: path.join(root, 'model'), arch: 'qwen3', seed: 3 }).dir;
    const out = path.join(root, 'adapter');
    const run = spawnSync(process.execPath, [cli, 'tune', fixture, '--model', model, '--out', out, '--steps', '3', '--eval-split', '0.25', '--eval-every', '2', '--json'], { encoding: 'utf8', timeout: 100_000 });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
    assert.equal(lines[0]!.type, 'data');
    assert.deepEqual(lines.filter((l) => l.type === 'step').map((l) => l['step']), [1, 2, 3]);
    assert.ok(lines.some((l) => l.type === 'eval' && l['step'] === 2), 'an evaluation at step 2');
    const summary = lines[lines.length - 1]!;
    assert.equal(summary.type, 'summary');
    assert.equal(summary['steps'], 3);
    assert.equal(summary['adapterPath'], out);
    assert.equal(typeof summary['finalEvalLoss'], 'number');
    assert.ok(fs.existsSync(path.join(out, 'adapter_model.safetensors')));

    const bad = spawnSync(process.execPath, [cli, 'tune', path.join(root, 'missing.jsonl'), '--model', model, '--out', out, '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /cannot read .*missing\.jsonl/);
    assert.equal(spawnSync(process.execPath, [cli, 'tune', '--model', model], { encoding: 'utf8' }).status, 2);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('cancelling a run stops it within a step and keeps a checkpoint', { timeout: 120_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-cancel-'));
  const engine = new EngineClient();
  try {
    const model = createTinyModel({ out: path.join(root, 'model'), arch: 'llama', seed: 3 }).dir;
    const out = path.join(root, 'adapter');
    const controller = new AbortController();
    let abortedAt = 0;
    let stepsAfterAbort = 0;
    const summary = await engine.request(
      'engine/train/start',
      { datasets: [fixture], model, out, steps: 10_000, checkpointEvery: 0 },
      {
        signal: controller.signal,
        onNotification: (_method, params) => {
          const event = params as TrainingEvent;
          if (event.type !== 'step') return;
          if (abortedAt > 0) stepsAfterAbort++;
          if (event.step === 3) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    const latency = performance.now() - abortedAt;
    assert.equal(summary.cancelled, true);
    assert.equal(summary.adapterPath, null);
    assert.ok(summary.steps >= 3 && summary.steps <= 5, `stopped at step ${summary.steps}`);
    assert.ok(stepsAfterAbort <= 1, `${stepsAfterAbort} steps ran after the cancel`);
    assert.ok(latency < 2000, `cancel took ${latency.toFixed(0)} ms`);
    assert.ok(fs.existsSync(path.join(out, 'checkpoint.safetensors')), 'a checkpoint to resume from');
  } finally {
    await engine.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('Ctrl-C on tunesmith tune stops the run with exit code 130', { timeout: 120_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-sigint-'));
  try {
    const model = createTinyModel({ out: path.join(root, 'model'), arch: 'llama', seed: 3 }).dir;
    const child = spawn(process.execPath, [cli, 'tune', fixture, '--model', model, '--out', path.join(root, 'adapter'), '--steps', '100000', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!interrupted && output.includes('"type":"step"')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 130);
    const summary = JSON.parse(output.trim().split('\n').pop()!) as { type: string; cancelled: boolean };
    assert.equal(summary.type, 'summary');
    assert.equal(summary.cancelled, true);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
