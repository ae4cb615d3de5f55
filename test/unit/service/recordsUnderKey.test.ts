/** JSON files that hold their records under one key ({"data": [...]}), config files that must stay untouched, and empty dataset files. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument, type DatasetRecord } from '../../../server/src/service/document';
import { lintDocument } from '../../../server/src/service/linter';
import { DatasetSession } from '../../../server/src/service/session';
import { lint, renderDiagnostics } from './helpers';

/** Lints with the default settings (minExamples 10), as the editor does. */
function lintDefault(text: string, kind: 'json' | 'jsonl', name = 'data'): { rule: string; severity: string; line: number; character: number; message: string }[] {
  const { settings } = resolveSettings({});
  const document = DatasetDocument.parse(text, kind);
  return lintDocument(document, `file:///test/${name}.${kind}`, settings).diagnostics.map((item) => ({ rule: item.rule, severity: item.severity, line: item.range.start.line, character: item.range.start.character, message: item.message }));
}

/** Lints with the default settings, as the editor does, keeping ranges. */
function lintDefault2(text: string): { rule: string; range: unknown; message: string }[] {
  const { settings } = resolveSettings({});
  return lintDocument(DatasetDocument.parse(text, 'json'), 'file:///test/splits.json', settings).diagnostics;
}

describe('records under one key of a JSON object', () => {
  it('lints the records at their exact places and notes the key', () => {
    const text = '{\n  "data": [\n    {"instruction": "a", "output": "b"},\n    {"instruction": "c", "outptu": "d"}\n  ]\n}\n';
    const diagnostics = lint(text, 'json').diagnostics;
    const note = diagnostics.find((item) => item.rule === 'records-under-key');
    assert.deepEqual(note?.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 8 } });
    assert.equal(note?.severity, 'info');
    const key = diagnostics.find((item) => item.rule === 'unknown-key' || item.rule === 'missing-field');
    assert.ok(key, diagnostics.map((item) => item.rule).join(' '));
    assert.equal(key.range.start.line, 3);
    const document = DatasetDocument.parse(text, 'json');
    assert.deepEqual(document.records.map((record) => [record.index, record.line, record.character]), [[0, 2, 4], [1, 3, 4]]);
    assert.equal(document.isDataset, true);
  });

  it('recovers the records after a syntax error', () => {
    const text = '{"train": [\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c", "output": "d",},\n  {"instruction": "e", "output": ""}\n]}';
    const rules = lint(text, 'json').diagnostics.map((item) => `${item.rule}@${item.range.start.line}`);
    assert.ok(rules.includes('invalid-json@2'), rules.join(' '));
    assert.ok(rules.includes('records-under-key@0'), rules.join(' '));
    assert.ok(rules.includes('empty-content@3'), rules.join(' '));
  });

  it('edits inside a record give the same diagnostics as a fresh parse, and only that record is parsed again', () => {
    const { settings } = resolveSettings({ minExamples: 0 });
    const records = Array.from({ length: 30 }, (_, index) => ({ instruction: `Question ${index} about item ${index * 13}`, input: '', output: index % 5 === 0 ? ` padded ${index}` : `Answer ${index}.` }));
    let text = JSON.stringify({ data: records }, null, 2);
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/nested.json';
    session.open(uri, text);
    const document = session.get(uri);
    assert.ok(document);
    let seed = 3;
    const random = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    for (let step = 0; step < 40; step++) {
      const lines = text.split('\n');
      const candidates = lines.map((line, index) => ({ line, index })).filter(({ line }) => line.includes('"output": "'));
      const target = candidates[random(candidates.length)];
      assert.ok(target);
      const character = target.line.indexOf('"output": "') + 11 + random(3);
      const insert = [' ', 'x', '  ', 'é'][random(4)] ?? '';
      const before: readonly DatasetRecord[] = [...document.records];
      session.change(uri, [{ range: { start: { line: target.index, character }, end: { line: target.index, character } }, text: insert }]);
      lines[target.index] = target.line.slice(0, character) + insert + target.line.slice(character);
      text = lines.join('\n');
      assert.equal(document.records.filter((record, index) => record !== before[index]).length, 1, 'one record re-made');
      const incremental = session.lint(uri)?.diagnostics.map((item) => `${item.rule} ${JSON.stringify(item.range)} ${item.message}`);
      const fresh = lint(text, 'json').diagnostics.map((item) => `${item.rule} ${JSON.stringify(item.range)} ${item.message}`);
      assert.deepEqual(incremental, fresh, `after step ${step}`);
    }
    assert.ok(lint(text, 'json').diagnostics.some((item) => item.rule === 'records-under-key'));
  });

  it('lints every array of records in a file of splits ({"train": [...], "test": [...]}), with a note on each key and duplicates across them', () => {
    const text = '{\n  "version": "1.0",\n  "train": [\n    {"instruction": "Say hi", "output": "Hi"},\n    {"instruction": "Say yo", "output": "Yo "}\n  ],\n  "test": [\n    {"instruction": "Say hi", "output": "Hi"}\n  ]\n}\n';
    const diagnostics = lint(text, 'json').diagnostics;
    const notes = diagnostics.filter((item) => item.rule === 'records-under-key');
    assert.deepEqual(notes.map((item) => item.range), [
      { start: { line: 2, character: 2 }, end: { line: 2, character: 9 } },
      { start: { line: 6, character: 2 }, end: { line: 6, character: 8 } },
    ]);
    assert.match(notes[0]?.message ?? '', /2 records are under the key "train", one of 2 arrays .*also "test".*field="train"/);
    assert.match(notes[1]?.message ?? '', /1 record is under the key "test".*It is linted here/);
    const document = DatasetDocument.parse(text, 'json');
    assert.deepEqual(document.records.map((record) => [record.index, record.line, record.character]), [[0, 3, 4], [1, 4, 4], [2, 7, 4]]);
    const duplicate = diagnostics.find((item) => item.rule === 'duplicate-record');
    assert.equal(duplicate?.range.start.line, 7, 'the test copy of a train record');
    assert.equal(diagnostics.find((item) => item.rule === 'whitespace')?.range.start.line, 4);
    // An edit inside a record of the second array is applied in place and lints as a fresh parse does.
    const { settings } = resolveSettings({});
    const session = new DatasetSession(() => ({ settings }));
    session.open('file:///test/splits.json', text);
    const before = [...(session.get('file:///test/splits.json')?.records ?? [])];
    session.change('file:///test/splits.json', [{ range: { start: { line: 7, character: 43 }, end: { line: 7, character: 43 } }, text: ' there' }]);
    const edited = text.replace('"output": "Hi"}\n  ]', '"output": "Hi there"}\n  ]');
    const after = session.get('file:///test/splits.json')?.records ?? [];
    assert.equal(after.filter((record, index) => record !== before[index]).length, 1, 'one record re-made');
    const render = renderDiagnostics;
    assert.deepEqual(render(session.lint('file:///test/splits.json')?.diagnostics ?? []), render(lintDefault2(edited)));
    assert.ok(!(session.lint('file:///test/splits.json')?.diagnostics ?? []).some((item) => item.rule === 'duplicate-record'));
    // An edit in the first split that adds a line and moves the "test" key: its note moves with it.
    const multiLine = '{\n  "train": [\n    {"instruction": "a", "output": "b"}\n  ],\n  "test": [\n    {"instruction": "c", "output": "d"}\n  ]\n}\n';
    session.open('file:///test/splits2.json', multiLine);
    const splitsBefore = [...(session.get('file:///test/splits2.json')?.records ?? [])];
    session.change('file:///test/splits2.json', [{ range: { start: { line: 2, character: 23 }, end: { line: 2, character: 23 } }, text: ',\n     "input": "x y"' }]);
    const splitsAfter = session.get('file:///test/splits2.json')?.records ?? [];
    assert.equal(splitsAfter.filter((record, index) => record !== splitsBefore[index]).length, 1, 'edited in place');
    const editedSplits = multiLine.replace('"a",', '"a",\n     "input": "x y",');
    const moved = render(session.lint('file:///test/splits2.json')?.diagnostics ?? []);
    assert.deepEqual(moved, render(lintDefault2(editedSplits)));
    assert.ok(moved.some((line) => line.startsWith('records-under-key {"start":{"line":5,"character":2}')), moved.join('\n'));
    // A syntax error (typing a key) keeps the file a dataset: the error is reported and the records are still linted.
    const broken = text.replace('"output": "Yo "}', '"output" x: "Yo "}');
    const brokenRules = lint(broken, 'json').diagnostics.map((item) => `${item.rule}@${item.range.start.line}`);
    assert.ok(brokenRules.includes('invalid-json@4'), brokenRules.join(' '));
    assert.ok(brokenRules.includes('records-under-key@2'), brokenRules.join(' '));
    assert.ok(brokenRules.includes('duplicate-record@7'), brokenRules.join(' '));
  });

  it('reads a file of thousands of arrays in one pass, with one short note, and the last of a repeated key as JSON.parse does', () => {
    const splits: Record<string, unknown> = {};
    for (let index = 0; index < 5000; index++) splits[`split${index}`] = [{ instruction: `Question ${index}`, output: `Answer ${index}.` }];
    splits.split7 = 'not records';
    const document = DatasetDocument.parse(JSON.stringify(splits, null, 2), 'json');
    assert.equal(document.records.length, 4999);
    assert.deepEqual(document.records.slice(6, 8).map((record) => [record.index, record.arrayIndex, record.text]), [[6, 6, '{\n      "instruction": "Question 6",\n      "output": "Answer 6."\n    }'], [7, 7, '{\n      "instruction": "Question 8",\n      "output": "Answer 8."\n    }']]);
    assert.equal(document.problems.length, 1);
    assert.match(document.problems[0]?.message ?? '', /one of 4999 arrays of records in this file \(also "split1", "split2", "split3", "split4", "split5" and 4993 more\)/);
    const repeated = DatasetDocument.parse('{"train": [{"instruction": "a", "output": "b"}], "train": [{"instruction": "c", "output": "d"}]}', 'json');
    assert.deepEqual(repeated.records.map((record) => record.text), ['{"instruction": "c", "output": "d"}']);
  });

  it('leaves config files alone: no diagnostics at all, even with the default settings', () => {
    const configs: Record<string, string> = {
      package: JSON.stringify({ name: 'x', version: '1.0.0', contributes: { commands: [{ command: 'a', title: 'A' }] } }, null, 2),
      tsconfig: JSON.stringify({ compilerOptions: { strict: true, lib: ['ES2022'] } }, null, 2),
      settings: JSON.stringify({ 'editor.tabSize': 2 }),
      extensions: JSON.stringify({ recommendations: ['dbaeumer.vscode-eslint'] }),
      launch: JSON.stringify({ configurations: [{ type: 'node', request: 'launch', name: 'Run', program: 'x.js' }] }),
      tasks: '{\n  "tasks": [\n    {"label": "build", "type": "npm", "script": "build"}\n  ]\n}',
      broken: '{\n  "compilerOptions": {\n    "strict": true,\n  }\n}',
    };
    for (const [name, text] of Object.entries(configs)) {
      assert.deepEqual(lintDefault(text, 'json', name), [], name);
      assert.equal(DatasetDocument.parse(text, 'json').isDataset, false, name);
    }
  });
});

