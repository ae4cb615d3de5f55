/**
 * Settings per document: VS Code's `tunesmith.*` (resource scope, read through
 * workspace/configuration), then the workspace config file over them, then dataset_info.json for the
 * file's mapping. Cached until settings or one of those files change.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { layerSourceOf, resolveSettings, unknownRuleWarnings, type LintSettings } from '../service/config';
import { configSearchFolders, datasetInfoFor, datasetInfoSearchFolders, findConfigFile } from '../service/configFile';
import type { FormatHint } from '../service/formats';
import { matchesGlob, usableDatasetGlobs } from '../service/glob';
import { modelTokenCounter } from '../service/modelTokens';
import { allRules } from '../service/rules/index';
import { estimatingCounter, type TokenCounter } from '../service/tokens';

export interface DocumentConfig {
  settings: LintSettings;
  hint: FormatHint | undefined;
  tokens: TokenCounter;
  warnings: string[];
  /**
   * Whether the file's name matches the `files` globs. Only a JSON file outside them is not a dataset
   * (JSON Lines are always linted, as the VS Code client does); checked here too for clients without its middleware.
   */
  inFiles: boolean;
}

export class ConfigurationStore {
  private readonly cache = new Map<string, DocumentConfig>();
  private readonly pending = new Map<string, Promise<DocumentConfig>>();
  /** Bumped by clear(): a read that started before it may hold the old settings and is not kept. */
  private generation = 0;
  /** Folder paths, without a trailing separator (a folder URI may end with a slash). */
  workspaceFolders: string[] = [];
  supportsConfiguration = false;
  /**
   * The `tunesmith` section a client without workspace/configuration pushes in didChangeConfiguration
   * (the editor layer then, the same for every document).
   */
  pushedSettings: unknown;
  /** Told the folders a document's config file is looked up in, for the server to watch those the client does not. */
  watchFolders: ((folders: readonly string[]) => void) | undefined;

  constructor(private readonly connection: Connection) {}

  /** Whether a folder is a workspace folder or inside one (the client's file watchers see its files). */
  isInWorkspace(folder: string): boolean {
    return this.workspaceFolders.includes(folder) || folderOf(folder, this.workspaceFolders) !== undefined;
  }

  /** The config of a document, if already loaded (the session asks synchronously). */
  peek(uri: string): DocumentConfig {
    return this.cache.get(uri) ?? { settings: resolveSettings().settings, hint: undefined, tokens: estimatingCounter, warnings: [], inFiles: true };
  }

  async load(uri: string): Promise<DocumentConfig> {
    // The settings can change while the client answers workspace/configuration: that answer may be stale, so it is read again.
    for (;;) {
      const cached = this.cache.get(uri);
      if (cached !== undefined) return cached;
      const generation = this.generation;
      let pending = this.pending.get(uri);
      if (pending === undefined) {
        const reading: Promise<DocumentConfig> = this.read(uri).finally(() => {
          // A read started after clear() may have taken this one's place.
          if (this.pending.get(uri) === reading) this.pending.delete(uri);
        });
        pending = reading;
        this.pending.set(uri, pending);
      }
      const config = await pending;
      if (generation !== this.generation) continue;
      this.cache.set(uri, config);
      return config;
    }
  }

  clear(): void {
    this.generation++;
    this.cache.clear();
    this.pending.clear();
  }

