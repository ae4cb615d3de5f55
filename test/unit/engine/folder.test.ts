import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelConfigError } from '../../../engine/src/model/config';
import { loadModelFolder, ModelFolderError } from '../../../engine/src/model/folder';
import { readSafetensorsHeader, readTensorBytes, writeSafetensors } from '../../../engine/src/model/safetensors';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { removeTempDirs, smallModel, tempDir } from './helpers';

after(removeTempDirs);

const TOKENS = [1, 2, 3, 4];

async function logitsOf(dir: string): Promise<Float32Array> {
  const model = await LoadedModel.load(dir, { device: 'cpu', logits: 'all', loraTargets: [] });
  try {
    return Float32Array.from((await model.forward(TOKENS)).logits);
  } finally {
    await model.release();
  }
}

describe('model folders', () => {
  const modelDir = smallModel({ arch: 'llama' });

  test('the Hugging Face cache layout (snapshots with symlinks into blobs) loads, by path and by org/name', async () => {
    const cache = tempDir('tunesmith-hf-cache-');
    const entry = path.join(cache, 'models--tunesmith--tiny');
    const revision = '0123456789abcdef0123456789abcdef01234567';
    fs.mkdirSync(path.join(entry, 'blobs'), { recursive: true });
    fs.mkdirSync(path.join(entry, 'snapshots', revision), { recursive: true });
    fs.mkdirSync(path.join(entry, 'refs'), { recursive: true });
    fs.writeFileSync(path.join(entry, 'refs', 'main'), revision);
    for (const [index, name] of fs.readdirSync(modelDir).entries()) {
      const blob = path.join(entry, 'blobs', `blob${index}`);
      fs.copyFileSync(path.join(modelDir, name), blob);
      fs.symlinkSync(path.join('..', '..', 'blobs', `blob${index}`), path.join(entry, 'snapshots', revision, name));
    }
    const expected = await logitsOf(modelDir);
    assert.equal(loadModelFolder(entry).dir, path.join(entry, 'snapshots', revision));
    assert.deepEqual(await logitsOf(entry), expected);
    const saved = process.env['HF_HUB_CACHE'];
    process.env['HF_HUB_CACHE'] = cache;
    try {
      assert.deepEqual(await logitsOf('tunesmith/tiny'), expected);
    } finally {
      if (saved === undefined) delete process.env['HF_HUB_CACHE'];
      else process.env['HF_HUB_CACHE'] = saved;
    }
  });

  test('sharded checkpoints (model.safetensors.index.json) load', async () => {
    const sharded = path.join(tempDir(), 'sharded');
    fs.mkdirSync(sharded);
    for (const name of fs.readdirSync(modelDir)) if (name !== 'model.safetensors') fs.copyFileSync(path.join(modelDir, name), path.join(sharded, name));
    const tensors = [...readSafetensorsHeader(path.join(modelDir, 'model.safetensors')).tensors.values()];
    const weightMap: Record<string, string> = {};
    const shards = [new Map(), new Map()];
    tensors.forEach((tensor, index) => {
      const shard = index % 2;
      shards[shard]!.set(tensor.name, { dtype: tensor.dtype, shape: tensor.shape, bytes: readTensorBytes(tensor) });
      weightMap[tensor.name] = `model-0000${shard + 1}-of-00002.safetensors`;
    });
    shards.forEach((shard, index) => writeSafetensors(path.join(sharded, `model-0000${index + 1}-of-00002.safetensors`), shard));
    fs.writeFileSync(path.join(sharded, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    assert.equal(loadModelFolder(sharded).weightFiles.length, 2);
    assert.deepEqual(await logitsOf(sharded), await logitsOf(modelDir));
  });

  test('an unsupported architecture is named, with the supported list', () => {
    const other = path.join(tempDir(), 'gpt2');
    fs.cpSync(modelDir, other, { recursive: true });
    const config = JSON.parse(fs.readFileSync(path.join(other, 'config.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(other, 'config.json'), JSON.stringify({ ...config, architectures: ['GPT2LMHeadModel'] }));
    assert.throws(() => loadModelFolder(other), (error: unknown) => {
      assert.ok(error instanceof ModelConfigError);
      assert.match(error.message, /GPT2LMHeadModel is not supported/);
      assert.match(error.message, /LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM/);
      return true;
    });
  });

  test('a folder without a model or without weights says what is missing', () => {
    assert.throws(() => loadModelFolder(path.join(tempDir(), 'nothing-here')), ModelFolderError);
    const noWeights = path.join(tempDir(), 'no-weights');
    fs.cpSync(modelDir, noWeights, { recursive: true });
    fs.rmSync(path.join(noWeights, 'model.safetensors'));
    fs.writeFileSync(path.join(noWeights, 'pytorch_model.bin'), '');
    assert.throws(() => loadModelFolder(noWeights), /PyTorch \.bin checkpoints are not supported/);
  });
});
