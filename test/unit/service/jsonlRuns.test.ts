/** JSON Lines records written over several lines (a pretty-printed record or a JSON array pasted into a .jsonl file). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument } from '../../../server/src/service/document';
import { codeActions } from '../../../server/src/service/features/editor';
import type { LintDiagnostic } from '../../../server/src/service/linter';
import { DatasetSession } from '../../../server/src/service/session';
import { applyEdits, lint, parse } from './helpers';

const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

function asLsp(diagnostic: LintDiagnostic): Diagnostic {
  return { range: diagnostic.range, message: diagnostic.message, source: 'tunesmith', code: diagnostic.rule };
}

/** Applies the quick fix of the (only) diagnostic of `rule` that has one. */
function applyQuickFix(text: string, rule: string): string {
  const { document, facts } = parse(text);
  const current = lint(text).diagnostics;
  const diagnostic = current.find((item) => item.rule === rule && item.fix !== undefined);
  assert.ok(diagnostic, `a ${rule} diagnostic with a fix`);
  const action = codeActions(document, facts, 'file:///test/data.jsonl', diagnostic.range, [asLsp(diagnostic)], { current }).find((item) => item.diagnostics?.[0]?.code === rule);
  const edits = action?.edit?.changes?.['file:///test/data.jsonl'];
  assert.ok(edits, 'the quick fix has edits');
  return applyEdits(text, edits);
}

