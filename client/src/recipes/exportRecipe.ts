/**
 * "Tunesmith: Export Training Recipe": writes an Axolotl, LLaMA-Factory or TRL recipe for the active
 * dataset(s) and the preview's training settings into a chosen folder, and opens the files. The work
 * runs in the bundled CLI (a child process), so reading and analysing big datasets stays out of the
 * extension host. When the trainer is on PATH it offers to run the recipe as a task, and then loads
 * each adapter or checkpoint the run writes into the preview.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { adapterOutputDir, exportRecipeArguments, parseWrittenRecipes, programOf, type RecipeTargetChoice, type RecipeTrainingSettings, type WrittenRecipe } from './recipeArguments';

export const EXPORT_RECIPE_COMMAND = 'tunesmith.exportRecipe';

const TARGETS: (vscode.QuickPickItem & { target: RecipeTargetChoice })[] = [
  { label: 'Axolotl', description: 'axolotl.yaml', detail: 'accelerate launch -m axolotl.cli.train, on one or many GPUs', target: 'axolotl' },
  { label: 'LLaMA-Factory', description: 'dataset_info.json + llamafactory_train.yaml', detail: 'llamafactory-cli train', target: 'llamafactory' },
  { label: 'TRL', description: 'trl_train.py', detail: 'an SFTTrainer (or DPOTrainer) script with a PEFT LoraConfig, for your own loop', target: 'trl' },
  { label: 'All three', description: 'one subfolder per trainer', target: 'all' },
];

export function registerExportRecipe(context: vscode.ExtensionContext): vscode.Disposable {
  const output = vscode.window.createOutputChannel('Tunesmith Recipes');
  const watchers: vscode.Disposable[] = [];
  const command = vscode.commands.registerCommand(EXPORT_RECIPE_COMMAND, async (resource?: unknown, selection?: unknown) => {
    try {
      return await exportRecipe(context, output, watchers, resource, selection);
    } catch (error) {
      void vscode.window.showErrorMessage(`Tunesmith: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  });
  return vscode.Disposable.from(command, output, { dispose: () => watchers.splice(0).forEach((watcher) => watcher.dispose()) });
}

function isDatasetPath(file: string): boolean {
  return /\.(jsonl|ndjson|json)$/i.test(file) && path.basename(file) !== 'dataset_info.json';
}

/** The datasets: the Explorer selection, else the active editor's file, else a file dialog. */
async function pickDatasets(resource: unknown, selection: unknown): Promise<string[] | undefined> {
  const uris = Array.isArray(selection) ? selection.filter((item): item is vscode.Uri => item instanceof vscode.Uri) : resource instanceof vscode.Uri ? [resource] : [];
  const fromArguments = uris.filter((uri) => uri.scheme === 'file' && isDatasetPath(uri.fsPath)).map((uri) => uri.fsPath);
  if (fromArguments.length > 0) return fromArguments;
  const active = vscode.window.activeTextEditor?.document;
  if (active !== undefined && active.uri.scheme === 'file' && isDatasetPath(active.uri.fsPath)) {
    if (active.isDirty) await active.save();
    return [active.uri.fsPath];
  }
  const picked = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Export recipe for these', filters: { Datasets: ['jsonl', 'json'] } });
  return picked?.map((uri) => uri.fsPath);
}

/** The base model: the preview's pick, else tunesmith.model, else asked for. */
async function pickModel(context: vscode.ExtensionContext): Promise<string | undefined> {
  const picked = context.globalState.get<string>('tunesmith.preview.model');
  if (typeof picked === 'string' && picked !== '') return picked;
  const configured = vscode.workspace.getConfiguration('tunesmith').get<string | null>('model');
  if (typeof configured === 'string' && configured.trim() !== '') {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return path.isAbsolute(configured) || folder === undefined ? configured : path.join(folder.uri.fsPath, configured);
  }
  return vscode.window.showInputBox({
    title: 'Base model for the recipe',
    prompt: 'A Hugging Face model id (org/name) or a local model folder',
    placeHolder: 'Qwen/Qwen2.5-7B-Instruct',
    validateInput: (value) => (value.trim() === '' ? 'Give a model id or folder' : undefined),
  });
}

/** The preview's training settings, with the preview's defaults. */
function trainingSettings(): RecipeTrainingSettings {
  const config = vscode.workspace.getConfiguration('tunesmith.preview');
  const rank = config.get<number>('loraRank', 16);
  return { rank, alpha: 2 * rank, epochs: config.get<number>('trainingEpochs', 3), learningRate: config.get<number>('learningRate', 3e-3), evalSplit: config.get<number>('evalSplit', 0.1) };
}

