/**
 * How the Tunesmith settings land in each recipe: the sequence length from the token statistics,
 * the loss masking modes, over-long records, and the validation of settings.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as YAML from 'yaml';
import { defaultMapping } from '../../../server/src/service/formats';
import { chooseSequenceLength, defaultRecipeSettings, generateRecipe, llamaFactoryTemplate, type RecipeDataset, RecipeError, type RecipeSettings } from '../../../server/src/service/recipes/index';

function dataset(overrides: Partial<RecipeDataset> = {}): RecipeDataset {
  return {
    path: 'data/train.jsonl',
    name: 'train',
    format: 'openai-chat',
    shape: 'openai-chat',
    mapping: defaultMapping,
    mappingFromDatasetInfo: false,
    records: 100,
    keys: ['messages'],
    writtenRoles: ['user', 'assistant'],
    tokens: { p50: 200, p99: 900, max: 1000, estimated: false },
    features: {
      system: false,
      tools: false,
      toolCalls: false,
      weights: false,
      history: false,
      multiTurn: true,
      conversationalSides: false,
      unpairedLabel: undefined,
      promptInCompletion: false,
      completionPairs: true,
    },
    ...overrides,
  };
}

const settings: RecipeSettings = { ...defaultRecipeSettings, model: { nameOrPath: 'meta-llama/Llama-3.1-8B-Instruct', architecture: undefined, maxPositionEmbeddings: undefined } };

function yamlOf(target: 'axolotl' | 'llamafactory', overrides: Partial<RecipeSettings>, data = [dataset()]): Record<string, unknown> {
  const recipe = generateRecipe(target, data, { ...settings, ...overrides });
  return YAML.parse(recipe.files[0]!.content) as Record<string, unknown>;
}

describe('sequence length from the token statistics', () => {
  it('rounds the longest record up to a multiple of 128', () => {
    assert.deepEqual(chooseSequenceLength([dataset()], settings).value, 1024);
    assert.equal(chooseSequenceLength([dataset({ tokens: { p50: 10, p99: 128, max: 128, estimated: false } })], settings).value, 128);
  });
  it('adds a 10% margin when the counts are estimates', () => {
    const chosen = chooseSequenceLength([dataset({ tokens: { p50: 200, p99: 900, max: 1000, estimated: true } })], settings);
    assert.equal(chosen.value, 1152);
    assert.match(chosen.reason, /estimated tokens, \+10% margin/);
  });
  it('uses the 99th percentile when the longest record is an outlier', () => {
    const chosen = chooseSequenceLength([dataset({ tokens: { p50: 200, p99: 900, max: 30_000, estimated: false } })], settings);
    assert.equal(chosen.value, 1024);
    assert.match(chosen.reason, /99th percentile 900 tokens; the longest record, 30000, is an outlier/);
  });
  it("takes the longest over all files, caps at the model's positions, and obeys an explicit value", () => {
    assert.equal(chooseSequenceLength([dataset(), dataset({ name: 'b', tokens: { p50: 10, p99: 2000, max: 2100, estimated: false } })], settings).value, 2176);
    const capped = chooseSequenceLength([dataset()], { ...settings, model: { ...settings.model, maxPositionEmbeddings: 512 } });
    assert.equal(capped.value, 512);
    assert.match(capped.reason, /capped at the model's max_position_embeddings 512/);
    assert.deepEqual(chooseSequenceLength([dataset()], { ...settings, sequenceLength: 4096 }), { value: 4096, reason: 'set explicitly' });
  });
});

describe('loss masking modes', () => {
  it('Axolotl: assistant turns, all tokens, last message', () => {
    const entry = (labels: RecipeSettings['labels']): Record<string, unknown> => (yamlOf('axolotl', { labels })['datasets'] as Record<string, unknown>[])[0]!;
    assert.deepEqual(entry('assistant')['roles_to_train'], ['assistant']);
    assert.equal(yamlOf('axolotl', { labels: 'assistant' })['train_on_inputs'], false);
    assert.equal(yamlOf('axolotl', { labels: 'all' })['train_on_inputs'], true);
    assert.equal(entry('all')['train_on_eos'], 'all');
    assert.equal(entry('last-assistant')['roles_to_train'], null);
    assert.equal(entry('last-assistant')['train_on_eos'], null);
    const last = generateRecipe('axolotl', [dataset()], { ...settings, labels: 'last-assistant' });
    assert.match(last.differences.join('\n'), /Axolotl has no such option/);
  });
  it('LLaMA-Factory: train_on_prompt and mask_history', () => {
    assert.deepEqual([yamlOf('llamafactory', { labels: 'assistant' })['train_on_prompt'], yamlOf('llamafactory', { labels: 'assistant' })['mask_history']], [false, false]);
    assert.equal(yamlOf('llamafactory', { labels: 'all' })['train_on_prompt'], true);
    assert.equal(yamlOf('llamafactory', { labels: 'last-assistant' })['mask_history'], true);
  });
  it('TRL: the script carries the mode', () => {
    for (const labels of ['assistant', 'all', 'last-assistant'] as const) {
      const script = generateRecipe('trl', [dataset()], { ...settings, labels }).files[0]!.content;
      assert.match(script, new RegExp(`^LABELS = "${labels}"`, 'm'));
    }
  });
  it('OpenAI weights: Axolotl reads them, LLaMA-Factory says it cannot', () => {
    const weighted = dataset({ features: { ...dataset().features, weights: true } });
    assert.equal((yamlOf('axolotl', {}, [weighted])['datasets'] as Record<string, unknown>[])[0]!['message_field_training'], 'weight');
    assert.match(generateRecipe('llamafactory', [weighted], settings).differences.join('\n'), /no per-message loss weight/);
  });
});

describe('over-long records', () => {
  const long = dataset({ tokens: { p50: 200, p99: 900, max: 30_000, estimated: false } });
  it('Axolotl drops or truncates as Tunesmith does', () => {
    assert.equal(yamlOf('axolotl', {}, [long])['excess_length_strategy'], 'drop');
    assert.equal(yamlOf('axolotl', { overLength: 'truncate' }, [long])['excess_length_strategy'], 'truncate');
  });
  it('trainers that always truncate say so when a record is over the length and Tunesmith would drop it', () => {
    for (const target of ['llamafactory', 'trl'] as const) {
      assert.match(generateRecipe(target, [long], settings).differences.join('\n'), /truncates records longer than 1024 tokens; Tunesmith \(over-length: drop\) leaves them out/);
      assert.doesNotMatch(generateRecipe(target, [long], { ...settings, overLength: 'truncate' }).differences.join('\n'), /truncates records/);
      assert.doesNotMatch(generateRecipe(target, [dataset()], settings).differences.join('\n'), /truncates records/);
    }
  });
});

describe('settings and models', () => {
  it('refuses impossible settings with a message', () => {
    assert.throws(() => generateRecipe('axolotl', [dataset()], { ...settings, rank: 0 }), /LoRA rank must be a positive integer/);
    assert.throws(() => generateRecipe('axolotl', [dataset()], { ...settings, evalSplit: 1 }), /eval split must be a fraction/);
    assert.throws(() => generateRecipe('axolotl', [], settings), RecipeError);
    assert.throws(() => generateRecipe('trl', [dataset({ records: 0, shape: 'unknown', format: 'unknown' })], settings), /no records Tunesmith can read/);
  });
  it('picks the LLaMA-Factory template from the architecture or the name, and admits when it cannot', () => {
    assert.equal(llamaFactoryTemplate({ nameOrPath: 'x/y', architecture: 'Qwen3ForCausalLM', maxPositionEmbeddings: undefined }), 'qwen3');
    assert.equal(llamaFactoryTemplate(settings.model), 'llama3');
    assert.equal(llamaFactoryTemplate({ nameOrPath: '/models/my-model', architecture: 'LlamaForCausalLM', maxPositionEmbeddings: undefined }), undefined);
    const unknown = generateRecipe('llamafactory', [dataset()], { ...settings, model: { nameOrPath: '/models/my-model', architecture: 'LlamaForCausalLM', maxPositionEmbeddings: undefined } });
    assert.match(unknown.files[0]!.content, /template: default/);
    assert.match(unknown.differences.join('\n'), /cannot tell which one matches \/models\/my-model/);
  });
});

describe('Axolotl KTO types follow the model family', () => {
  const kto = (overrides: Partial<RecipeDataset> = {}): RecipeDataset =>
    dataset({ format: 'prompt-completion', shape: 'unpaired-columns', keys: ['completion', 'label', 'question'], features: { ...dataset().features, unpairedLabel: 'label' }, ...overrides });
  const typeOf = (model: RecipeSettings['model'], data = kto()): unknown => ((yamlOf('axolotl', { model }, [data])['datasets'] as Record<string, unknown>[])[0]!)['type'];
  it('llama3.* for Llama 3 models, chatml.* for Qwen', () => {
    assert.equal(typeOf(settings.model), 'llama3.intel');
    assert.equal(typeOf({ nameOrPath: 'Qwen/Qwen3-8B', architecture: undefined, maxPositionEmbeddings: undefined }), 'chatml.intel');
  });
  it('user_defined with its columns and a CHECK note for other models; argilla_chat records are refused there', () => {
    const gemma = { nameOrPath: 'google/gemma-2-9b-it', architecture: undefined, maxPositionEmbeddings: undefined };
    assert.deepEqual(typeOf(gemma), { field_prompt: 'question', field_completion: 'completion', field_label: 'label', prompt_format: '{prompt}', completion_format: '{completion}' });
    assert.match(generateRecipe('axolotl', [kto()], { ...settings, model: gemma }).files[0]!.content, /# CHECK: user_defined KTO/);
    const chat = kto({ shape: 'prompt-completion', keys: ['completion', 'label', 'prompt'], features: { ...kto().features, conversationalSides: true, promptInCompletion: true } });
    assert.throws(() => generateRecipe('axolotl', [chat], { ...settings, model: gemma }), /only with its chatml\.argilla_chat or llama3\.argilla_chat types/);
    assert.equal(typeOf(settings.model, chat), 'llama3.argilla_chat');
    assert.throws(() => generateRecipe('axolotl', [kto({ features: { ...chat.features, completionPairs: false }, shape: 'prompt-completion' })], settings), /exactly one user and one assistant message/);
  });
  it('KTO and instruction data are exported separately', () => {
    for (const target of ['axolotl', 'llamafactory', 'trl'] as const) assert.throws(() => generateRecipe(target, [kto(), dataset({ name: 'chat' })], settings), /separate runs/);
  });
});
