/**
 * Watches the folders where config files are looked up, for clients that cannot register file
 * watchers (workspace/didChangeWatchedFiles): without it, a tunesmith.json created or edited on disk
 * would not apply until the settings changed.
 */
import * as fs from 'node:fs';
import { configFileNames } from '../service/config';

/** The files whose change changes a document's settings. */
const watchedNames = new Set<string>([...configFileNames, 'dataset_info.json']);

/** More folders than this are not watched (each holds an inotify watch); a deep tree of open files stays bounded. */
const maxWatchedFolders = 256;

/** Editors write a file in several steps (truncate, write, rename): one change is reported for them. */
const settleMs = 50;

export class ConfigFolderWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly changed: () => void) {}

  /** Watches each of `folders` (once); a folder that cannot be watched is skipped. */
  watch(folders: readonly string[]): void {
    for (const folder of folders) {
      if (this.watchers.has(folder) || this.watchers.size >= maxWatchedFolders) continue;
      try {
        const watcher = fs.watch(folder, { persistent: false }, (_event, name) => {
          // Some platforms give no name: any change there may be a config file's.
          if (name === null || watchedNames.has(name.toString())) this.schedule();
        });
        watcher.on('error', () => this.forget(folder));
        this.watchers.set(folder, watcher);
      } catch {
        // Removed meanwhile, or not readable: nothing to watch there.
      }
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const folder of [...this.watchers.keys()]) this.forget(folder);
  }

  private forget(folder: string): void {
    this.watchers.get(folder)?.close();
    this.watchers.delete(folder);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed(), settleMs);
  }
}
