/**
 * Dataset files too large for VS Code to share with extensions: over 50 MB it opens them in an editor
 * but never syncs them, so the language server gets no document and would stay silent. While such a
 * file is open in a tab, the server lints it from disk (`tunesmith/lintFromDisk`), its diagnostics go
 * into their own collection, and it is linted again whenever it changes on disk. Linting as you type,
 * quick fixes and hovers need the editor's document, so a note says once that splitting the file
 * brings them back.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type DatasetStatistics, LintFromDiskRequest } from '../../protocol/messages';
import { matchesFileGlobs } from './datasetDocuments';
import { isExcludedJsonPath, looksLikeDataset, SNIFF_LENGTH } from './datasetSniff';
import type { LanguageServerController } from './languageServer';

/** VS Code does not sync files above this size to extensions (a fixed limit of its extension host). */
export const EXTENSION_SYNC_LIMIT_BYTES = 50 * 1024 * 1024;

interface TrackedFile {
  uri: vscode.Uri;
  watcher: vscode.Disposable;
  statistics: DatasetStatistics | null | undefined;
  /** The lint under way, and whether the file changed again meanwhile (one more lint then). */
  running: Promise<void> | undefined;
  again: boolean;
}

/** The file of the active tab when it is a text file (also one the editor does not share: no text editor then). */
export function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText ? input.uri : undefined;
}

/** Whether a file on disk is a dataset too large to be synced. */
async function isLargeDataset(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme !== 'file') return false;
  const file = uri.fsPath;
  const jsonl = /\.(jsonl|ndjson)$/i.test(file);
  if (!jsonl && (!/\.json$/i.test(file) || isExcludedJsonPath(file) || !matchesFileGlobs(uri))) return false;
  try {
    if ((await fs.promises.stat(file)).size <= EXTENSION_SYNC_LIMIT_BYTES) return false;
    if (jsonl) return true;
    // A JSON file counts when it starts like a dataset, as for the documents the editor shares.
    const handle = await fs.promises.open(file, 'r');
    try {
      const head = Buffer.alloc(SNIFF_LENGTH);
      const { bytesRead } = await handle.read(head, 0, SNIFF_LENGTH, 0);
      return looksLikeDataset(head.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await handle.close();
    }
  } catch {
    return false; // gone or unreadable: the editor says so itself
  }
}

export class LargeDatasetFiles implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('tunesmith-from-disk');
  private readonly files = new Map<string, TrackedFile>();
  private readonly explained = new Set<string>();
  private readonly linted = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a large file's diagnostics and statistics are updated. */
  readonly onDidLint = this.linted.event;
  private readonly subscriptions: vscode.Disposable[];
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly server: LanguageServerController) {
    this.subscriptions = [
      this.collection,
      this.linted,
      vscode.window.tabGroups.onDidChangeTabs(() => this.scheduleRefresh()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('tunesmith')) for (const key of this.files.keys()) this.lint(key);
      }),
    ];
    this.scheduleRefresh();
  }

  /** Statistics of a tracked large file from its last lint (undefined: not tracked, or not linted yet). */
  statisticsOf(uri: vscode.Uri): DatasetStatistics | null | undefined {
    return this.files.get(uri.toString())?.statistics;
  }

  /**
   * Statistics of `uri` when it is a dataset too large to sync (read from disk now if it is not
   * tracked); undefined for any other file.
   */
  async statisticsFor(uri: vscode.Uri): Promise<DatasetStatistics | null | undefined> {
    const tracked = this.files.get(uri.toString());
    if (tracked !== undefined) {
      await tracked.running;
      if (tracked.statistics !== undefined) return tracked.statistics;
    }
    if (!(await isLargeDataset(uri))) return undefined;
    return (await this.request(uri)).statistics;
  }

  /** Follows the open tabs (serialised: a refresh reads files, and tabs change in bursts). */
  private scheduleRefresh(): void {
    this.refreshing = this.refreshing.then(() => this.refresh()).catch(() => undefined);
  }

  private async refresh(): Promise<void> {
    const open = new Map<string, vscode.Uri>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === 'file') open.set(tab.input.uri.toString(), tab.input.uri);
      }
    }
    for (const [key, tracked] of this.files) {
      if (open.has(key)) continue;
      tracked.watcher.dispose();
      this.files.delete(key);
      this.collection.delete(tracked.uri);
    }
    const synced = new Set(vscode.workspace.textDocuments.map((document) => document.uri.toString()));
    for (const [key, uri] of open) {
      // A document the editor shares is the language server's to lint as you type.
      if (this.files.has(key) || synced.has(key) || !(await isLargeDataset(uri))) continue;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)));
      watcher.onDidChange(() => this.lint(key));
      watcher.onDidCreate(() => this.lint(key));
      watcher.onDidDelete(() => this.collection.delete(uri));
      this.files.set(key, { uri, watcher, statistics: undefined, running: undefined, again: false });
      this.lint(key);
    }
  }

  private async request(uri: vscode.Uri): Promise<LintFromDiskRequest.Result> {
    const client = await this.server.start();
    const params: LintFromDiskRequest.Params = { uri: client.code2ProtocolConverter.asUri(uri) };
    return client.sendRequest<LintFromDiskRequest.Result>(LintFromDiskRequest.method, params);
  }

  private lint(key: string): void {
    const tracked = this.files.get(key);
    if (tracked === undefined) return;
    if (tracked.running !== undefined) {
      tracked.again = true;
      return;
    }
    const name = path.basename(tracked.uri.fsPath);
    tracked.running = Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Tunesmith: linting ${name} from disk` }, async () => {
        try {
          const result = await this.request(tracked.uri);
          if (this.files.get(key) !== tracked) return; // its tab closed meanwhile
          const client = await this.server.start();
          this.collection.set(tracked.uri, await client.protocol2CodeConverter.asDiagnostics(result.diagnostics));
          tracked.statistics = result.statistics;
          this.linted.fire(tracked.uri);
          if (!this.explained.has(key)) {
            this.explained.add(key);
            const problems = result.diagnostics.length;
            void vscode.window.showInformationMessage(
              `Tunesmith: ${name} is over 50 MB, so VS Code does not share it with extensions. It was linted from disk (${problems} problem${problems === 1 ? '' : 's'}) and is linted again each time it changes on disk. Linting as you type, quick fixes and hovers need smaller files: split it.`,
            );
          }
        } catch (error) {
          void vscode.window.showWarningMessage(`Tunesmith: could not lint ${name} from disk: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    ).finally(() => {
      tracked.running = undefined;
      if (tracked.again) {
        tracked.again = false;
        this.lint(key);
      }
    });
  }

  dispose(): void {
    for (const tracked of this.files.values()) tracked.watcher.dispose();
    this.files.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
