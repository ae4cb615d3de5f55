/**
 * The `tunesmith export-recipe` command line for the extension's "Export Training Recipe" command,
 * and the shape of what it prints with --json. No vscode import, so it is tested without VS Code.
 */
export type RecipeTargetChoice = 'axolotl' | 'llamafactory' | 'trl' | 'all';

/** The preview's training settings (tunesmith.preview.*), which the recipe carries over. */
export interface RecipeTrainingSettings {
  rank: number;
  alpha: number;
  epochs: number;
  learningRate: number;
  evalSplit: number;
}

export interface ExportRequest {
  datasets: string[];
  target: RecipeTargetChoice;
  model: string;
  outDir: string;
  settings: RecipeTrainingSettings;
}

/** One recipe the CLI wrote (one element of its --json output). */
export interface WrittenRecipe {
  target: 'axolotl' | 'llamafactory' | 'trl';
  folder: string;
  files: string[];
  command: string;
  differences: string[];
}

export function exportRecipeArguments(request: ExportRequest): string[] {
  return [
    'export-recipe',
    ...request.datasets,
    '--target',
    request.target,
    '--model',
    request.model,
    '--out',
    request.outDir,
    '--rank',
    String(request.settings.rank),
    '--alpha',
    String(request.settings.alpha),
    '--epochs',
    String(request.settings.epochs),
    '--lr',
    String(request.settings.learningRate),
    '--eval-split',
    String(request.settings.evalSplit),
    '--json',
  ];
}

/** Parses the CLI's --json output; throws with the text when it is not what the CLI writes. */
export function parseWrittenRecipes(stdout: string): WrittenRecipe[] {
  const value: unknown = JSON.parse(stdout);
  if (!Array.isArray(value)) throw new Error(`unexpected export-recipe output: ${stdout.slice(0, 200)}`);
  return value.map((item) => {
    const recipe = item as Partial<WrittenRecipe>;
    if (typeof recipe.folder !== 'string' || !Array.isArray(recipe.files) || typeof recipe.command !== 'string') throw new Error(`unexpected export-recipe output: ${stdout.slice(0, 200)}`);
    return { target: recipe.target!, folder: recipe.folder, files: recipe.files, command: recipe.command, differences: recipe.differences ?? [] };
  });
}

/** The program a recipe's command starts (to check it is on PATH before offering to run it). */
export function programOf(command: string): string {
  return command.split(' ')[0] ?? command;
}

/** Where the trainer of a recipe writes its adapter, read from the recipe's own text. */
export function adapterOutputDir(recipeText: string): string | undefined {
  const yaml = /^output_dir:\s*(.+?)\s*$/m.exec(recipeText);
  if (yaml !== null) return yaml[1]!.replace(/^["']|["']$/g, '');
  const python = /^OUTPUT_DIR\s*=\s*"([^"]+)"/m.exec(recipeText);
  return python?.[1];
}
