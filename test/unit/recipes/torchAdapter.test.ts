/**
 * A LoRA adapter made from PyTorch tensors and written in PEFT naming by PyTorch code loads into the
 * engine and gives PyTorch's logits (a float64 Llama forward with the LoRA applied as PEFT applies it).
 * Skips with a message when PyTorch is not installed (Debian: apt install python3-torch).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadCompatibleAdapter } from '../../../engine/src/lora/compatibility';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { maxAbsDiff, removeTempDirs, tempDir } from '../engine/helpers';
import { fixtures } from './cases';

after(removeTempDirs);

/** The first interpreter that imports torch: python3 on PATH, else Debian's own (python3-torch installs there). */
function pythonWithTorch(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const python = pythonWithTorch();
const skip = python === undefined ? 'PyTorch is not installed (Debian: apt install python3-torch), so the PyTorch comparison is skipped' : false;

describe('an adapter written from PyTorch tensors in PEFT naming', { skip }, () => {
  it("gives PyTorch's logits in the engine", async (t) => {
    const root = tempDir('tunesmith-torch-adapter-');
    const modelDir = path.join(root, 'hub', 'models--tunesmith--tiny-llama', 'snapshots', 'abc');
    createTinyModel({
      arch: 'llama',
      seed: 11,
      vocabSize: 512,
      initStd: 0.1,
      randomizeNorms: true,
      out: modelDir,
      configOverrides: { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16 },
    });
    const tokens = [3, 200, 17, 42, 511, 0, 77];
    const adapterDir = path.join(root, 'torch-adapter');
    const run = spawnSync(python!, [path.join(fixtures, 'torch_lora_reference.py'), modelDir, adapterDir, 'tunesmith/tiny-llama', JSON.stringify(tokens)], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    const expected = (JSON.parse(run.stdout) as number[][]).flat();

    const folder = loadModelFolder(modelDir);
    const { adapter, report } = loadCompatibleAdapter(adapterDir, folder);
    assert.equal(report.base, 'same');
    assert.deepEqual(report.targetModules, ['q_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj']);
    const model = await LoadedModel.load(folder, { device: 'cpu', logits: 'all' });
    try {
      const adapted = await model.forward(tokens, undefined, adapter);
      const base = await model.forward(tokens);
      const diff = maxAbsDiff(adapted.logits, expected);
      t.diagnostic(`max |engine - PyTorch| = ${diff.toExponential(2)}`);
      assert.ok(diff < 1e-4, `max |engine - PyTorch| = ${diff}`);
      assert.ok(maxAbsDiff(base.logits, expected) > 0.05, 'the adapter changes the logits, so the comparison means something');
    } finally {
      await model.release();
    }
  });
});
