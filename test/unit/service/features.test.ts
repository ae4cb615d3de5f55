/** Editor features on in-memory documents: quick fixes (applied and re-linted), conversion, hover, outline, folding, completion, code lens. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { codeActions, codeLenses, completion, documentSymbols, foldingRanges, hover, resolveFileAction, trimmedStringToken } from '../../../server/src/service/features/editor';
import { datasetStatistics } from '../../../server/src/service/features/statistics';
import { summaryOf } from '../../../server/src/service/analysis';
import type { LintDiagnostic } from '../../../server/src/service/linter';
import { resolveSettings } from '../../../server/src/service/config';
import { hintFromDatasetInfo } from '../../../server/src/service/datasetInfo';
import { DatasetDocument } from '../../../server/src/service/document';
import { lintDocument } from '../../../server/src/service/linter';
import { DatasetSession } from '../../../server/src/service/session';
import { applyEdits, lint, parse } from './helpers';

const uri = 'file:///test/data.jsonl';

function asLsp(diagnostic: LintDiagnostic): Diagnostic {
  return { range: diagnostic.range, message: diagnostic.message, source: 'tunesmith', code: diagnostic.rule };
}

/** Lints, takes the quick fix for `rule`, applies it and returns the new text. */
function applyQuickFix(text: string, rule: string, kind: 'jsonl' | 'json' = 'jsonl'): string {
  const result = lint(text, kind);
  const diagnostic = result.diagnostics.find((item) => item.rule === rule);
  assert.ok(diagnostic, `a ${rule} diagnostic`);
  const { document, facts } = parse(text, kind);
  const actions = codeActions(document, facts, uri, diagnostic.range, [asLsp(diagnostic)], { current: result.diagnostics });
  const fix = actions.find((action) => action.kind === 'quickfix');
  assert.ok(fix?.edit?.changes?.[uri], `a quick fix for ${rule}`);
  return applyEdits(text, fix.edit.changes[uri] ?? []);
}

