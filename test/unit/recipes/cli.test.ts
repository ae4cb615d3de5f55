/**
 * `tunesmith export-recipe` end to end (the compiled CLI in a child process), with the arguments the
 * extension command builds: what it writes, what it prints with --json, and its exit codes.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as YAML from 'yaml';
import { adapterOutputDir, exportRecipeArguments, parseWrittenRecipes, programOf } from '../../../client/src/recipes/recipeArguments';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { removeTempDirs, tempDir } from '../engine/helpers';
import { fixtures } from './cases';

after(removeTempDirs);

const cli = path.resolve(__dirname, '../../../cli/src/tunesmith.js');
const data = path.join(fixtures, 'data');

function tunesmith(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('tunesmith export-recipe', () => {
  it('writes all three recipes with the settings the extension passes, and lists them as JSON', () => {
    const out = tempDir('tunesmith-recipe-cli-');
    const args = exportRecipeArguments({
      datasets: [path.join(data, 'openai-chat.jsonl'), path.join(data, 'sharegpt.json')],
      target: 'all',
      model: 'Qwen/Qwen2.5-7B-Instruct',
      outDir: out,
      settings: { rank: 16, alpha: 32, epochs: 2, learningRate: 0.001, evalSplit: 0.2 },
    });
    const run = tunesmith(args, data);
    assert.equal(run.status, 0, run.stderr);
    const written = parseWrittenRecipes(run.stdout);
    assert.deepEqual(written.map((recipe) => recipe.target), ['axolotl', 'llamafactory', 'trl']);
    assert.deepEqual(written.map((recipe) => programOf(recipe.command)), ['accelerate', 'llamafactory-cli', 'accelerate']);
    for (const recipe of written) {
      assert.equal(recipe.folder, path.join(out, recipe.target));
      for (const file of recipe.files) assert.ok(fs.existsSync(file), file);
      const main = fs.readFileSync(recipe.files[0]!, 'utf8');
      assert.equal(adapterOutputDir(main), 'outputs/tunesmith-lora');
    }
    const axolotl = YAML.parse(fs.readFileSync(path.join(out, 'axolotl', 'axolotl.yaml'), 'utf8')) as Record<string, unknown>;
    assert.equal(axolotl['base_model'], 'Qwen/Qwen2.5-7B-Instruct');
    assert.equal(axolotl['lora_r'], 16);
    assert.equal(axolotl['lora_alpha'], 32);
    assert.equal(axolotl['num_epochs'], 2);
    assert.equal(axolotl['learning_rate'], 0.001);
    assert.equal(axolotl['val_set_size'], 0.2);
    // Dataset paths are relative to the recipe folder, where the trainer runs.
    assert.equal(path.resolve(out, 'axolotl', (axolotl['datasets'] as { path: string }[])[0]!.path), path.join(data, 'openai-chat.jsonl'));
    const factory = YAML.parse(fs.readFileSync(path.join(out, 'llamafactory', 'llamafactory_train.yaml'), 'utf8')) as Record<string, unknown>;
    assert.equal(factory['lora_rank'], 16);
    assert.equal(factory['val_size'], 0.2);
    const info = JSON.parse(fs.readFileSync(path.join(out, 'llamafactory', 'dataset_info.json'), 'utf8')) as Record<string, { file_name: string }>;
    // LLaMA-Factory resolves file_name against dataset_dir '.', the recipe folder.
    assert.ok(fs.existsSync(path.resolve(out, 'llamafactory', info['openai_chat']!.file_name)));
  });

  it('names a local model by its Hugging Face id and counts tokens with its tokenizer', () => {
    const root = tempDir('tunesmith-recipe-model-');
    const modelDir = path.join(root, 'hub', 'models--tunesmith--tiny-qwen', 'snapshots', 'r1');
    createTinyModel({ out: modelDir, arch: 'qwen3', seed: 1 });
    const out = path.join(root, 'recipe');
    const run = tunesmith(['export-recipe', path.join(data, 'alpaca.json'), '--target', 'llamafactory', '--model', modelDir, '--out', out, '--labels', 'last-assistant', '--sequence-length', '512'], data);
    assert.equal(run.status, 0, run.stderr);
    const text = fs.readFileSync(path.join(out, 'llamafactory_train.yaml'), 'utf8');
    const recipe = YAML.parse(text) as Record<string, unknown>;
    assert.equal(recipe['model_name_or_path'], 'tunesmith/tiny-qwen');
    assert.equal(recipe['template'], 'qwen3', 'from the Qwen3ForCausalLM architecture');
    assert.equal(recipe['mask_history'], true);
    assert.equal(recipe['cutoff_len'], 512);
    assert.doesNotMatch(text, /\(estimated\)/, "token counts come from the model's tokenizer");
    assert.match(run.stdout, /llamafactory: wrote/);
  });

  it('exits 2 on usage errors and 1 with a clear message when the target cannot take the data', () => {
    const cwd = tempDir('tunesmith-recipe-errors-');
    const noTarget = tunesmith(['export-recipe', path.join(data, 'alpaca.json'), '--model', 'org/model'], cwd);
    assert.equal(noTarget.status, 2);
    assert.match(noTarget.stderr, /--target is required/);
    const badTarget = tunesmith(['export-recipe', path.join(data, 'alpaca.json'), '--target', 'unsloth', '--model', 'org/model'], cwd);
    assert.equal(badTarget.status, 2);
    assert.match(badTarget.stderr, /unknown target 'unsloth'/);
    const badTargets = tunesmith(['export-recipe', path.join(data, 'alpaca.json'), '--target', 'trl', '--model', 'org/model', '--targets', 'q,lm_head'], cwd);
    assert.equal(badTargets.status, 2);
    assert.match(badTargets.stderr, /unknown module 'lm_head'/);
    const preference = tunesmith(['export-recipe', path.join(data, 'preference-openai.jsonl'), '--target', 'axolotl', '--model', 'org/model', '--out', path.join(cwd, 'r')], cwd);
    assert.equal(preference.status, 1);
    assert.match(preference.stderr, /no Axolotl DPO type reads OpenAI's DPO layout/);
    assert.equal(fs.existsSync(path.join(cwd, 'r', 'axolotl.yaml')), false, 'nothing is written when the recipe fails');
    const noModel = tunesmith(['export-recipe', path.join(data, 'alpaca.json'), '--target', 'trl', '--model', path.join(cwd, 'missing-folder')], cwd);
    assert.equal(noModel.status, 1);
    assert.match(noModel.stderr, /no model at/);
  });

  it('exits 2 on a tunesmith.json that does not parse, naming its line and column (as lint does)', () => {
    const cwd = tempDir('tunesmith-recipe-config-');
    fs.writeFileSync(path.join(cwd, 'tunesmith.json'), '{\n  "model": "org/model",\n}\n');
    const run = tunesmith(['export-recipe', path.join(data, 'alpaca.json'), '--target', 'trl', '--out', path.join(cwd, 'r')], cwd);
    assert.equal(run.status, 2);
    assert.match(run.stderr, new RegExp(`^tunesmith: ${path.join(cwd, 'tunesmith.json').replace(/[.\\/]/g, '\\$&')}:3:1: not valid JSON`));
    assert.equal(fs.existsSync(path.join(cwd, 'r')), false);
  });
});
