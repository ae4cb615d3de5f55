/** Train/eval leakage between two open files stays right while either file is edited (the lookups are cached per record). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetSession } from '../../../server/src/service/session';

const { settings } = resolveSettings({ minExamples: 0 });
const chat = (question: string, answer: string): string => JSON.stringify({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] });

describe('cross-file duplicates while editing', () => {
  it('follows edits of both files', () => {
    const session = new DatasetSession(() => ({ settings }));
    const train = 'file:///d/train.jsonl';
    const evaluation = 'file:///d/eval.jsonl';
    const trainLines = [chat('Capital of France?', 'Paris.'), chat('Largest planet?', 'Jupiter.'), chat('Speed of light?', 'About 300,000 km/s.')];
    session.open(train, `${trainLines.join('\n')}\n`);
    session.open(evaluation, `${chat('Largest planet?', 'Jupiter.')}\n${chat('Smallest planet?', 'Mercury.')}\n`);
    session.lint(evaluation); // an open file joins the workspace index when first linted
    const leaks = (): string[] => (session.lint(train)?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').map((item) => `${item.range.start.line}: ${/The same example is in \S+ \(line \d+\)/.exec(item.message)?.[0] ?? item.message}`);
    assert.deepEqual(leaks(), ['1: The same example is in eval.jsonl (line 1)']);
    // Editing train elsewhere keeps the finding (and its line).
    session.change(train, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `${chat('Boiling point of water?', '100 °C.')}\n` }]);
    assert.deepEqual(leaks(), ['2: The same example is in eval.jsonl (line 1)']);
    // The eval file moves its copy down a line: the message follows.
    session.change(evaluation, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `${chat('Tallest mountain?', 'Everest.')}\n` }]);
    assert.deepEqual(leaks(), ['2: The same example is in eval.jsonl (line 2)']);
    // The eval file changes its copy: no leak any more.
    const copy = chat('Largest planet?', 'Jupiter.');
    session.change(evaluation, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: copy.length } }, text: chat('Largest planet?', 'Jupiter, by far.') }]);
    assert.deepEqual(leaks(), []);
    // Train gains a copy of another eval record.
    session.change(train, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `${chat('Smallest planet?', 'Mercury.')}\n` }]);
    assert.deepEqual(leaks(), ['0: The same example is in eval.jsonl (line 3)']);
  });
});

describe('the only other file leaves the workspace', () => {
  const leaks = (session: DatasetSession, uri: string): number[] => (session.lint(uri)?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').map((item) => item.range.start.line);
  const trainLines = [chat('Capital of France?', 'Paris.'), chat('Largest planet?', 'Jupiter.'), chat('Speed of light?', 'About 300,000 km/s.')];
  const train = 'file:///leave/train.jsonl';
  const evaluation = 'file:///leave/eval.jsonl';

  it('drops the leak when eval.jsonl is deleted on disk or becomes unreadable', () => {
    const session = new DatasetSession(() => ({ settings }));
    session.open(train, `${trainLines.join('\n')}\n`);
    assert.equal(session.setDiskFile(evaluation, `${trainLines[1]}\n`), true);
    assert.deepEqual(leaks(session, train), [1]);
    session.removeDiskFile(evaluation);
    assert.deepEqual(leaks(session, train), [], 'deleted: train is alone again, its cached leak is stale');
    assert.equal(session.setDiskFile(evaluation, `${trainLines[2]}\n`), true);
    assert.deepEqual(leaks(session, train), [2]);
    assert.equal(session.setDiskFile(evaluation, '\u0000\u0001\u0002'), false, 'binary now: it no longer counts');
    assert.deepEqual(leaks(session, train), []);
  });

  it('drops the leak when the open eval.jsonl is closed', () => {
    const session = new DatasetSession(() => ({ settings }));
    session.open(train, `${trainLines.join('\n')}\n`);
    session.open(evaluation, `${trainLines[0]}\n`);
    session.lint(evaluation);
    assert.deepEqual(leaks(session, train), [0]);
    session.close(evaluation);
    assert.deepEqual(leaks(session, train), []);
  });
});