describe('quick fixes', () => {
  it('trims whitespace in a response', () => {
    const text = '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "  b\\n"}]}\n';
    const fixed = applyQuickFix(text, 'whitespace');
    assert.equal(fixed, '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n');
  });
  it('trims only the side it reports: whitespace the rule allows at the other end is kept', () => {
    const trimmed = (text: string): { fixed: string; title: string | undefined } => {
      const result = lint(text);
      const diagnostic = result.diagnostics.find((item) => item.rule === 'whitespace');
      assert.ok(diagnostic, `a whitespace diagnostic in ${text}`);
      const { document, facts } = parse(text);
      const fix = codeActions(document, facts, uri, diagnostic.range, [asLsp(diagnostic)], { current: result.diagnostics }).find((action) => action.kind === 'quickfix');
      return { fixed: applyEdits(text, fix?.edit?.changes?.[uri] ?? []), title: fix?.title };
    };
    // A completion's leading space separates it from the prompt: only the trailing one goes.
    assert.deepEqual(trimmed('{"prompt": "The sky is", "completion": " blue. "}\n'), { fixed: '{"prompt": "The sky is", "completion": " blue."}\n', title: 'Trim trailing whitespace' });
    // Code indentation and a CJK paragraph indent stay.
    assert.equal(trimmed('{"messages": [{"role": "user", "content": "Code?"}, {"role": "assistant", "content": "    def f():\\n        return 1\\n"}]}\n').fixed, '{"messages": [{"role": "user", "content": "Code?"}, {"role": "assistant", "content": "    def f():\\n        return 1"}]}\n');
    assert.equal(trimmed('{"messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "\\u3000\\u3000こんにちは。 "}]}\n').fixed, '{"messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "\\u3000\\u3000こんにちは。"}]}\n');
    // The last of several text parts: its leading spaces are inside the joined answer.
    assert.equal(
      trimmed('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [{"type": "text", "text": "One."}, {"type": "text", "text": "  two  "}]}]}\n').fixed,
      '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [{"type": "text", "text": "One."}, {"type": "text", "text": "  two"}]}]}\n',
    );
    assert.deepEqual(trimmed('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "  b"}]}\n'), { fixed: '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n', title: 'Trim leading whitespace' });
    // Both sides reported, both trimmed.
    assert.equal(trimmed('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": " b "}]}\n').title, 'Trim whitespace');
  });
  it('replaces a misspelt role', () => {
    const fixed = applyQuickFix('{"messages": [{"role": "usr", "content": "a"}, {"role": "assistant", "content": "b"}]}\n', 'unknown-role');
    assert.equal(fixed, '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n');
  });
  it('renames a misspelt key', () => {
    // An optional key: a misspelt required one is missing-field's finding (and fix), below.
    const fixed = applyQuickFix('{"instruction": "a", "inptu": "x", "output": "b"}\n', 'unknown-key');
    assert.equal(fixed, '{"instruction": "a", "input": "x", "output": "b"}\n');
  });
  it('a field missing because its key is misspelt: the fix renames the key, keeping its text', () => {
    const fixed = applyQuickFix('{"messages": [{"role": "user", "contnet": "Capital of Peru?"}, {"role": "assistant", "content": "Lima."}]}\n', 'missing-field');
    assert.equal(fixed, '{"messages": [{"role": "user", "content": "Capital of Peru?"}, {"role": "assistant", "content": "Lima."}]}\n');
  });
  it('puts each record of a JSON array written on one JSONL line on its own line, as written', () => {
    const first = '{"messages": [{"role": "user", "content": "Capital of Chile?"}, {"role": "assistant", "content": "Santiago."}]}';
    const second = '{"messages":[{"role":"user","content":"Capital of Kenya?"},{"role":"asistant","content":"Nairobi."}]}';
    const fixed = applyQuickFix(`[${first},  ${second}]\n`, 'not-an-object');
    assert.equal(fixed, `${first}\n${second}\n`);
    // The records are linted where they now are: the misspelt role is found.
    assert.ok(lint(fixed).diagnostics.some((item) => item.rule === 'unknown-role' && item.range.start.line === 1));
  });
  it('removes a duplicate JSONL record with its line', () => {
    const record = '{"instruction": "a", "output": "b"}';
    const fixed = applyQuickFix(`${record}\n{"instruction": "c", "output": "d"}\n${record}\n`, 'duplicate-record');
    assert.equal(fixed, `${record}\n{"instruction": "c", "output": "d"}\n`);
  });
  it('removes a duplicate on the last line of a JSONL file without a final line break, with the break before it (no range past the end)', () => {
    const record = '{"instruction": "a", "output": "b"}';
    for (const eol of ['\n', '\r\n']) {
      const text = `${record}${eol}{"instruction": "c", "output": "d"}${eol}${record}`;
      const result = lint(text);
      const diagnostic = result.diagnostics.find((item) => item.rule === 'duplicate-record');
      assert.ok(diagnostic);
      const { document, facts } = parse(text);
      const edits = codeActions(document, facts, uri, diagnostic.range, [asLsp(diagnostic)], { current: result.diagnostics }).find((action) => action.kind === 'quickfix')?.edit?.changes?.[uri] ?? [];
      assert.deepEqual(edits.map((edit) => edit.range), [{ start: { line: 1, character: 35 }, end: { line: 2, character: record.length } }], JSON.stringify(eol));
      assert.equal(applyEdits(text, edits), `${record}${eol}{"instruction": "c", "output": "d"}`);
    }
  });
  it('removes a duplicate element of a JSON array, comma included', () => {
    const text = '[\n  {"text": "a"},\n  {"text": "b"},\n  {"text": "a"}\n]\n';
    const fixed = applyQuickFix(text, 'duplicate-record', 'json');
    assert.deepEqual(JSON.parse(fixed), [{ text: 'a' }, { text: 'b' }]);
  });
  it('removes a duplicate right after a broken element of a JSON array, and only the duplicate', () => {
    const text = '[\n  {"text": "a"},\n  {"text": "b"},\n  {"text" "broken, being typed"},\n  {"text": "a"}\n]\n';
    const fixed = applyQuickFix(text, 'duplicate-record', 'json');
    assert.equal(fixed, '[\n  {"text": "a"},\n  {"text": "b"},\n  {"text" "broken, being typed"}\n]\n');
  });
  it('removes a duplicate that opens or ends a split of a JSON file of splits, leaving both splits', () => {
    const train = { instruction: 'a', output: 'b' };
    const opening = JSON.stringify({ train: [train, { instruction: 'c', output: 'd' }], test: [train, { instruction: 'e', output: 'f' }] }, null, 2);
    assert.deepEqual(JSON.parse(applyQuickFix(opening, 'duplicate-record', 'json')), { train: [train, { instruction: 'c', output: 'd' }], test: [{ instruction: 'e', output: 'f' }] });
    const ending = JSON.stringify({ train: [{ instruction: 'c', output: 'd' }, train], test: [train] }, null, 2);
    assert.deepEqual(JSON.parse(applyQuickFix(ending, 'duplicate-record', 'json')), { train: [{ instruction: 'c', output: 'd' }, train], test: [] });
  });
  it('empties an Alpaca input that holds only self-instruct\'s <noinput> marker', () => {
    const fixed = applyQuickFix('{"instruction": "Name a colour.", "input": "<noinput>", "output": "Blue."}\n', 'template-placeholder');
    assert.equal(fixed, '{"instruction": "Name a colour.", "input": "", "output": "Blue."}\n');
    assert.deepEqual(lint(fixed).diagnostics.filter((item) => item.rule === 'template-placeholder'), []);
  });
  it('offers no fix for <noinput> inside a longer input, nor for another placeholder', () => {
    for (const input of ['Context: <noinput>', '{{customer_name}}']) {
      const text = JSON.stringify({ instruction: 'Name a colour.', input, output: 'Blue.' }) + '\n';
      const diagnostic = lint(text).diagnostics.find((item) => item.rule === 'template-placeholder');
      assert.ok(diagnostic, input);
      assert.equal(diagnostic.fix, undefined, input);
    }
  });
  it('removes a weight from a user message, with its comma, in one-line and pretty-printed records', () => {
    const fixed = applyQuickFix('{"messages": [{"role": "user", "content": "Hi", "weight": 1}, {"role": "assistant", "content": "Hello."}]}\n', 'unknown-key');
    assert.equal(fixed, '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}\n');
    const first = applyQuickFix('{"messages": [{"weight": 1, "role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}\n', 'unknown-key');
    assert.equal(first, '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}\n');
    const pretty = `${JSON.stringify([{ messages: [{ role: 'system', content: 'Be brief.', weight: 1 }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] }], null, 2)}\n`;
    const fixedPretty = applyQuickFix(pretty, 'unknown-key', 'json');
    assert.equal(fixedPretty, pretty.replace(',\n        "weight": 1', ''));
    assert.deepEqual(JSON.parse(fixedPretty), [{ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] }]);
  });
  it('adds a missing field skeleton', () => {
    const fixed = applyQuickFix('{"messages": [{"role": "user"}, {"role": "assistant", "content": "b"}]}\n', 'missing-field');
    assert.equal(fixed, '{"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "b"}]}\n');
  });
  it('puts the field where the format has it: after the members that come before it, else first', () => {
    assert.equal(applyQuickFix('{"instruction": "Name a colour", "input": "", "source": "x"}\n', 'missing-field'), '{"instruction": "Name a colour", "input": "", "output": "", "source": "x"}\n');
    assert.equal(applyQuickFix('{"system": "Be brief.", "output": "Blue", "id": 4}\n', 'missing-field'), '{"instruction": "", "system": "Be brief.", "output": "Blue", "id": 4}\n');
    assert.equal(applyQuickFix('{"messages": [{"content": "Hi"}, {"role": "assistant", "content": "b"}]}\n', 'missing-field'), '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "b"}]}\n');
    // Written out of order: after the last of them in the text.
    assert.equal(applyQuickFix('{"input": "", "instruction": "Name a colour"}\n', 'missing-field'), '{"input": "", "instruction": "Name a colour", "output": ""}\n');
  });
});

