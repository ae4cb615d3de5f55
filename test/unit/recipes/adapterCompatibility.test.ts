/**
 * Adapters from the field's trainers load into the engine and change its logits exactly as
 * W + (alpha/r) B A predicts (checked against the float64 reference forward pass with the LoRA
 * merged into the weights): adapters written by the project's own PEFT writer and by an independent
 * fixture writer, in f32 and bf16, with alpha_pattern and rsLoRA, from a plain folder, a trainer's
 * checkpoints and the Hugging Face cache layout; mismatched base models fail with clear messages.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdapterCompatibilityError, checkAdapterCompatibility, loadCompatibleAdapter, resolveAdapterDir } from '../../../engine/src/lora/compatibility';
import { type LoraAdapter, type LoraModuleWeights, savePeftAdapter } from '../../../engine/src/lora/peft';
import { type LoraModule, moduleName, moduleShape } from '../../../engine/src/model/decoder';
import { loadModelFolder, type ModelFolder } from '../../../engine/src/model/folder';
import { LoadedModel } from '../../../engine/src/runtime/model';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { maxAbsDiff, removeTempDirs, tempDir } from '../engine/helpers';
import { type ReferenceConfig, ReferenceModel } from '../engine/reference';
import { bfloat16Value, type FixtureTensor, peftAdapterConfig, peftTensorName, seededValues, writeAdapterFolder, writeHubCacheEntry } from './peftFixtures';

const TOKENS = [5, 300, 17, 42, 511, 0, 128, 9];
const MODEL_ID = 'tunesmith/tiny-llama';
const SMALL = { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16 };

interface ExpectedModule {
  module: string;
  a: Float32Array;
  b: Float32Array;
  rank: number;
  scale: number;
}

let root: string;
let hub: string;
let modelDir: string;
let folder: ModelFolder;
let model: LoadedModel;
let baseLogits: Float32Array;

function makeModel(dir: string, overrides: Record<string, unknown> = {}): void {
  createTinyModel({ arch: 'llama', seed: 7, vocabSize: 512, initStd: 0.1, randomizeNorms: true, out: dir, configOverrides: { ...SMALL, ...overrides } });
}

/** Logits of the float64 reference with each module's W replaced by W + scale * B A. */
function referenceLogits(modules: readonly ExpectedModule[]): Float64Array {
  const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as ReferenceConfig;
  const reference = new ReferenceModel(config, path.join(modelDir, 'model.safetensors'));
  for (const { module, a, b, rank, scale } of modules) reference.mergeLora(module, a, b, rank, scale);
  return Float64Array.from(reference.forward(TOKENS).flatMap((row) => Array.from(row)));
}

async function engineLogits(adapter: LoraAdapter): Promise<Float32Array> {
  return (await model.forward(TOKENS, undefined, adapter)).logits;
}

/** Random A [r, in] and B [out, r] for each (layer, module). */
function randomModules(pairs: readonly [number, LoraModule][], rank: number, seed: number): { module: string; kind: LoraModule; a: Float32Array; b: Float32Array; shape: { in: number; out: number } }[] {
  return pairs.map(([layer, kind], index) => {
    const shape = moduleShape(folder.config, kind);
    return {
      module: moduleName(layer, kind),
      kind,
      a: seededValues(seed + index * 2, rank * shape.in, 0.3),
      b: seededValues(seed + index * 2 + 1, shape.out * rank, 0.3),
      shape,
    };
  });
}

async function assertMatchesReference(adapter: LoraAdapter, expected: readonly ExpectedModule[]): Promise<void> {
  const actual = await engineLogits(adapter);
  const wanted = referenceLogits(expected);
  const diff = maxAbsDiff(actual, wanted);
  assert.ok(diff < 1e-4, `max |engine - (W + scale B A) reference| = ${diff}`);
  const change = maxAbsDiff(actual, baseLogits);
  assert.ok(change > 0.05, `the adapter must change the logits visibly (max change ${change})`);
}

before(async () => {
  root = tempDir('tunesmith-adapters-');
  hub = path.join(root, 'hub');
  // The selected model lies in the Hugging Face cache layout, so it is known as tunesmith/tiny-llama.
  modelDir = path.join(hub, 'models--tunesmith--tiny-llama', 'snapshots', '0123abcd');
  makeModel(modelDir);
  folder = loadModelFolder(modelDir);
  model = await LoadedModel.load(folder, { device: 'cpu', logits: 'all' });
  baseLogits = (await model.forward(TOKENS)).logits;
});

after(async () => {
  await model?.release();
  removeTempDirs();
});

