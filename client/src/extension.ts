/**
 * Tunesmith's VS Code client. Activation stays small: it registers the commands and starts the
 * language server only once a dataset document is open (see datasetDocuments.ts).
 */
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { TunesmithApi } from './api';
import { registerShowStatistics } from './commands/showStatistics';
import { LanguageServerController } from './languageServer';
import { LargeDatasetFiles } from './largeFiles';
import { registerPreview } from './preview';
import { registerExportRecipe } from './recipes/exportRecipe';
import { StatisticsStatusBar } from './statisticsStatusBar';

let server: LanguageServerController | undefined;

export function activate(context: vscode.ExtensionContext): TunesmithApi {
  const activationStart = performance.now();
  const controller = new LanguageServerController(context.extensionUri);
  server = controller;
  const largeFiles = new LargeDatasetFiles(controller);
  const statisticsStatus = new StatisticsStatusBar(controller, largeFiles);
  context.subscriptions.push(
    controller,
    largeFiles,
    statisticsStatus,
    registerShowStatistics(controller, largeFiles),
    registerExportRecipe(context),
    vscode.workspace.onDidOpenTextDocument((document) => controller.startIfDataset(document)),
    // An empty or half-written JSON file becomes a dataset as soon as it starts like one.
    vscode.workspace.onDidChangeTextDocument((event) => controller.startIfDataset(event.document)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('tunesmith.files')) void controller.restart();
    }),
  );
  // A config file's `files` decides which JSON files are datasets, as the setting does.
  const configFileWatcher = vscode.workspace.createFileSystemWatcher('**/{tunesmith.json,.tunesmithrc.json}');
  const configFilesChanged = (): void => void controller.configFilesChanged();
  context.subscriptions.push(configFileWatcher, configFileWatcher.onDidCreate(configFilesChanged), configFileWatcher.onDidChange(configFilesChanged), configFileWatcher.onDidDelete(configFilesChanged));
  for (const document of vscode.workspace.textDocuments) controller.startIfDataset(document);
  const preview = registerPreview(context);
  const activationTimeMs = performance.now() - activationStart;
  return {
    activationTimeMs,
    isLanguageServerStarted: () => controller.isStarted,
    whenLanguageServerReady: async () => {
      await controller.start();
    },
    statisticsStatusText: () => statisticsStatus.text,
    onDidUpdateStatisticsStatus: statisticsStatus.onDidUpdate,
    preview,
  };
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