describe('JSON files whose first (or only) record has a syntax error', () => {
  /** rule@line:character-line:character of each diagnostic, 0-based, sorted by position. */
  const places = (text: string): string[] => lint(text, 'json').diagnostics.map((item) => `${item.rule}@${item.range.start.line}:${item.range.start.character}-${item.range.end.line}:${item.range.end.character}`).sort();

  it('lints records under a key when the first record misses a comma after its keys', () => {
    const text = '{\n  "train": [\n    {\n      "instruction": "Name a river in Spain.",\n      "output": "The Ebro."\n      "input": ""\n    },\n    {\n      "instruction": "Capital of Portugal?",\n      "output": "Lisbon. <|im_end|>"\n    }\n  ]\n}\n';
    assert.deepEqual(places(text), ['invalid-json@5:6-5:13', 'records-under-key@1:2-1:9', 'special-token-leak@9:25-9:35']);
    const document = DatasetDocument.parse(text, 'json');
    assert.equal(document.isDataset, true);
    assert.deepEqual(document.records.map((record) => [record.line, record.errorReportedByFile]), [[2, true], [7, false]]);
  });

  it('lints records under a key when the first record has a raw line break in a string', () => {
    const text = '{\n  "examples": [\n    {\n      "instruction": "Write a poem.",\n      "output": "Petals on the wind\nsoftly fall."\n    },\n    {\n      "instruction": "Name a flower.",\n      "ouptut": "Tulip."\n    }\n  ]\n}\n';
    const rules = places(text).map((place) => place.split(':')[0]);
    // missing-field sits on the misspelt key it names (line 9), not on the record's brace.
    assert.deepEqual(rules, ['invalid-json@4', 'missing-field@9', 'records-under-key@1']);
  });

  it('judges a first record broken before its first key by the next record that parses', () => {
    const text = '{"data": [\n  {instruction: "a", "output": "b"},\n  {"instruction": "c", "output": "d"}\n]}\n';
    const document = DatasetDocument.parse(text, 'json');
    assert.equal(document.isDataset, true);
    assert.equal(document.records.length, 2);
    assert.ok(places(text).some((place) => place.startsWith('invalid-json@1:')), places(text).join(' '));
  });

  it('lints a one-record file with a syntax error: the error, and the note it would get if valid', () => {
    const text = '{\n  "messages": [\n    {"role": "user", "content": "Hi"},\n    {"role": "assistant", "content": "Hello."},\n  ]\n}\n';
    assert.deepEqual(places(text), ['invalid-json@4:2-4:3', 'single-record-file@0:0-0:1']);
    const document = DatasetDocument.parse(text, 'json');
    assert.equal(document.isDataset, true);
    assert.equal(document.records.length, 1);
  });

  it('leaves broken config files alone: their keys are no record\'s', () => {
    const configs: Record<string, string> = {
      package: '{\n  "name": "x",\n  "version": "1.0.0",\n  "scripts": {"build": "tsc",},\n}\n',
      tsconfig: '{\n  "compilerOptions": {"strict": true}\n  "include": ["src"]\n}\n',
      launch: '{\n  "version": "0.2.0",\n  "configurations": [\n    {"type": "node" "request": "launch"},\n    {"type": "node", "request": "attach", "name": "Attach"}\n  ]\n}\n',
      tasks: '{\n  "tasks": [\n    {label: "build", "type": "npm"},\n    {"label": "test", "type": "npm", "script": "test"}\n  ]\n}\n',
      settings: '{\n  "editor.tabSize": 2,\n  "files.exclude": {"out": true,},\n}\n',
      lineBreak: '{\n  "description": "two\nlines",\n  "keywords": ["a"]\n}\n',
    };
    for (const [name, text] of Object.entries(configs)) {
      assert.throws(() => JSON.parse(text), SyntaxError, name);
      assert.deepEqual(lintDefault(text, 'json', name), [], name);
      assert.equal(DatasetDocument.parse(text, 'json').isDataset, false, name);
    }
  });
});

