/**
 * Which open documents are datasets: every JSON Lines file, and JSON files that match the
 * `tunesmith.files` globs, are not configuration, and start like a dataset (an array of records,
 * records under a key or in splits, or JSON Lines).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { usableDatasetGlobs } from '../../server/src/service/glob';
import { configFileGlobs, type ConfigFileGlobs, configFileSelectorPattern, isExcludedJsonPath, looksLikeDataset, matchesConfigFileGlobs, matchesGlob, SNIFF_LENGTH } from './datasetSniff';

/** The `tunesmith.files` globs (a resource setting: per folder when `scope` is given); the defaults when it holds none. */
export function datasetFileGlobs(scope?: vscode.Uri): readonly string[] {
  const configured = vscode.workspace.getConfiguration('tunesmith', scope).get<unknown>('files');
  return usableDatasetGlobs(Array.isArray(configured) ? configured.filter((glob): glob is string => typeof glob === 'string') : []);
}

/**
 * Whether a file matches the `files` of its nearest tunesmith.json (relative to that file), else the
 * `tunesmith.files` globs, relative to its workspace folder (its whole path outside any folder). By
 * name only, so it serves the files the editor does not share (too large) too.
 */
export function matchesFileGlobs(uri: vscode.Uri): boolean {
  const fromConfigFile = uri.scheme === 'file' ? matchesConfigFileGlobs(uri.fsPath) : undefined;
  if (fromConfigFile !== undefined) return fromConfigFile;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const relative = folder === undefined ? uri.path : path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
  return datasetFileGlobs(uri).some((glob) => matchesGlob(relative, glob));
}

/** A workspace-relative glob as a glob over absolute paths, for the language client's selector. */
function anywhereGlob(glob: string): string {
  return glob.startsWith('**') || glob.startsWith('/') ? glob : `**/${glob}`;
}

/** True for documents the language server should lint and the statistics command should accept. */
export function isDatasetDocument(document: vscode.TextDocument): boolean {
  if (document.languageId === 'jsonl') return document.uri.scheme === 'file' || document.uri.scheme === 'untitled';
  if (document.languageId !== 'json' || document.uri.scheme !== 'file') return false;
  if (isExcludedJsonPath(document.uri.path) || !matchesFileGlobs(document.uri)) return false;
  const head = document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(SNIFF_LENGTH)));
  return looksLikeDataset(head);
}

/** An LSP document filter (plain strings, so it also crosses to the server). */
export interface DatasetDocumentFilter {
  scheme: string;
  language: string;
  pattern?: string;
}

/**
 * Document filters for the language client: all JSON Lines, and JSON files under the configured globs:
 * the setting's, and those of the config files that set `files` (`configFiles`, from workspaceConfigFileGlobs()).
 */
export function datasetDocumentSelector(configFiles: readonly ConfigFileGlobs[] = []): DatasetDocumentFilter[] {
  const jsonGlobs = (globs: readonly string[]): readonly string[] => globs.filter((glob) => !/\.jsonl$/i.test(glob));
  const jsonFilters = jsonGlobs(datasetFileGlobs()).map((glob): DatasetDocumentFilter => ({ scheme: 'file', language: 'json', pattern: anywhereGlob(glob) }));
  const configFilters = configFiles.flatMap((config) => jsonGlobs(config.globs).map((glob): DatasetDocumentFilter => ({ scheme: 'file', language: 'json', pattern: configFileSelectorPattern(config, glob) })));
  return [
    { scheme: 'file', language: 'jsonl' },
    { scheme: 'untitled', language: 'jsonl' },
    ...jsonFilters,
    ...configFilters,
  ];
}

/**
 * The `files` of the workspace's config files (in the folders, and the nearest above each folder),
 * read when the language server starts (not at activation).
 */
export async function workspaceConfigFileGlobs(): Promise<ConfigFileGlobs[]> {
  const found = await vscode.workspace.findFiles('**/{tunesmith.json,.tunesmithrc.json}', '**/node_modules/**', 200);
  const folders = [...found.map((uri) => path.dirname(uri.fsPath)), ...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath)];
  const byFolder = new Map<string, ConfigFileGlobs>();
  for (const folder of folders) {
    const config = configFileGlobs(folder);
    if (config !== undefined) byFolder.set(config.folder, config);
  }
  return [...byFolder.values()];
}
