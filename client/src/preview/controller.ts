/**
 * The preview's brain in the extension host: follows the cursor in dataset files, asks the engine
 * process for the base and adapter answers (cancelling stale ones as the text changes), runs
 * fine-tuning with live progress, and keeps the panel, the status bar and the Output channel in step.
 * The webview renders; the engine computes; nothing heavy runs here.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import {
  type EngineChatMessage,
  type EngineModelInfo,
  GenerateRequest,
  GenerateTokenNotification,
  type HostToPreviewMessage,
  LoadAdapterRequest,
  LoadModelRequest,
  type PreviewAdapterSummary,
  type PreviewGenerationSettings,
  type PreviewHostState,
  type PreviewPersistedState,
  type PreviewSlot,
  type PreviewToHostMessage,
  type RecordFormat,
  type PreviewTrainingState,
  type TrainingEvent,
  TrainingEventNotification,
  type TrainingRequest,
  type TrainingSummary,
  TrainStartRequest,
} from '../../../protocol/messages';
import { applyTrainingEvent, startTraining } from '../../../media/src/viewState';
import { datasetAdaptersFolder, exportAdapter, isAdapterFolder, listDatasetAdapters, runFolderName, summarizeAdapter, unfinishedRun, writeRunInfo } from './adapterStore';
import { type EngineClient, EngineRequestError } from './engineClient';
import { chooseModel, formatBytes, huggingFaceHubFolder, inspectModelFolder, listCachedModels } from './modelCatalog';
import { describeLoadFailure, errorMessage } from './loadFailure';
import { PreviewPanel } from './panel';
import { RoundScheduler } from './scheduler';
import { datasetInfoHint } from '../../../server/src/service/configFile';
import { DatasetDocument } from '../../../server/src/service/document';
import { defaultHint, type FormatHint } from '../../../server/src/service/formats';
import { datasetInstructions, fileKindOfName, type PreviewTarget, previewOfRecord, previewTargetOfLine, recordIndexAt, type TargetOptions } from './record';
import { filterNearDuplicates, newRecordValue, parseSuggestions, pickExamples, recordInsertion, suggestionPrompt, systemPromptOf } from './suggestions';

const settingsStateKey = 'tunesmith.preview.settings';
const modelStateKey = 'tunesmith.preview.model';
const checkpointFile = 'checkpoint.safetensors';
export const defaultGenerationSettings: PreviewGenerationSettings = { temperature: 0, maxTokens: 64, seed: 0 };
/** Output channel lines kept for the test API (the channel itself keeps everything). */
const keptOutputLines = 2000;

export function isDatasetDocument(document: vscode.TextDocument): boolean {
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled' && document.uri.scheme !== 'vscode-remote') return false;
  return document.languageId === 'jsonl' || document.languageId === 'json' || /\.(jsonl|ndjson)$/i.test(document.fileName);
}

interface LoadedModel {
  path: string;
  info: EngineModelInfo;
  engineGeneration: number;
}

interface LoadedAdapter {
  summary: PreviewAdapterSummary;
  adapterId: string;
  modelId: string;
  engineGeneration: number;
}

/** What tests and the bench can observe (the panel's messages, the status bar, the Output channel). */
export interface PreviewObserver {
  readonly onDidPostMessage: vscode.Event<HostToPreviewMessage>;
  /** The last generation round's timing: ms from the edit that caused it to each slot's first token. */
  readonly lastRoundTimings: Partial<Record<PreviewSlot, number>>;
}

export class PreviewController implements vscode.Disposable, PreviewObserver {
  private panel: PreviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly postEmitter = new vscode.EventEmitter<HostToPreviewMessage>();
  readonly onDidPostMessage = this.postEmitter.event;
  readonly statusBar: vscode.StatusBarItem;
  readonly outputLines: string[] = [];

  private settings: PreviewGenerationSettings;
  private model: LoadedModel | undefined;
  private modelLoading: Promise<LoadedModel | undefined> | undefined;
  private modelStatus: string | undefined;
  private modelError: string | undefined;
  private adapter: LoadedAdapter | undefined;
  private compare: LoadedAdapter | undefined;
  /** Adapters the user loaded by hand this session (listed beside the dataset's own). */
  private readonly extraAdapters: PreviewAdapterSummary[] = [];

  /** The dataset document the panel follows, and the record shown. */
  private followedUri: string | undefined;
  private target: PreviewTarget | undefined;
  private promptKey: string | undefined;
  private readonly rounds = new RoundScheduler();
  private nextGenerationId = 1;
  private debounceTimer: NodeJS.Timeout | undefined;
  /** performance.now() of the edit or move that the pending update answers. */
  private changeTime = 0;
  lastRoundTimings: Partial<Record<PreviewSlot, number>> = {};

