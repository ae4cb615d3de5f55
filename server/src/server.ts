/**
 * The Tunesmith language server: thin LSP wiring around the pure dataset service
 * (server/src/service). Runs over stdio (--stdio, as the extension starts it) or node IPC (--node-ipc).
 */
import {
  createConnection,
  ErrorCodes,
  ResponseError,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MessageType,
  ProposedFeatures,
  ShowMessageNotification,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import { type DatasetStatistics, DatasetStatisticsRequest, LintFromDiskRequest } from '../../protocol/messages';
import { setRulesDocsFromBundle } from './service/docsUrl';
import { datasetStatistics } from './service/features/statistics';
import { readDatasetFileAsync } from './service/files';
import { type DatasetDocument, DatasetSession, fileKindOf } from './service/session';
import { ConfigurationStore, updatedFolders } from './handlers/configuration';
import { ConfigFolderWatcher } from './handlers/configWatcher';
import { DiagnosticReports } from './handlers/diagnosticReports';
import { toLspDiagnostic } from './handlers/convert';
import { registerFeatures } from './handlers/features';
import { realFileOf, SiblingFiles } from './handlers/siblings';
import { yieldToEventLoop } from './handlers/eventLoop';
import { createStdioConnection } from './handlers/stdioTransport';

// The bundle lives in dist/server/; the rule pages in docs/rules/ of the extension folder.
setRulesDocsFromBundle(__dirname);

const connection = process.argv.includes('--stdio') ? createStdioConnection() : createConnection(ProposedFeatures.all);
const configuration = new ConfigurationStore(connection);
let supportsRefresh = false;
let supportsWatchRegistration = false;
let supportsWorkspaceFolders = false;
let resolvesCodeActionEdits = false;
/** The client shows code actions with `disabled` (greyed, with the reason a conversion cannot be done). */
let showsDisabledCodeActions = false;
/** Asks the client to pull every open document's diagnostics again (after the answer being written, if any). */
function requestRefresh(): void {
  if (supportsRefresh) setImmediate(() => void connection.languages.diagnostics.refresh());
}
// A file's first lint makes it count for the others' leakage, and a lint with new settings changes what it counts: their reports are refreshed.
const session = new DatasetSession((uri) => configuration.peek(uri), requestRefresh, realFileOf);
const reports = new DiagnosticReports();
/** Unopened dataset files beside open ones count for train/eval leakage. */
const siblings = new SiblingFiles(session, configuration, requestRefresh);

connection.onInitialize((params): InitializeResult => {
  const capabilities = params.capabilities;
  configuration.supportsConfiguration = capabilities.workspace?.configuration === true;
  supportsRefresh = capabilities.workspace?.diagnostics?.refreshSupport === true;
  supportsWatchRegistration = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  resolvesCodeActionEdits = capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
  supportsWorkspaceFolders = capabilities.workspace?.workspaceFolders === true;
  showsDisabledCodeActions = capabilities.textDocument?.codeAction?.disabledSupport === true;
  configuration.workspaceFolders = updatedFolders([], params.workspaceFolders ?? []);
  return {
    capabilities: {
      // Without changeNotifications VS Code never says that a folder was added to the workspace.
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      diagnosticProvider: { identifier: 'tunesmith', interFileDependencies: true, workspaceDiagnostics: false },
      codeActionProvider: { codeActionKinds: ['quickfix', 'refactor.rewrite', 'source.fixAll.tunesmith'], resolveProvider: true },
      hoverProvider: true,
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      completionProvider: { triggerCharacters: ['"', ':'] },
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'tunesmith-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (supportsWorkspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders(({ added, removed }) => {
      configuration.workspaceFolders = updatedFolders(configuration.workspaceFolders, added, removed);
      // The open files' folder, and so their settings and "files" globs, may have changed.
      settingsChanged();
    });
  }
  if (configuration.supportsConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'tunesmith' });
  }
  // Config files the client does not watch are watched here: all of them for a client that cannot
  // register watchers, else those above the workspace folders (the client watches inside them only).
  const watcher = new ConfigFolderWatcher(settingsChanged);
  configuration.watchFolders = (folders) => watcher.watch(supportsWatchRegistration ? folders.filter((folder) => !configuration.isInWorkspace(folder)) : folders);
  connection.onShutdown(() => watcher.dispose());
  if (supportsWatchRegistration) {
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/tunesmith.json' }, { globPattern: '**/.tunesmithrc.json' }, { globPattern: '**/dataset_info.json' }, { globPattern: '**/*.{jsonl,ndjson,json}' }],
    });
  }
});

/** Settings or config files changed: forget everything derived from them and ask for fresh diagnostics. */
function settingsChanged(): void {
  configuration.clear();
  shownWarnings.clear();
  session.invalidate();
  requestRefresh();
  void siblings.reloadAll();
}
connection.onDidChangeConfiguration(({ settings }) => {
  // A client that cannot be asked (no workspace/configuration) pushes the settings here instead.
  if (!configuration.supportsConfiguration) configuration.pushedSettings = (settings as { tunesmith?: unknown } | null | undefined)?.tunesmith;
  settingsChanged();
});
const configFileName = /(?:^|[/\\])(?:tunesmith\.json|\.tunesmithrc\.json|dataset_info\.json)$/;
connection.onDidChangeWatchedFiles(({ changes }) => {
  if (changes.some((change) => configFileName.test(change.uri))) settingsChanged();
  void siblings.filesChanged(changes.map((change) => ({ uri: change.uri, deleted: change.type === FileChangeType.Deleted })));
});

connection.onDidOpenTextDocument(({ textDocument }) => {
  session.open(textDocument.uri, textDocument.text, textDocument.languageId);
  void siblings.loadAround(textDocument.uri);
});
connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
  clearTimeout(locating.get(textDocument.uri));
  session.change(textDocument.uri, contentChanges.map((change) => ('range' in change ? { range: change.range, text: change.text } : { text: change.text })));
});
connection.onDidCloseTextDocument(({ textDocument }) => {
  clearTimeout(locating.get(textDocument.uri));
  locating.delete(textDocument.uri);
  session.close(textDocument.uri);
  reports.forget(textDocument.uri);
  void siblings.closed(textDocument.uri);
});