describe('JSON Lines records written over several lines', () => {
  it('reports a pretty-printed record once, over its lines, and lints its content at the exact places', () => {
    const record = pretty({ messages: [{ role: 'user', content: 'Hi' }, { role: 'asistant', content: ' Hello' }] });
    const text = [chat('a', 'b'), record, chat('c', 'd')].join('\n') + '\n';
    const diagnostics = lint(text).diagnostics;
    const invalid = diagnostics.filter((item) => item.rule === 'invalid-json');
    assert.equal(invalid.length, 1, JSON.stringify(invalid));
    const lastLine = record.split('\n').length;
    assert.deepEqual(invalid[0]?.range, { start: { line: 1, character: 0 }, end: { line: lastLine, character: 1 } });
    assert.match(invalid[0]?.message ?? '', new RegExp(`spans lines 2-${lastLine + 1}, but JSON Lines needs one record per line`));
    const role = diagnostics.find((item) => item.rule === 'unknown-role');
    const roleLine = text.split('\n').findIndex((line) => line.includes('"asistant"'));
    const column = (text.split('\n')[roleLine] ?? '').indexOf('"asistant"');
    assert.deepEqual(role?.range, { start: { line: roleLine, character: column }, end: { line: roleLine, character: column + 10 } });
    assert.equal(role?.recordIndex, 1);
    assert.deepEqual(parse(text).document.records.map((item) => item.line), [0, 1, lastLine + 1]);
  });

  it('joins the record onto one line without touching string contents', () => {
    const value = { messages: [{ role: 'user', content: 'two  spaces,\ttab "quoted" \\ back\u00e9 \ud83d\ude00' }, { role: 'assistant', content: 'a, b ,  c' }], weight: 1 };
    const record = JSON.stringify(value, null, 4);
    const text = `${chat('a', 'b')}\n${record}\n`;
    const fixed = applyQuickFix(text, 'invalid-json');
    const lines = fixed.split('\n');
    assert.equal(lines.length, 3, fixed);
    assert.deepEqual(JSON.parse(lines[1] ?? ''), value);
    assert.equal(lines[1], '{"messages": [{"role": "user","content": "two  spaces,\\ttab \\"quoted\\" \\\\ back\u00e9 \ud83d\ude00"},{"role": "assistant","content": "a, b ,  c"}],"weight": 1}');
    assert.equal(lint(fixed).diagnostics.filter((item) => item.rule === 'invalid-json').length, 0);
  });

  it('reports a JSON array of records once, lints each record, and the fix puts one record per line (CRLF kept)', () => {
    const text = ['[', `  ${chat('a', 'b')},`, `  ${chat('c', ' d')}`, ']', chat('e', 'f'), ''].join('\r\n');
    const diagnostics = lint(text).diagnostics;
    const padded = `  ${chat('c', ' d')}`.indexOf('" d"') + 1;
    assert.deepEqual(diagnostics.map((item) => `${item.rule}@${item.range.start.line}:${item.range.start.character}`), ['invalid-json@0:0', `whitespace@2:${padded}`]);
    assert.deepEqual(parse(text).document.records.map((item) => [item.line, item.character]), [[1, 2], [2, 2], [4, 0]]);
    const fixed = applyQuickFix(text, 'invalid-json');
    assert.equal(fixed, [chat('a', 'b'), chat('c', ' d'), chat('e', 'f'), ''].join('\r\n'));
  });

  it('reports a broken pretty-printed record once, at the bad token', () => {
    const text = ['{', '  "messages": [', '    {"role": "user", "content": "a"}', '    {"role": "assistant", "content": "b"}', '  ]', '}', chat('c', 'd'), ''].join('\n');
    const invalid = lint(text).diagnostics.filter((item) => item.rule === 'invalid-json');
    assert.equal(invalid.length, 1, JSON.stringify(invalid));
    assert.deepEqual(invalid[0]?.range.start, { line: 3, character: 4 });
    assert.match(invalid[0]?.message ?? '', /spans lines 1-6/);
  });

  it('reads a pretty-printed record pasted with its indentation as one record, and the fix joins it', () => {
    const value = { messages: [{ role: 'user', content: 'Hi' }, { role: 'asistant', content: 'Hello' }] };
    const indented = pretty(value).split('\n').map((line) => `    ${line}`);
    const text = [chat('a', 'b'), ...indented, chat('c', 'd'), ''].join('\n');
    const invalid = lint(text).diagnostics.filter((item) => item.rule === 'invalid-json');
    assert.equal(invalid.length, 1, JSON.stringify(invalid));
    assert.match(invalid[0]?.message ?? '', new RegExp(`spans lines 2-${indented.length + 1}`));
    assert.deepEqual(parse(text).document.records.map((item) => item.line), [0, 1, indented.length + 1]);
    assert.equal(lint(text).diagnostics.filter((item) => item.rule === 'unknown-role').length, 1, 'its content is linted');
    const fixed = applyQuickFix(text, 'invalid-json');
    assert.deepEqual(JSON.parse(fixed.split('\n')[1] ?? ''), value);
    // An indented object that is not a record stays lines of their own: each is an error where trainers fail.
    const fragment = ['  {', '    "role": "user",', '    "content": "a"', '  }', chat('c', 'd'), ''].join('\n');
    assert.equal(lint(fragment).diagnostics.filter((item) => item.rule === 'invalid-json').length, 4);
  });

  it('reads a record wrapped by hand, its last line indented like a whole record, as one record', () => {
    const wrapped = ['{"messages": [{"role": "user", "content": "What is the capital of Peru?"},', '  {"role": "assistant", "content": "Lima."}]}'];
    const text = [...wrapped, chat('c', 'd'), ''].join('\n');
    const invalid = lint(text).diagnostics.filter((item) => item.rule === 'invalid-json');
    assert.equal(invalid.length, 1, JSON.stringify(invalid));
    assert.match(invalid[0]?.message ?? '', /spans lines 1-2/);
    assert.deepEqual(parse(text).document.records.map((item) => item.line), [0, 2]);
    const fixed = applyQuickFix(text, 'invalid-json');
    assert.deepEqual(JSON.parse(fixed.split('\n')[0] ?? ''), JSON.parse(wrapped.join('')));
    assert.equal(fixed.split('\n').length, 3);
  });

  it('keeps one error per line for lines that are records of their own, and for garbage', () => {
    const text = ['{"messages": [', chat('a', 'b'), '  ]}', 'not json', '{"text": "x"', '{"text": "y"}', ''].join('\n');
    const invalid = lint(text).diagnostics.filter((item) => item.rule === 'invalid-json').map((item) => item.range.start.line);
    assert.deepEqual(invalid, [0, 2, 3, 4]);
  });

  it('reads a file in pieces the same way', () => {
    const text = [chat('a', 'b'), pretty({ text: 'one' }), '[', `  ${chat('c', 'd')}`, ']', ''].join('\n');
    const whole = DatasetDocument.parse(text, 'jsonl');
    const pieces = DatasetDocument.parseJsonlPieces(text.match(/[\s\S]{1,7}/g) ?? []);
    const describe = (document: DatasetDocument): string => document.records.map((record) => `${record.index}@${record.line}:${record.character} ${record.text}`).join('\n');
    assert.equal(describe(pieces), describe(whole));
    assert.equal(pieces.getText(), text);
  });

  it('gives the same diagnostics as a fresh parse after random edits in and around multi-line records', () => {
    const { settings } = resolveSettings({ minExamples: 0 });
    const parts: string[] = [];
    for (let index = 0; index < 12; index++) {
      if (index % 4 === 1) parts.push(pretty({ messages: [{ role: 'user', content: `question ${index}` }, { role: 'assistant', content: index % 3 === 0 ? ' padded' : `answer ${index}` }] }));
      else if (index % 4 === 3) parts.push(['[', `  ${chat(`q${index}`, `a${index}`)},`, `  ${chat(`r${index}`, ' s')}`, ']'].join('\n'));
      else parts.push(chat(`prompt ${index}`, `reply ${index}`));
    }
    let text = parts.join('\n') + '\n';
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/runs.jsonl';
    session.open(uri, text);
    let seed = 11;
    const random = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    const inserts = ['', 'x', '"', '}', ']', '\n', ',', '{', '[', '\n\n', '\n{\n  "text": "t"\n}\n', '  '];
    for (let step = 0; step < 300; step++) {
      const current = text.split('\n');
      const line = random(current.length);
      const lineText = current[line] ?? '';
      const start = random(lineText.length + 1);
      const endLine = random(4) === 0 ? Math.min(current.length - 1, line + 1 + random(3)) : line;
      const endCharacter = endLine === line ? Math.min(lineText.length, start + random(4)) : Math.min((current[endLine] ?? '').length, random(3));
      const insert = inserts[random(inserts.length)] ?? '';
      session.change(uri, [{ range: { start: { line, character: start }, end: { line: endLine, character: endCharacter } }, text: insert }]);
      const startOffset = current.slice(0, line).reduce((sum, part) => sum + part.length + 1, 0) + start;
      const endOffset = current.slice(0, endLine).reduce((sum, part) => sum + part.length + 1, 0) + endCharacter;
      text = text.slice(0, startOffset) + insert + text.slice(endOffset);
      if (step % 3 === 0 || step === 299) {
        const incremental = session.lint(uri)?.diagnostics.map((item) => `${item.rule} ${item.recordIndex} ${JSON.stringify(item.range)} ${item.message}`);
        const fresh = lint(text).diagnostics.map((item) => `${item.rule} ${item.recordIndex} ${JSON.stringify(item.range)} ${item.message}`);
        assert.deepEqual(incremental, fresh, `after step ${step}`);
        assert.equal(session.get(uri)?.getText(), text);
      }
    }
  });

  it('keeps the same records as a fresh parse after edits in a long file of broken lines (the scan is bounded around the edit)', () => {
    let seed = 5;
    const random = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    const parts: string[] = [];
    while (parts.length < 6000) {
      const kind = random(20);
      parts.push(kind === 0 ? pretty({ messages: [{ role: 'user', content: 'q' }] }) : kind === 1 ? ['[', `  ${chat('a', 'b')},`, `  ${chat('c', 'd')}`, ']'].join('\n') : kind < 12 ? `{"text": "t${parts.length}"` : kind < 14 ? '[' : chat('p', 'r'));
    }
    let text = parts.join('\n') + '\n';
    const document = DatasetDocument.parse(text, 'jsonl');
    const describe = (target: DatasetDocument): string => target.records.map((record) => `${record.index}@${record.line}:${record.character} ${record.run?.kind ?? ''} ${record.text}`).join('\n');
    const inserts = ['', 'x', '"', '}', ']', '\n', ',', '{', '[', '\n\n', '\n{\n  "text": "t"\n}\n', '\n[\n', '\n]\n'];
    for (let step = 0; step < 60; step++) {
      const current = text.split('\n');
      const line = random(current.length);
      const lineText = current[line] ?? '';
      const start = random(lineText.length + 1);
      const endLine = random(4) === 0 ? Math.min(current.length - 1, line + 1 + random(4)) : line;
      const endCharacter = endLine === line ? Math.min(lineText.length, start + random(4)) : Math.min((current[endLine] ?? '').length, random(3));
      const insert = inserts[random(inserts.length)] ?? '';
      assert.ok(document.applyLineEdit({ start: { line, character: start }, end: { line: endLine, character: endCharacter } }, insert));
      const startOffset = current.slice(0, line).reduce((sum, part) => sum + part.length + 1, 0) + start;
      const endOffset = current.slice(0, endLine).reduce((sum, part) => sum + part.length + 1, 0) + endCharacter;
      text = text.slice(0, startOffset) + insert + text.slice(endOffset);
      if (step % 6 === 5) assert.equal(describe(document), describe(DatasetDocument.parse(text, 'jsonl')), `after step ${step}`);
    }
    assert.equal(document.getText(), text);
  });

  it('stays linear on garbage: lines that open values and never close them', () => {
    const started = Date.now();
    const garbage = Array.from({ length: 30_000 }, (_, index) => (index % 3 === 0 ? '[' : index % 3 === 1 ? '{"a": [' : '[{')).join('\n');
    const document = DatasetDocument.parse(garbage, 'jsonl');
    assert.equal(document.records.length, 30_000);
    const closing = Array.from({ length: 20_000 }, (_, index) => (index % 2 === 0 ? '[' : ']]')).join('\n');
    assert.equal(DatasetDocument.parse(closing, 'jsonl').records.length, 20_000);
    // An edit re-scans a bounded neighbourhood, not the file.
    const editStarted = Date.now();
    for (let step = 0; step < 100; step++) document.applyLineEdit({ start: { line: (step * 7919) % 30_000, character: 0 }, end: { line: (step * 7919) % 30_000, character: 0 } }, '[');
    assert.equal(document.records.length, 30_000);
    assert.ok(Date.now() - editStarted < 2000, `100 edits took ${Date.now() - editStarted} ms`);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
});