  private training: PreviewTrainingState | null = null;
  private trainingAbort: AbortController | undefined;
  private suggestionAbort: AbortController | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly engine: EngineClient,
    private readonly output: vscode.OutputChannel,
  ) {
    this.settings = { ...defaultGenerationSettings, ...context.globalState.get<PreviewGenerationSettings>(settingsStateKey) };
    this.statusBar = vscode.window.createStatusBarItem('tunesmith.preview', vscode.StatusBarAlignment.Left, 50);
    this.statusBar.name = 'Tunesmith Preview';
    this.statusBar.command = 'tunesmith.previewExample';
    this.updateStatusBar();
    this.disposables.push(
      this.statusBar,
      this.postEmitter,
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor.document.uri.toString() === this.followedUri || (this.panel !== undefined && isDatasetDocument(event.textEditor.document))) this.scheduleUpdate(event.textEditor.document, 'move');
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0 && event.document.uri.toString() === this.followedUri) this.scheduleUpdate(event.document, 'edit');
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor !== undefined && this.panel !== undefined && isDatasetDocument(editor.document)) this.scheduleUpdate(editor.document, 'move');
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.sendState();
        if (this.panel !== undefined) void this.ensureModel(false).then(() => this.regenerate());
      }),
    );
  }

  // ----- logging, status bar, panel state --------------------------------------------------------

  log(line: string): void {
    // The engine's exit is reported after the channel is gone when the window closes.
    if (this.disposed) return;
    const stamped = `[${new Date().toISOString().slice(11, 19)}] ${line}`;
    this.output.appendLine(stamped);
    this.outputLines.push(stamped);
    if (this.outputLines.length > keptOutputLines) this.outputLines.splice(0, this.outputLines.length - keptOutputLines);
  }

  private updateStatusBar(): void {
    const training = this.training;
    if (training !== null && (training.status === 'running' || training.status === 'starting')) {
      const loss = training.trainLoss[training.trainLoss.length - 1]?.loss;
      this.statusBar.text = `$(sync~spin) Tunesmith: training ${training.step}/${training.totalSteps || '?'}${loss === undefined ? '' : ` · loss ${loss.toFixed(3)}`}`;
      this.statusBar.tooltip = `Fine-tuning ${training.modelName} on ${training.datasetName}. Click to open the preview; "Tunesmith: Stop Training" cancels.`;
      this.statusBar.show();
      return;
    }
    const modelName = this.model === undefined ? undefined : path.basename(this.model.path);
    const adapterName = this.adapter?.summary.name;
    if (modelName === undefined && this.panel === undefined && training === null) {
      this.statusBar.hide();
      return;
    }
    const ended = training === null ? '' : training.status === 'finished' ? ' · trained' : training.status === 'cancelled' ? ' · training cancelled' : training.status === 'failed' ? ' · training failed' : '';
    this.statusBar.text = `$(beaker) Tunesmith: ${modelName ?? 'no model'}${adapterName === undefined ? '' : ` + ${adapterName}`}${ended}`;
    this.statusBar.tooltip = 'Tunesmith preview: click to preview the example at the cursor';
    this.statusBar.show();
  }

  /** The status bar's text (tests read it). */
  get statusBarText(): string {
    return this.statusBar.text;
  }

  private post(message: HostToPreviewMessage): void {
    this.panel?.post(message);
    this.postEmitter.fire(message);
  }

  private datasetPath(): string | undefined {
    if (this.followedUri === undefined) return undefined;
    const uri = vscode.Uri.parse(this.followedUri);
    return uri.scheme === 'file' ? uri.fsPath : undefined;
  }

  private adapterList(): PreviewAdapterSummary[] {
    const datasetPath = this.datasetPath();
    const own = datasetPath === undefined ? [] : listDatasetAdapters(this.storageRoot(), datasetPath);
    return [...own, ...this.extraAdapters.filter((extra) => !own.some((adapter) => adapter.path === extra.path))];
  }

  hostState(): PreviewHostState {
    const info = this.model?.info;
    return {
      model: info === undefined || this.model === undefined
        ? null
        : { name: path.basename(this.model.path), path: this.model.path, architecture: info.architecture, parameters: info.parameters, device: info.deviceNote === undefined ? info.device : `${info.device} (${info.deviceNote})` },
      modelStatus: this.modelStatus,
      modelError: this.modelError,
      adapter: this.adapter?.summary ?? null,
      compareAdapter: this.compare?.summary ?? null,
      adapters: this.adapterList(),
      settings: this.settings,
      workspaceTrusted: vscode.workspace.isTrusted,
    };
  }

  private sendState(): void {
    this.post({ type: 'state', state: this.hostState() });
    this.updateStatusBar();
  }

  private storageRoot(): string {
    return this.context.globalStorageUri.fsPath;
  }

  // ----- the panel ---------------------------------------------------------------------------------

  /** Opens (or reveals) the panel on a record: the editor's cursor, or a record index from a code lens. */
  async showPreview(document: vscode.TextDocument | undefined, recordIndex?: number): Promise<void> {
    if (this.panel === undefined) this.attachPanel(PreviewPanel.create(this.context.extensionUri, vscode.ViewColumn.Beside));
    else this.panel.reveal();
    if (document !== undefined) {
      this.followedUri = document.uri.toString();
      this.updateTarget(document, recordIndex === undefined ? undefined : { index: recordIndex });
    }
    this.updateStatusBar();
    if (this.model === undefined) await this.ensureModel(true);
    await this.regenerate();
  }

  /** Adopts a panel (new, or restored by the serializer after a reload with its saved state). */
  attachPanel(panel: PreviewPanel, restored?: PreviewPersistedState): void {
    this.panel = panel;
    panel.onMessage((message) => void this.onWebviewMessage(message).catch((error: unknown) => this.log(`preview: ${errorMessage(error)}`)));
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
      this.rounds.abort();
      this.updateStatusBar();
    });
    if (restored?.uri !== undefined) {
      this.followedUri = restored.uri;
      const document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === restored.uri);
      if (document !== undefined) this.updateTarget(document, restored.recordIndex === undefined ? undefined : { index: restored.recordIndex });
      else void vscode.workspace.openTextDocument(vscode.Uri.parse(restored.uri)).then(
        (opened) => {
          this.updateTarget(opened, restored.recordIndex === undefined ? undefined : { index: restored.recordIndex });
          this.sendRecord();
          void this.ensureModel(false).then(() => this.regenerate());
        },
        () => this.log(`preview: ${restored.uri} is gone; the panel waits for a dataset`),
      );
    }
  }

  get isPanelOpen(): boolean {
    return this.panel !== undefined;
  }

  private async onWebviewMessage(message: PreviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A (re)loaded webview starts empty: send everything it shows.
        this.sendState();
        this.sendRecord();
        this.post({ type: 'training', training: this.training });
        if (this.model === undefined && this.modelLoading === undefined) await this.ensureModel(false);
        await this.regenerate();
        return;
      case 'settings':
        this.settings = { ...message.settings };
        await this.context.globalState.update(settingsStateKey, this.settings);
        this.sendState();
        await this.regenerate();
        return;
      case 'regenerate':
        await this.regenerate();
        return;
      case 'chooseAdapter':
        if (message.path === null) {
          if (message.slot === 'adapter') this.adapter = undefined;
          else this.compare = undefined;
          this.sendState();
          await this.regenerate();
        } else await this.useAdapter(message.path, message.slot);
        return;
      case 'command': {
        const commands: Record<typeof message.command, string> = {
          selectModel: 'tunesmith.selectModel',
          fineTune: 'tunesmith.fineTuneAndPreview',
          loadAdapter: 'tunesmith.loadAdapter',
          exportAdapter: 'tunesmith.exportAdapter',
          stopTraining: 'tunesmith.stopTraining',
        };
        await vscode.commands.executeCommand(commands[message.command]);
        return;
      }
      case 'suggest':
        await this.suggestInstructions();
        return;
      case 'insertSuggestion':
        await this.insertSuggestion(message.text);
        return;
    }
  }

  // ----- following the cursor -----------------------------------------------------------------------

  private scheduleUpdate(document: vscode.TextDocument, cause: 'edit' | 'move'): void {
    if (this.panel === undefined) return;
    if (this.debounceTimer === undefined) this.changeTime = performance.now();
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
    const delay = vscode.workspace.getConfiguration('tunesmith.preview').get<number>('debounceMs', 120);
    // An edit makes the running answers stale at once; a cursor move may stay in the same record.
    if (cause === 'edit') this.rounds.abort();
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      this.followedUri = document.uri.toString();
      if (this.updateTarget(document)) void this.regenerate();
    }, Math.max(0, delay));
  }

  /** Recomputes the record shown; true when the prompt the models answer changed. */
  private updateTarget(document: vscode.TextDocument, target?: { index: number }): boolean {
    const editor = vscode.window.visibleTextEditors.find((visible) => visible.document === document);
    const position = editor?.selection.active ?? new vscode.Position(0, 0);
    const options: TargetOptions = { uri: document.uri.toString(), fileName: path.basename(document.fileName), kind: fileKindOfName(document.fileName, document.languageId), hint: this.formatHint(document) };
    let next: PreviewTarget | undefined;
    try {
      const jsonlLine = target === undefined && options.kind === 'jsonl' ? this.jsonlRecordLine(document, position.line) : undefined;
      next = jsonlLine !== undefined
        ? previewTargetOfLine(document.lineAt(jsonlLine.line).text, jsonlLine.line, jsonlLine.recordIndex, options)
        : this.previewFromParsed(document, target ?? { position: { line: position.line, character: position.character } }, options);
    } catch (error) {
      this.log(`preview: could not read the record: ${errorMessage(error)}`);
      next = undefined;
    }
    const previousRecord = JSON.stringify(this.target?.record ?? null);
    this.target = next;
    if (JSON.stringify(next?.record ?? null) !== previousRecord) this.sendRecord();
    const promptKey = next?.messages === undefined ? undefined : JSON.stringify([options.uri, next.messages]);
    const changed = promptKey !== this.promptKey;
    this.promptKey = promptKey;
    return changed;
  }

  /**
   * The format hint the linter uses too: `tunesmith.format` and a dataset_info.json next to the file
   * (column and tag names). Workspace configuration, so only read in a trusted workspace.
   */
  private formatHint(document: vscode.TextDocument): FormatHint {
    if (document.uri.scheme !== 'file' || !vscode.workspace.isTrusted) return defaultHint;
    let hint = defaultHint;
    try {
      hint = datasetInfoHint(document.uri.fsPath) ?? defaultHint;
    } catch (error) {
      this.log(`dataset_info.json next to ${path.basename(document.fileName)} could not be read: ${errorMessage(error)}`);
    }
    const format = vscode.workspace.getConfiguration('tunesmith', document.uri).get<string>('format', 'auto');
    return format !== 'auto' ? { ...hint, forced: format as RecordFormat } : hint;
  }

  /** JSON arrays (and code-lens indexes) need the whole file parsed: once per document version, not per cursor move. */
  private parsed: { uri: string; version: number; document: DatasetDocument } | undefined;

  private previewFromParsed(document: vscode.TextDocument, target: { position: { line: number; character: number } } | { index: number }, options: TargetOptions): PreviewTarget | undefined {
    const uri = document.uri.toString();
    if (this.parsed === undefined || this.parsed.uri !== uri || this.parsed.version !== document.version) {
      this.parsed = { uri, version: document.version, document: DatasetDocument.parse(document.getText(), options.kind) };
    }
    const parsed = this.parsed.document;
    if (!parsed.isDataset) return undefined;
    const index = 'index' in target ? target.index : recordIndexAt(parsed.records, target.position);
    return previewOfRecord(parsed, index, options);
  }

  /**
   * JSONL: the line of the record at `line` (a blank line belongs to the record above) and its index,
   * without parsing the file, so a keystroke in a large file costs one line's parse. Undefined when a
   * line up to the cursor is not a one-line record (`{...}`): a record written over several lines is
   * one record to the language service, so only the parsed document numbers the records as it does.
   */
  private jsonlRecordLine(document: vscode.TextDocument, line: number): { line: number; recordIndex: number } | undefined {
    let recordLine = Math.min(line, document.lineCount - 1);
    while (recordLine > 0 && document.lineAt(recordLine).isEmptyOrWhitespace) recordLine--;
    if (recordLine < 0 || document.lineAt(recordLine).isEmptyOrWhitespace) return undefined;
    let recordIndex = 0;
    for (let before = 0; before <= recordLine; before++) {
      const text = document.lineAt(before).text.trim();
      if (text === '') continue;
      if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
      if (before < recordLine) recordIndex++;
    }
    return { line: recordLine, recordIndex };
  }

  private sendRecord(): void {
    this.post({ type: 'record', record: this.target?.record ?? null });
  }

  // ----- models ------------------------------------------------------------------------------------

  /** The model to use: the user's pick, else `tunesmith.model` (only a user-level value in restricted mode). */
  chosenModelPath(): string | undefined {
    const inspected = vscode.workspace.getConfiguration('tunesmith').inspect<string | null>('model');
    return chooseModel({
      picked: this.context.globalState.get<string>(modelStateKey),
      workspaceValue: inspected?.workspaceFolderValue ?? inspected?.workspaceValue,
      userValue: inspected?.globalValue,
      trusted: vscode.workspace.isTrusted,
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    });
  }

  /** Loads the chosen model into the engine if needed; with `interactive`, asks for one when none is chosen. */
  async ensureModel(interactive: boolean): Promise<LoadedModel | undefined> {
    let modelPath = this.chosenModelPath();
    if (modelPath === undefined) {
      if (!interactive) return undefined;
      const picked = await this.selectModel();
      if (picked === undefined) return undefined;
      modelPath = picked;
    }
    if (this.model !== undefined && this.model.path === modelPath && this.model.engineGeneration === this.engine.generation && this.engine.isRunning) return this.model;
    if (this.modelLoading !== undefined) return this.modelLoading;
    const loading = this.loadModel(modelPath);
    this.modelLoading = loading;
    try {
      return await loading;
    } finally {
      this.modelLoading = undefined;
    }
  }

  private async loadModel(modelPath: string): Promise<LoadedModel | undefined> {
    this.modelStatus = `Loading ${path.basename(modelPath)}…`;
    this.modelError = undefined;
    this.sendState();
    const started = performance.now();
    try {
      const device = vscode.workspace.getConfiguration('tunesmith').get<'auto' | 'cpu' | 'webgpu' | 'cuda'>('device', 'auto');
      const info = await this.engine.request(LoadModelRequest.method, { path: modelPath, device });
      this.model = { path: modelPath, info, engineGeneration: this.engine.generation };
      // Adapters live in the engine process: a new process (or model) needs them loaded again.
      this.adapter = await this.reloadAdapter(this.adapter);
      this.compare = await this.reloadAdapter(this.compare);
      this.log(`model ${info.modelId}: ${info.architecture}, ${info.parameters} parameters, ${info.device}${info.deviceNote === undefined ? '' : ` (${info.deviceNote})`}, loaded in ${Math.round(performance.now() - started)} ms, engine memory ${formatBytes(info.memoryBytes)}`);
      return this.model;
    } catch (error) {
      this.model = undefined;
      this.modelError = describeLoadFailure('model', modelPath, error);
      this.log(this.modelError);
      return undefined;
    } finally {
      this.modelStatus = undefined;
      this.sendState();
    }
  }

  private async reloadAdapter(adapter: LoadedAdapter | undefined): Promise<LoadedAdapter | undefined> {
    if (adapter === undefined || this.model === undefined) return undefined;
    if (adapter.engineGeneration === this.engine.generation && adapter.modelId === this.model.info.modelId) return adapter;
    try {
      const info = await this.engine.request(LoadAdapterRequest.method, { modelId: this.model.info.modelId, path: adapter.summary.path });
      return { ...adapter, adapterId: info.adapterId, modelId: info.modelId, engineGeneration: this.engine.generation };
    } catch (error) {
      this.modelError = describeLoadFailure('adapter', adapter.summary.path, error);
      this.log(this.modelError);
      return undefined;
    }
  }

  /** The guided quick pick: demo model, Hugging Face cache, a folder. Returns the chosen path. */
  async selectModel(givenPath?: string): Promise<string | undefined> {
    let chosen = givenPath;
    if (chosen === undefined) {
      type Item = vscode.QuickPickItem & { action: 'demo' | 'folder' | 'model' | 'unsupported'; modelPath?: string; reason?: string };
      const items: Item[] = [
        { label: '$(sparkle) Built-in demo model', description: 'tiny, random weights, no download', detail: 'Made on first use into the extension storage; it learns a dataset in seconds, so Fine-tune and Preview is quick to try.', action: 'demo' },
        { label: '$(folder-opened) Choose a model folder…', description: 'config.json, safetensors, tokenizer.json', action: 'folder' },
      ];
      const hub = huggingFaceHubFolder();
      const cached = listCachedModels(hub);
      if (cached.length > 0) items.push({ label: `Hugging Face cache (${hub})`, kind: vscode.QuickPickItemKind.Separator, action: 'model' });
      for (const model of cached) {
        items.push(model.unsupportedReason === undefined
          ? { label: `$(hubot) ${model.name}`, description: `${model.architecture ?? ''} · ${formatBytes(model.weightBytes)}`, action: 'model', modelPath: model.path }
          : { label: `$(circle-slash) ${model.name}`, description: 'not supported', detail: model.unsupportedReason, action: 'unsupported', reason: model.unsupportedReason });
      }
      const pick = await vscode.window.showQuickPick(items, { title: 'Tunesmith: Select Model', placeHolder: 'The base model the preview and fine-tuning use', matchOnDescription: true, matchOnDetail: true });
      if (pick === undefined) return undefined;
      if (pick.action === 'unsupported') {
        void vscode.window.showWarningMessage(`${pick.label.replace(/^\$\([^)]*\)\s*/, '')} cannot be used: ${pick.reason ?? 'unsupported'}`);
        return undefined;
      }
      if (pick.action === 'demo') chosen = await this.demoModel();
      else if (pick.action === 'model') chosen = pick.modelPath;
      else {
        const folders = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, title: 'Choose a Hugging Face model folder' });
        chosen = folders?.[0]?.fsPath;
      }
    } else if (givenPath === 'demo') chosen = await this.demoModel();
    if (chosen === undefined) return undefined;
    const inspected = inspectModelFolder(chosen);
    if (inspected.unsupportedReason !== undefined) {
      this.modelError = `"${path.basename(chosen)}" cannot be used: ${inspected.unsupportedReason}. Fix: pick another model ("Tunesmith: Select Model"); the built-in demo model always works.`;
      this.log(this.modelError);
      this.sendState();
      void vscode.window.showErrorMessage(this.modelError);
      return undefined;
    }
    await this.context.globalState.update(modelStateKey, inspected.path);
    this.adapter = undefined;
    this.compare = undefined;
    this.log(`model chosen: ${inspected.path}`);
    const loaded = await this.ensureModel(false);
    if (loaded !== undefined) await this.regenerate();
    return inspected.path;
  }

  /** The built-in demo model, written with the engine's create-tiny-model on first use. */
  async demoModel(): Promise<string | undefined> {
    const folder = path.join(this.storageRoot(), 'models', 'tunesmith-tiny-demo');
    if (fs.existsSync(path.join(folder, 'config.json')) && fs.existsSync(path.join(folder, 'model.safetensors'))) return folder;
    const cli = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'cli', 'tunesmith.js').fsPath;
    this.modelStatus = 'Creating the built-in demo model…';
    this.sendState();
    try {
      fs.mkdirSync(path.dirname(folder), { recursive: true });
      // Written next to the final folder, then renamed: a half-written model is never picked up.
      const temporary = `${folder}.${process.pid}.tmp`;
      fs.rmSync(temporary, { recursive: true, force: true });
      await new Promise<void>((resolve, reject) => {
        const child = fork(cli, ['create-tiny-model', '--out', temporary], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        let errorText = '';
        child.stderr?.on('data', (chunk: Buffer) => (errorText += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`create-tiny-model exited with code ${code ?? '?'}: ${errorText.trim()}`))));
      });
      fs.rmSync(folder, { recursive: true, force: true });
      fs.renameSync(temporary, folder);
      this.log(`demo model written to ${folder}`);
      return folder;
    } catch (error) {
      this.modelError = `The demo model could not be created: ${errorMessage(error)}. Fix: check that the extension storage (${this.storageRoot()}) is writable.`;
      this.log(this.modelError);
      return undefined;
    } finally {
      this.modelStatus = undefined;
      this.sendState();
    }
  }

  // ----- adapters ----------------------------------------------------------------------------------

  /** Loads an adapter folder into the engine and shows it in `slot`. */
  async useAdapter(adapterPath: string, slot: 'adapter' | 'compare' = 'adapter'): Promise<boolean> {
    const model = await this.ensureModel(true);
    if (model === undefined) return false;
    if (!isAdapterFolder(adapterPath)) {
      this.modelError = `${adapterPath} is not a PEFT adapter folder. Fix: choose a folder with adapter_config.json and adapter_model.safetensors.`;
      this.sendState();
      void vscode.window.showErrorMessage(this.modelError);
      return false;
    }
    try {
      const info = await this.engine.request(LoadAdapterRequest.method, { modelId: model.info.modelId, path: adapterPath });
      const summary = summarizeAdapter(adapterPath, this.adapterList().find((known) => known.path === adapterPath)?.name);
      const loaded: LoadedAdapter = { summary, adapterId: info.adapterId, modelId: info.modelId, engineGeneration: this.engine.generation };
      if (slot === 'adapter') this.adapter = loaded;
      else this.compare = loaded;
      if (!this.adapterList().some((known) => known.path === adapterPath)) this.extraAdapters.push(summary);
      this.modelError = undefined;
      this.log(`adapter ${summary.name} loaded (rank ${info.rank}, alpha ${info.alpha}, ${info.targetModules.join(', ')})`);
      this.sendState();
      await this.regenerate();
      return true;
    } catch (error) {
      this.modelError = describeLoadFailure('adapter', adapterPath, error);
      this.log(this.modelError);
      this.sendState();
      void vscode.window.showErrorMessage(this.modelError);
      return false;
    }
  }

  async loadAdapterCommand(givenPath?: string): Promise<boolean> {
    let adapterPath = givenPath;
    if (adapterPath === undefined) {
      const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, title: 'Choose a PEFT adapter folder (adapter_config.json + adapter_model.safetensors)' });
      adapterPath = picked?.[0]?.fsPath;
    }
    if (adapterPath === undefined) return false;
    if (this.panel === undefined) await this.showPreview(vscode.window.activeTextEditor?.document);
    return this.useAdapter(adapterPath, 'adapter');
  }

  async exportAdapterCommand(destination?: string): Promise<string | undefined> {
    const adapter = this.adapter?.summary ?? (this.training?.adapterPath == null ? undefined : summarizeAdapter(this.training.adapterPath));
    if (adapter === undefined) {
      void vscode.window.showInformationMessage('No adapter to export: fine-tune one with "Tunesmith: Fine-tune and Preview" or load one first.');
      return undefined;
    }
    let target = destination;
    if (target === undefined) {
      const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Export here', title: `Export adapter ${adapter.name} (PEFT format)` });
      target = picked?.[0] === undefined ? undefined : path.join(picked[0].fsPath, `tunesmith-adapter-${adapter.name}`);
    }
    if (target === undefined) return undefined;
    try {
      const written = exportAdapter(adapter.path, target);
      this.log(`adapter exported to ${target} (${written.map((file) => path.basename(file)).join(', ')})`);
      void vscode.window.showInformationMessage(`Adapter exported to ${target} (PEFT format: loads with peft.PeftModel.from_pretrained or vLLM's LoRA support).`);
      return target;
    } catch (error) {
      void vscode.window.showErrorMessage(`The adapter could not be exported: ${errorMessage(error)}`);
      return undefined;
    }
  }

  // ----- generation --------------------------------------------------------------------------------

  /** Cancels the running answers and starts new ones for the record shown (adapter first: it is what you tune). */
  regenerate(): Promise<void> {
    const roundStart = this.changeTime > 0 ? this.changeTime : performance.now();
    this.changeTime = 0;
    return this.rounds.run((signal) => this.generateRound(signal, roundStart));
  }

  private async generateRound(signal: AbortSignal, roundStart: number): Promise<void> {
    const round = { signal };
    this.lastRoundTimings = {};
    const messages = this.target?.messages;
    if (this.panel === undefined || messages === undefined) return;
    const model = await this.ensureModel(false);
    if (model === undefined || round.signal.aborted) return;
    const jobs: { slot: PreviewSlot; adapter: LoadedAdapter | undefined; label: string }[] = [];
    const modelName = path.basename(model.path);
    if (this.adapter !== undefined) jobs.push({ slot: 'adapter', adapter: this.adapter, label: `${modelName} + ${this.adapter.summary.name}` });
    jobs.push({ slot: 'base', adapter: undefined, label: modelName });
    if (this.compare !== undefined) jobs.push({ slot: 'compare', adapter: this.compare, label: `${modelName} + ${this.compare.summary.name}` });
    for (const job of jobs) {
      const generationId = this.nextGenerationId++;
      this.post({ type: 'generationStart', generationId, slot: job.slot, label: job.label });
    }
    // Staggered: each answer starts once the one before it has its first token (or has ended), so the
    // adapter's answer comes first and the others then stream beside it (the engine runs concurrent
    // generations of one model, each with its own cache).
    let generationId = this.nextGenerationId - jobs.length;
    let previousStarted: Promise<void> = Promise.resolve();
    const answers = jobs.map((job) => {
      const id = generationId++;
      const waitFor = previousStarted;
      let markStarted!: () => void;
      previousStarted = new Promise<void>((resolve) => (markStarted = resolve));
      return waitFor.then(() => this.generateAnswer(job, id, model.info.modelId, messages, round.signal, roundStart, markStarted)).finally(markStarted);
    });
    await Promise.all(answers);
  }

  private async generateAnswer(job: { slot: PreviewSlot; adapter: LoadedAdapter | undefined }, id: number, modelId: string, messages: EngineChatMessage[], signal: AbortSignal, roundStart: number, onFirstToken: () => void): Promise<void> {
    if (signal.aborted) return;
    let firstToken = true;
    try {
      const result = await this.engine.request(
        GenerateRequest.method,
        {
          modelId,
          ...(job.adapter === undefined ? {} : { adapterId: job.adapter.adapterId }),
          messages,
          maxTokens: this.settings.maxTokens,
          sampling: { temperature: this.settings.temperature, seed: this.settings.seed },
        },
        {
          signal,
          onNotification: (method, params) => {
            if (method !== GenerateTokenNotification.method || signal.aborted) return;
            if (firstToken) {
              firstToken = false;
              this.lastRoundTimings[job.slot] = performance.now() - roundStart;
              onFirstToken();
            }
            this.post({ type: 'generationToken', generationId: id, text: (params as GenerateTokenNotification.Params).text });
          },
        },
      );
      if (signal.aborted) return;
      this.post({ type: 'generationEnd', generationId: id, finishReason: result.finishReason, generatedTokens: result.generatedTokens, tokensPerSecond: result.decodeTokensPerSecond, timeToFirstTokenMs: result.timeToFirstTokenMs });
    } catch (error) {
      if (signal.aborted || (error instanceof EngineRequestError && error.code === 'cancelled')) return;
      const message = error instanceof EngineRequestError && error.code === 'engine-exited' ? error.message : `Generation failed: ${errorMessage(error)}`;
      this.log(message);
      this.post({ type: 'generationError', generationId: id, message });
    }
  }

  // ----- training ----------------------------------------------------------------------------------

  get trainingState(): PreviewTrainingState | null {
    return this.training;
  }

  private trainingSettings(): Partial<TrainingRequest> {
    const config = vscode.workspace.getConfiguration('tunesmith.preview');
    const steps = config.get<number>('trainingSteps', 0);
    const rank = config.get<number>('loraRank', 16);
    const settings: Partial<TrainingRequest> = {
      learningRate: config.get<number>('learningRate', 3e-3),
      rank,
      alpha: 2 * rank,
      // Small micro-batches: more, quicker steps, so the chart moves while you watch.
      batchTokens: config.get<number>('batchTokens', 512),
      evalSplit: config.get<number>('evalSplit', 0.1),
      checkpointEvery: 10,
      evalEvery: 5,
      device: vscode.workspace.getConfiguration('tunesmith').get<'auto' | 'cpu' | 'webgpu' | 'cuda'>('device', 'auto'),
    };
    // The trainer takes epochs or steps, never both.
    if (steps > 0) settings.steps = steps;
    else settings.epochs = config.get<number>('trainingEpochs', 3);
    return settings;
  }

  /** Trains an adapter on the dataset, charting progress, then switches the preview to it. */
  async fineTune(datasetUri?: vscode.Uri): Promise<TrainingSummary | undefined> {
    if (this.trainingAbort !== undefined) {
      void vscode.window.showInformationMessage('A fine-tuning run is already going: "Tunesmith: Stop Training" cancels it.');
      return undefined;
    }
    const document = datasetUri === undefined ? this.activeDatasetDocument() : await vscode.workspace.openTextDocument(datasetUri);
    if (document === undefined || document.uri.scheme !== 'file') {
      void vscode.window.showInformationMessage('Open a dataset file (.jsonl or .json saved on disk) to fine-tune on it.');
      return undefined;
    }
    if (this.panel === undefined || this.followedUri !== document.uri.toString()) await this.showPreview(document);
    const model = await this.ensureModel(true);
    if (model === undefined) return undefined;
    const datasetPath = document.uri.fsPath;
    if (document.isDirty) this.log(`${path.basename(datasetPath)} has unsaved changes: training uses the saved file (save to include them)`);
    const resumeFolder = unfinishedRun(this.storageRoot(), datasetPath, checkpointFile);
    const out = resumeFolder ?? path.join(datasetAdaptersFolder(this.storageRoot(), datasetPath), runFolderName());
    fs.mkdirSync(out, { recursive: true });
    const runId = path.basename(out);
    const request: TrainingRequest = { ...this.trainingSettings(), datasets: [datasetPath], model: model.path, out, resume: resumeFolder !== undefined };
    this.training = startTraining(runId, path.basename(datasetPath), path.basename(model.path));
    this.post({ type: 'training', training: this.training });
    this.output.show(true);
    this.log(`fine-tuning ${path.basename(model.path)} on ${datasetPath} -> ${out}${resumeFolder === undefined ? '' : ' (resuming from its checkpoint)'}`);
    this.log(`settings: ${JSON.stringify({ ...request, datasets: undefined, model: undefined, out: undefined })}`);
    const abort = new AbortController();
    this.trainingAbort = abort;
    this.updateStatusBar();
    const started = performance.now();
    try {
      const summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Tunesmith: fine-tuning on ${path.basename(datasetPath)}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => this.stopTraining());
          let reported = 0;
          return await this.engine.request(TrainStartRequest.method, request, {
            signal: abort.signal,
            onNotification: (method, params) => {
              if (method !== TrainingEventNotification.method) return;
              const event = params as TrainingEvent;
              this.onTrainingEvent(runId, event);
              if (event.type === 'step' && event.totalSteps > 0) {
                const fraction = (event.step / event.totalSteps) * 100;
                progress.report({ increment: fraction - reported, message: `step ${event.step}/${event.totalSteps} · loss ${event.loss.toFixed(3)}` });
                reported = fraction;
              }
            },
          });
        },
      );
      return await this.trainingEnded(runId, datasetPath, model.path, out, summary, performance.now() - started);
    } catch (error) {
      const cancelled = error instanceof EngineRequestError && error.code === 'cancelled';
      const kept = fs.existsSync(path.join(out, checkpointFile)) ? ` The partial checkpoint is kept in ${out}; Fine-tune and Preview resumes from it.` : '';
      const message = cancelled ? `Training cancelled.${kept}` : `Training failed: ${errorMessage(error)}.${kept}`;
      this.finishTraining(cancelled ? 'cancelled' : 'failed', message, null);
      if (cancelled) void vscode.window.showInformationMessage(message);
      else void vscode.window.showErrorMessage(message);
      return undefined;
    } finally {
      this.trainingAbort = undefined;
      this.updateStatusBar();
    }
  }

  private onTrainingEvent(runId: string, event: TrainingEvent): void {
    if (this.training === null || this.training.runId !== runId) return;
    this.training = applyTrainingEvent(this.training, event);
    this.post({ type: 'trainingEvent', runId, event });
    this.updateStatusBar();
    switch (event.type) {
      case 'data': {
        const report = event.report;
        this.log(`data: ${report.trainExamples} training and ${report.evalExamples} eval examples, ${report.trainTokens} tokens; ${report.invalid.length} invalid, ${report.noTrainableTokens.length} without trainable tokens, ${report.overLength.length} over length (${report.overLengthAction})`);
        for (const invalid of report.invalid.slice(0, 20)) this.log(`  skipped ${path.basename(invalid.file)}:${invalid.line}: ${invalid.reason}`);
        return;
      }
      case 'started':
        this.log(`started: ${event.totalSteps} steps on ${event.device}, ${event.trainableParameters} trainable of ${event.parameters} parameters${event.resumedFromStep > 0 ? `, resumed at step ${event.resumedFromStep}` : ''}`);
        return;
      case 'step':
        this.log(`step ${event.step}/${event.totalSteps} epoch ${event.epoch.toFixed(2)} loss ${event.loss.toFixed(4)} lr ${event.learningRate.toExponential(2)} ${Math.round(event.tokensPerSecond)} tok/s eta ${Math.round(event.etaSeconds)}s`);
        return;
      case 'eval':
        this.log(`eval at step ${event.step}: loss ${event.evalLoss.toFixed(4)}`);
        return;
      case 'checkpoint':
        this.log(`checkpoint at step ${event.step}: ${event.path}`);
        return;
      case 'log':
        this.log(event.message);
        return;
    }
  }

  private finishTraining(status: PreviewTrainingState['status'], message: string, adapterPath: string | null): void {
    if (this.training !== null) this.training = { ...this.training, status, message, adapterPath, etaSeconds: 0 };
    this.log(message);
    this.post({ type: 'training', training: this.training });
    this.updateStatusBar();
  }

  private async trainingEnded(runId: string, datasetPath: string, modelPath: string, out: string, summary: TrainingSummary, elapsedMs: number): Promise<TrainingSummary> {
    if (this.training?.runId !== runId) return summary;
    if (summary.cancelled || summary.adapterPath === null) {
      const kept = fs.existsSync(path.join(out, checkpointFile)) ? ` The partial checkpoint (step ${summary.steps}) is kept in ${out}; Fine-tune and Preview resumes from it.` : '';
      this.finishTraining('cancelled', `Training cancelled at step ${summary.steps}.${kept}`, null);
      void vscode.window.showInformationMessage(`Tunesmith: training cancelled at step ${summary.steps}.${kept}`);
      return summary;
    }
    writeRunInfo(out, { dataset: datasetPath, model: modelPath, createdAt: new Date().toISOString(), steps: summary.steps, finalLoss: summary.finalLoss, finalEvalLoss: summary.finalEvalLoss, seconds: summary.seconds });
    const loss = summary.finalLoss === null ? '' : `, final loss ${summary.finalLoss.toFixed(3)}`;
    const evalLoss = summary.finalEvalLoss === null ? '' : `, eval loss ${summary.finalEvalLoss.toFixed(3)}`;
    this.finishTraining('finished', `Trained ${summary.steps} steps in ${(elapsedMs / 1000).toFixed(1)} s${loss}${evalLoss}; the preview now uses this adapter.`, summary.adapterPath);
    await this.useAdapter(summary.adapterPath, 'adapter');
    return summary;
  }

  stopTraining(): boolean {
    if (this.trainingAbort === undefined) {
      void vscode.window.showInformationMessage('No fine-tuning is running.');
      return false;
    }
    this.log('stopping the training run (the checkpoint is kept)…');
    this.trainingAbort.abort();
    return true;
  }

  private activeDatasetDocument(): vscode.TextDocument | undefined {
    const active = vscode.window.activeTextEditor?.document;
    if (active !== undefined && isDatasetDocument(active)) return active;
    if (this.followedUri !== undefined) return vscode.workspace.textDocuments.find((document) => document.uri.toString() === this.followedUri);
    return undefined;
  }

  // ----- suggestions ---------------------------------------------------------------------------------

  async suggestInstructions(): Promise<string[]> {
    const document = this.followedUri === undefined ? undefined : vscode.workspace.textDocuments.find((open) => open.uri.toString() === this.followedUri);
    if (document === undefined) {
      this.post({ type: 'suggestions', status: 'failed', suggestions: [], message: 'Open a dataset file first.' });
      return [];
    }
    const model = await this.ensureModel(true);
    if (model === undefined) {
      this.post({ type: 'suggestions', status: 'failed', suggestions: [], message: 'No model loaded: choose one with Select Model.' });
      return [];
    }
    this.suggestionAbort?.abort();
    const abort = new AbortController();
    this.suggestionAbort = abort;
    this.post({ type: 'suggestions', status: 'working', suggestions: [], message: `Asking ${path.basename(model.path)} for new instructions…` });
    const existing = datasetInstructions(document.getText(), fileKindOfName(document.fileName, document.languageId), this.formatHint(document));
    if (existing.length === 0) {
      this.post({ type: 'suggestions', status: 'failed', suggestions: [], message: 'This file has no instructions yet to take the style from: write a few records first.' });
      return [];
    }
    const seed = this.settings.seed + Math.floor(Date.now() / 1000);
    const examples = pickExamples(existing, 5, seed);
    try {
      const result = await this.engine.request(GenerateRequest.method, {
        modelId: model.info.modelId,
        ...(this.adapter === undefined ? {} : { adapterId: this.adapter.adapterId }),
        messages: suggestionPrompt(examples, 8),
        maxTokens: 400,
        sampling: { temperature: 0.9, topP: 0.95, seed },
      }, { signal: abort.signal });
      const filtered = filterNearDuplicates(parseSuggestions(result.text), existing);
      const dropped = filtered.droppedAsDuplicates > 0 ? ` ${filtered.droppedAsDuplicates} near-duplicate(s) of existing instructions were left out.` : '';
      const message = filtered.kept.length === 0 ? `The model proposed nothing new this time.${dropped} Try again (a small or untuned model may not follow the request).` : `${filtered.kept.length} new instruction(s).${dropped}`;
      this.post({ type: 'suggestions', status: 'done', suggestions: filtered.kept.map((text) => ({ text })), message });
      return filtered.kept;
    } catch (error) {
      if (abort.signal.aborted) return [];
      this.post({ type: 'suggestions', status: 'failed', suggestions: [], message: `Suggestions failed: ${errorMessage(error)}` });
      return [];
    }
  }

  /** The one way the panel changes the file: an explicit, undoable insert of a new record after the one shown. */
  async insertSuggestion(instruction: string): Promise<boolean> {
    const document = this.followedUri === undefined ? undefined : vscode.workspace.textDocuments.find((open) => open.uri.toString() === this.followedUri);
    const target = this.target;
    if (document === undefined || target === undefined) return false;
    const kind = fileKindOfName(document.fileName, document.languageId);
    const value = newRecordValue(target.record.format, target.conversation?.shape, instruction, systemPromptOf(target.conversation), this.formatHint(document).mapping);
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const insertion = recordInsertion(kind, target.source, value, eol);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(insertion.line, insertion.character), insertion.text);
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied) {
      this.log(`inserted a new record after record ${target.record.recordIndex + 1}: ${instruction}`);
      const editor = vscode.window.visibleTextEditors.find((visible) => visible.document === document);
      if (editor !== undefined) {
        const line = kind === 'jsonl' ? insertion.line + 1 : insertion.line + 1;
        editor.selection = new vscode.Selection(line, 0, line, 0);
        editor.revealRange(new vscode.Range(line, 0, line, 0));
      }
    }
    return applied;
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    this.rounds.abort();
    this.suggestionAbort?.abort();
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer);
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
