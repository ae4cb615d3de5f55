/** The document model: exact positions (CRLF, BOM, UTF-16), incremental JSONL edits, and bad input that must not crash or hang. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { hintFromDatasetInfo } from '../../../server/src/service/datasetInfo';
import { DatasetDocument } from '../../../server/src/service/document';
import { cannotBeJson } from '../../../server/src/service/json/scanner';
import { DatasetSession } from '../../../server/src/service/session';
import { lint, renderDiagnostics } from './helpers';

const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });

describe('positions', () => {
  it('counts columns in UTF-16 code units after astral characters', () => {
    const line = '{"messages": [{"role": "user", "content": "😀😀 hi"}, {"role": "asistant", "content": "b"}]}';
    const diagnostic = lint(`${line}\n`).diagnostics.find((item) => item.rule === 'unknown-role');
    const column = line.indexOf('"asistant"'); // JS indices are UTF-16 code units
    assert.deepEqual(diagnostic?.range, { start: { line: 0, character: column }, end: { line: 0, character: column + 10 } });
  });
  it('puts record-wide findings of an indented JSONL line on the record, not on its indentation or trailing spaces', () => {
    const record = chat('Say hi', 'Hi!');
    const at = (text: string, rule: string): string[] => lint(text).diagnostics.filter((item) => item.rule === rule).map((item) => `${item.range.start.line}:${item.range.start.character}-${item.range.end.line}:${item.range.end.character}`);
    assert.deepEqual(at(`${record}\n  ${record} \n`, 'duplicate-record'), [`1:2-1:${2 + record.length}`]);
    assert.deepEqual(at(`${record}\n\t[1, 2]  \n`, 'not-an-object'), ['1:1-1:7']);
    assert.deepEqual(at(`${record}\n  {"instruction": "Say hi", "input": ""}\n`, 'missing-field'), ['1:2-1:3']);
    // A first line's BOM (read as a space) too.
    assert.deepEqual(at('\uFEFF[1, 2]\n', 'not-an-object'), ['0:1-0:7']);
  });
  it('underlines a stray token whole: a word of any script, an emoji, a quoted text (no surrogate pair cut)', () => {
    const record = chat('a', 'b');
    const stray = (text: string, kind: 'jsonl' | 'json'): string[] => lint(text, kind).diagnostics.filter((item) => item.rule === 'invalid-json').map((item) => `${item.range.start.line}:${item.range.start.character}-${item.range.end.character} ${/nexpected (.+?)(?::| where| after)/.exec(item.message)?.[1] ?? ''}`);
    assert.deepEqual(stray(`{"messages": naïve}\n`, 'jsonl'), ["0:13-18 'naïve'"]);
    assert.deepEqual(stray(`{"messages": '${'a'.repeat(80)}😀 more'}\n`, 'jsonl'), [`0:13-${13 + 89} ''${'a'.repeat(19)}'`]);
    // After an earlier error in a JSON array, the stray text of a later spot as well.
    assert.deepEqual(stray(`[\n  ${record},\n  // first error\n  ${chat('c', 'd')},\n  oops,\n  ${chat('e', 'f')},\n  😀\n  ${chat('g', 'h')}\n]`, 'json').slice(1), ["4:2-6 'oops'", "6:2-4 '😀'"]);
  });
  it('strips a BOM and handles CRLF in JSON arrays', () => {
    const text = '\uFEFF[\r\n  {"instruction": "a",\r\n   "output": "b", "extra": 1, "outptu": 2}\r\n]';
    const diagnostic = lint(text, 'json').diagnostics.find((item) => item.rule === 'unknown-key');
    // No rename is offered ("output" exists): the key is a second copy, to merge or remove.
    assert.match(diagnostic?.message ?? '', /"outptu" in the record looks like a second "output"/);
    assert.equal(diagnostic?.fix, undefined, 'no rename onto the existing "output"');
    assert.deepEqual(diagnostic?.range, { start: { line: 2, character: 30 }, end: { line: 2, character: 38 } });
    const missing = '\uFEFF[\r\n  {"instruction": "a",\r\n   "outptu": "b"}\r\n]';
    // The misspelt key holds the required "output": missing-field names it there.
    const found = lint(missing, 'json').diagnostics.find((item) => item.rule === 'missing-field');
    assert.deepEqual(found?.range, { start: { line: 2, character: 3 }, end: { line: 2, character: 11 } });
  });
  it('reads a lone CR (classic Mac line breaks) as a line break, as VS Code and Python do, in JSONL, JSON and edits', () => {
    const records = [chat('a', 'b'), chat('c', 'd').replace('"user"', '"usr"'), chat('e', 'f'), chat('g', 'h').replace('"user"', '"usr"')];
    const column = records[1]?.indexOf('"usr"') ?? -1;
    const rolesAt = (text: string, kind: 'jsonl' | 'json' = 'jsonl') => lint(text, kind).diagnostics.filter((item) => item.rule === 'unknown-role').map((item) => [item.range.start.line, item.range.start.character]);
    assert.deepEqual(rolesAt(`${records.join('\r')}\r`), [[1, column], [3, column]]);
    assert.deepEqual(rolesAt(`${records.slice(0, 2).join('\r\n')}\r${records.slice(2).join('\n')}`), [[1, column], [3, column]], 'mixed with CRLF and LF');
    assert.deepEqual(rolesAt(`[\r  ${records.join(',\r  ')}\r]`, 'json'), [[2, column + 2], [4, column + 2]]);
    // Edits come at the positions the editor shows (line 3 is the fourth record).
    const { settings } = resolveSettings({});
    const session = new DatasetSession(() => ({ settings }));
    for (const [uri, text, indent] of [['file:///test/cr.jsonl', `${records.join('\r')}\r`, 0], ['file:///test/cr.json', `[\r  ${records.join(',\r  ')}\r]`, 2]] as const) {
      session.open(uri, text);
      const line = indent === 0 ? 3 : 4;
      session.change(uri, [{ range: { start: { line, character: column + indent + 1 }, end: { line, character: column + indent + 4 } }, text: 'user' }]);
      const left = (session.lint(uri)?.diagnostics ?? []).filter((item) => item.rule === 'unknown-role').map((item) => item.range.start.line);
      assert.deepEqual(left, [indent === 0 ? 1 : 2], uri);
    }
  });
  it('counts a BOM a client kept in its text as a character of line 0, for positions it reports and edits it sends', () => {
    const line = '{"messages": [{"role": "usr", "content": "a"}, {"role": "assistant", "content": "b"}]}';
    const text = `\uFEFF${line}\n${line}\n`;
    const column = text.indexOf('"usr"'); // counts the BOM, as the client does
    const ranges = lint(text).diagnostics.filter((item) => item.rule === 'unknown-role').map((item) => item.range);
    assert.deepEqual(ranges, [
      { start: { line: 0, character: column }, end: { line: 0, character: column + 5 } },
      { start: { line: 1, character: column - 1 }, end: { line: 1, character: column + 4 } },
    ]);
    const oneLineArray = `\uFEFF[${line}]`;
    const inArray = lint(oneLineArray, 'json').diagnostics.find((item) => item.rule === 'unknown-role');
    assert.equal(inArray?.range.start.character, oneLineArray.indexOf('"usr"'));
    // An edit on line 0 at the client's columns fixes the role there.
    const { settings } = resolveSettings({});
    const session = new DatasetSession(() => ({ settings }));
    session.open('file:///test/bom.jsonl', text);
    session.change('file:///test/bom.jsonl', [{ range: { start: { line: 0, character: column + 1 }, end: { line: 0, character: column + 4 } }, text: 'user' }]);
    assert.deepEqual((session.lint('file:///test/bom.jsonl')?.diagnostics ?? []).filter((item) => item.rule === 'unknown-role').map((item) => item.range.start.line), [1]);
    // A JSON array: typing inside a record (the incremental path) and an edit that spans records agree with a fresh lint of the client's text.
    let json = `\uFEFF[${line},\n  {"instruction": "a", "output": "b "}]`;
    session.open('file:///test/bom.json', json);
    // (The session runs with the default minExamples, the lint helper without: that file-level note is left out.)
    const render = (items: readonly { rule: string; range: unknown }[]): string[] => items.filter((item) => item.rule !== 'too-few-examples').map((item) => `${item.rule} ${JSON.stringify(item.range)}`);
    const edits: { at: number; length: number; text: string }[] = [{ at: json.indexOf('"a"') + 1, length: 0, text: 'x' }, { at: json.indexOf('"b "') + 2, length: 1, text: '' }, { at: json.indexOf('},\n') + 1, length: 2, text: ', ' }];
    for (const [index, edit] of edits.entries()) {
      const recordsBefore = [...(session.get('file:///test/bom.json')?.records ?? [])];
      const before = json.slice(0, edit.at);
      const start = { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
      const endText = json.slice(0, edit.at + edit.length);
      const end = { line: endText.split('\n').length - 1, character: endText.length - endText.lastIndexOf('\n') - 1 };
      session.change('file:///test/bom.json', [{ range: { start, end }, text: edit.text }]);
      json = json.slice(0, edit.at) + edit.text + json.slice(edit.at + edit.length);
      const recordsAfter = session.get('file:///test/bom.json')?.records ?? [];
      if (index < 2) assert.equal(recordsAfter.filter((record, at) => record !== recordsBefore[at]).length, 1, 'typing inside a record re-parses that record only');
      assert.deepEqual(render(session.lint('file:///test/bom.json')?.diagnostics ?? []), render(lint(json, 'json').diagnostics), JSON.stringify(edit));
    }
  });
  it('keeps records of a one-line JSON array apart', () => {
    const text = '[{"text": "a"}, {"text": "b"}, {"text": ""}]';
    const diagnostic = lint(text, 'json').diagnostics.find((item) => item.rule === 'empty-content');
    assert.deepEqual(diagnostic?.range, { start: { line: 0, character: 40 }, end: { line: 0, character: 42 } });
    assert.equal(diagnostic?.recordIndex, 2);
  });
  it('still lints the other records of a JSON array with one broken record', () => {
    const text = '[\n  {"text": "a"},\n  {"text": "b",},\n  {"text": ""}\n]';
    const rules = lint(text, 'json').diagnostics.map((item) => `${item.rule}@${item.range.start.line}`);
    assert.ok(rules.includes('invalid-json@2'), rules.join(' '));
  });
  it('after a broken record, reads on past an element that is not an object (a string, null): it is reported, and so are the records after it', () => {
    const text = '[\n  {"instruction": "a", "output": "b" "note": 1},\n  {"instruction": "c", "output": "d"},\n  null,\n  "stray text",\n  {"instruction": "e", "output": ""},\n  {"instruction": "f", "outptu": "g"}\n]\n';
    const rules = lint(text, 'json').diagnostics.map((item) => `${item.rule}@${item.range.start.line}`);
    for (const expected of ['invalid-json@1', 'not-an-object@3', 'not-an-object@4', 'empty-content@5', 'missing-field@6']) assert.ok(rules.includes(expected), `${expected} in ${rules.join(' ')}`);
    assert.equal(DatasetDocument.parse(text, 'json').records.length, 6, 'every element is a record, numbered as in the file');
  });
  it('lints the records after a broken record and after a missing comma, and reports a second broken record', () => {
    const text = '[\n  {"text": "a"},\n  {"text": "b",},\n  {"text": ""}\n  {"text": "c d e f"},\n  {"text": 5,},\n  {"text": " "}\n]';
    const rules = lint(text, 'json').diagnostics.map((item) => `${item.rule}@${item.range.start.line}`);
    assert.deepEqual(rules.filter((rule) => rule.startsWith('invalid-json')).sort(), ['invalid-json@2', 'invalid-json@4', 'invalid-json@5'], rules.join(' '));
    assert.ok(rules.includes('empty-content@3'), rules.join(' '));
    assert.ok(rules.includes('empty-content@6'), rules.join(' '));
    // Every element is a record, numbered as in the file; the one whose error the file reports is not reported again.
    const document = DatasetDocument.parse(text, 'json');
    assert.deepEqual(document.records.map((record) => record.index), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(document.records.map((record) => record.errorReportedByFile), [false, true, false, false, false, false]);
    assert.deepEqual(document.records.map((record) => record.syntaxError !== undefined), [false, true, false, false, true, false]);
  });
  it('resynchronises a pretty-printed array at the next record after an unterminated string, a missing brace or a stray bracket', () => {
    const cases: Record<string, string> = {
      'unterminated string': '[\n  {"text": "a},\n  {"text": "b"},\n  {"text": ""}\n]',
      'missing brace': '[\n  {"text": "a",\n  {"text": "b"},\n  {"text": ""}\n]',
      'stray bracket': '[\n  {"text": "a"}},\n  {"text": "b"},\n  {"text": ""}\n]',
      'multi-line records': '[\n  {\n    "messages": [\n      {"role": "user", "content": "a"},\n      {"role": "assistant", "content": "b}\n    ]\n  },\n  {\n    "messages": [\n      {"role": "user", "content": "a"},\n      {"role": "assistant", "content": ""}\n    ]\n  }\n]',
    };
    for (const [name, text] of Object.entries(cases)) {
      const rules = lint(text, 'json').diagnostics.map((item) => item.rule);
      assert.equal(rules.filter((rule) => rule === 'invalid-json').length, 1, `${name}: ${rules.join(' ')}`);
      assert.ok(rules.includes('empty-content'), `${name}: the record after the break is linted (${rules.join(' ')})`);
    }
  });
});

describe('incremental JSONL edits', () => {
  const { settings } = resolveSettings({ minExamples: 0 });
  it('gives the same diagnostics as a fresh parse after random edits', () => {
    // Distinct prompts, plus two near-duplicate pairs (near-duplicate candidates are capped per
    // bucket, so heavily templated data may differ slightly between incremental and fresh runs).
    const vocabulary = Array.from({ length: 200 }, (_, index) => `w${(index * 7919) % 1000}x${index}`);
    const prompt = (index: number): string => vocabulary.slice(index * 5, index * 5 + 5).join(' ');
    const lines = Array.from({ length: 40 }, (_, index) => chat(index === 11 ? 'Explain how volcanoes form along tectonic plate boundaries today' : index === 3 ? 'Explain how volcanoes form along tectonic plate boundaries' : prompt(index), index % 7 === 0 ? ' padded ' : `answer ${index}`));
    let text = lines.join('\n') + '\n';
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/edit.jsonl';
    session.open(uri, text);
    let seed = 7;
    const random = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    for (let step = 0; step < 200; step++) {
      const current = text.split('\n');
      const line = random(current.length);
      const lineText = current[line] ?? '';
      const start = random(lineText.length + 1);
      const end = Math.min(lineText.length, start + random(4));
      const inserts = ['', 'x', '"', '}', '\n', ',', '\n{"text": "new"}\n', '{'];
      const insert = inserts[random(inserts.length)] ?? '';
      const endLine = random(5) === 0 && line + 1 < current.length ? line + 1 : line;
      const endCharacter = endLine === line ? end : Math.min((current[endLine] ?? '').length, 3);
      session.change(uri, [{ range: { start: { line, character: start }, end: { line: endLine, character: endCharacter } }, text: insert }]);
      // The same edit on the plain text:
      const startOffset = current.slice(0, line).reduce((sum, part) => sum + part.length + 1, 0) + start;
      const endOffset = current.slice(0, endLine).reduce((sum, part) => sum + part.length + 1, 0) + endCharacter;
      text = text.slice(0, startOffset) + insert + text.slice(endOffset);
      if (step % 5 === 0 || step === 199) {
        const incremental = session.lint(uri)?.diagnostics.map((item) => `${item.rule} ${item.recordIndex} ${JSON.stringify(item.range)}`);
        const fresh = lint(text).diagnostics.map((item) => `${item.rule} ${item.recordIndex} ${JSON.stringify(item.range)}`);
        assert.deepEqual(incremental, fresh, `after step ${step}`);
        assert.equal(session.get(uri)?.getText(), text);
      }
    }
  });
});

describe('near-duplicates after edits', () => {
  it('an instruction repeated word for word names the same earlier record after edits as in a fresh lint', () => {
    const { settings } = resolveSettings({ minExamples: 0 });
    const translate = (answer: string): string => JSON.stringify({ messages: [{ role: 'system', content: 'You are a concise translator.' }, { role: 'user', content: 'Translate "good morning" into French.' }, { role: 'assistant', content: answer }] });
    const others = ['What is the boiling point of water at sea level?', 'Name three primary colours.', 'Who wrote Hamlet?', 'How many legs does a spider have?'].map((question, index) => chat(question, `Answer ${index}.`));
    const lines = [others[0], translate('Bonjour.'), others[1], others[2], others[3], translate('Bonjour.'), translate('Bonjour.')] as string[];
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/near.jsonl';
    session.open(uri, `${lines.join('\n')}\n`);
    session.lint(uri);
    // Two answers change, one after the other: the three translations then differ only in their answers.
    for (const [line, answer] of [[1, 'Bonjour !'], [5, 'Salut.']] as const) {
      const old = lines[line] ?? '';
      lines[line] = translate(answer);
      session.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: lines[line] ?? '' }]);
      session.lint(uri);
    }
    const near = (diagnostics: readonly { rule: string; recordIndex?: number; message: string }[]): string[] => diagnostics.filter((item) => item.rule === 'near-duplicate').map((item) => `${item.recordIndex}: ${/repeats record \d+/.exec(item.message)?.[0] ?? ''}`);
    const fresh = near(lint(`${lines.join('\n')}\n`, 'jsonl', { minExamples: 0 }).diagnostics);
    assert.deepEqual(near(session.lint(uri)?.diagnostics ?? []), fresh);
    assert.deepEqual(fresh, ['5: repeats record 2', '6: repeats record 6']);
  });
});

describe('bad input never crashes or hangs', () => {
  it('JSON nested 10,000 deep', () => {
    const deep = `${'['.repeat(10000)}${']'.repeat(10000)}`;
    const deepObject = `{"messages": ${'['.repeat(10000)}${']'.repeat(10000)}}`;
    const toolArgs = `{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": ${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}}]}]}`;
    const result = lint([deep, deepObject, toolArgs, `${'{"a":'.repeat(10000)}`].join('\n'));
    const rules = result.diagnostics.map((item) => `${item.rule}@${item.range.start.line}`);
    assert.ok(rules.includes('not-an-object@0'));
    assert.ok(rules.includes('wrong-type@1'));
    assert.ok(rules.includes('tool-call-schema@2'));
    assert.ok(rules.includes('invalid-json@3'));
  });
  it('a 20 MB single line', () => {
    const big = chat('summarise', 'x'.repeat(20 * 1024 * 1024));
    const started = Date.now();
    const result = lint(`${big}\n`, 'jsonl', { maxTokens: 1000 });
    assert.ok(result.diagnostics.some((item) => item.rule === 'too-long'));
    assert.ok(Date.now() - started < 5000, 'lints in seconds');
    const broken = lint(`${big.slice(0, -3)}\n`);
    assert.equal(broken.diagnostics[0]?.rule, 'invalid-json');
  });
  it('texts that cannot be JSON get the scanner finding without being handed to JSON.parse', () => {
    const cases: [string, boolean][] = [
      ['{"a": 1}', false], ['  [1, 2]  ', false], ['"text"', false], ['-1', false], ['true', false], ['null', false],
      ['{', true], ['{"a": 1', true], ['[1, 2', true], ['[', true], ['  {  ', true], ['}]', true], ['a,b,c', true], ['', true], ['   ', true], ["{'role': 'user'}", false],
    ];
    for (const [text, cannot] of cases) {
      assert.equal(cannotBeJson(text), cannot, text);
      let throws = false;
      try {
        JSON.parse(text);
      } catch {
        throws = true;
      }
      if (cannot) assert.ok(throws, `${text} is surely no JSON`);
    }
    // A line of a million '[' (JSON.parse reads it all before it throws) and a million lines of '{' or '}]' (a throw each).
    const brackets = lint(`${chat('a', 'b')}\n${'['.repeat(1_000_000)}\n`).diagnostics.find((item) => item.rule === 'invalid-json');
    assert.deepEqual([brackets?.range.start, brackets?.message.slice(0, 73)], [{ line: 1, character: 1_000_000 }, "Invalid JSON: Unexpected end of text: an array is missing its closing ']'"]);
    for (const line of ['{', '}]']) {
      const result = lint(`${line}\n`.repeat(50_000), 'jsonl', { maxProblems: 3 });
      assert.deepEqual(result.diagnostics.filter((item) => item.rule === 'invalid-json').map((item) => `${item.rule}@${item.range.start.line}:${item.range.start.character}`), line === '{' ? ['invalid-json@0:1', 'invalid-json@1:1', 'invalid-json@2:1'] : ['invalid-json@0:0', 'invalid-json@1:0', 'invalid-json@2:0']);
    }
  });
  it('ten million blank lines, LF or CRLF', () => {
    for (const eol of ['\n', '\r\n']) {
      const document = DatasetDocument.parse(`${eol.repeat(2_000_000)}${chat('a', 'b')}${eol}`, 'jsonl');
      assert.deepEqual(document.records.map((record) => [record.line, record.text]), [[2_000_000, chat('a', 'b')]]);
    }
  });
  it('empty, blank and binary files', () => {
    assert.deepEqual(lint('').diagnostics, []);
    assert.deepEqual(lint('\n\n  \n').diagnostics, []);
    assert.deepEqual(lint('', 'json').diagnostics, []);
    const binary = lint('\u0000\u0001\u0002PNG\u0000garbage');
    assert.equal(binary.diagnostics.length, 1);
    assert.equal(binary.diagnostics[0]?.rule, 'unreadable-file');
  });
  it('invalid UTF-8 (decoded to U+FFFD) is reported where it is', () => {
    const bytes = Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const diagnostic = lint(text).diagnostics.find((item) => item.rule === 'broken-text');
    assert.deepEqual(diagnostic?.range, { start: { line: 0, character: 13 }, end: { line: 0, character: 14 } });
  });
  it('a JSON object file is not a dataset', () => {
    const document = DatasetDocument.parse('{"name": "package", "version": "1.0.0"}', 'json');
    assert.equal(document.isDataset, false);
    assert.deepEqual(lint('{"name": "x"}', 'json').diagnostics, []);
  });
  it('a .json file written as JSON Lines is linted line by line, at exact positions', () => {
    const text = '\uFEFF{"instruction": "a", "output": "b"}\r\n\r\n{"instruction": "c", "output": ""}\r\n{"instruction": "d", "output": "e",}\r\n';
    const document = DatasetDocument.parse(text, 'json');
    assert.equal(document.isDataset, true);
    assert.deepEqual(document.records.map((record) => [record.index, record.line]), [[0, 0], [1, 2], [2, 3]]);
    const found = lint(text, 'json').diagnostics.map((item) => `${item.rule}@${item.range.start.line}:${item.range.start.character}`);
    assert.ok(found.includes('empty-content@2:31'), found.join(' '));
    assert.ok(found.includes('invalid-json@3:35'), found.join(' '));
  });
  it('refuses files over maxFileSize with a clear message', () => {
    const session = new DatasetSession(() => ({ settings: { ...resolveSettings().settings, maxFileSize: 100 } }));
    session.open('file:///big.jsonl', chat('a'.repeat(200), 'b'));
    const result = session.lint('file:///big.jsonl');
    assert.equal(result?.diagnostics.length, 1);
    assert.match(result?.diagnostics[0]?.message ?? '', /more than tunesmith\.maxFileSize/);
    // 0 is no limit, as for maxProblems.
    const unlimited = new DatasetSession(() => ({ settings: { ...resolveSettings({ minExamples: 0 }).settings, maxFileSize: 0 } }));
    unlimited.open('file:///big.jsonl', chat('a'.repeat(200), 'b'));
    assert.deepEqual(unlimited.lint('file:///big.jsonl')?.diagnostics.map((item) => item.rule), []);
  });
  it('lints a refused document once maxFileSize is raised, or once an edit brings it under the limit, without a reopen', () => {
    let maxFileSize = 100;
    const session = new DatasetSession(() => ({ settings: { ...resolveSettings({ minExamples: 0 }).settings, maxFileSize } }));
    const uri = 'file:///grown.jsonl';
    session.open(uri, `${chat('a'.repeat(200), 'b')}\n`);
    assert.match(session.lint(uri)?.diagnostics[0]?.message ?? '', /more than tunesmith\.maxFileSize \(100\)/);
    // Edits to the refused text are kept: the text linted later is the editor's.
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `${chat('c', 'd').replace('"user"', '"usr"')}\n` }]);
    maxFileSize = 150;
    assert.equal(session.applySizeLimit(uri), true);
    assert.match(session.lint(uri)?.diagnostics[0]?.message ?? '', /more than tunesmith\.maxFileSize \(150\)/, 'the limit now in force is named');
    maxFileSize = 0;
    assert.equal(session.applySizeLimit(uri), true);
    assert.deepEqual(session.lint(uri)?.diagnostics.map((item) => `${item.rule}@${item.range.start.line}`), ['unknown-role@0']);
    maxFileSize = 100;
    session.applySizeLimit(uri);
    assert.equal(session.lint(uri)?.diagnostics[0]?.rule, 'unreadable-file');
    // An edit that leaves it under the limit lints it.
    session.change(uri, [{ text: `${chat('e', 'f')}\n` }]);
    assert.deepEqual(session.lint(uri)?.diagnostics.map((item) => item.rule), []);
    // One that takes it over the limit refuses it, as opening that text would; further edits keep its length in the message.
    const record = `${chat('g'.repeat(60), 'h')}\n`;
    session.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: record }]);
    const total = chat('e', 'f').length + 1 + record.length;
    assert.match(session.lint(uri)?.diagnostics[0]?.message ?? '', new RegExp(`This file has ${total} characters, more than tunesmith\\.maxFileSize \\(100\\)`));
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]);
    assert.match(session.lint(uri)?.diagnostics[0]?.message ?? '', new RegExp(`This file has ${total + 1} characters`));
  });
});

describe('files beside the open one (leakage against unopened files)', () => {
  const record = (question: string): string => JSON.stringify({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: `An answer to ${question}` }] });
  const leaksIn = (session: DatasetSession, uri: string): number => (session.lint(uri)?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').length;

  it('counts a disk file until the editor opens it, and follows edits of open files', () => {
    const settings = resolveSettings().settings;
    const session = new DatasetSession(() => ({ settings }));
    session.open('file:///d/train.jsonl', `${record('one')}\n${record('two')}\n`);
    assert.equal(leaksIn(session, 'file:///d/train.jsonl'), 0);
    assert.equal(session.setDiskFile('file:///d/eval.jsonl', `${record('two')}\n`), true);
    assert.equal(leaksIn(session, 'file:///d/train.jsonl'), 1, 'the cached result is not reused once another file changed');
    // Opened: the editor's text wins over the disk copy.
    session.open('file:///d/eval.jsonl', `${record('three')}\n`);
    assert.deepEqual(session.diskUris(), []);
    assert.equal(session.setDiskFile('file:///d/eval.jsonl', `${record('two')}\n`), false, 'ignored while open');
    session.lint('file:///d/eval.jsonl');
    assert.equal(leaksIn(session, 'file:///d/train.jsonl'), 0);
    // An edit in the other open file brings the leak back without touching train.jsonl.
    session.change('file:///d/eval.jsonl', [{ text: `${record('one')}\n` }]);
    session.lint('file:///d/eval.jsonl');
    assert.equal(leaksIn(session, 'file:///d/train.jsonl'), 1);
  });

  it('ignores disk files that are not datasets or are too large', () => {
    const settings = { ...resolveSettings().settings, maxFileSize: 200 };
    const session = new DatasetSession(() => ({ settings }));
    assert.equal(session.setDiskFile('file:///d/package.json', '{"name": "x"}'), false);
    assert.equal(session.setDiskFile('file:///d/big.jsonl', `${record('x'.repeat(300))}\n`), false);
    assert.equal(session.setDiskFile('file:///d/binary.jsonl', '\u0000\u0001'), false);
    assert.deepEqual(session.diskUris(), []);
  });
});

describe('a BOM typed back at the start of a JSON Lines document', () => {
  it('is the file BOM again, as a fresh open of the same text reads it', () => {
    const settings = resolveSettings().settings;
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/bom-again.jsonl';
    const line = '{"messages": [{"role": "usr", "content": "a"}, {"role": "assistant", "content": "b"}]}';
    session.open(uri, `\uFEFF${line}\r\n${line}\r\n`);
    const render = renderDiagnostics;
    const fresh = (text: string): string[] => {
      const other = new DatasetSession(() => ({ settings }));
      other.open(uri, text);
      return render(other.lint(uri)?.diagnostics ?? []);
    };
    // Deleted, then typed back (an editor that keeps the BOM in its text sends both as plain edits).
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, text: '' }]);
    assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), fresh(`${line}\r\n${line}\r\n`));
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\uFEFF' }]);
    const after = render(session.lint(uri)?.diagnostics ?? []);
    assert.deepEqual(after, fresh(`\uFEFF${line}\r\n${line}\r\n`));
    assert.ok(!after.some((item) => item.startsWith('invalid-json')), 'no "byte order mark where a value belongs"');
  });

  it('is a character of its line once text is typed before it, and the file BOM again when that text goes', () => {
    const settings = resolveSettings().settings;
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/bom-moved.jsonl';
    const line = '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}';
    const fresh = (text: string): string[] => {
      const other = new DatasetSession(() => ({ settings }));
      other.open(uri, text);
      return (other.lint(uri)?.diagnostics ?? []).map((item) => `${item.rule} ${JSON.stringify(item.range)}`);
    };
    const current = (): string[] => (session.lint(uri)?.diagnostics ?? []).map((item) => `${item.rule} ${JSON.stringify(item.range)}`);
    session.open(uri, `\uFEFF${line}\n`);
    const inserted = `${line.replace('"a"', '"c"')}\n`;
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: inserted }]);
    const moved = current();
    assert.deepEqual(moved, fresh(`${inserted}\uFEFF${line}\n`));
    assert.ok(moved.some((item) => item.startsWith('invalid-json {"start":{"line":1')), 'the BOM on line 2 is not white space in JSON');
    assert.equal(session.textOf(uri), `${inserted}\uFEFF${line}\n`);
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    assert.deepEqual(current(), fresh(`\uFEFF${line}\n`));
    assert.ok(!current().some((item) => item.startsWith('invalid-json')), 'the BOM is the file BOM again');
  });
});

describe('a format hint that arrives after the file is open', () => {
  it('reads {"data": [...]} in custom dataset_info.json columns once the editor has read dataset_info.json', () => {
    const info = JSON.stringify({ support: { file_name: 'support.json', formatting: 'sharegpt', columns: { messages: 'dialog' }, tags: { role_tag: 'speaker', content_tag: 'text', user_tag: 'customer', assistant_tag: 'agent' } } });
    const hint = hintFromDatasetInfo(info, 'support.json');
    assert.ok(hint !== undefined);
    const { settings } = resolveSettings({ minExamples: 0 });
    let known = false; // as the server: settings and dataset_info.json are read while the file is already open
    const session = new DatasetSession(() => ({ settings, ...(known ? { hint } : {}) }));
    const uri = 'file:///test/support.json';
    const text = JSON.stringify({ data: [{ dialog: [{ speaker: 'customer', text: 'Hey' }, { speaker: 'agnet', text: 'Yo' }] }] }, null, 1);
    session.open(uri, text);
    assert.equal(session.get(uri)?.isDataset, false, 'without the column names it is an ordinary JSON object');
    known = true;
    session.invalidate();
    assert.deepEqual(session.lint(uri)?.diagnostics.map((item) => item.rule), ['records-under-key', 'unknown-role']);
    assert.equal(session.get(uri)?.records.length, 1);
    // Edits go on from the text read again.
    const line = text.split('\n').findIndex((entry) => entry.includes('"agnet"'));
    const column = (text.split('\n')[line] ?? '').indexOf('agnet');
    session.change(uri, [{ range: { start: { line, character: column }, end: { line, character: column + 5 } }, text: 'agent' }]);
    assert.deepEqual(session.lint(uri)?.diagnostics.map((item) => item.rule), ['records-under-key']);
  });
});

describe('JSON Lines edits that a fresh open reads alike', () => {
  const settings = resolveSettings().settings;
  const render = renderDiagnostics;
  const fresh = (uri: string, text: string): string[] => {
    const other = new DatasetSession(() => ({ settings }));
    other.open(uri, text);
    return render(other.lint(uri)?.diagnostics ?? []);
  };
  const chatLine = (question: string, role = 'user'): string => JSON.stringify({ messages: [{ role, content: question }, { role: 'assistant', content: `About ${question}` }] });

  it('keeps mixed line breaks (an LF typed into a CRLF file, then a CR) as the client has them', () => {
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/mixed-breaks.jsonl';
    const lines = [chatLine('Lantern 0?'), chatLine('Lantern 1?'), chatLine('Hi river', 'human')];
    let text = `${lines.join('\r\n')}\r\n`;
    session.open(uri, text);
    session.lint(uri);
    const first = lines[0] as string;
    const replacement = `${first}\n${chatLine('Lantern 5?')}`;
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } }, text: replacement }]);
    text = replacement + text.slice(first.length);
    assert.equal(session.textOf(uri), text);
    // A CR before that LF: one CRLF break, not two.
    session.change(uri, [{ range: { start: { line: 0, character: first.length }, end: { line: 0, character: first.length } }, text: '\r' }]);
    text = `${first}\r${text.slice(first.length)}`;
    assert.equal(session.textOf(uri), text);
    const got = render(session.lint(uri)?.diagnostics ?? []);
    assert.deepEqual(got, fresh(uri, text));
    assert.ok(got.some((item) => item.startsWith('unknown-role {"start":{"line":3')), got.join('\n'));
  });

  it('keeps a lone CR typed into a CRLF file, and the LF typed after it, as the one break the client has (found by the differential fuzzer)', () => {
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/lone-cr.jsonl';
    const first = JSON.stringify({ prompt: 'a', completion: ' b' });
    const second = JSON.stringify({ prompt: 'c', completion: ' {{name}}' });
    let text = `${first} ${second}\r\n${JSON.stringify({ prompt: 'x', completion: ' y' })}\r\n`;
    session.open(uri, text);
    session.lint(uri);
    // A CR between the two records makes two lines, as the client counts them; the LF typed at the start of the second joins it.
    session.change(uri, [{ range: { start: { line: 0, character: first.length }, end: { line: 0, character: first.length } }, text: '\r' }]);
    text = `${first}\r${text.slice(first.length)}`;
    assert.deepEqual(render(session.lint(uri)?.diagnostics ?? []), fresh(uri, text));
    session.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n' }]);
    text = `${first}\r\n${text.slice(first.length + 1)}`;
    assert.equal(session.textOf(uri), text);
    const got = render(session.lint(uri)?.diagnostics ?? []);
    assert.deepEqual(got, fresh(uri, text));
    assert.ok(got.some((item) => item.startsWith('template-placeholder {"start":{"line":1')), got.join('\n'));
  });

  it('finds a KTO label contradiction again when one of its records is deleted or edited', () => {
    const session = new DatasetSession(() => ({ settings: { ...settings, minExamples: 0 } }));
    const uri = 'file:///test/kto-labels.jsonl';
    const kto = (label: boolean, answer = 'Yes.'): string => JSON.stringify({ prompt: [{ role: 'user', content: 'Is the sky green?' }], completion: [{ role: 'assistant', content: answer }], label });
    const lines = [kto(false), kto(true), kto(true), kto(true, 'No.')];
    let text = `${lines.join('\n')}\n`;
    session.open(uri, text);
    const labels = (): string[] => render(session.lint(uri)?.diagnostics ?? []).filter((item) => item.startsWith('duplicate-record'));
    assert.deepEqual(labels(), fresh(uri, text).filter((item) => item.startsWith('duplicate-record')));
    assert.equal(labels().filter((item) => item.includes('labelled true here and false there')).length, 1);
    // The record that contradicted the first goes: its copy below contradicts it now.
    session.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' }]);
    text = `${[lines[0], lines[2], lines[3]].join('\n')}\n`;
    assert.deepEqual(labels(), fresh(uri, text).filter((item) => item.startsWith('duplicate-record')));
    assert.ok(labels().some((item) => item.includes('{"start":{"line":1,') && item.includes('labelled true here and false there')), labels().join('\n'));
    // The first record's label set right: no contradiction, two plain copies.
    const first = lines[0] as string;
    const at = first.indexOf('false');
    session.change(uri, [{ range: { start: { line: 0, character: at }, end: { line: 0, character: at + 5 } }, text: 'true' }]);
    text = `${[kto(true), lines[2], lines[3]].join('\n')}\n`;
    assert.deepEqual(labels(), fresh(uri, text).filter((item) => item.startsWith('duplicate-record')));
    assert.ok(!labels().some((item) => item.includes('labelled')), labels().join('\n'));
  });

  it('finds another earlier near-duplicate for a record whose earlier one left (a later one still repeats it)', () => {
    const session = new DatasetSession(() => ({ settings: { ...settings, minExamples: 0 } }));
    const uri = 'file:///test/near-earlier.jsonl';
    const prompt = 'Tell me about the history of the printing press please.';
    const answers = ['A measure of disorder.', 'Plants use sunlight.', 'Rome.', '391.', 'A prince avenges his father.'];
    const text = `${answers.map((answer) => JSON.stringify({ prompt, completion: ` ${answer}` })).join('\r\n')}\r\n`;
    session.open(uri, text);
    const near = (items: readonly string[]): string[] => items.filter((item) => item.startsWith('near-duplicate'));
    assert.equal(near(render(session.lint(uri)?.diagnostics ?? [])).length, 4);
    // The third record stops being prompt/completion (a misspelt key): the fourth, linked to it alone among earlier ones, repeats the second.
    const third = text.split('\r\n')[2] as string;
    const at = third.indexOf('"completion"') + 1;
    session.change(uri, [{ range: { start: { line: 2, character: at }, end: { line: 2, character: at } }, text: 'n' }]);
    const edited = text.replace(third, `${third.slice(0, at)}n${third.slice(at)}`);
    assert.deepEqual(near(render(session.lint(uri)?.diagnostics ?? [])), near(fresh(uri, edited)));
  });

  it('finds the earliest repeat for a record typed again among many (more than a bucket offers of its latest)', () => {
    const session = new DatasetSession(() => ({ settings: { ...settings, minExamples: 0 } }));
    const uri = 'file:///test/near-many.jsonl';
    const instruction = 'Tell me about the history of the printing press please.';
    const lines = Array.from({ length: 20 }, (_, index) => JSON.stringify({ instruction, input: '', output: `Answer ${index}.` }));
    // The second record does not parse yet (a stray letter before a key), then the letter goes.
    const broken = (lines[1] as string).replace('"output"', 'o"output"');
    const text = `${[lines[0], broken, ...lines.slice(2)].join('\n')}\n`;
    session.open(uri, text);
    session.lint(uri);
    const at = broken.indexOf('o"output"');
    session.change(uri, [{ range: { start: { line: 1, character: at }, end: { line: 1, character: at + 1 } }, text: '' }]);
    const near = (items: readonly string[]): string[] => items.filter((item) => item.startsWith('near-duplicate'));
    const got = near(render(session.lint(uri)?.diagnostics ?? []));
    assert.deepEqual(got, near(fresh(uri, `${lines.join('\n')}\n`)));
    assert.ok(got.some((item) => item.startsWith('near-duplicate {"start":{"line":1,') && item.includes('repeats record 1 (line 1)')), got.join('\n'));
  });

  it('finds another near-duplicate for a record whose only one was deleted', () => {
    const session = new DatasetSession(() => ({ settings: { ...settings, minExamples: 0 } }));
    const uri = 'file:///test/near-partner.jsonl';
    const repeated = 'Tell me about the history of the printing press please.';
    const lines = [chatLine(repeated), JSON.stringify({ messages: [{ role: 'user', content: repeated }, { role: 'assistant', content: 'Another answer.' }] }), chatLine('Describe a thunderstorm over the orchard at night.'), JSON.stringify({ messages: [{ role: 'user', content: repeated }, { role: 'assistant', content: 'A third answer.' }] })];
    const text = `${lines.join('\n')}\n`;
    session.open(uri, text);
    const before = render(session.lint(uri)?.diagnostics ?? []).filter((item) => item.startsWith('near-duplicate'));
    assert.equal(before.length, 2, before.join('\n'));
    session.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' }]);
    const after = `${[lines[0], lines[2], lines[3]].join('\n')}\n`;
    const got = render(session.lint(uri)?.diagnostics ?? []).filter((item) => item.startsWith('near-duplicate'));
    assert.deepEqual(got, fresh(uri, after).filter((item) => item.startsWith('near-duplicate')));
    assert.equal(got.length, 1, 'the last record still repeats the first');
  });
});