  private async read(uri: string): Promise<DocumentConfig> {
    let editorSettings: unknown;
    if (this.supportsConfiguration) {
      try {
        editorSettings = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'tunesmith' });
      } catch {
        editorSettings = undefined;
      }
    } else editorSettings = this.pushedSettings;
    let fileLayer: unknown;
    let configFolder: string | undefined;
    let hint: FormatHint | undefined;
    const warnings: string[] = [];
    const filePath = uri.startsWith('file:') ? safeFilePath(uri) : undefined;
    const root = filePath !== undefined ? folderOf(filePath, this.workspaceFolders) : undefined;
    if (filePath !== undefined) {
      // Up to the repository root, not the workspace folder: the CLI finds the same file.
      const loaded = findConfigFile(path.dirname(filePath));
      this.watchFolders?.([...new Set([...configSearchFolders(path.dirname(filePath)), ...datasetInfoSearchFolders(filePath)])]);
      if (loaded?.error !== undefined) warnings.push(`${loaded.error} The file is ignored until it is fixed.`);
      if (loaded?.ignored !== undefined) warnings.push(loaded.ignored);
      fileLayer = loaded?.data;
      configFolder = loaded !== undefined ? path.dirname(loaded.path) : undefined;
      const info = datasetInfoFor(filePath);
      hint = info.hint;
      if (info.problem !== undefined) warnings.push(info.problem);
    }
    const { settings, warnings: settingWarnings } = resolveSettings(editorSettings, fileLayer);
    // A misspelt rule id is reported from the editor settings as from the config file (it would be ignored silently).
    const ruleIds = allRules.map((rule) => rule.meta.id);
    warnings.push(...settingWarnings, ...unknownRuleWarnings(editorSettings, ruleIds), ...unknownRuleWarnings(fileLayer, ruleIds));
    let tokens: TokenCounter = estimatingCounter;
    if (settings.model !== null) {
      // The config file's model is relative to the config file (as the CLI reads it), the setting's to the file's workspace folder.
      const fromConfigFile = typeof (fileLayer as { model?: unknown } | undefined)?.model === 'string';
      const base = fromConfigFile ? configFolder : (root ?? this.workspaceFolders[0]);
      const modelFolder = path.isAbsolute(settings.model) || base === undefined ? settings.model : path.join(base, settings.model);
      const counter = await modelTokenCounter(modelFolder);
      if (counter.ok) tokens = counter.counter;
      else {
        const where = fromConfigFile ? layerSourceOf(fileLayer)?.locate(['model']) : undefined;
        warnings.push(`${where !== undefined ? `${where}: ` : ''}model: ${counter.error}`);
      }
    }
    // The config file's globs are relative to its folder (as `tunesmith lint` reads them), the setting's to the workspace folder.
    const configFiles = (fileLayer as { files?: unknown } | undefined)?.files;
    const globsFromConfigFile = Array.isArray(configFiles) && configFiles.every((glob) => typeof glob === 'string');
    const inFiles = filePath === undefined || !/\.json$/i.test(filePath) || matchesFiles(filePath, globsFromConfigFile ? configFolder : root, settings.files);
    return { settings, hint, tokens, warnings, inFiles };
  }
}

/**
 * Whether a file matches the `files` globs relative to `base`, or by its whole path outside any folder,
 * as the VS Code client matches `tunesmith.files`; no usable glob means the default ones (as there too).
 */
function matchesFiles(filePath: string, base: string | undefined, files: readonly string[]): boolean {
  const relative = (base !== undefined ? path.relative(base, filePath) : filePath).split(path.sep).join('/');
  return usableDatasetGlobs(files).some((glob) => matchesGlob(relative, glob));
}

/** The innermost workspace folder holding the file (folders may be nested in a multi-root workspace). */
function folderOf(filePath: string, folders: readonly string[]): string | undefined {
  const holding = folders.filter((folder) => filePath.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep));
  return holding.sort((a, b) => b.length - a.length)[0];
}

/**
 * The workspace folders' paths after an initialize or a didChangeWorkspaceFolders: `file:///p/proj/`
 * and `file:///p/proj` are one folder (else a file under the first would match neither it nor its globs).
 */
export function updatedFolders(current: readonly string[], added: readonly { uri: string }[], removed: readonly { uri: string }[] = []): string[] {
  const pathOf = (folder: { uri: string }): string | undefined => {
    const filePath = safeFilePath(folder.uri);
    return filePath !== undefined ? path.resolve(filePath) : undefined;
  };
  const gone = new Set(removed.map(pathOf));
  const folders = current.filter((folder) => !gone.has(folder));
  for (const folder of added.map(pathOf)) if (folder !== undefined && !folders.includes(folder)) folders.push(folder);
  return folders;
}

function safeFilePath(uri: string): string | undefined {
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
