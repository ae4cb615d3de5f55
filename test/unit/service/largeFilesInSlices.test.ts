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
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { readDatasetFile, readDatasetFileAsync } from '../../../server/src/service/files';
import { prepareIndexForEdits } from '../../../server/src/service/fileChecks';
import { lintDocument } from '../../../server/src/service/linter';
import { DatasetSession } from '../../../server/src/service/session';
import { renderDiagnostics } from './helpers';

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
const render = renderDiagnostics;
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

  it('counts a disk file read in chunks by a reader, as the server reads a sibling file', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-slices-'));
    try {
      const file = path.join(folder, 'eval.jsonl');
      const train = Array.from({ length: 10 }, (_, index) => chat(`Train question ${index}`, `Train answer ${index}.`));
      fs.writeFileSync(file, `${datasetLines(2000).join('\n')}\n${train[6]}\n`);
      const session = new DatasetSession(() => ({ settings }));
      session.open('file:///slices/train.jsonl', `${train.join('\n')}\n`);
      let reads = 0;
      const reader = (readSettings: typeof settings): ReturnType<typeof readDatasetFileAsync> => {
        reads++;
        return readDatasetFileAsync(file, readSettings, undefined, pause);
      };
      assert.equal(await session.setDiskFileInSlices(pathToFileURL(file).href, reader, pause), true);
      assert.equal(reads, 1);
      assert.deepEqual((session.lint('file:///slices/train.jsonl')?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').map((item) => item.range.start.line), [6]);
      // Open in the editor meanwhile: the editor's text wins, and the file is not read.
      session.open(pathToFileURL(file).href, `${train[1]}\n`);
      assert.equal(await session.setDiskFileInSlices(pathToFileURL(file).href, reader, pause), false);
      assert.equal(reads, 1);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('readies an index for edits in slices; an edit in the middle sorts for itself, with the result of an edit after it', async () => {
    // Enough records for each pass of the sort of their bands to take several steps.
    const lines = datasetLines(8000);
    const uri = 'file:///slices/edited.jsonl';
    const questionOf = (line: number): string => (JSON.parse(lines[line] ?? '{}') as { messages: { content: string }[] }).messages[0]?.content ?? '';
    // At the end of the file, the questions of early records with one word changed and another answer: their
    // near-duplicates are found only through the bulk bands (a few bands each).
    const added = Array.from({ length: 40 }, (_, index) => chat(questionOf(index * 131).replace(/^Describe/, 'Explain'), `Another answer ${index}.`));
    const edit = (session: DatasetSession): string[] => {
      session.change(uri, [{ range: { start: { line: lines.length, character: 0 }, end: { line: lines.length, character: 0 } }, text: `${added.join('\n')}\n` }]);
      return render(session.lint(uri)?.diagnostics ?? []);
    };
    const all = resolveSettings({ minExamples: 0, maxProblems: 0 }).settings;
    const opened = (): DatasetSession => {
      const session = new DatasetSession(() => ({ settings: all }));
      session.open(uri, `${lines.join('\n')}\n`);
      session.lint(uri);
      return session;
    };
    // The reference: the whole preparation first, then the edit.
    const prepared = opened();
    let steps = 0;
    await prepared.prepareForEdits(
      uri,
      () => {
        steps++;
        return pause();
      },
      0,
    );
    assert.ok(steps >= 12, `${steps} pauses: each of the sort's three passes takes several steps`);
    const expected = edit(prepared);
    const found = expected.filter((item) => item.startsWith('near-duplicate') && JSON.parse(item.split(' ')[1] ?? '{}').start.line >= lines.length).length;
    assert.ok(found >= 30, `${found} of the 40 added records are reported as near-duplicates`);
    // The edit in the middle of the preparation, then the preparation's end, then the same lint again.
    const interrupted = opened();
    let pauses = 0;
    let during: string[] = [];
    await interrupted.prepareForEdits(
      uri,
      () => {
        if (pauses++ === Math.floor(steps / 2)) during = edit(interrupted);
        return pause();
      },
      0,
    );
    assert.deepEqual(during, expected);
    interrupted.change(uri, []);
    assert.deepEqual(render(interrupted.lint(uri)?.diagnostics ?? []), expected);
  });

  it('rehearses the edit path once while idle, leaving the document and its findings as they were', async () => {
    const lines = datasetLines(10_000);
    const all = resolveSettings({ minExamples: 0, maxProblems: 0 }).settings;
    for (const [uri, text] of [
      ['file:///rehearsal/train.jsonl', `${lines.join('\n')}\n`],
      ['file:///rehearsal/train.json', `[\n${lines.join(',\n')}\n]\n`],
    ] as const) {
      const session = new DatasetSession(() => ({ settings: all }));
      session.open(uri, text);
      const before = render(session.lint(uri)?.diagnostics ?? []);
      assert.ok(before.some((item) => item.startsWith('near-duplicate')) && before.some((item) => item.startsWith('duplicate-record')), uri);
      let pauses = 0;
      const counted = (): Promise<void> => {
        pauses++;
        return pause();
      };
      // The index alone, in a session of its own, for the pauses that are not the rehearsal's.
      const indexOnly = new DatasetSession(() => ({ settings: all }));
      const indexOnlyDocument = indexOnly.open(uri, text);
      indexOnly.lint(uri);
      let indexPauses = 0;
      await prepareIndexForEdits(indexOnlyDocument, () => {
        indexPauses++;
        return pause();
      }, 0);
      await session.prepareForEdits(uri, counted, 0);
      assert.ok(pauses - indexPauses >= 20, `${uri}: ${pauses - indexPauses} pauses besides the index's (the rehearsal's edits and lints each follow one)`);
      const document = session.get(uri);
      const facts = session.factsFor(uri);
      assert.ok(document !== undefined && facts !== undefined);
      assert.equal(session.textOf(uri), text);
      assert.equal(document.version, 0);
      // A lint of the document as it stands now, bypassing the session's cached result.
      assert.deepEqual(render(lintDocument(document, uri, facts.settings, { facts, workspace: session.workspace }).diagnostics), before, uri);
      // Once per document: the next idle moment has nothing to do.
      pauses = 0;
      await session.prepareForEdits(uri, counted, 0);
      assert.equal(pauses, 0, uri);
    }
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