/** The independent fixture: f32 tensors in PEFT naming, r 8, alpha 16, alpha_pattern o_proj -> 4. */
function independentFixture(dir: string, base: string | null, dtype: 'F32' | 'BF16' = 'F32', rsLora = false): ExpectedModule[] {
  const rank = 8;
  const modules = randomModules([[0, 'q_proj'], [0, 'o_proj'], [1, 'k_proj'], [1, 'gate_proj'], [1, 'up_proj']], rank, 1000);
  const tensors: FixtureTensor[] = [];
  const expected: ExpectedModule[] = [];
  for (const entry of modules) {
    const a = dtype === 'BF16' ? entry.a.map(bfloat16Value) : entry.a;
    const b = dtype === 'BF16' ? entry.b.map(bfloat16Value) : entry.b;
    tensors.push({ name: peftTensorName(entry.module, 'A'), dtype, shape: [rank, entry.shape.in], values: a });
    tensors.push({ name: peftTensorName(entry.module, 'B'), dtype, shape: [entry.shape.out, rank], values: b });
    const alpha = entry.kind === 'o_proj' ? 4 : 16;
    expected.push({ module: entry.module, a, b, rank, scale: rsLora ? alpha / Math.sqrt(rank) : alpha / rank });
  }
  const config = peftAdapterConfig({ base, r: rank, alpha: 16, targets: ['up_proj', 'q_proj', 'k_proj', 'o_proj', 'gate_proj'], rsLora, alphaPattern: { o_proj: 4 } });
  writeAdapterFolder(dir, config, tensors);
  return expected;
}

describe('PEFT adapters load and change the logits as W + (alpha/r) B A predicts', () => {
  it("from the project's own PEFT writer", async () => {
    const rank = 4;
    const modules = randomModules([[0, 'q_proj'], [0, 'v_proj'], [1, 'v_proj'], [1, 'down_proj']], rank, 1);
    const weights = new Map<string, LoraModuleWeights>(modules.map((entry) => [entry.module, { a: entry.a, b: entry.b, rank, scale: 2 }]));
    const dir = path.join(root, 'own-writer');
    savePeftAdapter(dir, { peftConfig: { r: rank, lora_alpha: 8 }, modules: weights }, MODEL_ID);
    const { adapter, report } = loadCompatibleAdapter(dir, folder);
    assert.equal(report.base, 'same');
    assert.deepEqual(report.targetModules, ['q_proj', 'v_proj', 'down_proj']);
    assert.equal(report.modules, 4);
    await assertMatchesReference(adapter, modules.map((entry) => ({ module: entry.module, a: entry.a, b: entry.b, rank, scale: 8 / rank })));
  });

  it('from an independently written fixture (f32, alpha_pattern)', async () => {
    const dir = path.join(root, 'fixture-f32');
    const expected = independentFixture(dir, MODEL_ID);
    const { adapter, report } = loadCompatibleAdapter(dir, folder);
    assert.equal(report.base, 'same');
    assert.equal(report.rank, 8);
    assert.equal(report.alpha, 16);
    await assertMatchesReference(adapter, expected);
  });

  it('from an independently written fixture (bf16, rsLoRA: alpha / sqrt(r))', async () => {
    const dir = path.join(root, 'fixture-bf16');
    const expected = independentFixture(dir, MODEL_ID, 'BF16', true);
    const { adapter } = loadCompatibleAdapter(dir, folder);
    await assertMatchesReference(adapter, expected);
  });

  it('from the Hugging Face cache layout (symlinked blobs), by folder and by repo id', async () => {
    const source = path.join(root, 'fixture-for-cache');
    const expected = independentFixture(source, MODEL_ID);
    const entry = writeHubCacheEntry(hub, 'someone/tiny-lora', source, 'feedbeef');
    assert.ok(fs.lstatSync(path.join(entry, 'snapshots', 'feedbeef', 'adapter_model.safetensors')).isSymbolicLink());
    const byFolder = loadCompatibleAdapter(entry, folder);
    assert.equal(byFolder.report.adapterDir, path.join(entry, 'snapshots', 'feedbeef'));
    await assertMatchesReference(byFolder.adapter, expected);
    const previous = process.env['HF_HUB_CACHE'];
    process.env['HF_HUB_CACHE'] = hub;
    try {
      const byId = loadCompatibleAdapter('someone/tiny-lora', folder);
      await assertMatchesReference(byId.adapter, expected);
    } finally {
      if (previous === undefined) delete process.env['HF_HUB_CACHE'];
      else process.env['HF_HUB_CACHE'] = previous;
    }
  });

  it("takes a trainer output folder's latest checkpoint when there is no final adapter yet", () => {
    const output = path.join(root, 'outputs');
    independentFixture(path.join(output, 'checkpoint-50'), MODEL_ID);
    independentFixture(path.join(output, 'checkpoint-200'), MODEL_ID);
    independentFixture(path.join(output, 'checkpoint-100'), MODEL_ID);
    const { dir, notes } = resolveAdapterDir(output);
    assert.equal(dir, path.join(output, 'checkpoint-200'));
    assert.match(notes[0] ?? '', /latest checkpoint, checkpoint-200/);
  });

  it('accepts the quantised variant a trainer names (unsloth/...-bnb-4bit) as the same base', () => {
    const dir = path.join(root, 'qlora');
    independentFixture(dir, 'unsloth/tiny-llama-bnb-4bit');
    assert.equal(checkAdapterCompatibility(dir, folder).base, 'same');
  });
});