describe('a missing field skeleton in a pretty-printed file', () => {
  it('goes on its own line with the object\'s indentation (tabs, CRLF)', () => {
    const text = '[\r\n\t{\r\n\t\t"messages": [\r\n\t\t\t{\r\n\t\t\t\t"role": "user"\r\n\t\t\t},\r\n\t\t\t{\r\n\t\t\t\t"role": "assistant",\r\n\t\t\t\t"content": "b"\r\n\t\t\t}\r\n\t\t]\r\n\t}\r\n]\r\n';
    const fixed = applyQuickFix(text, 'missing-field', 'json');
    assert.equal(fixed, text.replace('{\r\n\t\t\t\t"role": "user"', '{\r\n\t\t\t\t"role": "user",\r\n\t\t\t\t"content": ""'));
  });
  it('goes on its own line in a 4-space file', () => {
    const text = `${JSON.stringify([{ conversations: [{ value: 'hi' }, { from: 'gpt', value: 'yo' }] }], null, 4)}\n`;
    const fixed = applyQuickFix(text, 'missing-field', 'json');
    assert.equal(fixed, text.replace('{\n                "value": "hi"', '{\n                "from": "human",\n                "value": "hi"'));
  });
  it('goes after the members that come before it, on its own line', () => {
    const text = `${JSON.stringify([{ instruction: 'Name a colour', input: '', id: 7 }], null, 2)}\n`;
    const fixed = applyQuickFix(text, 'missing-field', 'json');
    assert.equal(fixed, text.replace('"input": "",', '"input": "",\n    "output": "",'));
  });
});

describe('quick fixes of diagnostics from an older version of the text', () => {
  // The editor may ask for the fixes of diagnostics it still shows after an edit moved the records
  // under them (before its next pull): a fix is offered only while the current lint still reports it.
  const planet = '{"messages": [{"role": "usr", "content": "Name a planet"}, {"role": "assistant", "content": "Mars"}]}';
  const ocean = '{"messages": [{"role": "user", "content": "Largest ocean?"}, {"role": "assistant", "content": "The Pacific."}]}';
  const quickFixes = (text: string, diagnostic: LintDiagnostic) => {
    const { document, facts } = parse(text);
    const current = lint(text).diagnostics;
    return codeActions(document, facts, uri, diagnostic.range, [asLsp(diagnostic)], { current }).filter((action) => action.kind === 'quickfix');
  };
  it('offers the fix of a current diagnostic', () => {
    const text = `${ocean}\n${planet}\n`;
    const role = lint(text).diagnostics.find((item) => item.rule === 'unknown-role');
    assert.ok(role);
    assert.equal(quickFixes(text, role)[0]?.title, 'Replace role with "user"');
  });
  it('does not offer a role fix on the record that moved under a stale diagnostic', () => {
    const before = `${ocean}\n${planet}\n`;
    const role = lint(before).diagnostics.find((item) => item.rule === 'unknown-role');
    assert.ok(role);
    assert.deepEqual(quickFixes(`${planet.replace('usr', 'user').replace('Name a planet', 'New first')}\n${before}`, role), []);
  });
  it('does not remove a record that is not the duplicate any more', () => {
    const records = ['a', 'x', 'b', 'x', 'c'].map((word) => `{"instruction": "Say ${word} now", "output": "${word}"}`);
    const before = `${records.join('\n')}\n`;
    const duplicate = lint(before).diagnostics.find((item) => item.rule === 'duplicate-record');
    assert.equal(duplicate?.recordIndex, 3);
    // The first line deleted: index 3 and line 3 are now record "c".
    assert.deepEqual(quickFixes(`${records.slice(1).join('\n')}\n`, duplicate), []);
  });
});

describe('missing field skeletons that fit the conversation', () => {
  it('a message without a role gets the role that comes next', () => {
    const fixed = applyQuickFix('{"messages": [{"role": "user", "content": "Name a prime."}, {"content": "Seven."}]}\n', 'missing-field');
    assert.deepEqual(JSON.parse(fixed), { messages: [{ role: 'user', content: 'Name a prime.' }, { role: 'assistant', content: 'Seven.' }] });
    assert.deepEqual(lint(fixed).diagnostics, []);
  });
  it('a ShareGPT turn without "from" gets the tag that comes next', () => {
    const fixed = applyQuickFix('{"conversations": [{"from": "human", "value": "Hi"}, {"value": "Hello!"}]}\n', 'missing-field');
    assert.deepEqual(JSON.parse(fixed), { conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello!' }] });
  });
  it('a tool result without tool_call_id gets the id of the call still waiting for its result', () => {
    const call = (id: string, city: string) => ({ id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city }) } });
    const record = { messages: [{ role: 'user', content: 'Weather in Oslo and Rome?' }, { role: 'assistant', content: null, tool_calls: [call('c1', 'Oslo'), call('c2', 'Rome')] }, { role: 'tool', tool_call_id: 'c1', content: '-4C' }, { role: 'tool', content: '21C' }, { role: 'assistant', content: 'Oslo -4C, Rome 21C.' }] };
    const fixed = JSON.parse(applyQuickFix(`${JSON.stringify(record)}\n`, 'missing-field')) as { messages: { tool_call_id?: string }[] };
    assert.equal(fixed.messages[3]?.tool_call_id, 'c2');
  });
});

