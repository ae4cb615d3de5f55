/** The file index's membership: each format's records as a list with removals kept aside, and membership kept on the records. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetRecord } from '../../../server/src/service/document';
import { FormatMembers } from '../../../server/src/service/fileChecks';
import { DatasetSession } from '../../../server/src/service/session';
import { lint, renderDiagnostics, seededRandom } from './helpers';


const render = renderDiagnostics;

describe('file index membership', () => {
  it("a format's records: random additions, removals and additions back agree with a Set, through the list's rewrites", () => {
    const next = seededRandom(7);
    const records = Array.from({ length: 400 }, (_, index) => new DatasetRecord(`{"n": ${index}}`));
    const members = new FormatMembers();
    const model = new Set<DatasetRecord>();
    // The list behind it (private), to see it written again without the removed records.
    const listLength = (): number => (members as unknown as { list: unknown[] }).list.length;
    let rewrites = 0;
    for (let step = 0; step < 5000; step++) {
      const record = records[Math.floor(next() * records.length)] as DatasetRecord;
      const before = listLength();
      if (model.has(record)) {
        members.delete(record);
        model.delete(record);
      } else {
        members.add(record);
        model.add(record);
      }
      if (listLength() < before) rewrites++;
      assert.equal(members.size, model.size, `step ${step}`);
      const walked = [...members];
      assert.equal(walked.length, model.size, `step ${step}: no record twice`);
      assert.deepEqual(new Set(walked), model, `step ${step}`);
    }
    assert.ok(rewrites >= 10, `${rewrites} rewrites of the list`);
  });

  it('keeps the order records joined in, and a record added back where it was', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => new DatasetRecord(`{"name": "${name}"}`)) as [DatasetRecord, DatasetRecord, DatasetRecord, DatasetRecord];
    const members = new FormatMembers();
    for (const record of [a, b, c]) members.add(record);
    members.delete(b);
    assert.deepEqual([...members], [a, c]);
    members.add(d);
    members.add(b);
    assert.deepEqual([...members], [a, b, c, d]);
    assert.equal(members.size, 4);
  });

  it('edits that move records between formats and delete or restore them lint as a fresh open of the text', () => {
    const next = seededRandom(11);
    // Questions of their own words (a pair of records now and then nearly repeats one: the index's near-duplicate slots are
    // kept through the edits too); the partner a near-duplicate names may differ after edits (documented), not the finding.
    const vocabulary = Array.from({ length: 300 }, (_, index) => `w${(index * 7919) % 1000}x`);
    const question = (index: number): string => {
      const words = seededRandom(1000 + Math.floor(index / 2));
      return Array.from({ length: 8 }, (_, at) => (at === 0 && index % 2 === 1 ? 'also' : vocabulary[Math.floor(words() * vocabulary.length)])).join(' ');
    };
    const openai = (index: number): string => JSON.stringify({ messages: [{ role: 'user', content: question(index) }, { role: 'assistant', content: `Answer ${index}.` }] });
    const sharegpt = (index: number): string => JSON.stringify({ conversations: [{ from: 'human', value: question(index) }, { from: 'gpt', value: `Answer ${index}.` }] });
    const alpaca = (index: number): string => JSON.stringify({ instruction: question(index), input: '', output: `Answer ${index}.` });
    const comparable = (items: readonly { rule: string; range: unknown; message: string }[]): string[] => render(items).map((item) => item.replace(/nearly repeats record \d+ \(line \d+;/, 'nearly repeats a record ('));
    const writers = [openai, openai, openai, sharegpt, alpaca];
    const lines = Array.from({ length: 300 }, (_, index) => (writers[index % writers.length] as (index: number) => string)(index));
    const settings = resolveSettings({ minExamples: 0, maxProblems: 0 }).settings;
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///index/train.jsonl';
    session.open(uri, `${lines.join('\n')}\n`);
    const first = render(session.lint(uri)?.diagnostics ?? []);
    assert.ok(first.some((item) => item.startsWith('near-duplicate')) && first.some((item) => item.startsWith('mixed-formats')), 'the file has near-duplicates and records of other formats');
    let removed: string | undefined;
    for (let edit = 0; edit < 240; edit++) {
      const line = Math.floor(next() * lines.length);
      const choice = next();
      let replacement: string;
      if (choice < 0.15) replacement = '';
      else if (choice < 0.3 && removed !== undefined) replacement = removed;
      else replacement = (writers[Math.floor(next() * writers.length)] as (index: number) => string)(Math.floor(next() * 1000));
      removed = lines[line];
      lines[line] = replacement;
      session.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: removed?.length ?? 0 } }, text: replacement }]);
      const text = `${lines.join('\n')}\n`;
      assert.equal(session.textOf(uri), text);
      assert.deepEqual(comparable(session.lint(uri)?.diagnostics ?? []), comparable(lint(text, 'jsonl', { maxProblems: 0 }).diagnostics), `edit ${edit}`);
    }
  });
});
