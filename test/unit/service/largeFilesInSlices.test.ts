/**
 * Large files read from disk by the language server: read and checked in slices (the event loop runs
 * between them) with exactly the result of reading and linting them at once; files that are not
 * regular files (a named pipe, a folder) are refused instead of blocking a read forever.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { readDatasetFile, readDatasetFileAsync } from '../../../server/src/service/files';
import { DatasetSession } from '../../../server/src/service/session';

const { settings } = resolveSettings({ minExamples: 0 });
const chat = (question: string, answer: string): string => JSON.stringify({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] });
const words = ['river', 'stone', 'copper', 'lantern', 'meadow', 'violin', 'harbor', 'saffron', 'glacier', 'orchid', 'falcon', 'velvet', 'canyon', 'ember', 'quartz', 'willow'];
/** Records with near-duplicates, exact duplicates and record problems mixed in. */
function datasetLines(count: number): string[] {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const pick = (offset: number): string => words[(index * 7 + offset * 3 + Math.floor(index / 16)) % words.length] ?? 'x';
    const question = `Describe the ${pick(1)} ${pick(2)} and the ${pick(3)} near the ${pick(4)} ${index % 5 === 0 ? 'please' : `number ${index}`}`;
    lines.push(index % 11 === 0 ? chat(question, ` ${pick(5)} `) : index % 13 === 0 ? (lines[index - 1] ?? chat(question, 'a')) : chat(question, `${pick(5)} ${pick(6)} ${index}.`));
  }
  return lines;
}
const render = (items: readonly { rule: string; range: unknown; message: string }[]): string[] => items.map((item) => `${item.rule} ${JSON.stringify(item.range)} ${item.message}`);
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('large files in slices', () => {
  it('reads a JSON Lines file asynchronously into the same document, and a sliced index lints as a fresh one', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-slices-'));
    try {
      const file = path.join(folder, 'large.jsonl');
      fs.writeFileSync(file, `\uFEFF${datasetLines(3000).join('\r\n')}\r\nnot json\r\n`);
      const whole = readDatasetFile(file, settings);
      const sliced = await readDatasetFileAsync(file, settings, undefined, pause);
      assert.equal(sliced.getText(), whole.getText());
      assert.deepEqual(sliced.records.map((record) => [record.line, record.text]), whole.records.map((record) => [record.line, record.text]));
      const fresh = new DatasetSession(() => ({ settings }));
      fresh.openFromDisk('file:///slices/large.jsonl', whole);
      const expected = render(fresh.lint('file:///slices/large.jsonl')?.diagnostics ?? []);
      assert.ok(expected.some((item) => item.startsWith('near-duplicate')) && expected.some((item) => item.startsWith('duplicate-record')), 'the file has file-level findings to compare');
      const session = new DatasetSession(() => ({ settings }));
      session.openFromDisk('file:///slices/large.jsonl', sliced);
      let pauses = 0;
      await session.prepareInSlices('file:///slices/large.jsonl', () => {
        pauses++;
        return pause();
      });
      assert.deepEqual(render(session.lint('file:///slices/large.jsonl')?.diagnostics ?? []), expected);
      assert.ok(pauses > 0, 'the work was cut into slices');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('reads a JSON array of records a slice at a time into the same document, and counts it for leakage', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-slices-'));
    try {
      const file = path.join(folder, 'large.json');
      const records = datasetLines(3000);
      fs.writeFileSync(file, `[\n  ${records.join(',\n  ')}\n]\n`);
      let pauses = 0;
      const counted = (): Promise<void> => {
        pauses++;
        return pause();
      };
      const sliced = await readDatasetFileAsync(file, settings, undefined, counted);
      const whole = readDatasetFile(file, settings);
      assert.deepEqual(sliced.records.map((record) => [record.line, record.character, record.text]), whole.records.map((record) => [record.line, record.character, record.text]));
      const session = new DatasetSession(() => ({ settings }));
      session.open('file:///slices/train.jsonl', `${records[7]}\n`);
      pauses = 0;
      assert.equal(await session.setDiskFileInSlices('file:///slices/eval.json', fs.readFileSync(file, 'utf8'), counted), true);
      assert.ok(pauses > 0, 'the work was cut into slices');
      assert.deepEqual((session.lint('file:///slices/train.jsonl')?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').map((item) => item.range.start.line), [0]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('counts a disk file prepared in slices for leakage, and a newer read or a deletion during it wins', async () => {
    const lines = datasetLines(2000);
    const train = Array.from({ length: 10 }, (_, index) => chat(`Train question ${index}`, `Train answer ${index}.`));
    const session = new DatasetSession(() => ({ settings }));
    session.open('file:///slices/train.jsonl', `${train.join('\n')}\n`);
    const leaks = (): number[] => (session.lint('file:///slices/train.jsonl')?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').map((item) => item.range.start.line);
    assert.equal(await session.setDiskFileInSlices('file:///slices/eval.jsonl', `${lines.slice(1000).join('\n')}\n${train[3]}\n`, pause), true);
    assert.deepEqual(leaks(), [3]);
    // An older read still being prepared when the file is read again or deleted does not come back.
    const older = session.setDiskFileInSlices('file:///slices/eval.jsonl', `${lines.slice(1000).join('\n')}\n${train[4]}\n`, pause);
    session.removeDiskFile('file:///slices/eval.jsonl');
    assert.equal(await older, false);
    assert.deepEqual(leaks(), []);
  });

  it('refuses a named pipe, a folder and a device instead of blocking on them', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-fifo-'));
    try {
      const fifo = path.join(folder, 'pipe.jsonl');
      const made = spawnSync('mkfifo', [fifo]);
      if (made.status === 0) {
        // In a child process: reading a pipe nobody writes to would block this test forever.
        const script = `const { readDatasetFile } = require(${JSON.stringify(require.resolve('../../../server/src/service/files'))}); const { resolveSettings } = require(${JSON.stringify(require.resolve('../../../server/src/service/config'))}); process.stdout.write(readDatasetFile(${JSON.stringify(fifo)}, resolveSettings({}).settings).problems[0]?.message ?? '');`;
        const child = spawnSync(process.execPath, ['-e', script], { timeout: 30000, encoding: 'utf8' });
        assert.equal(child.signal, null, 'reading the named pipe did not return');
        assert.match(child.stdout, /named pipe, not a regular file/);
        assert.match((await readDatasetFileAsync(fifo, settings, undefined, pause)).problems[0]?.message ?? '', /named pipe/);
      }
      assert.match(readDatasetFile(folder, settings).problems[0]?.message ?? '', /folder, not a regular file/);
      if (fs.existsSync('/dev/zero')) assert.match((await readDatasetFileAsync('/dev/zero', settings, undefined, pause)).problems[0]?.message ?? '', /device or special file/);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
