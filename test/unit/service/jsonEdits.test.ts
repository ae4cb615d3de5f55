/** Edits of JSON array documents: typing inside a record re-parses that record only, with the same result as parsing the whole text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument } from '../../../server/src/service/document';
import { DatasetSession, jsonReadAhead } from '../../../server/src/service/session';
import { lint, renderDiagnostics } from './helpers';

const { settings } = resolveSettings({ minExamples: 0 });
/** Diagnostics as lines, with the record each concerns (an edit must leave every record's index right too). */
const renderWithRecord = (items: Parameters<typeof renderDiagnostics>[0]): string[] => renderDiagnostics(items, true);

// Distinct instructions (near-duplicate candidates are capped per bucket, so heavily templated data
// may pick other partners incrementally than afresh), plus one near-duplicate pair.
const vocabulary = Array.from({ length: 200 }, (_, index) => `w${(index * 7919) % 1000}x${index}`);
function record(index: number): Record<string, unknown> {
  const instruction = index === 4 ? 'Explain how volcanoes form along tectonic plate boundaries' : index === 9 ? 'Explain how volcanoes form along tectonic plate boundaries today' : vocabulary.slice(index * 5, index * 5 + 5).join(' ');
  return index % 3 === 0 ? { instruction, input: '', output: index % 4 === 0 ? ` padded ${index} ` : `Answer ${index}.` } : { instruction, input: 'x', output: `Thing ${index}` };
}

/** A pretty-printed array of `count` records whose second record lost its closing brace: the array does not parse, and its records are found by recovery. */
function withSecondRecordUnclosed(count: number): string {
  const pretty = JSON.stringify(Array.from({ length: count }, (_, index) => record(index)), null, 2).split('\n');
  const secondEnd = pretty.findIndex((line, index) => line === '  },' && pretty.slice(0, index).filter((candidate) => candidate === '  },').length === 1);
  return `${pretty.filter((_, index) => index !== secondEnd).join('\n')}\n`;
}

/** A deterministic random integer below `limit`, a new one each call. */
function seededRandom(seed: number): (limit: number) => number {
  let state = seed;
  return (limit) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % limit;
  };
}

/** Applies `edits` through the session and checks, now and then, that it agrees with a fresh parse of the same text. */
async function randomEdits(initial: string, seed: number, steps: number, prepareWhenIdle = false): Promise<{ incremental: number }> {
  let text = initial;
  const session = new DatasetSession(() => ({ settings }));
  const uri = 'file:///test/edit.json';
  session.open(uri, text, 'json');
  const random = seededRandom(seed);
  let incremental = 0;
  // A structural edit (a quote, a brace, a line break, a new record) is undone at the next step, as
  // when typing through it; text typed inside strings stays.
  let undo: { start: { line: number; character: number }; end: { line: number; character: number } } | undefined;
  for (let step = 0; step < steps; step++) {
    // Lines as the editor counts them (CRLF, LF or a lone CR ends one); positions never fall inside a CRLF.
    const lines = text.split(/\r\n|\r|\n/);
    const lineStarts = [0, ...[...text.matchAll(/\r\n|\r|\n/g)].map((lineBreak) => lineBreak.index + lineBreak[0].length)];
    let range: { start: { line: number; character: number }; end: { line: number; character: number } };
    let insert: string;
    if (undo !== undefined) {
      range = undo;
      insert = '';
      undo = undefined;
    } else {
      let line = random(lines.length);
      let character: number;
      const quote = (lines[line] ?? '').lastIndexOf('": "');
      if (random(10) < 8 && quote >= 0) character = Math.min((lines[line] ?? '').length, quote + 4 + random(3));
      else {
        line = random(lines.length);
        character = random((lines[line] ?? '').length + 1);
      }
      const typed = ['a', 'bc', ' ', '', 'Ž', '\\n'];
      const structural = ['"', '}', ',', '\n', '{"instruction": "new", "output": "y"}, '];
      const isStructural = random(4) === 0;
      insert = isStructural ? (structural[random(structural.length)] ?? '') : (typed[random(typed.length)] ?? '');
      const end = isStructural ? character : Math.min((lines[line] ?? '').length, character + (random(4) === 0 ? 1 : 0));
      range = { start: { line, character }, end: { line, character: end } };
      if (isStructural) undo = insert === '\n' ? { start: { line, character }, end: { line: line + 1, character: 0 } } : { start: { line, character }, end: { line, character: character + insert.length } };
    }
    const before = new Set(session.get(uri)?.records ?? []);
    session.change(uri, [{ range, text: insert }]);
    const offset = (position: { line: number; character: number }): number => (lineStarts[position.line] ?? text.length) + position.character;
    text = text.slice(0, offset(range.start)) + insert + text.slice(offset(range.end));
    // The one-record path keeps every other record object; a whole parse makes new ones.
    if ((session.get(uri)?.records ?? []).some((item) => before.has(item))) incremental++;
    {
      assert.equal(session.textOf(uri), text, `text after step ${step}`);
      const got = session.lint(uri)?.diagnostics.map((item) => `${item.rule} ${item.recordIndex} ${JSON.stringify(item.range)} ${item.message}`);
      const fresh = lint(text, 'json').diagnostics.map((item) => `${item.rule} ${item.recordIndex} ${JSON.stringify(item.range)} ${item.message}`);
      assert.deepEqual(got, fresh, `after step ${step}`);
      // As the server does once it has answered: work the next keystroke would otherwise do.
      if (prepareWhenIdle) {
        await session.prepareForEdits(uri);
        session.locateJsonRecords(uri);
      }
    }
  }
  return { incremental };
}

