import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument } from '../../../server/src/service/document';
import { lintDocument } from '../../../server/src/service/linter';

const uri = 'file:///test/limit.jsonl';

/** `warned` records with a trailing space in the answer (a whitespace warning each), then one line that does not parse. */
function warningsThenSyntaxError(warned: number): string {
  const lines: string[] = [];
  for (let index = 0; index < warned; index++) lines.push(JSON.stringify({ messages: [{ role: 'user', content: `Question ${index}?` }, { role: 'assistant', content: `Answer ${index}. ` }] }));
  lines.push('{"messages": [{"role": "user", "content": "Last?"}, {"role": "assistant" "content": "Broken."}]}');
  return `${lines.join('\n')}\n`;
}

describe('tunesmith.maxProblems', () => {
  it('keeps errors when it cuts the list: a record that does not parse is not hidden behind a thousand warnings', () => {
    const text = warningsThenSyntaxError(1200);
    const { diagnostics } = lintDocument(DatasetDocument.parse(text, 'jsonl'), uri, resolveSettings({ maxProblems: 1000 }).settings);
    const shown = diagnostics.filter((item) => item.rule !== 'too-many-problems');
    assert.equal(shown.length, 1000);
    assert.deepEqual(shown.filter((item) => item.severity === 'error').map((item) => [item.rule, item.range.start.line]), [['invalid-json', 1200]]);
    // The warnings shown are the first ones of the file, and the rest are counted.
    assert.deepEqual(shown.filter((item) => item.rule === 'whitespace').map((item) => item.range.start.line), Array.from({ length: 999 }, (_, line) => line));
    assert.match(diagnostics.find((item) => item.rule === 'too-many-problems')?.message ?? '', /^About 200 more problems were not shown/);
  });

  it('counts the hidden problems roughly, so one more or one fewer leaves the shown list as it was', () => {
    const messageFor = (warned: number): string | undefined => lintDocument(DatasetDocument.parse(warningsThenSyntaxError(warned), 'jsonl'), uri, resolveSettings({ maxProblems: 1000 }).settings).diagnostics.find((item) => item.rule === 'too-many-problems')?.message;
    assert.equal(messageFor(1201), messageFor(1200));
    assert.match(messageFor(13_706) ?? '', /^About 13,000 more problems were not shown \(tunesmith\.maxProblems is 1000\)/);
    // Under a hundred, the exact number.
    assert.match(messageFor(1050) ?? '', /^51 more problems were not shown/);
  });

  it('under the limit, lists every problem in file order', () => {
    const text = warningsThenSyntaxError(20);
    const { diagnostics } = lintDocument(DatasetDocument.parse(text, 'jsonl'), uri, resolveSettings({ maxProblems: 1000 }).settings);
    const lines = diagnostics.filter((item) => item.rule === 'whitespace' || item.rule === 'invalid-json').map((item) => item.range.start.line);
    assert.deepEqual(lines, Array.from({ length: 21 }, (_, line) => line));
    assert.equal(diagnostics.some((item) => item.rule === 'too-many-problems'), false);
  });

  it('cuts file-level findings in file order (copies, records of another format), building only those shown', () => {
    // 300 copies of one record, then 40 Alpaca records among chat records: 299 duplicate-record and 40 mixed-formats findings.
    const copy = JSON.stringify({ messages: [{ role: 'user', content: 'Same question?' }, { role: 'assistant', content: 'Same answer.' }] });
    const lines: string[] = [];
    for (let index = 0; index < 400; index++) lines.push(JSON.stringify({ messages: [{ role: 'user', content: `Question number ${index} about topic ${index * 7}?` }, { role: 'assistant', content: `Answer ${index}.` }] }));
    for (let index = 0; index < 300; index++) lines.push(copy);
    for (let index = 0; index < 40; index++) lines.push(JSON.stringify({ instruction: `Alpaca task ${index} with words ${index * 13}`, input: '', output: `Done ${index}.` }));
    // Two more copies after the Alpaca records: the copies are not all before the other findings.
    lines.push(copy, copy);
    const text = `${lines.join('\n')}\n`;
    const lint = (maxProblems: number) => lintDocument(DatasetDocument.parse(text, 'jsonl'), uri, resolveSettings({ maxProblems, rules: { 'near-duplicate': 'off' } }).settings).diagnostics;
    const all = lint(0);
    assert.deepEqual(all.map((item) => item.rule), [...Array<string>(299).fill('duplicate-record'), ...Array<string>(40).fill('mixed-formats'), 'duplicate-record', 'duplicate-record']);
    for (const limit of [1, 10, 299, 300, 320, 340]) {
      const cut = lint(limit);
      assert.deepEqual(cut.filter((item) => item.rule !== 'too-many-problems'), all.slice(0, limit), `first ${limit} findings`);
      const hidden = all.length - limit;
      assert.match(cut.find((item) => item.rule === 'too-many-problems')?.message ?? '', new RegExp(`^(?:${hidden}|About ${(Math.round(hidden / 10) * 10).toLocaleString('en-US')}) more problems were not shown`), `${limit}: ${hidden} hidden`);
    }
    assert.equal(lint(341).some((item) => item.rule === 'too-many-problems'), false);
  });
});