/** Config and model problems already shown (each once, until the settings change). */
const shownWarnings = new Set<string>();

/** Makes sure the document's settings are loaded (their problems shown once), then returns its facts. */
async function configured(uri: string) {
  if (!session.has(uri)) return undefined;
  const config = await configuration.load(uri);
  // A broken tunesmith.json or model folder would otherwise fall back to defaults and estimates silently.
  for (const warning of config.warnings) {
    if (shownWarnings.has(warning)) continue;
    shownWarnings.add(warning);
    connection.console.warn(warning);
    // A notification, not showWarningMessage's request: nothing waits for the user to close it.
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Tunesmith: ${warning}` });
  }
  // A JSON file outside the `files` globs is not a dataset (clients other than VS Code have no middleware that skips it).
  if (!config.inFiles && session.get(uri)?.kind === 'json') {
    // Linted before the globs changed: its records no longer count for the other files' leakage.
    if (session.leaveWorkspace(uri)) requestRefresh();
    return undefined;
  }
  // Opened with the defaults before the client's settings came: a smaller maxFileSize refuses it now.
  if (session.applySizeLimit(uri)) requestRefresh();
  return session.factsFor(uri);
}

/** Makes sure the document's settings are loaded, then returns its lint result. */
async function lint(uri: string) {
  for (let round = 0; ; round++) {
    // Again after preparing: settings that changed meanwhile are loaded before it is linted (else it would use the defaults, then keep them).
    if ((await configured(uri)) === undefined) return undefined;
    if (round === 3 || !session.needsPreparing(uri)) return session.lint(uri);
    await preparedInSlices(uri);
  }
}

/** Slices of the work done while idle after an answer: short, since a keystroke that comes meanwhile waits for the slice. */
const idleSliceMs = 5;

/** Large documents being checked in slices, by uri: a second request waits for the same work. */
const preparing = new Map<string, Promise<void>>();

/** Checks a large document's records in slices (its first lint would hold the server for a second or more), answering other requests meanwhile. */
function preparedInSlices(uri: string): Promise<void> {
  let pending = preparing.get(uri);
  if (pending === undefined) {
    pending = session.prepareInSlices(uri, yieldToEventLoop).finally(() => preparing.delete(uri));
    preparing.set(uri, pending);
  }
  return pending;
}

/** How long typing must pause before a JSON document's records are located in its text (see locateJsonRecords). */
const typingPauseMs = 300;
const locating = new Map<string, ReturnType<typeof setTimeout>>();

/** Locates a JSON document's records once no edit has come for typingPauseMs. */
function locateWhenTypingPauses(uri: string): void {
  clearTimeout(locating.get(uri));
  const timer = setTimeout(() => {
    locating.delete(uri);
    session.locateJsonRecords(uri);
  }, typingPauseMs);
  timer.unref();
  locating.set(uri, timer);
}

connection.languages.diagnostics.on(async (params) => {
  const uri = params.textDocument.uri;
  const result = await lint(uri);
  // Once the answer is out, ready the document for fast edits (a no-op after the first time).
  setImmediate(() => void session.prepareForEdits(uri, yieldToEventLoop, idleSliceMs));
  if (session.get(uri)?.kind === 'json') locateWhenTypingPauses(uri);
  return reports.report(uri, params.previousResultId, result?.diagnostics ?? []);
});

/** Statistics of a document the session holds, from its lint result; null for a file that is not a dataset. */
function statisticsOf(uri: string, result: Awaited<ReturnType<typeof lint>>, document = session.get(uri)): DatasetStatistics | null {
  if (result === undefined || document === undefined || !document.isDataset) return null;
  return datasetStatistics(document, result.facts, uri);
}

connection.onRequest(DatasetStatisticsRequest.method, async (params: DatasetStatisticsRequest.Params): Promise<DatasetStatisticsRequest.Result> => statisticsOf(params.uri, await lint(params.uri)));

/** Reads in flight, by uri: a second request for the same file waits for the same answer. */
const lintsFromDisk = new Map<string, Promise<LintFromDiskRequest.Result>>();

async function lintFromDisk(uri: string, filePath: string): Promise<LintFromDiskRequest.Result> {
  // The editor's copy wins when it has one (it is linted as you type), also when it arrives while the file is read.
  let fromDisk: DatasetDocument | undefined;
  if (!session.has(uri)) {
    // Read in chunks and checked in slices: the other documents' requests are answered meanwhile.
    const { settings, hint, inFiles } = await configuration.load(uri);
    // Not a dataset by the `files` globs: nothing to read (a JSON Lines file is always one).
    if (!inFiles && fileKindOf(uri) === 'json') return { diagnostics: [], statistics: null };
    const document = await readDatasetFileAsync(filePath, settings, hint, yieldToEventLoop);
    if (!session.has(uri)) {
      session.openFromDisk(uri, document);
      fromDisk = document;
      await session.prepareInSlices(uri, yieldToEventLoop);
    }
  }
  try {
    const result = await lint(uri);
    const document = session.get(uri);
    const diagnostics = (result?.diagnostics ?? []).map(toLspDiagnostic);
    // The statistics of a large file take a while too: other requests first.
    await yieldToEventLoop();
    return { diagnostics, statistics: statisticsOf(uri, result, document) };
  } finally {
    // Held only while answering: a 100 MB file would otherwise stay in memory for as long as its tab is open.
    if (fromDisk !== undefined && session.get(uri) === fromDisk) session.close(uri);
  }
}

connection.onRequest(LintFromDiskRequest.method, async (params: LintFromDiskRequest.Params): Promise<LintFromDiskRequest.Result> => {
  const { uri } = params;
  let filePath: string;
  try {
    filePath = fileURLToPath(uri);
  } catch {
    throw new ResponseError(ErrorCodes.InvalidParams, `Tunesmith reads only files on disk, not ${uri}`);
  }
  const running = lintsFromDisk.get(uri);
  if (running !== undefined) return running;
  const answer = lintFromDisk(uri, filePath);
  lintsFromDisk.set(uri, answer);
  try {
    return await answer;
  } finally {
    lintsFromDisk.delete(uri);
  }
});

registerFeatures(connection, session, { lint, configured }, () => resolvesCodeActionEdits, () => showsDisabledCodeActions);

connection.listen();