function runCli(context: vscode.ExtensionContext, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli', 'tunesmith.js').fsPath;
  return new Promise((resolve) => {
    // The extension host's own executable runs as plain Node with ELECTRON_RUN_AS_NODE. Exact token
    // counts of 100k records take about two minutes on two cores, hence the long limit.
    execFile(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 1_800_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr: stderr || (error?.message ?? '') });
    });
  });
}

function onPath(program: string): boolean {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  return (process.env['PATH'] ?? '').split(path.delimiter).some((folder) => extensions.some((extension) => folder !== '' && fs.existsSync(path.join(folder, program + extension))));
}

async function exportRecipe(context: vscode.ExtensionContext, output: vscode.OutputChannel, watchers: vscode.Disposable[], resource: unknown, selection: unknown): Promise<WrittenRecipe[] | undefined> {
  const datasets = await pickDatasets(resource, selection);
  if (datasets === undefined || datasets.length === 0) return undefined;
  const target = await vscode.window.showQuickPick(TARGETS, { title: 'Export a training recipe for', placeHolder: 'Which trainer will run it?' });
  if (target === undefined) return undefined;
  const model = await pickModel(context);
  if (model === undefined) return undefined;
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(datasets[0]!))?.uri.fsPath ?? path.dirname(datasets[0]!);
  const folder = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(workspaceFolder),
    openLabel: 'Write the recipe here',
    title: `Folder for the ${target.label} recipe`,
  });
  if (folder === undefined || folder.length === 0) return undefined;
  const args = exportRecipeArguments({ datasets, target: target.target, model, outDir: folder[0]!.fsPath, settings: trainingSettings() });
  output.appendLine(`tunesmith ${args.join(' ')}`);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Tunesmith: writing the ${target.label} recipe` }, () => runCli(context, args, workspaceFolder));
  if (result.stderr.trim() !== '') output.appendLine(result.stderr.trim());
  if (result.code !== 0) {
    void vscode.window.showErrorMessage(`Tunesmith: ${result.stderr.trim().replace(/^tunesmith: /gm, '') || `export-recipe failed (exit code ${result.code})`}`);
    return undefined;
  }
  const written = parseWrittenRecipes(result.stdout);
  for (const recipe of written) {
    for (const file of recipe.files) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    output.appendLine(`${recipe.target}: ${recipe.files.join(', ')}\n  run: cd ${recipe.folder} && ${recipe.command}`);
    for (const difference of recipe.differences) output.appendLine(`  - ${difference}`);
  }
  const differences = written.reduce((sum, recipe) => sum + recipe.differences.length, 0);
  const runnable = written.filter((recipe) => onPath(programOf(recipe.command)));
  const message = `Tunesmith: wrote the ${target.label} recipe${differences > 0 ? `; ${differences} difference(s) from Tunesmith's own trainer are listed at the top of the file` : ''}.`;
  const actions = runnable.length > 0 ? ['Run as Task'] : [];
  const choice = await vscode.window.showInformationMessage(message, ...actions);
  if (choice === 'Run as Task') for (const recipe of runnable) await runAsTask(recipe, watchers, output);
  return written;
}

/** Runs a recipe as a shell task in its folder and loads each adapter the run writes into the preview. */
async function runAsTask(recipe: WrittenRecipe, watchers: vscode.Disposable[], output: vscode.OutputChannel): Promise<void> {
  const task = new vscode.Task({ type: 'shell', tunesmithRecipe: recipe.target }, vscode.TaskScope.Workspace, `train (${recipe.target})`, 'Tunesmith', new vscode.ShellExecution(recipe.command, { cwd: recipe.folder }));
  const mainFile = recipe.files.find((file) => !file.endsWith('dataset_info.json'));
  const outputDir = mainFile !== undefined ? adapterOutputDir(fs.readFileSync(mainFile, 'utf8')) : undefined;
  if (outputDir !== undefined) {
    const watched = path.resolve(recipe.folder, outputDir);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(watched), '**/adapter_model.safetensors'));
    let timer: NodeJS.Timeout | undefined;
    const load = (uri: vscode.Uri): void => {
      // Trainers write the weights, then the config: wait until the folder settles.
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        const adapter = path.dirname(uri.fsPath);
        output.appendLine(`new adapter from the ${recipe.target} run: ${adapter}`);
        void vscode.commands.executeCommand('tunesmith.loadAdapter', adapter);
      }, 2000);
    };
    watchers.push(watcher, watcher.onDidCreate(load), watcher.onDidChange(load));
    output.appendLine(`watching ${watched} for adapters and checkpoints`);
  }
  await vscode.tasks.executeTask(task);
}
