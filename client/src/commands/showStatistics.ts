/**
 * "Tunesmith: Show Dataset Statistics": asks the language server for the statistics of the active
 * dataset (or the file picked in the Explorer) and shows them. Returns the statistics, so tests and
 * other extensions can use the command too.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type DatasetStatistics, DatasetStatisticsRequest, type RecordFormat } from '../../../protocol/messages';
import { isDatasetDocument } from '../datasetDocuments';
import type { LanguageServerController } from '../languageServer';

export const SHOW_STATISTICS_COMMAND = 'tunesmith.showStatistics';

const FORMAT_NAMES: Record<RecordFormat, string> = {
  'openai-chat': 'OpenAI chat',
  sharegpt: 'ShareGPT',
  alpaca: 'Alpaca',
  'prompt-completion': 'prompt/completion',
  text: 'plain text',
  preference: 'preference pairs',
  unknown: 'unknown format',
};

export function registerShowStatistics(server: LanguageServerController): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_STATISTICS_COMMAND, (resource?: unknown) => showStatistics(server, resource));
}

async function showStatistics(server: LanguageServerController, resource: unknown): Promise<DatasetStatistics | undefined> {
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

export function describeStatistics(name: string, statistics: DatasetStatistics): string {
  const count = (n: number, noun: string): string => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
  const parts = [`${count(statistics.records, 'record')} (${FORMAT_NAMES[statistics.format]})`];
  if (statistics.invalidRecords > 0) parts.push(`${statistics.invalidRecords.toLocaleString('en-US')} invalid`);
  parts.push(count(statistics.turns, 'turn'));
  const tokens = statistics.tokens;
  const approx = tokens.estimated ? '~' : '';
  parts.push(`${approx}${count(tokens.total, 'token')} (p50 ${tokens.p50}, p90 ${tokens.p90}, max ${tokens.max})`);
  if (statistics.duplicates > 0) parts.push(count(statistics.duplicates, 'duplicate'));
  return `Tunesmith: ${name}: ${parts.join(', ')}.`;
}
