/**
 * Starts the Tunesmith language server on demand (the first time a dataset is open) and restarts it
 * when the `files` globs change (the setting, or a tunesmith.json's), so its document selector follows them.
 */
import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { datasetDocumentSelector, isDatasetDocument, workspaceConfigFileGlobs } from './datasetDocuments';
import { forgetConfigFiles } from './datasetSniff';

/** The port `.vscode/launch.json` attaches the debugger to when the extension runs under F5. */
const SERVER_DEBUG_PORT = 6009;

export class LanguageServerController implements vscode.Disposable {
  private client: Promise<LanguageClient> | undefined;
  /** Set when an automatic start failed: typing must not retry (and report) on every keystroke. */
  private automaticStartFailed = false;
  private readonly output = vscode.window.createOutputChannel('Tunesmith Language Server');
  /** The config files' `files` the running client's selector was built from. */
  private selectorConfigFiles = '';

  constructor(private readonly extensionUri: vscode.Uri) {}

  get isStarted(): boolean {
    return this.client !== undefined;
  }

  /** The running client, starting the server the first time. */
  start(): Promise<LanguageClient> {
    this.client ??= this.createClient().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  /** Starts the server when `document` is a dataset; cheap for every other document. */
  startIfDataset(document: vscode.TextDocument): void {
    if (this.client === undefined && !this.automaticStartFailed && isDatasetDocument(document)) {
      this.start().catch((error: unknown) => {
        this.automaticStartFailed = true;
        this.reportStartFailure(error);
      });
    }
  }

  async restart(): Promise<void> {
    this.automaticStartFailed = false;
    if (this.client === undefined) return;
    await this.stop();
    await this.start();
  }

  /** A tunesmith.json or .tunesmithrc.json changed: restart only when the `files` globs in them did. */
  async configFilesChanged(): Promise<void> {
    forgetConfigFiles();
    if (this.client === undefined) return;
    if (JSON.stringify(await workspaceConfigFileGlobs()) !== this.selectorConfigFiles) await this.restart();
  }

  async stop(): Promise<void> {
    const running = this.client;
    this.client = undefined;
    if (running === undefined) return;
    try {
      await (await running).stop();
    } catch (error) {
      // It never started (already reported) or is already stopping: nothing left to stop.
      this.output.appendLine(`Stopping the language server: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    void this.stop();
    this.output.dispose();
  }

  private async createClient(): Promise<LanguageClient> {
    // Loaded on first use so that activating the extension stays cheap.
    const { LanguageClient, TransportKind, vsdiag } = await import('vscode-languageclient/node.js');
    const serverModule = vscode.Uri.joinPath(this.extensionUri, 'dist', 'server', 'server.js').fsPath;
    const serverOptions: ServerOptions = {
      // stdio, not node IPC: over stdio the server writes diagnostic reports from bytes kept per
      // diagnostic (server/src/handlers/stdioTransport.ts), where process.send would serialise them all again.
      run: { module: serverModule, transport: TransportKind.stdio },
      debug: {
        module: serverModule,
        transport: TransportKind.stdio,
        options: { execArgv: ['--nolazy', `--inspect=${SERVER_DEBUG_PORT}`] },
      },
    };
    const configFiles = await workspaceConfigFileGlobs();
    this.selectorConfigFiles = JSON.stringify(configFiles);
    const clientOptions: LanguageClientOptions = {
      documentSelector: datasetDocumentSelector(configFiles),
      outputChannel: this.output,
      diagnosticPullOptions: { onChange: true, onSave: true },
      middleware: {
        // JSON files under the globs that are not record arrays (configuration, fixtures) get no lint.
        provideDiagnostics: (document, previousResultId, token, next) => {
          const opened = document instanceof vscode.Uri ? findOpenDocument(document) : document;
          if (opened !== undefined && opened.languageId === 'json' && !isDatasetDocument(opened)) {
            return { kind: vsdiag.DocumentDiagnosticReportKind.full, items: [] };
          }
          return next(document, previousResultId, token);
        },
      },
    };
    const client = new LanguageClient('tunesmith', 'Tunesmith Language Server', serverOptions, clientOptions);
    await client.start();
    return client;
  }

  private reportStartFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.output.appendLine(`Could not start the language server: ${message}`);
    void vscode.window.showErrorMessage(`Tunesmith: the language server did not start (${message}). See the "Tunesmith Language Server" output.`);
  }
}

function findOpenDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === key);
}
