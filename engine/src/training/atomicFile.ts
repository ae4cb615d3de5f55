/** Durable, atomic file replacement: write a temporary sibling, fsync it, rename over, fsync the folder. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(target: string, chunks: readonly Uint8Array[]): void {
  const folder = path.dirname(target);
  fs.mkdirSync(folder, { recursive: true });
  const temporary = path.join(folder, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(temporary, 'w');
  try {
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.byteLength) {
        written += fs.writeSync(fd, chunk, written, chunk.byteLength - written);
      }
    }
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temporary, target);
  // The rename itself must reach the disk too, or a crash could bring back the old file.
  try {
    const folderFd = fs.openSync(folder, 'r');
    try {
      fs.fsyncSync(folderFd);
    } finally {
      fs.closeSync(folderFd);
    }
  } catch {
    // Some filesystems (and Windows) cannot fsync a directory; the rename is still atomic there.
  }
}
