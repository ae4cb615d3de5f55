/**
 * A status-bar item with the active dataset's statistics (records and token length; every figure in
 * its tooltip), refreshed when the editor changes and after edits; clicking it runs "Show Dataset
 * Statistics".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type DatasetStatistics, DatasetStatisticsRequest } from '../../protocol/messages';
import { SHOW_STATISTICS_COMMAND } from './commands/showStatistics';
import { isDatasetDocument } from './datasetDocuments';
import type { LanguageServerController } from './languageServer';
import { activeTabUri, type LargeDatasetFiles } from './largeFiles';
import { statisticsStatus } from './statisticsText';

/** Quiet time after an edit before the figures are asked again; more for long files (the server walks every record). */
function refreshDelayMs(document: vscode.TextDocument): number {
  return 300 + Math.min(3000, document.lineCount / 40);
}

export class StatisticsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tunesmith.statistics', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every refresh: an answer that a newer refresh overtook is dropped. */
  private generation = 0;
  private shown = false;
  private readonly updated = new vscode.EventEmitter<string | undefined>();
  /** Fires with the shown text (undefined when hidden) after each refresh (for tests). */
  readonly onDidUpdate = this.updated.event;

  constructor(
    private readonly server: LanguageServerController,
    private readonly largeFiles: LargeDatasetFiles,
  ) {
    this.item.name = 'Tunesmith Dataset Statistics';
    this.item.command = SHOW_STATISTICS_COMMAND;
    this.subscriptions = [
      this.item,
      this.updated,
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      // A file too large to sync has a tab but no text editor; its figures come from its lint from disk.
      vscode.window.tabGroups.onDidChangeTabs(() => this.schedule(0)),
      largeFiles.onDidLint(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0 && event.document === vscode.window.activeTextEditor?.document) this.schedule(refreshDelayMs(event.document));
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('tunesmith')) this.schedule(300);
      }),
    ];
    this.schedule(0);
  }

  /** The text shown, or undefined while the item is hidden. */
  get text(): string | undefined {
    return this.shown ? this.item.text : undefined;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delayMs);
  }

  private async refresh(): Promise<void> {
    const generation = ++this.generation;
    const document = vscode.window.activeTextEditor?.document;
    if (document === undefined) {
      const tab = activeTabUri();
      const statistics = tab !== undefined ? this.largeFiles.statisticsOf(tab) : undefined;
      return tab !== undefined && statistics ? this.show(path.basename(tab.fsPath), statistics) : this.hide();
    }
    // Only a running server is asked: the item never starts one (nor retries one that failed to start).
    if (!isDatasetDocument(document) || !this.server.isStarted) return this.hide();
    try {
      const client = await this.server.start();
      const params: DatasetStatisticsRequest.Params = { uri: client.code2ProtocolConverter.asUri(document.uri) };
      const statistics = await client.sendRequest<DatasetStatisticsRequest.Result>(DatasetStatisticsRequest.method, params);
      if (generation !== this.generation) return;
      if (statistics === null) return this.hide();
      this.show(path.basename(document.uri.fsPath || document.uri.path), statistics);
    } catch {
      // The server stopped or restarts (its output channel says why): no figures until it answers.
      if (generation === this.generation) this.hide();
    }
  }

  private show(name: string, statistics: DatasetStatistics): void {
    const { text, tooltip } = statisticsStatus(name, statistics);
    this.item.text = text;
    this.item.tooltip = new vscode.MarkdownString(tooltip);
    this.item.show();
    this.shown = true;
    this.updated.fire(text);
  }

  private hide(): void {
    this.item.hide();
    this.shown = false;
    this.updated.fire(undefined);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
