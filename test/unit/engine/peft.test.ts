import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { SeededRandom } from '../../../engine/src/generate/random';
import { AdapterError, type LoraAdapter, loadPeftAdapter, savePeftAdapter } from '../../../engine/src/lora/peft';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { moduleShape } from '../../../engine/src/model/decoder';
import { readSafetensorsHeader, writeSafetensors } from '../../../engine/src/model/safetensors';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { maxAbsDiff, removeTempDirs, smallModel, tempDir } from './helpers';
import { type ReferenceConfig, ReferenceModel } from './reference';

after(removeTempDirs);

const TOKENS = [3, 99, 250, 7, 401, 12];

function knownAdapter(dir: string, rank: number, alpha: number, seed: number): LoraAdapter {
  const config = loadModelFolder(dir).config;
  const random = new SeededRandom(seed);
  const modules = new Map<string, { a: Float32Array; b: Float32Array; rank: number; scale: number }>();
  const targets: [number, 'q_proj' | 'v_proj' | 'down_proj' | 'o_proj'][] = [[0, 'q_proj'], [0, 'v_proj'], [1, 'down_proj'], [1, 'o_proj']];
  for (const [layer, module] of targets) {
    const shape = moduleShape(config, module);
    const block = module === 'down_proj' ? 'mlp' : 'self_attn';
    modules.set(`model.layers.${layer}.${block}.${module}`, {
      a: Float32Array.from({ length: rank * shape.in }, () => random.normal() * 0.3),
      b: Float32Array.from({ length: shape.out * rank }, () => random.normal() * 0.3),
      rank,
      scale: alpha / rank,
    });
  }
  return { peftConfig: { r: rank, lora_alpha: alpha }, modules };
}

describe('LoRA adapters (PEFT format)', () => {
  const modelDir = smallModel({ arch: 'qwen2' });
  const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as ReferenceConfig;

  test('an adapter changes the logits exactly as W + (alpha/r) B A, and base outputs come from the same session', async () => {
    const adapterDir = path.join(tempDir(), 'adapter');
    savePeftAdapter(adapterDir, knownAdapter(modelDir, 4, 8, 11), 'tiny');
    const savedNames = [...readSafetensorsHeader(path.join(adapterDir, 'adapter_model.safetensors')).tensors.keys()];
    assert.ok(savedNames.includes('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'), savedNames.join(', '));
    assert.ok(savedNames.includes('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight'));
    const savedConfig = JSON.parse(fs.readFileSync(path.join(adapterDir, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(savedConfig['peft_type'], 'LORA');
    assert.equal(savedConfig['r'], 4);
    assert.equal(savedConfig['lora_alpha'], 8);
    assert.deepEqual(savedConfig['target_modules'], ['down_proj', 'o_proj', 'q_proj', 'v_proj']);

    const adapter = loadPeftAdapter(adapterDir, loadModelFolder(modelDir).config);
    const base = new ReferenceModel(config, path.join(modelDir, 'model.safetensors'));
    const baseLogits = base.forward(TOKENS);
    const merged = new ReferenceModel(config, path.join(modelDir, 'model.safetensors'));
    for (const [module, weights] of adapter.modules) merged.mergeLora(module, weights.a, weights.b, weights.rank, 8 / 4);
    const adaptedLogits = merged.forward(TOKENS);
    const flat = (rows: Float64Array[]): Float64Array => Float64Array.from(rows.flatMap((r) => Array.from(r)));

    const model = await LoadedModel.load(modelDir, { device: 'cpu', logits: 'all' });
    try {
      const withAdapter = await model.forward(TOKENS, undefined, adapter);
      const withoutAdapter = await model.forward(TOKENS);
      assert.ok(maxAbsDiff(withAdapter.logits, flat(adaptedLogits)) < 1e-4, `adapter: ${maxAbsDiff(withAdapter.logits, flat(adaptedLogits))}`);
      assert.ok(maxAbsDiff(withoutAdapter.logits, flat(baseLogits)) < 1e-4);
      assert.ok(maxAbsDiff(withAdapter.logits, withoutAdapter.logits) > 0.05, 'the adapter must change the logits');
      // A second adapter of another rank swaps in without reloading.
      const other = knownAdapter(modelDir, 2, 2, 12);
      const otherMerged = new ReferenceModel(config, path.join(modelDir, 'model.safetensors'));
      for (const [module, weights] of other.modules) otherMerged.mergeLora(module, weights.a, weights.b, weights.rank, 1);
      const swapped = await model.forward(TOKENS, undefined, other);
      assert.ok(maxAbsDiff(swapped.logits, flat(otherMerged.forward(TOKENS))) < 1e-4);
    } finally {
      await model.release();
    }
  });

  test('adapters for modules Tunesmith cannot apply get a clear error', () => {
    const adapterDir = path.join(tempDir(), 'embedding-adapter');
    fs.mkdirSync(adapterDir, { recursive: true });
    fs.writeFileSync(path.join(adapterDir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['embed_tokens'] }));
    writeSafetensors(
      path.join(adapterDir, 'adapter_model.safetensors'),
      new Map([
        ['base_model.model.model.embed_tokens.lora_A.weight', { dtype: 'float32', shape: [2, 512], bytes: new Uint8Array(2 * 512 * 4) }],
        ['base_model.model.model.embed_tokens.lora_B.weight', { dtype: 'float32', shape: [64, 2], bytes: new Uint8Array(64 * 2 * 4) }],
      ]),
    );
    // Caught from the tensors too when target_modules is a pattern.
    const patternDir = path.join(tempDir(), 'embedding-adapter-pattern');
    fs.cpSync(adapterDir, patternDir, { recursive: true });
    fs.writeFileSync(path.join(patternDir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: '.*embed.*' }));
    assert.throws(() => loadPeftAdapter(patternDir, loadModelFolder(modelDir).config), /cannot apply tensors for model\.embed_tokens/);
    assert.throws(() => loadPeftAdapter(adapterDir, loadModelFolder(modelDir).config), (error: unknown) => {
      assert.ok(error instanceof AdapterError);
      assert.match(error.message, /embed_tokens/);
      assert.match(error.message, /q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj/);
      return true;
    });
  });

  test('target_modules naming modules Tunesmith cannot apply are refused by name', () => {
    const adapterDir = path.join(tempDir(), 'lm-head-target');
    savePeftAdapter(adapterDir, knownAdapter(modelDir, 2, 2, 5));
    const configFile = path.join(adapterDir, 'adapter_config.json');
    const peftConfig = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configFile, JSON.stringify({ ...peftConfig, target_modules: ['q_proj', 'lm_head', 'mlp.down_proj'] }));
    assert.throws(() => loadPeftAdapter(adapterDir, loadModelFolder(modelDir).config), /target_modules lm_head cannot be applied/);
  });

  test('an adapter trained for another model shape is refused', () => {
    const adapterDir = path.join(tempDir(), 'wrong-shape');
    const adapter = knownAdapter(modelDir, 2, 2, 3);
    const [name, weights] = adapter.modules.entries().next().value!;
    adapter.modules.set(name, { ...weights, a: new Float32Array(2 * 32) });
    savePeftAdapter(adapterDir, adapter);
    assert.throws(() => loadPeftAdapter(adapterDir, loadModelFolder(modelDir).config), /another base model/);
  });
});
