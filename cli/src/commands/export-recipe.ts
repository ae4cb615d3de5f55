/**
 * `tunesmith export-recipe DATASET... --target axolotl|llamafactory|trl`: writes a training recipe for
 * the trainer people already run on bigger machines, with the same data mapping and settings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { TrainingLabelMode, TrainingTarget } from '../../../protocol/messages';
import { resolveSettings } from '../../../server/src/service/config';
import { brokenConfigFor, findConfigFile, stoppedByConfigError } from '../../../server/src/service/configFile';
import { defaultRecipeSettings, generateRecipe, RECIPE_TARGETS, RecipeError, type RecipeSettings, type RecipeTarget } from '../../../server/src/service/recipes/index';
import { loadRecipeDatasets, recipeModel } from '../../../server/src/service/recipes/fromFiles';
import { type CliCommand, argumentErrorMessage, UsageError } from '../command';

const help = `usage: tunesmith export-recipe DATASET... --target axolotl|llamafactory|trl[,...]|all [options]

Writes a training recipe for the dataset files with Tunesmith's settings: an Axolotl config, a
LLaMA-Factory dataset_info.json + training YAML, or a TRL SFTTrainer/DPOTrainer script. Each file
says which settings it came from and where the trainer's meaning differs from Tunesmith's.

options:
  --target T          axolotl, llamafactory, trl, a comma list, or all (required)
  --model M           base model: Hugging Face id or model folder (default: "model" in tunesmith.json)
  --out DIR           folder for the recipe files (default: tunesmith-recipe); with several targets,
                      one subfolder per target
  --rank R            LoRA rank (default ${defaultRecipeSettings.rank})
  --alpha A           LoRA alpha (default ${defaultRecipeSettings.alpha})
  --targets LIST      LoRA targets, from q,k,v,o,gate,up,down (default all seven)
  --epochs N          epochs (default ${defaultRecipeSettings.epochs})
  --lr X              learning rate (default ${defaultRecipeSettings.learningRate})
  --eval-split F      fraction of records held out for evaluation, 0 <= F < 1 (default 0)
  --labels MODE       loss on: assistant (default), all, last-assistant
  --sequence-length N sequence length (default: from the token statistics)
  --over-length M     drop (default) or truncate records longer than the sequence length
  --output-dir DIR    where the trainer writes the adapter (default ${defaultRecipeSettings.outputDir})
  --seed N            seed (default ${defaultRecipeSettings.seed})
  --json              print what was written as JSON
`;

const TRAINING_TARGETS: readonly TrainingTarget[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];
const LABEL_MODES: readonly TrainingLabelMode[] = ['assistant', 'all', 'last-assistant'];

function number(value: string | undefined, flag: string, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || !check(parsed)) throw new UsageError(`${flag}: invalid value '${value}'\n\n${help}`);
  return parsed;
}

function parseTargets(value: string | undefined): TrainingTarget[] | undefined {
  if (value === undefined) return undefined;
  const targets = value.split(',').map((item) => item.trim().replace(/_proj$/, '')).filter((item) => item.length > 0);
  for (const target of targets) {
    if (!(TRAINING_TARGETS as readonly string[]).includes(target)) throw new UsageError(`--targets: unknown module '${target}' (use ${TRAINING_TARGETS.join(',')})`);
  }
  if (targets.length === 0) throw new UsageError('--targets: give at least one module');
  return [...new Set(targets)] as TrainingTarget[];
}

function parseRecipeTargets(value: string | undefined): RecipeTarget[] {
  if (value === undefined) throw new UsageError(`--target is required\n\n${help}`);
  if (value === 'all') return [...RECIPE_TARGETS];
  const targets = value.split(',').map((item) => item.trim().toLowerCase().replace(/^llama-?factory$/, 'llamafactory'));
  for (const target of targets) if (!(RECIPE_TARGETS as readonly string[]).includes(target)) throw new UsageError(`--target: unknown target '${target}' (use ${RECIPE_TARGETS.join(', ')} or all)`);
  return [...new Set(targets)] as RecipeTarget[];
}

/** Writes a file atomically (temp file + rename). */
function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