describe('adapters for another base model fail with a clear message', () => {
  it('names both models when the adapter was trained on another base of the same shape', () => {
    const dir = path.join(root, 'other-base');
    independentFixture(dir, 'Qwen/Qwen2.5-0.5B-Instruct');
    assert.throws(
      () => loadCompatibleAdapter(dir, folder),
      (error: unknown) =>
        error instanceof AdapterCompatibilityError &&
        error.problem === 'base-mismatch' &&
        error.message.includes('trained on Qwen/Qwen2.5-0.5B-Instruct') &&
        error.message.includes('the selected model is tunesmith/tiny-llama'),
    );
    const forced = loadCompatibleAdapter(dir, folder, { allowOtherBase: true });
    assert.equal(forced.report.base, 'different');
    assert.match(forced.report.notes.join('\n'), /loaded anyway as asked/);
  });

  it('says which shapes differ when the adapter was trained for a model of another size', () => {
    const dir = path.join(root, 'for-small');
    independentFixture(dir, MODEL_ID);
    const biggerDir = path.join(hub, 'models--tunesmith--tiny-llama-wide', 'snapshots', 'rev');
    makeModel(biggerDir, { hidden_size: 96, num_attention_heads: 6, num_key_value_heads: 2 });
    const bigger = loadModelFolder(biggerDir);
    assert.throws(
      () => loadCompatibleAdapter(dir, bigger),
      (error: unknown) =>
        error instanceof AdapterCompatibilityError &&
        error.problem === 'shape-mismatch' &&
        /model\.layers\.0\.self_attn\.q_proj: the adapter's lora_A is \[8, 64\]/.test(error.message) &&
        error.message.includes('tunesmith/tiny-llama-wide needs [r, 96]') &&
        error.message.includes(`trained for ${MODEL_ID}`),
    );
  });

  it('refuses layers the model does not have, embeddings, modules_to_save and DoRA with what to do', () => {
    const deeper = path.join(root, 'deeper');
    const shape = moduleShape(folder.config, 'q_proj');
    writeAdapterFolder(deeper, peftAdapterConfig({ base: 'big/model', r: 2, alpha: 2, targets: ['q_proj'] }), [
      { name: peftTensorName('model.layers.5.self_attn.q_proj', 'A'), dtype: 'F32', shape: [2, shape.in], values: new Float32Array(2 * shape.in) },
      { name: peftTensorName('model.layers.5.self_attn.q_proj', 'B'), dtype: 'F32', shape: [shape.out, 2], values: new Float32Array(2 * shape.out) },
    ]);
    assert.throws(() => loadCompatibleAdapter(deeper, folder), /layer 5, but the selected model tunesmith\/tiny-llama has 2 layers: the adapter was trained for big\/model/);

    const embeddings = path.join(root, 'embeddings');
    writeAdapterFolder(embeddings, peftAdapterConfig({ base: MODEL_ID, r: 2, alpha: 2, targets: ['embed_tokens'] }), []);
    assert.throws(() => loadCompatibleAdapter(embeddings, folder), /target_modules includes embed_tokens; Tunesmith applies LoRA to q_proj/);

    const saved = path.join(root, 'modules-to-save');
    writeAdapterFolder(saved, { ...peftAdapterConfig({ base: MODEL_ID, r: 2, alpha: 2, targets: ['q_proj'] }), modules_to_save: ['lm_head'] }, []);
    assert.throws(() => loadCompatibleAdapter(saved, folder), (error: unknown) => error instanceof AdapterCompatibilityError && error.problem === 'unsupported' && /modules_to_save \(lm_head\)/.test(error.message));

    const dora = path.join(root, 'dora');
    writeAdapterFolder(dora, { ...peftAdapterConfig({ base: MODEL_ID, r: 2, alpha: 2, targets: ['q_proj'] }), use_dora: true }, []);
    assert.throws(() => loadCompatibleAdapter(dora, folder), /DoRA adapters/);
  });

  it('says what it expected when the folder holds no adapter', () => {
    assert.throws(() => resolveAdapterDir(path.join(root, 'nothing-here')), /no PEFT adapter at .*adapter_config\.json and adapter_model\.safetensors/);
  });

  it('checks only the shapes, and says so, when the model has no name to compare', async () => {
    const plainDir = path.join(root, 'plain-model');
    makeModel(plainDir);
    const plain = loadModelFolder(plainDir);
    const dir = path.join(root, 'for-plain');
    independentFixture(dir, 'meta-llama/Llama-3.2-1B');
    const { report } = loadCompatibleAdapter(dir, plain);
    assert.equal(report.base, 'unverified');
    assert.match(report.notes.join('\n'), /carries no name to compare, so only the shapes were checked/);
  });
});
