// The tiny model's weight scale: the default lets it learn; --init-std changes it; bad values are usage errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { readSafetensorsHeader, readTensorAsFloat32 } from '../../../engine/src/model/safetensors';
import { TINY_INIT_STD } from '../../../engine/src/tiny/createTinyModel';
import { removeTempDirs, tempDir } from './helpers';

after(removeTempDirs);

const CLI = path.join(__dirname, '..', '..', '..', 'cli', 'src', 'tunesmith.js');

function tunesmith(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function standardDeviation(dir: string, tensor: string): number {
  const location = readSafetensorsHeader(path.join(dir, 'model.safetensors')).tensors.get(tensor);
  assert.ok(location !== undefined, `${tensor} is in the checkpoint`);
  const values = readTensorAsFloat32(location);
  let sum = 0;
  let squares = 0;
  for (const value of values) {
    sum += value;
    squares += value * value;
  }
  const mean = sum / values.length;
  return Math.sqrt(squares / values.length - mean * mean);
}

test('create-tiny-model draws weights at std 0.1 by default, and at --init-std when given', () => {
  assert.equal(TINY_INIT_STD, 0.1);
  const byDefault = path.join(tempDir(), 'default');
  const made = tunesmith('create-tiny-model', '--out', byDefault);
  assert.equal(made.status, 0, made.stderr);
  const narrow = path.join(tempDir(), 'narrow');
  assert.equal(tunesmith('create-tiny-model', '--out', narrow, '--init-std', '0.02').status, 0);
  for (const tensor of ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight', 'model.layers.3.mlp.down_proj.weight']) {
    assert.ok(Math.abs(standardDeviation(byDefault, tensor) - 0.1) < 0.005, `${tensor}: ${standardDeviation(byDefault, tensor)}`);
    assert.ok(Math.abs(standardDeviation(narrow, tensor) - 0.02) < 0.001, `${tensor}: ${standardDeviation(narrow, tensor)}`);
  }
});

test('create-tiny-model rejects an --init-std that is not a positive number', () => {
  for (const bad of ['0', '-0.1', 'abc', '']) {
    const run = tunesmith('create-tiny-model', '--out', path.join(tempDir(), 'bad'), `--init-std=${bad}`);
    assert.equal(run.status, 2, `--init-std '${bad}' exits 2`);
    assert.match(run.stderr, /--init-std must be a number above 0/);
  }
});
