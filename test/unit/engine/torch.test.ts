import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { maxAbsDiff, removeTempDirs, smallModel } from './helpers';

after(removeTempDirs);

const SCRIPT = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'engine', 'torch_forward.py');

/** A python3 that can import torch: the one on PATH, or Debian's (python3-torch) when PATH has another. */
function pythonWithTorch(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

describe('PyTorch comparison', () => {
  test('one forward pass matches a PyTorch implementation of the same model', async (t) => {
    const python = pythonWithTorch();
    if (python === undefined) {
      t.skip('python3 cannot import torch (install Debian python3-torch): the PyTorch comparison is skipped');
      return;
    }
    const tokens = [10, 200, 31, 400, 5, 77, 300];
    for (const arch of ['qwen3', 'qwen2'] as const) {
      const dir = smallModel({
        arch,
        configOverrides: arch === 'qwen3' ? { rope_scaling: { rope_type: 'llama3', factor: 4, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 32 } } : { tie_word_embeddings: false },
      });
      const torchRun: SpawnSyncReturns<string> = spawnSync(python, [SCRIPT, dir, tokens.join(',')], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 2 ** 20 });
      assert.equal(torchRun.status, 0, torchRun.stderr);
      const expected = Float64Array.from((JSON.parse(torchRun.stdout) as number[][]).flat());
      const model = await LoadedModel.load(dir, { device: 'cpu', logits: 'all', loraTargets: [] });
      try {
        const { logits } = await model.forward(tokens);
        const diff = maxAbsDiff(logits, expected);
        assert.ok(diff < 1e-4, `${arch}: max |onnx - torch| = ${diff}`);
      } finally {
        await model.release();
      }
    }
  });
});
