/**
 * "Tunesmith: Show Dataset Statistics": asks the language server for the statistics of the active
 * dataset (or the file picked in the Explorer) and shows them. Returns the statistics, so tests and
 * other extensions can use the command too.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type DatasetStatistics, DatasetStatisticsRequest } from '../../../protocol/messages';
import { describeStatistics } from '../statisticsText';
import { isDatasetDocument } from '../datasetDocuments';
import type { LanguageServerController } from '../languageServer';
import { activeTabUri, type LargeDatasetFiles } from '../largeFiles';

export const SHOW_STATISTICS_COMMAND = 'tunesmith.showStatistics';

export function registerShowStatistics(server: LanguageServerController, largeFiles: LargeDatasetFiles): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_STATISTICS_COMMAND, (resource?: unknown) => showStatistics(server, largeFiles, resource));
}

async function showStatistics(server: LanguageServerController, largeFiles: LargeDatasetFiles, resource: unknown): Promise<DatasetStatistics | undefined> {
  // A file over VS Code's 50 MB sync limit has no document to open: its statistics come from disk.
  const fileUri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor === undefined ? activeTabUri() : undefined;
  if (fileUri !== undefined) {
    const large = await largeFiles.statisticsFor(fileUri);
    if (large !== undefined) {
      const name = path.basename(fileUri.fsPath);
      if (large === null) {
        void vscode.window.showWarningMessage(notADatasetMessage(name));
        return undefined;
      }
      void vscode.window.showInformationMessage(describeStatistics(name, large));
      return large;
    }
  }
  const document = await targetDocument(resource);
  if (document === undefined) {
    void vscode.window.showWarningMessage('Tunesmith: open a dataset file (JSON Lines, or a JSON array of records) to see its statistics.');
    return undefined;
  }
  const name = path.basename(document.uri.fsPath || document.uri.path);
  if (!isDatasetDocument(document)) {
    void vscode.window.showWarningMessage(notADatasetMessage(name));
    return undefined;
  }
  const client = await server.start();
  const params: DatasetStatisticsRequest.Params = { uri: client.code2ProtocolConverter.asUri(document.uri) };
  const statistics = await client.sendRequest<DatasetStatisticsRequest.Result>(DatasetStatisticsRequest.method, params);
  if (statistics === null) {
    void vscode.window.showWarningMessage(notADatasetMessage(name));
    return undefined;
  }
  void vscode.window.showInformationMessage(describeStatistics(name, statistics));
  return statistics;
}

/** The document to describe: a URI passed by the Explorer menu, else the active editor's. */
async function targetDocument(resource: unknown): Promise<vscode.TextDocument | undefined> {
  if (resource instanceof vscode.Uri) return vscode.workspace.openTextDocument(resource);
  return vscode.window.activeTextEditor?.document;
}

function notADatasetMessage(name: string): string {
  return `Tunesmith: ${name} is not a dataset. Tunesmith reads JSON Lines files and JSON files that hold an array of records (see the "tunesmith.files" setting).`;
}