export const command: CliCommand = {
  name: 'export-recipe',
  summary: 'write an Axolotl, LLaMA-Factory or TRL training recipe for the datasets',
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          target: { type: 'string' },
          model: { type: 'string' },
          out: { type: 'string' },
          rank: { type: 'string' },
          alpha: { type: 'string' },
          targets: { type: 'string' },
          epochs: { type: 'string' },
          lr: { type: 'string' },
          'eval-split': { type: 'string' },
          labels: { type: 'string' },
          'sequence-length': { type: 'string' },
          'over-length': { type: 'string' },
          'output-dir': { type: 'string' },
          seed: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (error) {
      throw new UsageError(`${argumentErrorMessage(error)}\n\n${help}`);
    }
    const values = parsed.values;
    if (values.help === true) {
      process.stdout.write(help);
      return 0;
    }
    if (parsed.positionals.length === 0) throw new UsageError(`give at least one dataset file\n\n${help}`);
    const recipeTargets = parseRecipeTargets(values.target);
    const labels = values.labels;
    if (labels !== undefined && !(LABEL_MODES as readonly string[]).includes(labels)) throw new UsageError(`--labels: use ${LABEL_MODES.join(', ')}`);
    const overLength = values['over-length'];
    if (overLength !== undefined && overLength !== 'drop' && overLength !== 'truncate') throw new UsageError('--over-length: use drop or truncate');
    const config = findConfigFile(process.cwd());
    // Exporting with the defaults instead would write a recipe from settings nobody chose (`tunesmith lint` stops too).
    const configError = config?.error !== undefined ? `${config.error} ${stoppedByConfigError}` : brokenConfigFor(parsed.positionals);
    if (configError !== undefined) {
      process.stderr.write(`tunesmith: ${configError}\n`);
      return 2;
    }
    const configuredModel = resolveSettings(config?.data).settings.model;
    const modelGiven = values.model ?? (configuredModel !== null && config !== undefined ? path.resolve(path.dirname(config.path), configuredModel) : undefined);
    if (modelGiven === undefined) throw new UsageError('--model is required (a Hugging Face id or a model folder), or set "model" in tunesmith.json');

    const rank = number(values.rank, '--rank', (n) => Number.isInteger(n) && n > 0);
    const settingsBase = {
      ...defaultRecipeSettings,
      ...(rank !== undefined ? { rank } : {}),
      alpha: number(values.alpha, '--alpha', (n) => n > 0) ?? defaultRecipeSettings.alpha,
      targets: parseTargets(values.targets) ?? defaultRecipeSettings.targets,
      epochs: number(values.epochs, '--epochs', (n) => n > 0) ?? defaultRecipeSettings.epochs,
      learningRate: number(values.lr, '--lr', (n) => n > 0) ?? defaultRecipeSettings.learningRate,
      evalSplit: number(values['eval-split'], '--eval-split', (n) => n >= 0 && n < 1) ?? defaultRecipeSettings.evalSplit,
      labels: (labels as TrainingLabelMode | undefined) ?? defaultRecipeSettings.labels,
      overLength: overLength ?? defaultRecipeSettings.overLength,
      sequenceLength: number(values['sequence-length'], '--sequence-length', (n) => Number.isInteger(n) && n > 0),
      outputDir: values['output-dir'] ?? defaultRecipeSettings.outputDir,
      seed: number(values.seed, '--seed', (n) => Number.isInteger(n)) ?? defaultRecipeSettings.seed,
    };
    const outRoot = path.resolve(values.out ?? 'tunesmith-recipe');
    const written: { target: RecipeTarget; folder: string; files: string[]; command: string; differences: string[] }[] = [];
    try {
      const { model, folder } = recipeModel(modelGiven);
      const settings: RecipeSettings = { ...settingsBase, model };
      for (const target of recipeTargets) {
        const recipeDir = recipeTargets.length > 1 ? path.join(outRoot, target) : outRoot;
        const { datasets, warnings } = await loadRecipeDatasets(parsed.positionals, { recipeDir, ...(folder !== undefined ? { modelFolder: folder } : {}) });
        if (written.length === 0) for (const warning of warnings) process.stderr.write(`tunesmith: ${warning}\n`);
        const recipe = generateRecipe(target, datasets, settings);
        fs.mkdirSync(recipeDir, { recursive: true });
        for (const file of recipe.files) writeAtomically(path.join(recipeDir, file.name), file.content);
        written.push({ target, folder: recipeDir, files: recipe.files.map((file) => path.join(recipeDir, file.name)), command: recipe.command, differences: recipe.differences });
      }
    } catch (error) {
      if (error instanceof RecipeError) {
        process.stderr.write(`tunesmith: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify(written, null, 2)}\n`);
      return 0;
    }
    for (const recipe of written) {
      process.stdout.write(`${recipe.target}: wrote ${recipe.files.map((file) => path.relative(process.cwd(), file) || file).join(', ')}\n`);
      process.stdout.write(`  run: cd ${path.relative(process.cwd(), recipe.folder) || '.'} && ${recipe.command}\n`);
      if (recipe.differences.length > 0) process.stdout.write(`  ${recipe.differences.length} difference(s) from Tunesmith's trainer, listed at the top of the file:\n${recipe.differences.map((d) => `    - ${d}\n`).join('')}`);
    }
    return 0;
  },
};
