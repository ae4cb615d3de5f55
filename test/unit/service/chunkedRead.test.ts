/** Reading large files in pieces (peak memory) must give exactly the document that reading them whole gives. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { BandMap } from '../../../server/src/service/bandMap';
import { DatasetDocument } from '../../../server/src/service/document';
import { decodedChunks, lintFiles } from '../../../server/src/service/files';
import { seededRandom } from './helpers';


function describeDocument(document: DatasetDocument): string {
  return JSON.stringify({ eol: document.eol, text: document.getText(), problems: document.problems, lines: document.lineCount, records: document.records.map((record) => [record.text, record.line, record.index]) });
}

function piecesOf(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

describe('JSONL from pieces', () => {
  const texts = ['', '\n', '\r\n', '{"a":1}', '{"a":1}\r\n{"b":2}\r\n', '\uFEFF{"a":1}\n\n  \n{"b":2}', 'x\r', '\n\r\n\r', `${'é{"a":"ü"}\r\n'.repeat(5)}`, `${'{"a":1}\n'.repeat(3000)}\u0000`, `\uFEFF${'{"k":"v"}\r\n'.repeat(2000)}`, '{"a":1}\r{"b":2}\r', 'a\r\r\nb\r', `${'{"k":"v"}\r'.repeat(3000)}{"c":3}\r\n`];
  for (const text of texts) {
    it(`matches a whole parse of ${JSON.stringify(text.slice(0, 16))}${text.length > 16 ? '...' : ''}`, () => {
      const expected = describeDocument(DatasetDocument.parse(text, 'jsonl'));
      for (const size of [1, 2, 3, 7, 8191, 8192, 8193, 100_000]) {
        const pieces = piecesOf(text, size);
        assert.equal(describeDocument(DatasetDocument.parseJsonlPieces(pieces)), expected, `pieces of ${size}`);
        assert.equal(describeDocument(DatasetDocument.parseJsonlPieces(['', ...pieces, ''])), expected, `pieces of ${size} with empty ones`);
      }
    });
  }
  it('reports a binary file found past the first piece', () => {
    const document = DatasetDocument.parseJsonlPieces(['{"a":1}\n', '\u0000']);
    assert.equal(document.problems[0]?.rule, 'unreadable-file');
    assert.equal(document.records.length, 0);
  });
});

describe('decoding a file chunk by chunk', () => {
  it('gives the same text as decoding it whole, for any bytes and chunk size', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-chunks-'));
    try {
      const next = seededRandom(7);
      // ASCII, line breaks, a BOM, 2-4 byte characters, lone continuation bytes and invalid lead bytes.
      const pool = [0x41, 0x0a, 0x0d, 0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff, 0xed, 0xa0, 0x22, 0x7b];
      const file = path.join(folder, 'bytes.jsonl');
      for (let round = 0; round < 300; round++) {
        const bytes = Buffer.from(Array.from({ length: Math.floor(next() * 40) }, () => pool[Math.floor(next() * pool.length)] ?? 0x41));
        if (round % 5 === 0 && bytes.length >= 3) bytes.set([0xef, 0xbb, 0xbf]);
        fs.writeFileSync(file, bytes);
        const expected = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
        for (const size of [1, 2, 3, 4, 5, 64]) assert.equal([...decodedChunks(file, size)].join(''), expected, `${bytes.toString('hex')} in chunks of ${size}`);
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('BandMap', () => {
  it('behaves like a Map under random sets, gets and deletes', () => {
    const next = seededRandom(3);
    for (const range of [20, 5000, 1 << 30]) {
      const expected = new Map<number, number>();
      const actual = new BandMap<number>();
      for (let step = 0; step < 50_000; step++) {
        const key = Math.floor(next() * range);
        const operation = next();
        if (operation < 0.5) {
          expected.set(key, step);
          actual.set(key, step);
        } else if (operation < 0.8) assert.equal(actual.delete(key), expected.delete(key));
        else assert.equal(actual.get(key), expected.get(key));
        assert.equal(actual.size, expected.size);
      }
      for (const [key, value] of expected) assert.equal(actual.get(key), value);
    }
  });
});

describe('a JSON array read in slices', () => {
  const record = (index: number): string => JSON.stringify({ instruction: `q${index}`, output: `a ${index} é😀` });
  const texts = [
    `[${[0, 1, 2].map(record).join(',')}]`,
    `\uFEFF[\r\n  ${[0, 1, 2].map(record).join(',\r\n  ')}\r\n]\r\n`,
    `[\r  ${[0, 1].map(record).join(',\r  ')}\r]`,
    '[]', '  [ ]  ', '', '[1, "x", null, {"instruction": "a", "output": "b"}]',
    `[${record(0)},]`, `[${record(0)} ${record(1)}]`, `[${record(0)}, {"instruction": "a", "output": }]`, `[${record(0)}] x`, `[${record(0)}`,
    `{"data": [${record(0)}]}`, `${record(0)}\n${record(1)}\n`, '[[[[1]]]]', `[${'['.repeat(20000)}${']'.repeat(20000)}]`,
  ];
  for (const text of texts) {
    it(`matches a whole parse of ${JSON.stringify(text.slice(0, 24))}${text.length > 24 ? '...' : ''}`, async () => {
      let pauses = 0;
      const sliced = await DatasetDocument.parseInSlices(text, 'json', async () => {
        pauses++;
      }, undefined, 0);
      const whole = DatasetDocument.parse(text, 'json');
      const summary = (document: DatasetDocument): string => JSON.stringify({ eol: document.eol, dataset: document.isDataset, problems: document.problems, records: document.records.map((item) => [item.text, item.line, item.character, item.index, item.arrayIndex, item.syntaxError]) });
      assert.equal(summary(sliced), summary(whole));
      if (whole.records.length > 1 && whole.problems.length === 0 && text.trimStart().startsWith('[')) assert.ok(pauses >= whole.records.length - 1, `${pauses} pauses`);
    });
  }
});


describe('bytes that are not UTF-8 (Python and the datasets library refuse the file)', () => {
  const record = (text: string): string => JSON.stringify({ messages: [{ role: 'user', content: text }, { role: 'assistant', content: 'Fine.' }] });
  const lintBytes = async (name: string, bytes: Buffer): Promise<{ line: number; character: number; message: string }[]> => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-utf8-'));
    try {
      fs.writeFileSync(path.join(folder, name), bytes);
      const result = await lintFiles([path.join(folder, name)], { overrides: { minExamples: 0 } });
      return (result.files[0]?.diagnostics ?? []).filter((item) => item.rule === 'invalid-json').map((item) => ({ ...item.range.start, message: item.message }));
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  };
  const latin1Line = Buffer.concat([Buffer.from(`${record('Caf')}`.slice(0, -50)), Buffer.from([0xe9]), Buffer.from(`${record('Caf')}`.slice(-50))]);
  const column = `${record('Caf')}`.length - 50;

  it('is an error at the first such byte, in JSON Lines (across a 1 MB read) and in JSON', async () => {
    const filler = Buffer.from(`${record('A ü and a � written as text')}\n`.repeat(Math.ceil(1.1 * 1024 * 1024 / 70)));
    const lines = filler.toString('utf8').split('\n').length - 1;
    const found = await lintBytes('data.jsonl', Buffer.concat([Buffer.from('\uFEFF'), filler, latin1Line, Buffer.from('\n'), latin1Line, Buffer.from('\n')]));
    assert.deepEqual(found.map(({ line, character }) => ({ line, character })), [{ line: lines, character: column }], 'the first one only, after the BOM and 1.1 MB of text with a U+FFFD written as text');
    assert.match(found[0]?.message ?? '', /^Invalid UTF-8: the bytes here are not UTF-8 .* Re-save the file as UTF-8/);
    const json = await lintBytes('data.json', Buffer.concat([Buffer.from('[\n  '), latin1Line, Buffer.from('\n]\n')]));
    assert.deepEqual(json.map(({ line, character }) => ({ line, character })), [{ line: 1, character: column + 2 }]);
  });

  it('is placed by the lines the linter reads in CR-only and CRLF files, also with a CRLF cut between two reads', async () => {
    for (const eol of ['\r', '\r\n']) {
      const found = await lintBytes('data.jsonl', Buffer.concat([Buffer.from(`${record('One')}${eol}${record('Two')}${eol}`), latin1Line, Buffer.from(eol)]));
      assert.deepEqual(found.map(({ line, character }) => ({ line, character })), [{ line: 2, character: column }], JSON.stringify(eol));
    }
    // 1 MB reads: a CRLF just before, across and just after the boundary of the first one.
    const first = Buffer.from(record('x'.repeat(1024 * 1024 - 200)));
    for (const crAt of [1024 * 1024 - 2, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1]) {
      const bytes = Buffer.concat([Buffer.from(' '.repeat(crAt - first.length)), first, Buffer.from('\r\n'), latin1Line, Buffer.from('\r\n')]);
      const found = await lintBytes('data.jsonl', bytes);
      assert.deepEqual(found.map(({ line, character }) => ({ line, character })), [{ line: 1, character: column }], `CR at ${crAt}`);
    }
  });

  it('says nothing of a U+FFFD written in a UTF-8 file', async () => {
    assert.deepEqual(await lintBytes('data.jsonl', Buffer.from(`${record('A � written as text')}\n`)), []);
  });
});