describe('JSON array edits', () => {
  it('a pretty-printed array gives the same diagnostics as a fresh parse after random edits', async () => {
    const text = `${JSON.stringify(Array.from({ length: 30 }, (_, index) => record(index)), null, 2)}\n`;
    const { incremental } = await randomEdits(text, 11, 150);
    assert.ok(incremental >= 30, `${incremental} of 150 edits took the one-record path`);
  });
  it('a one-line array (records side by side) too', async () => {
    const text = JSON.stringify(Array.from({ length: 30 }, (_, index) => record(index)));
    const { incremental } = await randomEdits(text, 5, 150);
    assert.ok(incremental >= 30, `${incremental} of 150 edits took the one-record path`);
  });
  it('a CRLF file with a BOM too', async () => {
    const text = `\uFEFF${JSON.stringify(Array.from({ length: 20 }, (_, index) => record(index)), null, 2).replace(/\n/g, '\r\n')}\r\n`;
    const { incremental } = await randomEdits(text, 3, 100, true);
    assert.ok(incremental >= 20, `${incremental} of 100 edits took the one-record path`);
  });
  it('typing inside a string re-parses one record: the other records keep their objects', () => {
    const text = `${JSON.stringify(Array.from({ length: 5 }, (_, index) => record(index)), null, 2)}\n`;
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/typing.json';
    const document = session.open(uri, text, 'json');
    session.lint(uri);
    const before = [...document.records];
    const line = text.split('\n').findIndex((candidate) => candidate.includes('"Thing 2"'));
    const character = (text.split('\n')[line] ?? '').indexOf('Thing 2') + 5;
    session.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: 'd' }]);
    const after = document.records;
    assert.equal(after.length, 5);
    assert.deepEqual(after.map((item, index) => item === before[index]), [true, true, false, true, true]);
    assert.match(after[2]?.text ?? '', /"Thingd 2"/);
    assert.deepEqual(session.lint(uri)?.diagnostics.map((item) => item.rule), lint(session.textOf(uri) ?? '', 'json').diagnostics.map((item) => item.rule));
  });
  it('an array with a broken record near its top gives the same diagnostics as a fresh parse after random edits', async () => {
    for (const seed of [17, 23]) await randomEdits(withSecondRecordUnclosed(30), seed, 150);
  });
  it('typing in a record after a broken one re-reads that record only, with the result of a fresh parse', () => {
    let text = withSecondRecordUnclosed(12);
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/after-broken.json';
    const document = session.open(uri, text, 'json');
    session.lint(uri);
    assert.ok(document.problems.some((problem) => problem.rule === 'invalid-json'));
    // Reads of the text (whole, or from a line on), as against the one-record path.
    const textReads = { count: 0 };
    const { setText, setTextAfterHead } = DatasetDocument.prototype;
    DatasetDocument.prototype.setText = function (this: DatasetDocument, ...args: Parameters<typeof setText>): void {
      if (this === document) textReads.count++;
      setText.apply(this, args);
    };
    DatasetDocument.prototype.setTextAfterHead = function (this: DatasetDocument, ...args: Parameters<typeof setTextAfterHead>): boolean {
      const read = setTextAfterHead.apply(this, args);
      if (this === document && read) textReads.count++;
      return read;
    };
    try {
      const render = renderDiagnostics;
      const typeAt = (needle: string, typed: string, before: boolean): void => {
        const lines = text.split('\n');
        const line = lines.findIndex((candidate) => candidate.includes(needle));
        const character = (lines[line] ?? '').indexOf(needle) + (before ? 0 : needle.length);
        const offset = lines.slice(0, line).reduce((sum, row) => sum + row.length + 1, 0) + character;
        session.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: typed }]);
        text = text.slice(0, offset) + typed + text.slice(offset);
        assert.equal(session.textOf(uri), text);
        assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), render(lint(text, 'json').diagnostics), `after typing ${JSON.stringify(typed)}`);
      };
      // In the answer of record 9, after the error: each keystroke re-reads that record only.
      for (const typed of ['a', 'b', ' ', 'Ž', '\\n', 'c']) typeAt('Thing 8', typed, false);
      // A key and a nested object on lines of their own, typed at once (as a paste).
      typeAt('"output": "Thing 10', '"extra": {\n      "nested": [1, 2]\n    },\n    ', true);
      assert.equal(textReads.count, 0, `${textReads.count} reads of the text`);
      // In record 1, before the error: where the whole-file parse stops may change, so the text is read again.
      typeAt('Thing 1"', 'x', true);
      assert.equal(textReads.count, 1);
    } finally {
      DatasetDocument.prototype.setText = setText;
      DatasetDocument.prototype.setTextAfterHead = setTextAfterHead;
    }
  });
  it('typing a new record between two others, through states that do not parse, keeps every other record object', () => {
    let text = `${JSON.stringify(Array.from({ length: 12 }, (_, index) => record(index)), null, 2)}\n`;
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/new-record.json';
    const document = session.open(uri, text, 'json');
    session.lint(uri);
    const others = [...document.records];
    // After the sixth record's closing `},`: a new record, a keystroke at a time (no auto-closing).
    const lines = text.split('\n');
    let line = lines.findIndex((candidate, index) => candidate === '  },' && index > lines.length / 2);
    let character = (lines[line] ?? '').length;
    const render = renderDiagnostics;
    for (const typed of ['\n', '  ', '{', '"', 'o', 'u', 't', '"', ':', ' ', '"', 'N', 'e', 'w', '"', ',', ' ', '"', 'i', 'n', 's', 't', 'r', 'u', 'c', 't', 'i', 'o', 'n', '"', ':', ' ', '"', 'Q', '"', '}', ',']) {
      const offset = text.split('\n').slice(0, line).reduce((sum, row) => sum + row.length + 1, 0) + character;
      session.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: typed }]);
      text = text.slice(0, offset) + typed + text.slice(offset);
      if (typed === '\n') {
        line++;
        character = 0;
      } else character += typed.length;
      assert.equal(session.textOf(uri), text);
      assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), render(lint(text, 'json').diagnostics), `after typing ${JSON.stringify(typed)}`);
      // Every record but the one being typed is the object it was (its checks are not done again).
      const kept = document.records.filter((item) => others.includes(item)).length;
      assert.equal(kept, 12, `after typing ${JSON.stringify(typed)}: ${kept} of 12 records kept`);
    }
    assert.equal(document.records.length, 13);
    assert.deepEqual(document.records.filter((item) => !others.includes(item)).map((item) => item.text), ['{"out": "New", "instruction": "Q"}']);
  });

  describe('typing a new record outside the others reads the text from the last record before it, as a fresh parse does', () => {
    /** Types `keys` one at a time at the first spot `where` finds, comparing with a fresh parse after each; returns how many reads kept the records before the edit. */
    const typeThrough = (initial: string, where: (lines: string[]) => { line: number; character: number }, keys: readonly string[]): number => {
      let text = initial;
      const session = new DatasetSession(() => ({ settings }));
      const uri = 'file:///test/typing-between.json';
      const document = session.open(uri, text, 'json');
      session.lint(uri);
      const resumed = { count: 0 };
      const prototype = DatasetDocument.prototype as unknown as { readAfterKept: (...args: unknown[]) => void };
      const readAfterKept = prototype.readAfterKept;
      prototype.readAfterKept = function (this: DatasetDocument, ...args: unknown[]): void {
        if (this === document) resumed.count++;
        readAfterKept.apply(this, args);
      };
      try {
        const lines = text.split(/\r\n|\n/);
        let { line, character } = where(lines);
        const render = renderWithRecord;
        for (const typed of keys) {
          const lineStarts = [0, ...[...text.matchAll(/\r\n|\n/g)].map((lineBreak) => lineBreak.index + lineBreak[0].length)];
          const offset = (lineStarts[line] ?? 0) + character;
          session.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: typed }]);
          text = text.slice(0, offset) + typed + text.slice(offset);
          if (typed.includes('\n')) {
            line += typed.split('\n').length - 1;
            character = typed.length - typed.lastIndexOf('\n') - 1;
          } else character += typed.length;
          assert.equal(session.textOf(uri), text);
          assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), render(lint(text, 'json').diagnostics), `after typing ${JSON.stringify(typed)} (${JSON.stringify(text.slice(Math.max(0, offset - 40), offset + 40))})`);
        }
      } finally {
        prototype.readAfterKept = readAfterKept;
      }
      return resumed.count;
    };
    const newRecord = ['{', '"', 'o', 'u', 't', '"', ':', ' ', '"', 'N', 'e', 'w', '"', ',', ' ', '"', 'i', 'n', 's', 't', 'r', 'u', 'c', 't', 'i', 'o', 'n', '"', ':', ' ', '"', 'Q', '"', '}'];
    const pretty = (count: number, eol = '\n'): string => `${JSON.stringify(Array.from({ length: count }, (_, index) => record(index)), null, 2).replace(/\n/g, eol)}${eol}`;
    const afterLast = (lines: string[]): { line: number; character: number } => {
      const line = lines.lastIndexOf(']') - 1;
      return { line, character: (lines[line] ?? '').length };
    };
    it('after the last record of a pretty-printed array', () => {
      const resumed = typeThrough(pretty(10), afterLast, [',', '\n', '  ', ...newRecord]);
      assert.ok(resumed >= newRecord.length, `${resumed} reads kept the records before`);
    });
    it('between two records, and with a comma typed first', () => {
      const between = (lines: string[]): { line: number; character: number } => {
        const line = lines.findIndex((candidate, index) => candidate === '  },' && index > lines.length / 2);
        return { line, character: (lines[line] ?? '').length };
      };
      assert.ok(typeThrough(pretty(10), between, ['\n', '  ', ...newRecord, ',']) >= newRecord.length);
      assert.ok(typeThrough(pretty(10), between, [' ', ...newRecord, ',', '\n']) >= newRecord.length);
    });
    it('before the first record: nothing is kept while it is typed, then it is kept itself', () => {
      // Only the comma and the line break after the new first record, once it parses, are read from its end.
      assert.equal(typeThrough(pretty(6), () => ({ line: 1, character: 0 }), [...newRecord, ',', '\n']), 2);
    });
    it('in a one-line array, in a CRLF file with a BOM, and after a broken record', () => {
      const oneLine = JSON.stringify(Array.from({ length: 8 }, (_, index) => record(index)));
      assert.ok(typeThrough(oneLine, () => ({ line: 0, character: oneLine.length - 1 }), [',', ' ', ...newRecord]) >= newRecord.length);
      // Right after a record's closing brace, text that would go on a number ("0.5e3") is an error as in a fresh parse.
      typeThrough(oneLine, () => ({ line: 0, character: oneLine.length - 1 }), ['.', '5', 'e', '3', ']']);
      assert.ok(typeThrough(`\uFEFF${pretty(8, '\r\n')}`, afterLast, [',', '\r\n', '  ', ...newRecord]) >= newRecord.length);
      // The array does not parse from its second record on: a read from after the first is still the whole parse's.
      typeThrough(withSecondRecordUnclosed(8), afterLast, [',', '\n', '  ', ...newRecord]);
    });
    it('pasting, deleting and breaking records between others', () => {
      const text = pretty(8);
      const lines = text.split('\n');
      const third = lines.findIndex((candidate, index) => candidate === '  {' && lines.slice(0, index).filter((before) => before === '  {').length === 2);
      assert.ok(typeThrough(text, () => ({ line: third, character: 0 }), ['  {"instruction": "Pasted", "output": "whole"},\n', ']', '[', '}', 'x', '"']) >= 4);
    });
  });

  it('typing a new record after the last one reads only the text from the edited line on, as a fresh parse reads the whole', () => {
    // Large enough that the text before the edit is past the binary probe; CRLF as Windows editors write it.
    for (const eol of ['\n', '\r\n']) {
      let text = `${JSON.stringify(Array.from({ length: 150 }, (_, index) => record(index)), null, 2).replace(/\n/g, eol)}${eol}`;
      const session = new DatasetSession(() => ({ settings }));
      const uri = 'file:///test/append.json';
      session.open(uri, text, 'json');
      session.lint(uri);
      const prototype = DatasetDocument.prototype as unknown as { setTextAfterHead: (...args: unknown[]) => boolean };
      const setTextAfterHead = prototype.setTextAfterHead;
      let afterHead = 0;
      prototype.setTextAfterHead = function (this: DatasetDocument, ...args: unknown[]): boolean {
        const read = setTextAfterHead.apply(this, args);
        if (read) afterHead++;
        return read;
      };
      const render = renderWithRecord;
      const lines = text.split(eol);
      let line = lines.length - 3; // the last record's closing brace, before "]"
      let character = (lines[line] ?? '').length;
      const keys = [',', eol, ' ', ' ', ...'{"instruction": "Name a planet", "outptu": "Mars "}', ',', eol, '  ', '{"instruction": "Name a planet", "output": "Mars"}'];
      try {
        for (const typed of keys) {
          const offset = text.split(eol).slice(0, line).reduce((sum, row) => sum + row.length + eol.length, 0) + character;
          session.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: typed }]);
          text = text.slice(0, offset) + typed + text.slice(offset);
          if (typed === eol) {
            line++;
            character = 0;
          } else character += typed.length;
          assert.equal(session.textOf(uri), text);
          assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), render(lint(text, 'json').diagnostics), `after typing ${JSON.stringify(typed)}`);
        }
        // Then an edit before the text read last: the whole text is read again, with the same result.
        session.change(uri, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: ' ' }]);
        const lineTwo = text.split(eol).slice(0, 2).reduce((sum, row) => sum + row.length + eol.length, 0);
        text = `${text.slice(0, lineTwo)} ${text.slice(lineTwo)}`;
        assert.equal(session.textOf(uri), text);
        assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), render(lint(text, 'json').diagnostics), 'after an edit above');
      } finally {
        prototype.setTextAfterHead = setTextAfterHead;
      }
      assert.ok(afterHead >= keys.length - 2, `${afterHead} of ${keys.length} keystrokes read the text after the edited line only (${JSON.stringify(eol)})`);
      assert.ok(render(session.lint(uri)?.diagnostics ?? []).some((item) => item.startsWith('missing-field 150')), 'the new records are linted');
    }
  });

  it('random edits at record boundaries (typing, pasting and deleting records) give the same diagnostics as a fresh parse', () => {
    const boundaryEdits = (initial: string, seed: number, steps: number): number => {
      let text = initial;
      const session = new DatasetSession(() => ({ settings }));
      const uri = 'file:///test/boundaries.json';
      const document = session.open(uri, text, 'json');
      session.lint(uri);
      const random = seededRandom(seed);
      const prototype = DatasetDocument.prototype as unknown as { readAfterKept: (...args: unknown[]) => void };
      const readAfterKept = prototype.readAfterKept;
      let resumed = 0;
      prototype.readAfterKept = function (this: DatasetDocument, ...args: unknown[]): void {
        if (this === document) resumed++;
        readAfterKept.apply(this, args);
      };
      const pieces = ['{', '}', ',', '"', '\n', ' ', 'a', ':', '[', ']', '{"instruction": "n", "output": "y"}', ', {"instruction": "m", "output": "z"}', '\\', 'null', '{"out', '"x": '];
      try {
        for (let step = 0; step < steps; step++) {
          const lineStarts = [0, ...[...text.matchAll(/\r\n|\n/g)].map((lineBreak) => lineBreak.index + lineBreak[0].length)];
          const boundaries = [...text.matchAll(/[{}\],]/g)].map((found) => found.index + (found[0] === '{' ? 0 : 1));
          // Never inside a CRLF: the editor has no position there.
          const outsideLineBreak = (offset: number): number => (text[offset - 1] === '\r' && text[offset] === '\n' ? offset + 1 : offset);
          const start = outsideLineBreak(random(10) < 6 ? (boundaries[random(boundaries.length)] ?? 0) : random(text.length + 1));
          const kind = random(10);
          const end = kind < 6 ? start : outsideLineBreak(Math.min(text.length, start + (kind < 9 ? 1 + random(kind === 8 ? 200 : 3) : random(5))));
          const insert = kind < 6 || kind === 9 ? (pieces[random(pieces.length)] ?? '') : '';
          const position = (offset: number): { line: number; character: number } => {
            let line = 0;
            while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? 0) <= offset) line++;
            return { line, character: offset - (lineStarts[line] ?? 0) };
          };
          session.change(uri, [{ range: { start: position(start), end: position(end) }, text: insert }]);
          text = text.slice(0, start) + insert + text.slice(end);
          assert.equal(session.textOf(uri), text, `text after step ${step}`);
          const render = renderWithRecord;
          assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), render(lint(text, 'json').diagnostics), `seed ${seed}, after step ${step}`);
          // Now and then the file is whole again (as after an undo), so edits keep landing after good records.
          if (random(10) === 0) {
            text = initial;
            session.change(uri, [{ text }]);
          }
        }
      } finally {
        prototype.readAfterKept = readAfterKept;
      }
      return resumed;
    };
    const records = (count: number): Record<string, unknown>[] => Array.from({ length: count }, (_, index) => record(index));
    let resumed = 0;
    for (const seed of [1, 2]) {
      resumed += boundaryEdits(`${JSON.stringify(records(15), null, 2)}\n`, seed, 150);
      resumed += boundaryEdits(JSON.stringify(records(12)), seed + 1000, 100);
      resumed += boundaryEdits(`\uFEFF${JSON.stringify(records(10), null, 2).replace(/\n/g, '\r\n')}\r\n`, seed + 2000, 100);
    }
    assert.ok(resumed >= 200, `${resumed} reads kept the records before the edit`);
  });
  it('edits between the records of a larger array take over the records after the edit, with the result of a fresh parse', () => {
    /** Random edits near record starts, and new records typed a keystroke at a time (auto-closed as VS Code does), each compared with a fresh lint; returns how many reads took over the records after the edit. */
    const spliceEdits = (initial: string, seed: number, steps: number): number => {
      let text = initial;
      const session = new DatasetSession(() => ({ settings }));
      const uri = 'file:///test/splice.json';
      const document = session.open(uri, text, 'json');
      session.lint(uri);
      const random = seededRandom(seed);
      const prototype = DatasetDocument.prototype as unknown as { appendTail: (...args: unknown[]) => void; setTextAfterHead: (...args: unknown[]) => boolean };
      const { appendTail, setTextAfterHead } = prototype;
      let spliced = 0;
      prototype.appendTail = function (this: DatasetDocument, ...args: unknown[]): void {
        if (this === document) spliced++;
        appendTail.apply(this, args);
      };
      prototype.setTextAfterHead = function (this: DatasetDocument, ...args: unknown[]): boolean {
        const read = setTextAfterHead.apply(this, args);
        if (this === document && args[3] === false) partReads[read ? 'read' : 'stopped']++;
        return read;
      };
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const render = renderWithRecord;
      const apply = (start: number, end: number, insert: string, label: string): void => {
        const lineStarts = [0, ...[...text.matchAll(/\r\n|\n/g)].map((lineBreak) => lineBreak.index + lineBreak[0].length)];
        const position = (offset: number): { line: number; character: number } => {
          let line = 0;
          while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? 0) <= offset) line++;
          return { line, character: offset - (lineStarts[line] ?? 0) };
        };
        session.change(uri, [{ range: { start: position(start), end: position(end) }, text: insert }]);
        text = text.slice(0, start) + insert + text.slice(end);
        assert.equal(session.textOf(uri), text, `text after ${label}`);
        assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), render(lint(text, 'json').diagnostics), `seed ${seed}, after ${label}`);
      };
      // A record typed as VS Code types it: brackets and quotes auto-closed, the closing ones stepped over.
      const typeRecord = (at: number, step: number): void => {
        let cursor = at;
        const typed = `{"instruction": "Name ${step}", "output": "Mars"},${eol}  `;
        for (const char of typed.match(/\r\n|[^]/g) ?? []) {
          const closing = char === '{' ? '}' : char === '"' && text[cursor] !== '"' ? '"' : '';
          if ((char === '}' || char === '"') && text[cursor] === char) cursor++;
          else {
            apply(cursor, cursor, char + closing, `typing ${JSON.stringify(char)} at step ${step}`);
            cursor += char.length;
          }
        }
      };
      try {
        for (let step = 0; step < steps; step++) {
          const starts = [...text.matchAll(/\n( *)\{/g)].map((found) => found.index + 1 + (found[1]?.length ?? 0));
          const at = starts[random(starts.length)] ?? 0;
          const kind = random(12);
          if (kind === 0) typeRecord(at, step);
          else if (kind < 5) {
            // A piece typed before a record start, then removed (or left, a third of the time).
            const piece = ['x', '{', '"', ',', '}', eol, `{"instruction": "n", "output": "y"},${eol}  `, '{"out', '/', '['][random(10)] ?? 'x';
            apply(at, at, piece, `step ${step} (${JSON.stringify(piece)})`);
            if (random(3) !== 0) apply(at, at + piece.length, '', `step ${step} (undo)`);
          } else if (kind < 7) {
            // A comma or a brace before the record start removed.
            const before = text.lastIndexOf(random(2) === 0 ? ',' : '}', at);
            if (before > 0) apply(before, before + 1, '', `step ${step} (delete ${text[before] ?? ''})`);
          } else if (kind < 9) {
            // Whole lines cut (a record or a few), sometimes pasted back a little further on.
            const lineStart = text.lastIndexOf('\n', at - 1) + 1;
            let lineEnd = lineStart;
            for (let lines = 1 + random(12); lines > 0 && lineEnd < text.length; lines--) lineEnd = text.indexOf('\n', lineEnd) + 1 || text.length;
            const cut = text.slice(lineStart, lineEnd);
            apply(lineStart, lineEnd, '', `step ${step} (cut lines)`);
            if (random(2) === 0) {
              const to = text.indexOf('\n', lineStart + random(400)) + 1;
              if (to > 0) apply(to, to, cut, `step ${step} (paste lines)`);
            }
          } else if (kind < 11) {
            // Typing inside a string of the record.
            const quote = text.indexOf(': "', at);
            if (quote > 0) apply(quote + 3, quote + 3, 'ab', `step ${step} (in a string)`);
          } else {
            text = initial;
            session.change(uri, [{ text }]);
          }
        }
      } finally {
        prototype.appendTail = appendTail;
        prototype.setTextAfterHead = setTextAfterHead;
      }
      return spliced;
    };
    const records = (count: number): Record<string, unknown>[] => Array.from({ length: count }, (_, index) => record(index));
    // Reads of only the start of the rest (as in a file of megabytes): some take the records over, some stop short and read the whole.
    const partReads = { read: 0, stopped: 0 };
    let spliced = 0;
    const readAhead = jsonReadAhead.chars;
    try {
      for (const [seed, chars] of [[7, readAhead], [8, 300], [9, 1500]] as const) {
        jsonReadAhead.chars = chars;
        spliced += spliceEdits(`${JSON.stringify(records(40), null, 2)}\n`, seed, 60);
        spliced += spliceEdits(`${JSON.stringify(records(30), null, 4).replace(/\n/g, '\r\n')}\r\n`, seed + 100, 40);
        spliced += spliceEdits(withSecondRecordUnclosed(30), seed + 200, 40);
      }
    } finally {
      jsonReadAhead.chars = readAhead;
    }
    assert.ok(spliced >= 150, `${spliced} reads took over the records after the edit`);
    assert.ok(partReads.read >= 50 && partReads.stopped >= 20, `reads of the start: ${partReads.read} took over the records, ${partReads.stopped} stopped short`);
  });
});
