import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { datasetAdaptersFolder, datasetKey, exportAdapter, listDatasetAdapters, runFolderName, unfinishedRun, writeRunInfo } from '../../../client/src/preview/adapterStore';
import { chooseModel, huggingFaceHubFolder, inspectModelFolder, listCachedModels } from '../../../client/src/preview/modelCatalog';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';

let temp = '';
before(() => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-catalog-'));
});
after(() => fs.rmSync(temp, { recursive: true, force: true }));

test('the hub folder honours HF_HUB_CACHE, then HF_HOME, then ~/.cache/huggingface', () => {
  assert.equal(huggingFaceHubFolder({ HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' }, '/home/u'), '/x/hub');
  assert.equal(huggingFaceHubFolder({ HF_HOME: '/y' }, '/home/u'), path.join('/y', 'hub'));
  assert.equal(huggingFaceHubFolder({}, '/home/u'), path.join('/home/u', '.cache', 'huggingface', 'hub'));
});

test('cached models are listed, supported first, unsupported with the reason', () => {
  const hub = path.join(temp, 'hub');
  // A supported model in the cache layout: snapshots/REV plus refs/main.
  const entry = path.join(hub, 'models--acme--tiny-chat');
  const snapshot = path.join(entry, 'snapshots', 'abc123');
  createTinyModel({ out: snapshot, arch: 'llama', seed: 1 });
  fs.mkdirSync(path.join(entry, 'refs'), { recursive: true });
  fs.writeFileSync(path.join(entry, 'refs', 'main'), 'abc123');
  // An architecture the engine does not run.
  const gpt2 = path.join(hub, 'models--openai--gpt2', 'snapshots', 'r1');
  fs.mkdirSync(gpt2, { recursive: true });
  fs.writeFileSync(path.join(gpt2, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
  // Weights only as a PyTorch .bin.
  const binOnly = path.join(hub, 'models--acme--bin-only', 'snapshots', 'r1');
  createTinyModel({ out: binOnly, arch: 'qwen2', seed: 2 });
  fs.renameSync(path.join(binOnly, 'model.safetensors'), path.join(binOnly, 'pytorch_model.bin'));

  const models = listCachedModels(hub);
  assert.deepEqual(models.map((model) => model.name), ['acme/tiny-chat', 'acme/bin-only', 'openai/gpt2']);
  assert.equal(models[0]?.unsupportedReason, undefined);
  assert.equal(models[0]?.path, snapshot);
  assert.equal(models[0]?.architecture, 'LlamaForCausalLM');
  assert.ok((models[0]?.weightBytes ?? 0) > 1000);
  assert.match(models[1]?.unsupportedReason ?? '', /PyTorch \.bin/);
  assert.match(models[2]?.unsupportedReason ?? '', /GPT2LMHeadModel/);
  assert.deepEqual(listCachedModels(path.join(temp, 'no-such-hub')), []);
});

test('a folder without a model says so', () => {
  const empty = path.join(temp, 'empty');
  fs.mkdirSync(empty);
  assert.match(inspectModelFolder(empty).unsupportedReason ?? '', /config\.json/);
});

test('adapters of a dataset: listed newest first, unfinished runs found, exported as PEFT files', () => {
  const storage = path.join(temp, 'storage');
  const dataset = path.join(temp, 'data', 'chat.jsonl');
  assert.equal(datasetKey(dataset), datasetKey(path.join(temp, 'data', '.', 'chat.jsonl')));
  assert.notEqual(datasetKey(dataset), datasetKey(path.join(temp, 'other', 'chat.jsonl')));
  const folder = datasetAdaptersFolder(storage, dataset);
  const older = path.join(folder, runFolderName(new Date('2026-01-01T10:00:00Z')));
  const newer = path.join(folder, runFolderName(new Date('2026-01-02T10:00:00Z')));
  for (const [run, loss] of [[older, 2.5], [newer, 1.25]] as const) {
    fs.mkdirSync(run, { recursive: true });
    fs.writeFileSync(path.join(run, 'adapter_config.json'), '{"r":8}');
    fs.writeFileSync(path.join(run, 'adapter_model.safetensors'), 'weights');
    writeRunInfo(run, { dataset, model: 'm', createdAt: path.basename(run) === path.basename(older) ? '2026-01-01T10:00:00Z' : '2026-01-02T10:00:00Z', steps: 10, finalLoss: loss, finalEvalLoss: null, seconds: 1 });
  }
  const listed = listDatasetAdapters(storage, dataset);
  assert.deepEqual(listed.map((adapter) => [adapter.name, adapter.finalLoss]), [[path.basename(newer), 1.25], [path.basename(older), 2.5]]);
  assert.equal(unfinishedRun(storage, dataset, 'checkpoint.safetensors'), undefined);
  const cancelled = path.join(folder, runFolderName(new Date('2026-01-03T10:00:00Z')));
  fs.mkdirSync(cancelled);
  fs.writeFileSync(path.join(cancelled, 'checkpoint.safetensors'), 'ckpt');
  assert.equal(unfinishedRun(storage, dataset, 'checkpoint.safetensors'), cancelled);
  const exported = path.join(temp, 'exported');
  const written = exportAdapter(newer, exported).map((file) => path.basename(file)).sort();
  assert.deepEqual(written, ['adapter_config.json', 'adapter_model.safetensors', 'tunesmith-run.json']);
  assert.equal(fs.readFileSync(path.join(exported, 'adapter_model.safetensors'), 'utf8'), 'weights');
  assert.deepEqual(fs.readdirSync(exported).filter((name) => name.endsWith('.tmp')), []);
  assert.throws(() => exportAdapter(cancelled, path.join(temp, 'x')), /not a PEFT adapter folder/);
});

test('the preview model: your own pick first, then tunesmith.model; a workspace-named model only when trusted', () => {
  const base = { picked: undefined, workspaceValue: 'models/team-model', userValue: '/home/u/my-model', trusted: true, workspaceFolder: '/w' };
  assert.equal(chooseModel(base), path.join('/w', 'models/team-model'));
  assert.equal(chooseModel({ ...base, trusted: false }), '/home/u/my-model');
  assert.equal(chooseModel({ ...base, trusted: false, userValue: null }), undefined);
  assert.equal(chooseModel({ ...base, picked: '/picked' }), '/picked');
  assert.equal(chooseModel({ ...base, workspaceValue: undefined }), '/home/u/my-model');
  assert.equal(chooseModel({ ...base, workspaceValue: '  ', userValue: undefined }), undefined);
});