describe('empty dataset files', () => {
  it('say there are no examples (info, at the top) when minExamples is on', () => {
    for (const [text, kind] of [['', 'jsonl'], ['\n\n  \n', 'jsonl'], ['', 'json'], ['[]', 'json'], ['\uFEFF\n', 'jsonl']] as const) {
      const diagnostics = lintDefault(text, kind);
      assert.deepEqual(diagnostics.map((item) => [item.rule, item.severity, item.line, item.character]), [['too-few-examples', 'info', 0, 0]], JSON.stringify(text));
      assert.match(diagnostics[0]?.message ?? '', /^No examples/);
    }
  });
  it('a JSON array file that starts with a byte order mark gets an error at the mark (Hugging Face datasets fails on it); JSON Lines does not', () => {
    const record = '{"instruction": "Name a colour", "output": "Blue"}';
    const json = lintDefault(`\uFEFF[\r\n  ${record}\r\n]\r\n`, 'json').filter((item) => item.rule === 'invalid-json');
    assert.deepEqual(json.map((item) => [item.severity, item.line, item.character]), [['error', 0, 0]]);
    assert.match(json[0]?.message ?? '', /^The file starts with a byte order mark \(U\+FEFF\): Hugging Face datasets/);
    assert.deepEqual(lintDefault(`\uFEFF${record}\n`, 'jsonl').filter((item) => item.rule === 'invalid-json'), []);
    assert.deepEqual(lintDefault(`[\n  ${record}\n]\n`, 'json').filter((item) => item.rule === 'invalid-json'), []);
  });
  it('stay quiet with minExamples 0, and a broken file gets its syntax error only', () => {
    assert.deepEqual(lint('').diagnostics, []);
    assert.deepEqual(lint('[]', 'json').diagnostics, []);
    assert.deepEqual(lintDefault('[\n  {"text": "a",\n', 'json').map((item) => item.rule), ['invalid-json']);
  });
});
