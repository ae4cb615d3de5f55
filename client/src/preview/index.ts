/**
 * Registers the preview: its commands, the webview serializer (the panel survives a reload), the
 * engine process client and the Output channel. extension.ts calls `registerPreview` once.
 */
import * as vscode from 'vscode';
import { PreviewExampleCommand, type PreviewPersistedState, type PreviewTrainingState, type TrainingSummary } from '../../../protocol/messages';
import { PreviewController, isDatasetDocument, type PreviewObserver } from './controller';
import { createPreviewEngineClient } from './engineClient';
import { PreviewPanel, previewPanelOptions, previewViewType } from './panel';

/** What the preview offers tests and other extensions (through the extension's API). */
export interface PreviewApi extends PreviewObserver {
  isPanelOpen(): boolean;
  statusBarText(): string;
  outputText(): string;
  training(): PreviewTrainingState | null;
  /** Runs a fine-tune on a dataset without UI prompts (tests). */
  fineTune(dataset: vscode.Uri): Promise<TrainingSummary | undefined>;
  /** "Suggest instructions" as the panel's button runs it; resolves with the kept suggestions. */
  suggestInstructions(): Promise<string[]>;
  /** "Insert as new record" as the panel's button runs it. */
  insertSuggestion(instruction: string): Promise<boolean>;
}

function previewArguments(argument: unknown): { uri: vscode.Uri | undefined; recordIndex: number | undefined } {
  if (argument instanceof vscode.Uri) return { uri: argument, recordIndex: undefined };
  if (typeof argument === 'object' && argument !== null && 'uri' in argument) {
    const args = argument as Partial<PreviewExampleCommand.Args>;
    return { uri: typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : undefined, recordIndex: typeof args.recordIndex === 'number' ? args.recordIndex : undefined };
  }
  return { uri: undefined, recordIndex: undefined };
}

export function registerPreview(context: vscode.ExtensionContext): PreviewApi {
  const output = vscode.window.createOutputChannel('Tunesmith Preview');
  let controller: PreviewController | undefined;
  const engine = createPreviewEngineClient({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'engine', 'worker.js').fsPath,
    log: (line) => controller?.log(line),
    onNotification: (method, params) => controller?.log(`[engine] ${method}: ${JSON.stringify(params)}`),
  });
  const preview = new PreviewController(context, engine, output);
  controller = preview;

  const editorDocument = (): vscode.TextDocument | undefined => {
    const document = vscode.window.activeTextEditor?.document;
    return document !== undefined && isDatasetDocument(document) ? document : undefined;
  };

  context.subscriptions.push(
    output,
    preview,
    { dispose: () => void engine.dispose() },
    vscode.commands.registerCommand(PreviewExampleCommand.id, async (argument?: unknown) => {
      const { uri, recordIndex } = previewArguments(argument);
      const document = uri === undefined ? editorDocument() : await vscode.workspace.openTextDocument(uri);
      await preview.showPreview(document, recordIndex);
    }),
    vscode.commands.registerCommand('tunesmith.fineTuneAndPreview', (uri?: unknown) => preview.fineTune(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('tunesmith.selectModel', (modelPath?: unknown) => preview.selectModel(typeof modelPath === 'string' ? modelPath : undefined)),
    vscode.commands.registerCommand('tunesmith.loadAdapter', (adapterPath?: unknown) => preview.loadAdapterCommand(typeof adapterPath === 'string' ? adapterPath : undefined)),
    vscode.commands.registerCommand('tunesmith.exportAdapter', (destination?: unknown) => preview.exportAdapterCommand(typeof destination === 'string' ? destination : undefined)),
    vscode.commands.registerCommand('tunesmith.stopTraining', () => preview.stopTraining()),
    vscode.window.registerWebviewPanelSerializer(previewViewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        panel.webview.options = previewPanelOptions(context.extensionUri);
        const restored = typeof state === 'object' && state !== null ? (state as PreviewPersistedState) : undefined;
        preview.attachPanel(new PreviewPanel(panel, context.extensionUri), restored);
      },
    }),
  );

  return {
    get onDidPostMessage() {
      return preview.onDidPostMessage;
    },
    get lastRoundTimings() {
      return preview.lastRoundTimings;
    },
    isPanelOpen: () => preview.isPanelOpen,
    statusBarText: () => preview.statusBarText,
    outputText: () => preview.outputLines.join('\n'),
    training: () => preview.trainingState,
    fineTune: (dataset) => preview.fineTune(dataset),
    suggestInstructions: () => preview.suggestInstructions(),
    insertSuggestion: (instruction) => preview.insertSuggestion(instruction),
  };
}