describe('conversion', () => {
  const chatLine = JSON.stringify({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' }, { role: 'user', content: 'q2' }, { role: 'assistant', content: 'a2' }] });
  it('converts a record to ShareGPT and Alpaca', () => {
    const { document, facts } = parse(`${chatLine}\n`);
    const actions = codeActions(document, facts, uri, { start: { line: 0, character: 1 }, end: { line: 0, character: 1 } }, []);
    const toSharegpt = actions.find((action) => action.title === 'Convert record 1 to ShareGPT');
    const toAlpaca = actions.find((action) => action.title === 'Convert record 1 to Alpaca');
    assert.ok(toSharegpt && toAlpaca);
    const sharegpt = JSON.parse(applyEdits(`${chatLine}\n`, toSharegpt.edit?.changes?.[uri] ?? []));
    assert.deepEqual(sharegpt, { conversations: [{ from: 'human', value: 'q1' }, { from: 'gpt', value: 'a1' }, { from: 'human', value: 'q2' }, { from: 'gpt', value: 'a2' }], system: 's' });
    const alpaca = JSON.parse(applyEdits(`${chatLine}\n`, toAlpaca.edit?.changes?.[uri] ?? []));
    assert.deepEqual(alpaca, { instruction: 'q2', input: '', output: 'a2', system: 's', history: [['q1', 'a1']] });
  });
  it('converts a whole file, and the result lints without format errors', () => {
    const text = `${chatLine}\n${JSON.stringify({ messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y' }] })}\n`;
    const { document, facts } = parse(text);
    const action = codeActions(document, facts, uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []).find((candidate) => candidate.title.startsWith('Convert the whole file to ShareGPT'));
    assert.ok(action);
    const converted = applyEdits(text, action.edit?.changes?.[uri] ?? []);
    const errors = lint(converted).diagnostics.filter((item) => item.severity === 'error');
    assert.deepEqual(errors, []);
    assert.equal(converted.split('\n').filter((line) => line.startsWith('{"conversations"')).length, 2);
  });
  it('offers the conversion as the quick fix of mixed-formats', () => {
    const text = `${JSON.stringify({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] })}\n${JSON.stringify({ messages: [{ role: 'user', content: 'c' }, { role: 'assistant', content: 'd' }] })}\n{"instruction": "e", "output": "f"}\n`;
    const fixed = applyQuickFix(text, 'mixed-formats');
    assert.equal(fixed.split('\n')[2], '{"messages":[{"role":"user","content":"e"},{"role":"assistant","content":"f"}]}');
  });
});

describe('whole-file actions', () => {
  const start = { line: 0, character: 0 };
  const text = [
    '{"messages": [{"role": "usr", "content": "a"}, {"role": "assistant", "content": "b "}]}',
    '{"mesages": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}',
    '{"messages": [{"role": "user", "content": "e"}, {"role": "asistant", "content": "  f"}]}',
    '{"messages": [{"role": "user", "content": "e"}, {"role": "asistant", "content": "  f"}]}',
    '{"messages": [{"role": "user", "content": "g"}]}',
    '{"messages": [{"role": "user", "content": "h"}, {"role": "assistant", "content": "i"}]}',
  ].join('\n') + '\n';
  it('fixes every whitespace, role and key problem at once, and nothing else', () => {
    const { document, facts } = parse(text);
    lint(text);
    const fixAll = codeActions(document, facts, uri, { start, end: start }, []).find((action) => action.kind === 'source.fixAll.tunesmith');
    assert.ok(fixAll?.edit?.changes?.[uri], 'a fix-all action with its edits');
    assert.equal(fixAll.title, 'Fix whitespace, roles and keys in 4 records');
    const fixed = applyEdits(text, fixAll.edit.changes[uri] ?? []);
    assert.deepEqual(fixed.split('\n'), [
      '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}',
      '{"messages": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}',
      '{"messages": [{"role": "user", "content": "e"}, {"role": "assistant", "content": "f"}]}',
      '{"messages": [{"role": "user", "content": "e"}, {"role": "assistant", "content": "f"}]}',
      '{"messages": [{"role": "user", "content": "g"}]}',
      '{"messages": [{"role": "user", "content": "h"}, {"role": "assistant", "content": "i"}]}',
      '',
    ]);
    // Left for review: the duplicate record and the record without an answer.
    assert.deepEqual([...new Set(lint(fixed).diagnostics.map((item) => item.rule))].sort(), ['duplicate-record', 'no-assistant-turn']);
  });
  it('resolves the same edits later when the client can, without computing them for every cursor move', () => {
    const { document, facts } = parse(text);
    const onClean = { line: 5, character: 3 }; // a record that converts
    const eager = codeActions(document, facts, uri, { start: onClean, end: onClean }, []).filter((action) => action.kind !== 'quickfix');
    const lazy = codeActions(document, facts, uri, { start: onClean, end: onClean }, [], { resolveEdits: true }).filter((action) => action.kind !== 'quickfix');
    assert.deepEqual(lazy.map((action) => action.title), eager.map((action) => action.title));
    assert.ok(lazy.some((action) => action.kind === 'refactor.rewrite') && lazy.length >= 5, lazy.map((action) => action.title).join(', '));
    for (const [index, action] of lazy.entries()) {
      assert.equal(action.edit, undefined, action.title);
      assert.deepEqual(resolveFileAction(document, facts, action).edit, eager[index]?.edit, action.title);
    }
    // A record's conversion names the line its record starts on: where none starts any more, it does nothing.
    const recordAction = lazy.find((action) => action.kind === 'refactor.rewrite');
    assert.ok(recordAction);
    const gone = { ...recordAction, data: { ...(recordAction.data as object), line: 1_000 } };
    assert.equal(resolveFileAction(document, facts, gone).edit, undefined);
  });
  it('offers only the kinds the client asks for', () => {
    const { document, facts } = parse(text);
    const onClean = { line: 5, character: 3 };
    const kinds = (only: string[]): string[] => [...new Set(codeActions(document, facts, uri, { start: onClean, end: onClean }, [], { only }).map((action) => action.kind ?? ''))].sort();
    assert.deepEqual(kinds(['source.fixAll']), ['source.fixAll.tunesmith']);
    assert.deepEqual(kinds(['refactor']), ['refactor.rewrite', 'refactor.rewrite.convertFile']);
    assert.deepEqual(kinds(['quickfix']), []);
  });
});

describe('whole-file conversion titles count the records that convert', () => {
  // Records a conversion cannot carry stay as they are; the title must not promise them.
  const records = [
    { messages: [{ role: 'user', content: 'Capital of Peru?' }, { role: 'assistant', content: 'Lima.' }] },
    { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }, { role: 'assistant', content: 'A cat.' }] },
    { messages: [{ role: 'user', content: 'Weather in Oslo?' }, { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city": "Oslo"}' } }] }, { role: 'tool', tool_call_id: 'c1', content: '-3 C' }, { role: 'assistant', content: 'It is -3 C.' }] },
    { messages: [{ role: 'user', content: 'Say hi' }, { role: 'assistant', content: 'hi', weight: 0 }, { role: 'user', content: 'Again' }, { role: 'assistant', content: 'Hi!' }] },
    { system: 'Top-level system', messages: [{ role: 'user', content: 'Q' }, { role: 'assistant', content: 'A' }] },
    { id: 'keep-me', messages: [{ role: 'user', content: 'With an id' }, { role: 'assistant', content: 'Kept.' }] },
  ];
  const text = `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
  it('says exactly how many records each conversion rewrites', () => {
    const { document, facts } = parse(text);
    const at = { line: 0, character: 1 };
    const lazy = codeActions(document, facts, uri, { start: at, end: at }, [], { resolveEdits: true }).filter((action) => action.kind === 'refactor.rewrite.convertFile');
    // The title says how many of the file's conversations stay, and the most common reason.
    assert.deepEqual(lazy.map((action) => action.title), [
      'Convert the whole file to ShareGPT (2 of 6 records; 4 stay: ShareGPT holds only text, and a message has image, audio or file parts (and 3 other reasons))',
      'Convert the whole file to Alpaca (2 of 6 records; 4 stay: Alpaca holds only text, and a message has image, audio or file parts (and 3 other reasons))',
    ]);
    for (const action of lazy) assert.equal(resolveFileAction(document, facts, action).edit?.changes?.[uri]?.length, 2, action.title);
    const eager = codeActions(document, facts, uri, { start: at, end: at }, []).filter((action) => action.kind === 'refactor.rewrite.convertFile');
    assert.deepEqual(eager.map((action) => action.title), lazy.map((action) => action.title));
  });
});

describe('whole-file conversion keeps the file\'s layout', () => {
  const convert = (text: string): string => {
    const { document, facts } = parse(text, 'json');
    const uri = 'file:///test/data.json';
    const action = codeActions(document, facts, uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, []).find((item) => item.title.includes('ShareGPT') && item.kind === 'refactor.rewrite.convertFile');
    assert.ok(action?.edit?.changes?.[uri], 'a whole-file conversion to ShareGPT');
    return applyEdits(text, action.edit.changes[uri] ?? []);
  };
  it('indents with tabs in a tab-indented array', () => {
    const record = { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] };
    const text = `[\n${JSON.stringify(record, null, '\t').replace(/^/gm, '\t')}\n]\n`;
    const converted = convert(text);
    assert.deepEqual(JSON.parse(converted), [{ conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }] }]);
    assert.equal(converted, `[\n${JSON.stringify(JSON.parse(converted)[0], null, '\t').replace(/^/gm, '\t')}\n]\n`);
  });
  it('keeps a one-line array on one line', () => {
    const converted = convert('[{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}]\n');
    assert.equal(converted, '[{"conversations":[{"from":"human","value":"a"},{"from":"gpt","value":"b"}]}]\n');
  });
});

describe('hover, outline, folding, completion, code lens', () => {
  const json = '[\n  {\n    "messages": [\n      {"role": "user", "content": "How do tides work on Earth exactly?"},\n      {"role": "assistant", "content": "The Moon pulls the oceans."}\n    ]\n  },\n  {"instruction": "Name a planet", "output": "Mars"}\n]\n';
  it('hovers a record with its turns and tokens', () => {
    const { document, facts } = parse(json, 'json');
    const result = hover(document, facts, { line: 3, character: 10 });
    assert.ok(result);
    const value = (result.contents as { value: string }).value;
    assert.match(value, /\*\*Record 1\*\* · OpenAI chat · 2 turns/);
    assert.match(value, /Tokens: ~\d+ total, ~\d+ trainable \(estimate/);
    assert.deepEqual(result.range, { start: { line: 1, character: 2 }, end: { line: 6, character: 3 } });
    assert.equal(hover(document, facts, { line: 0, character: 0 }), null);
  });
  it('shows no hover on the comma or bracket just after a record (the character under the mouse is outside it)', () => {
    const { document, facts } = parse(json, 'json');
    assert.equal(hover(document, facts, { line: 6, character: 3 }), null, 'the comma after record 1');
    assert.ok(hover(document, facts, { line: 6, character: 2 }), 'the closing brace of record 1');
    const oneLine = '[{"instruction": "a", "output": "b"}, {"instruction": "c", "output": "d"}]\n';
    const parsed = parse(oneLine, 'json');
    assert.equal(hover(parsed.document, parsed.facts, { line: 0, character: oneLine.indexOf('}, {') + 1 }), null, 'the comma between records');
    assert.equal(hover(parsed.document, parsed.facts, { line: 0, character: oneLine.lastIndexOf(']') }), null, 'the closing bracket');
    const jsonl = '{"instruction": "a", "output": "b"}\n';
    const line = parse(jsonl, 'jsonl');
    assert.equal(hover(line.document, line.facts, { line: 0, character: jsonl.indexOf('\n') }), null, 'the end of a JSONL line');
    assert.ok(hover(line.document, line.facts, { line: 0, character: jsonl.indexOf('\n') - 1 }));
  });
  it('names every record shape in words in the hover and the outline', () => {
    const text = [
      '{"prompt": "Capital of France?", "chosen": "Paris", "rejected": "Lyon"}',
      '{"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello"}], "non_preferred_output": [{"role": "assistant", "content": "Go away"}]}',
      '{"conversations": [{"from": "human", "value": "Hi"}], "chosen": {"from": "gpt", "value": "Hello"}, "rejected": {"from": "gpt", "value": "No"}}',
      '{"prompt": "The sky is", "completion": " blue."}',
      '{"text": "Once upon a time"}',
      '{"segments": [{"label": false, "text": "Q: hi\\n"}, {"label": true, "text": "A: hello"}]}',
      '{"messages": [{"role": "user", "content": "Hi"}], "chosen": {"role": "assistant", "content": "Hello"}, "rejected": {"role": "assistant", "content": "No"}}',
    ].join('\n') + '\n';
    const { document, facts } = parse(text);
    const titles = [0, 1, 2, 3, 4, 5, 6].map((line) => ((hover(document, facts, { line, character: 1 })?.contents as { value: string } | undefined)?.value ?? '').split(' · ')[1]);
    assert.deepEqual(titles, ['preference (TRL)', 'preference (OpenAI DPO)', 'preference (LLaMA-Factory ShareGPT)', 'prompt/completion', 'plain text', 'template-free segments (Axolotl input_output)', 'preference (messages + chosen/rejected message)']);
    assert.deepEqual(documentSymbols(document, facts).map((symbol) => symbol.detail?.split(',')[0]), titles);
  });
  it('ends an outline entry\'s selection at the end of its first line, before the CR of a CRLF file', () => {
    const { document, facts } = parse(json.replace(/\n/g, '\r\n'), 'json');
    const [first] = documentSymbols(document, facts);
    const firstLine = json.split('\n')[first?.range.start.line ?? 0] ?? '';
    assert.deepEqual(first?.selectionRange.end, { line: first?.range.start.line, character: firstLine.length });
  });
  it('names outline entries by the first user words', () => {
    const { document, facts } = parse(json, 'json');
    const symbols = documentSymbols(document, facts);
    assert.deepEqual(symbols.map((symbol) => symbol.name), ['1: How do tides work on Earth exactly?', '2: Name a planet']);
    assert.deepEqual(symbols[1]?.range, { start: { line: 7, character: 2 }, end: { line: 7, character: 52 } });
  });
  it('starts an outline entry and a hover range at the record, not at a JSONL line\'s indentation or the BOM before it', () => {
    const record = (question: string): string => JSON.stringify({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: 'Yes.' }] });
    const text = `\ufeff${record('Is the sky blue?')}\n  ${record('Is water wet?')}  \n`;
    const { document, facts } = parse(text);
    const symbols = documentSymbols(document, facts);
    assert.deepEqual(symbols.map((symbol) => [symbol.range.start, symbol.selectionRange.start, symbol.range.end]), [
      [{ line: 0, character: 1 }, { line: 0, character: 1 }, { line: 0, character: 1 + record('Is the sky blue?').length }],
      [{ line: 1, character: 2 }, { line: 1, character: 2 }, { line: 1, character: 2 + record('Is water wet?').length }],
    ]);
    assert.deepEqual(hover(document, facts, { line: 1, character: 5 })?.range, symbols[1]?.range);
  });
  it('keeps outline names and hover rows short for text without spaces, and names a record of no known format', () => {
    const chinese = '你好'.repeat(720);
    const emoji = `${'a'.repeat(79)}😀${'b'.repeat(100)}`;
    const chat = (question: string, answer: string): string => JSON.stringify({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] });
    const lines = [chat(chinese, 'OK.'), chat(emoji, 'OK.'), '{"foo": "bar"}'];
    const { document, facts } = parse(`${lines.join('\n')}\n`);
    const symbols = documentSymbols(document, facts);
    assert.equal(symbols[0]?.name, `1: ${chinese.slice(0, 80)}…`);
    // Not half of the emoji's surrogate pair.
    assert.equal(symbols[1]?.name, `2: ${'a'.repeat(79)}…`);
    assert.equal(symbols[2]?.name, '3: (unknown format)');
    assert.equal(symbols[2]?.detail, 'unknown format');
    const row = ((hover(document, facts, { line: 0, character: 1 })?.contents as { value: string } | undefined)?.value ?? '').split('\n').find((line) => line.startsWith('| 1 |'));
    assert.equal(row, `| 1 | user |  | ${chinese.slice(0, 80)}… |`);
  });
  it('names outline entries anew after an edit, and after the settings force another format', () => {
    let current = resolveSettings({ minExamples: 0 }).settings;
    const session = new DatasetSession(() => ({ settings: current }));
    const uri = 'file:///test/outline.jsonl';
    session.open(uri, '{"instruction": "Name a fruit.", "output": "Apple."}\n{"instruction": "Name a planet.", "output": "Mars."}\n');
    const outline = (): string[] => {
      session.lint(uri);
      const document = session.get(uri);
      const facts = session.factsFor(uri);
      assert.ok(document !== undefined && facts !== undefined);
      return documentSymbols(document, facts).map((symbol) => `${symbol.name} | ${symbol.detail ?? ''}`);
    };
    assert.deepEqual(outline(), ['1: Name a fruit. | Alpaca, 2 turns', '2: Name a planet. | Alpaca, 2 turns']);
    session.change(uri, [{ range: { start: { line: 1, character: 24 }, end: { line: 1, character: 30 } }, text: 'river' }]);
    assert.deepEqual(outline(), ['1: Name a fruit. | Alpaca, 2 turns', '2: Name a river. | Alpaca, 2 turns']);
    current = resolveSettings({ minExamples: 0, format: 'prompt-completion' }).settings;
    session.invalidate();
    assert.deepEqual(outline(), ['1: (empty) | prompt/completion, 2 turns', '2: (empty) | prompt/completion, 2 turns']);
  });
  it('ends a long outline with one entry for the records it does not list', () => {
    const lines = Array.from({ length: 5_003 }, (_, index) => `{"instruction": "Task ${index + 1}", "output": "done"}`);
    const { document, facts } = parse(`${lines.join('\n')}\n`);
    const symbols = documentSymbols(document, facts);
    assert.equal(symbols.length, 5_001);
    assert.equal(symbols[4_999]?.name, '5000: Task 5000');
    const rest = symbols[5_000];
    assert.equal(rest?.name, '5001–5003: 3 more records (the outline lists the first 5000)');
    assert.deepEqual(rest?.range, { start: { line: 5_000, character: 0 }, end: { line: 5_002, character: (lines[5_002] ?? '').length } });
  });
  it('folds multi-line records only', () => {
    const { document } = parse(json, 'json');
    assert.deepEqual(foldingRanges(document).map((range) => [range.startLine, range.endLine]), [[1, 6]]);
    assert.equal(foldingRanges(document)[0]?.kind, undefined, 'a record is no #region ("Fold All Regions" would fold every record)');
  });
  it('completes keys and roles in context', () => {
    const text = '{"messages": [{"role": "", "content": "a"}, {"role": "assistant", "content": "b"}], ""}\n';
    const { document, facts } = parse(text);
    const roles = completion(document, facts, { line: 0, character: text.indexOf('""') + 1 }).map((item) => item.label);
    assert.deepEqual(roles, ['system', 'developer', 'user', 'assistant', 'tool']);
    const keys = completion(document, facts, { line: 0, character: text.lastIndexOf('""') + 1 }).map((item) => item.label);
    assert.ok(keys.includes('tools') && !keys.includes('messages'), keys.join(','));
    const sharegpt = '{"conversations": [{"from": "h"}]}\n';
    const parsed = parse(sharegpt);
    assert.deepEqual(completion(parsed.document, parsed.facts, { line: 0, character: sharegpt.indexOf('"h"') + 2 }).map((item) => item.label), ['human', 'gpt', 'system', 'function_call', 'observation']);
    // VS Code sorts by sortText (else by label): the order offered stays, human before gpt, role before content.
    const sorted = (items: { label: string; sortText?: string }[]): string[] => [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((item) => item.label);
    const tags = completion(parsed.document, parsed.facts, { line: 0, character: sharegpt.indexOf('"h"') + 2 });
    assert.deepEqual(sorted(tags), tags.map((item) => item.label));
    const chatKeys = '{"messages": [{""}]}\n';
    const chatParsed = parse(chatKeys);
    const messageKeys = completion(chatParsed.document, chatParsed.facts, { line: 0, character: chatKeys.indexOf('""') + 1 });
    assert.deepEqual(sorted(messageKeys).slice(0, 2), ['role', 'content']);
  });
  it('offers only the roles and columns a dataset_info.json entry lists (LLaMA-Factory skips or drops the others)', () => {
    const info = { d: { file_name: 'data.json', formatting: 'sharegpt', columns: { messages: 'dialog' }, tags: { role_tag: 'speaker', content_tag: 'text', user_tag: 'client', assistant_tag: 'agent' } } };
    const hint = hintFromDatasetInfo(JSON.stringify(info), 'data.json');
    const text = '[{"dialog": [{"speaker": "client", "text": "Where is my parcel?"}, {"speaker": "agent", "text": "On its way."}]}]\n';
    const document = DatasetDocument.parse(text, 'json');
    const { settings } = resolveSettings({ minExamples: 0 });
    const facts = lintDocument(document, 'file:///test/data.json', settings, { hint }).facts;
    const roles = completion(document, facts, { line: 0, character: text.indexOf('"client"') + 2 }).map((item) => item.label);
    assert.deepEqual(roles, ['client', 'agent']);
    // Right after the record's opening brace.
    const keys = completion(document, facts, { line: 0, character: 2 }).map((item) => item.label);
    assert.deepEqual(keys, []);
    const listed = hintFromDatasetInfo(JSON.stringify({ d: { ...info.d, columns: { messages: 'dialog', system: 'sys', tools: 'tools' }, tags: { ...info.d.tags, system_tag: 'sys', observation_tag: 'result', function_tag: 'call' } } }), 'data.json');
    const withAll = lintDocument(DatasetDocument.parse(text, 'json'), 'file:///test/data.json', settings, { hint: listed }).facts;
    assert.deepEqual(completion(document, withAll, { line: 0, character: text.indexOf('"client"') + 2 }).map((item) => item.label), ['client', 'agent', 'sys', 'call', 'result']);
    assert.deepEqual(completion(document, withAll, { line: 0, character: 2 }).map((item) => item.label), ['sys', 'tools']);
  });
  it('offers a record skeleton between the records of a JSON array with the commas it needs, and none outside the array', () => {
    const text = '[\n  {"instruction": "a", "output": "b"},\n  \n  {"instruction": "c", "output": "d"}\n  \n]\n';
    const { document, facts } = parse(text, 'json');
    const insert = (line: number, character: number): string[] => completion(document, facts, { line, character }, () => text).map((item) => String(item.insertText));
    const skeleton = '{"instruction": "$1", "input": "", "output": "$2"}';
    assert.deepEqual(insert(2, 2), [`${skeleton},`], 'between two records: a comma after it');
    assert.deepEqual(insert(4, 2), [skeleton], 'after the last record, on a line of its own: the comma goes after that record');
    assert.deepEqual(completion(document, facts, { line: 4, character: 2 }, () => text)[0]?.additionalTextEdits, [{ range: { start: { line: 3, character: 37 }, end: { line: 3, character: 37 } }, newText: ',' }]);
    const sameLine = '[\n  {"instruction": "a", "output": "b"} \n]\n';
    const sameLineParsed = parse(sameLine, 'json');
    assert.deepEqual(completion(sameLineParsed.document, sameLineParsed.facts, { line: 1, character: 38 }, () => sameLine).map((item) => item.insertText), [`, ${skeleton}`], 'on the same line: a comma before it');
    assert.deepEqual(insert(6, 0), [], 'after the closing bracket');
    assert.deepEqual(insert(0, 0), [], 'before the opening bracket');
    const empty = '[\n  \n]\n';
    const parsed = parse(empty, 'json');
    assert.deepEqual(completion(parsed.document, parsed.facts, { line: 1, character: 2 }, () => empty).length, 3, 'an empty array: every format');
  });
  it('puts no preview lens on a line that is not a record object (nothing to preview)', () => {
    const { document } = parse('{"instruction": "a", "output": "b"}\n[1, 2, 3]\n"just text"\n42\n{"instruction": "c", "output": "d"}\n  {"instruction": "e", "output": "f"}\n');
    assert.deepEqual(codeLenses(document, uri).map((lens) => lens.range.start.line), [0, 4, 5], 'an indented record has its lens');
    const withBom = parse('\uFEFF{"instruction": "a", "output": "b"}\n');
    assert.deepEqual(codeLenses(withBom.document, uri).map((lens) => lens.range.start.line), [0], 'a BOM kept by the client');
  });
  it('puts a preview code lens on each record', () => {
    const { document } = parse(json, 'json');
    const lenses = codeLenses(document, uri);
    assert.equal(lenses.length, 2);
    assert.deepEqual(lenses[1]?.command, { title: 'Preview example 2', command: 'tunesmith.previewExample', arguments: [{ uri, recordIndex: 1 }] });
  });
});

describe('statistics', () => {
  it('counts as duplicates the records the duplicate rule reports: the same talk with other tool specs is not one', () => {
    const talk = [{ from: 'human', value: 'Need a password' }, { from: 'gpt', value: 'How long?' }];
    const text = [
      JSON.stringify({ conversations: talk, tools: '[{"name": "make_password", "description": "Random password"}]' }),
      JSON.stringify({ conversations: talk, tools: '[{"name": "make_password", "description": "Random password of a length"}]' }),
      JSON.stringify({ conversations: talk, tools: '[{"name": "make_password", "description": "Random password"}]' }),
    ].join('\n');
    const { document, facts } = parse(text);
    assert.equal(datasetStatistics(document, facts, uri).duplicates, 1);
    assert.equal(lint(text).diagnostics.filter((item) => item.rule === 'duplicate-record').length, 1);
  });

  it('counts the turns a trainer reads: not a missing Alpaca output, nor a ShareGPT system column that a first system turn shadows', () => {
    const text = [
      JSON.stringify({ instruction: 'Name a colour.', input: '', output: 'Blue.' }),
      JSON.stringify({ instruction: 'Name a fruit.', input: '' }),
      JSON.stringify({ instruction: 'Name a tree.', input: '', output: 'Oak.', system: 'Be brief.' }),
    ].join('\n');
    const alpaca = parse(text);
    const alpacaStatistics = datasetStatistics(alpaca.document, alpaca.facts, uri);
    assert.deepEqual({ turns: alpacaStatistics.turns, roles: alpacaStatistics.roles }, { turns: 6, roles: { user: 3, assistant: 2, system: 1 } });
    const sharegpt = [
      JSON.stringify({ system: 'Ignored column.', conversations: [{ from: 'system', value: 'Be brief.' }, { from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello.' }] }),
      JSON.stringify({ system: 'Be brief.', conversations: [{ from: 'human', value: 'Hey' }, { from: 'gpt', value: 'Hello.' }] }),
    ].join('\n');
    const shared = parse(sharegpt);
    const sharegptStatistics = datasetStatistics(shared.document, shared.facts, uri);
    assert.deepEqual({ turns: sharegptStatistics.turns, roles: sharegptStatistics.roles }, { turns: 6, roles: { system: 2, user: 2, assistant: 2 } });
  });

  it('counts the turns of an HH-RLHF transcript pair (no prompt column) as the talk has them', () => {
    const text = JSON.stringify({ chosen: '\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Name a prime.\n\nAssistant: 7.', rejected: '\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Name a prime.\n\nAssistant: 8.' });
    const { document, facts } = parse(text);
    const statistics = datasetStatistics(document, facts, uri);
    assert.deepEqual({ turns: statistics.turns, roles: statistics.roles }, { turns: 4, roles: { user: 2, assistant: 2 } });
  });

  it('counts as invalid the records a forced format reads with no turn (written in another format)', () => {
    const text = `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello there.' }] })}\n${JSON.stringify({ instruction: 'Name a prime.', input: '', output: '7' })}\n`;
    const document = DatasetDocument.parse(text, 'jsonl');
    const { settings } = resolveSettings({ minExamples: 0, format: 'alpaca' });
    const facts = lintDocument(document, uri, settings).facts;
    const statistics = datasetStatistics(document, facts, uri);
    assert.deepEqual({ records: statistics.records, invalid: statistics.invalidRecords, turns: statistics.turns }, { records: 2, invalid: 1, turns: 2 });
  });

  it('counts as invalid a record nested past what Python loads, as invalid-json reports it', () => {
    const deep = `${'['.repeat(1200)}${']'.repeat(1200)}`;
    const text = `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello there.' }] })}\n{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hi.", "x": ${deep}}]}\n`;
    const document = DatasetDocument.parse(text, 'jsonl');
    const { settings } = resolveSettings({ minExamples: 0 });
    const result = lintDocument(document, uri, settings);
    assert.ok(result.diagnostics.some((item) => item.rule === 'invalid-json' && item.range.start.line === 1));
    const statistics = datasetStatistics(document, result.facts, uri);
    assert.deepEqual({ records: statistics.records, invalid: statistics.invalidRecords, turns: statistics.turns }, { records: 2, invalid: 1, turns: 2 });
  });

  it('does not count two different records whose duplicate hashes collide (32 bits: a few pairs in 100k records)', () => {
    const text = fs.readFileSync(path.resolve(__dirname, '../../../../test/fixtures/service/duplicate-hash-collision.jsonl'), 'utf8');
    const { document, facts } = parse(text);
    const hashes = document.records.map((record) => summaryOf(record, facts)?.duplicateHash);
    assert.ok(hashes[0] !== undefined && hashes[0] === hashes[1], "the two records share a hash (a pair found in the lint benchmark's generated file)");
    assert.equal(datasetStatistics(document, facts, uri).duplicates, 0);
    assert.equal(lint(text).diagnostics.filter((item) => item.rule === 'duplicate-record').length, 0);
  });
});

describe('trim quick fix', () => {
  it('removes the whitespace at the ends of a string token and keeps every escape between them as written', () => {
    assert.equal(trimmedStringToken('"  Party \\ud83c\\udf89 caf\\u00e9\\n"'), '"Party \\ud83c\\udf89 caf\\u00e9"');
    // Random tokens of escapes, literal characters and whitespace: the value is always the trimmed value.
    let state = 7;
    const next = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
    const pieces = [' ', '\\n', '\\t', '\\r', '\\u0020', '\\u00a0', '\\u2028', 'a', 'é', '\\u00e9', '\\"', '\\\\', '\\ud83c\\udf89', '\\/', '\\b', '\\f'];
    for (let trial = 0; trial < 2000; trial++) {
      const token = `"${Array.from({ length: Math.floor(next() * 8) }, () => pieces[Math.floor(next() * pieces.length)]).join('')}"`;
      const trimmed = trimmedStringToken(token);
      assert.equal(JSON.parse(trimmed), (JSON.parse(token) as string).trim(), token);
      assert.equal(JSON.parse(trimmedStringToken(token, 'start')), (JSON.parse(token) as string).trimStart(), token);
      assert.equal(JSON.parse(trimmedStringToken(token, 'end')), (JSON.parse(token) as string).trimEnd(), token);
    }
  });
});
