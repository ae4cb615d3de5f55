/**
 * Training recipes for Axolotl, LLaMA-Factory and TRL from the datasets the language service
 * understands and the Tunesmith training settings. Pure: strings in, strings out.
 */
import { axolotlRecipe } from './axolotl';
import { chooseSequenceLength } from './describe';
import { llamaFactoryRecipe } from './llamafactory';
import { trlRecipe } from './trl';
import { type Recipe, type RecipeDataset, RecipeError, type RecipeSettings, type RecipeTarget } from './types';

export * from './types';
export { describeDataset, chooseSequenceLength } from './describe';
export { llamaFactoryTemplate } from './llamafactory';

function validate(datasets: readonly RecipeDataset[], settings: RecipeSettings): void {
  if (datasets.length === 0) throw new RecipeError('no dataset files to export');
  for (const dataset of datasets) {
    if (dataset.records === 0 || dataset.shape === 'unknown') {
      throw new RecipeError(`${dataset.path}: no records Tunesmith can read (format ${dataset.format}); fix the errors 'tunesmith lint' reports first.`);
    }
  }
  const names = new Set<string>();
  for (const dataset of datasets) {
    if (names.has(dataset.name)) throw new RecipeError(`two datasets are named '${dataset.name}'`);
    names.add(dataset.name);
  }
  const positive = (value: number, what: string, integer: boolean): void => {
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw new RecipeError(`${what} must be a positive ${integer ? 'integer' : 'number'} (got ${value})`);
  };
  positive(settings.rank, 'LoRA rank', true);
  positive(settings.alpha, 'LoRA alpha', false);
  positive(settings.epochs, 'epochs', false);
  positive(settings.learningRate, 'learning rate', false);
  if (settings.sequenceLength !== undefined) positive(settings.sequenceLength, 'sequence length', true);
  if (!(settings.evalSplit >= 0 && settings.evalSplit < 1)) throw new RecipeError(`eval split must be a fraction in [0, 1) (got ${settings.evalSplit})`);
  if (settings.targets.length === 0) throw new RecipeError('at least one LoRA target module is needed');
  if (settings.model.nameOrPath.trim() === '') throw new RecipeError('a base model is needed (--model, "model" in tunesmith.json, or the tunesmith.model setting)');
}

/** Generates the recipe files for one target; throws RecipeError with a message for the user. */
export function generateRecipe(target: RecipeTarget, datasets: readonly RecipeDataset[], settings: RecipeSettings): Recipe {
  validate(datasets, settings);
  const sequenceLength = chooseSequenceLength(datasets, settings);
  switch (target) {
    case 'axolotl':
      return axolotlRecipe(datasets, settings, sequenceLength);
    case 'llamafactory':
      return llamaFactoryRecipe(datasets, settings, sequenceLength);
    case 'trl':
      return trlRecipe(datasets, settings, sequenceLength);
  }
}
