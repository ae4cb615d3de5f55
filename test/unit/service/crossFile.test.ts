/** Train/eval leakage between two open files stays right while either file is edited (the lookups are cached per record). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetSession } from '../../../server/src/service/session';
import { renderDiagnostics } from './helpers';

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

describe('naming the other file', () => {
  it('by its path from this file when both have the same name (train/data.jsonl, eval/data.jsonl)', () => {
    const session = new DatasetSession(() => ({ settings }));
    const train = 'file:///d/train%20set/data.jsonl';
    const evaluation = 'file:///d/eval/data.jsonl';
    session.open(train, `${chat('Capital of France?', 'Paris.')}\n${chat('Largest planet?', 'Jupiter.')}\n`);
    session.open(evaluation, `${chat('Largest planet?', 'Jupiter.')}\n`);
    session.lint(evaluation);
    const named = (uri: string): string[] => (session.lint(uri)?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').map((item) => /The same example is in (.+) \(line \d+\)/.exec(item.message)?.[1] ?? item.message);
    assert.deepEqual(named(train), ['../eval/data.jsonl']);
    assert.deepEqual(named(evaluation), ['../train set/data.jsonl']);
  });
  it('by its path from this file when it is in another folder, whatever its name (v1/train.jsonl seen from v2/eval.jsonl)', () => {
    const session = new DatasetSession(() => ({ settings }));
    const oldTrain = 'file:///d/v1/train.jsonl';
    const evaluation = 'file:///d/v2/eval.jsonl';
    session.open(oldTrain, `${chat('Capital of France?', 'Paris.')}\n${chat('Largest planet?', 'Jupiter.')}\n`);
    session.open(evaluation, `${chat('Largest planet?', 'Jupiter.')}\n`);
    session.lint(oldTrain);
    const message = (session.lint(evaluation)?.diagnostics ?? []).find((item) => item.rule === 'cross-file-duplicate')?.message ?? '';
    assert.match(message, /The same example is in \.\.\/v1\/train\.jsonl \(line 2\)/);
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

describe('a file joining the others', () => {
  it("makes the others' cached findings stale and tells the caller, once", () => {
    let joined = 0;
    const session = new DatasetSession(() => ({ settings }), () => joined++);
    const train = 'file:///join/train.jsonl';
    const evaluation = 'file:///join/eval.jsonl';
    session.open(train, `${chat('Capital of France?', 'Paris.')}\n${chat('Largest planet?', 'Jupiter.')}\n`);
    const leaks = (uri: string): number[] => (session.lint(uri)?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').map((item) => item.range.start.line);
    assert.deepEqual(leaks(train), [], 'alone: nothing to leak into');
    assert.equal(joined, 0, 'the first file has nobody to tell');
    session.open(evaluation, `${chat('Largest planet?', 'Jupiter.')}\n`);
    assert.deepEqual(leaks(evaluation), [0]);
    assert.equal(joined, 1);
    // Before, train answered from its cached result (linted alone) until one of the files changed.
    assert.deepEqual(leaks(train), [1]);
    assert.deepEqual(leaks(evaluation), [0]);
    assert.equal(joined, 1, 'later lints of files already counted tell nobody');
  });
});

describe('two large files sharing most records', () => {
  // Prompts with no words in common (no near-duplicates): each a few made-up words from its number.
  const syllables = ['ka', 'lo', 'mi', 'ter', 'an', 'sol', 'vi', 'ra', 'den', 'po', 'gra', 'ul', 'ex', 'ni', 'tra', 'mo'];
  const word = (seed: number): string => Array.from({ length: 4 }, (_, at) => syllables[(seed >> (4 * at)) & 15]).join('');
  const lines = Array.from({ length: 3000 }, (_, index) => chat(`${word(index * 5 + 1)} ${word(index * 5 + 2)} ${word(index * 5 + 3)} ${word(index * 5 + 4)}?`, `Answer ${index}. ${'It is written out at length.'.repeat(8)}`));
  const train = 'file:///shared/train.jsonl';
  const evaluation = 'file:///shared/eval.jsonl';
  const render = renderDiagnostics;

  it('looks the shared records up in slices before the lint, with the result of looking them up at once', async () => {
    const atOnce = new DatasetSession(() => ({ settings }));
    atOnce.open(train, `${lines.join('\n')}\n`);
    atOnce.setDiskFile(evaluation, `${lines.slice(500).join('\n')}\n`);
    const expected = render(atOnce.lint(train)?.diagnostics ?? []);
    assert.equal(expected.filter((item) => item.startsWith('cross-file-duplicate')).length, 1000, 'as many leaks as can be shown');
    const session = new DatasetSession(() => ({ settings }));
    session.open(train, `${lines.join('\n')}\n`);
    await session.prepareInSlices(train, () => new Promise((resolve) => setImmediate(resolve)));
    session.lint(train);
    assert.equal(session.needsPreparing(train), false);
    session.setDiskFile(evaluation, `${lines.slice(500).join('\n')}\n`);
    assert.equal(session.needsPreparing(train), true, 'a new sibling: 2,500 lookups to do');
    let pauses = 0;
    // Slices of 0 ms (a pause every 64 lookups): how many there are does not depend on the machine's speed.
    await session.prepareInSlices(
      train,
      () => {
        pauses++;
        return new Promise((resolve) => setImmediate(resolve));
      },
      0,
    );
    assert.ok(pauses >= 2500 / 64 - 1, `the lookups were cut into slices (${pauses} pauses)`);
    assert.equal(session.needsPreparing(train), false);
    assert.deepEqual(render(session.lint(train)?.diagnostics ?? []), expected);
  });

  it('shows the first leaks up to tunesmith.maxProblems and counts the rest', () => {
    const capped = resolveSettings({ minExamples: 0, maxProblems: 10 }).settings;
    for (const limit of [capped, resolveSettings({ minExamples: 0, maxProblems: 0 }).settings]) {
      const session = new DatasetSession(() => ({ settings: limit }));
      session.open(train, `${lines.join('\n')}\n`);
      session.setDiskFile(evaluation, `${lines.slice(500).join('\n')}\n`);
      const diagnostics = session.lint(train)?.diagnostics ?? [];
      const leaks = diagnostics.filter((item) => item.rule === 'cross-file-duplicate').map((item) => item.range.start.line);
      if (limit === capped) {
        assert.deepEqual(leaks, [500, 501, 502, 503, 504, 505, 506, 507, 508, 509]);
        assert.match(diagnostics.find((item) => item.rule === 'too-many-problems')?.message ?? '', /^About 2,500 more problems were not shown/);
      } else assert.equal(leaks.length, 2500);
    }
  });
});

describe('leaks kept up to date from what changed', () => {
  // The leaks of each file after every edit, against a fresh session that finds them all at once.
  const unlimited = resolveSettings({ minExamples: 0, maxProblems: 0 }).settings;
  const pool = Array.from({ length: 12 }, (_, index) => chat(`Question number ${['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'][index]} about ${['rivers', 'stars', 'trees', 'cities'][index % 4]}?`, `Answer ${index}.`));
  const train = 'file:///follow/train.jsonl';
  const evaluation = 'file:///follow/eval.jsonl';
  const leaksOf = (session: DatasetSession, uri: string): string[] =>
    (session.lint(uri)?.diagnostics ?? [])
      .filter((item) => item.rule === 'cross-file-duplicate')
      .map((item) => `${item.range.start.line}: ${item.message}`)
      .sort();

  it('matches a fresh lint after each of 300 random edits of either file', () => {
    let state = 7;
    const next = (bound: number): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return Math.floor((state / 4294967296) * bound); // the high bits: an LCG's low bits repeat with short periods
    };
    const texts = new Map<string, string[]>([
      [train, pool.slice(0, 8)],
      [evaluation, pool.slice(5, 10)],
    ]);
    const session = new DatasetSession(() => ({ settings: unlimited }));
    for (const [uri, lines] of texts) session.open(uri, `${lines.join('\n')}\n`);
    for (const uri of [train, evaluation]) session.lint(uri); // each joins the workspace index when first linted
    let nonEmpty = 0;
    for (let edit = 0; edit < 300; edit++) {
      const uri = next(2) === 0 ? train : evaluation;
      const lines = texts.get(uri) ?? [];
      const line = next(lines.length + 1);
      const kind = next(4);
      // Insert a pool record (often a copy of one in either file), delete one, or rewrite one.
      if (kind <= 1 || lines.length === 0) {
        const record = pool[next(pool.length)] ?? '';
        session.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `${record}\n` }]);
        lines.splice(line, 0, record);
      } else {
        const at = Math.min(line, lines.length - 1);
        const old = lines[at] ?? '';
        const replacement = kind === 2 ? '' : pool[next(pool.length)] ?? '';
        const range = kind === 2 ? { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } } : { start: { line: at, character: 0 }, end: { line: at, character: old.length } };
        session.change(uri, [{ range, text: replacement }]);
        if (kind === 2) lines.splice(at, 1);
        else lines[at] = replacement;
      }
      // Sometimes only the edited file is linted, so the other one's next lint catches up on several edits.
      const linted = next(3) === 0 ? [uri] : [train, evaluation];
      const fresh = new DatasetSession(() => ({ settings: unlimited }));
      for (const [other, otherLines] of texts) fresh.open(other, `${otherLines.join('\n')}\n`);
      for (const other of [train, evaluation]) fresh.lint(other);
      for (const checked of linted) {
        const expected = leaksOf(fresh, checked);
        if (expected.length > 0) nonEmpty++;
        assert.deepEqual(leaksOf(session, checked), expected, `after edit ${edit} of ${uri}, ${checked}`);
      }
    }
    assert.ok(nonEmpty > 100, `the edits made and removed leaks (${nonEmpty} checks with some)`);
  });

  it('finds them afresh when the other file changed more than its index remembers', () => {
    const many = Array.from({ length: 3000 }, (_, index) => chat(`Distinct prompt ${index} ${'x'.repeat(index % 7)}?`, `Reply ${index}.`));
    const session = new DatasetSession(() => ({ settings: unlimited }));
    session.open(train, `${many.slice(0, 10).join('\n')}\n`);
    session.open(evaluation, `${many.join('\n')}\n`);
    session.lint(evaluation); // an open file joins the workspace index when first linted
    assert.equal(leaksOf(session, train).length, 10);
    // One edit replaces every eval record by another set that holds train's first five: 6,000 group changes.
    const replaced = [...many.slice(0, 5), ...Array.from({ length: 2995 }, (_, index) => chat(`Other prompt ${index}?`, 'Other.'))];
    session.change(evaluation, [{ range: { start: { line: 0, character: 0 }, end: { line: 3000, character: 0 } }, text: `${replaced.join('\n')}\n` }]);
    assert.deepEqual(
      leaksOf(session, train).map((item) => item.split(':')[0]),
      ['0', '1', '2', '3', '4'],
    );
  });
});

describe('cross-file duplicates after a settings change', () => {
  it('converge whichever file is linted first: a file linted with new settings makes the others stale and asks for a refresh', () => {
    let current = resolveSettings({ minExamples: 0 }).settings;
    let refreshes = 0;
    const session = new DatasetSession(() => ({ settings: current }), () => refreshes++);
    const train = 'file:///d/train.jsonl';
    const evaluation = 'file:///d/eval.jsonl';
    const record = `${chat('How many legs does a spider have?', 'Eight.')}\n`;
    session.open(train, record);
    session.open(evaluation, record);
    const leaks = (uri: string): number => (session.lint(uri)?.diagnostics ?? []).filter((item) => item.rule === 'cross-file-duplicate').length;
    /** What a client does: pull both files, and again while the server asks for a refresh. */
    const settle = (first: string, second: string): [number, number] => {
      let rounds = 0;
      let results: [number, number];
      do {
        const before = refreshes;
        results = first === train ? [leaks(first), leaks(second)] : [leaks(second), leaks(first)];
        if (refreshes === before) break;
      } while (++rounds < 5);
      assert.ok(rounds < 5, 'the refreshes stop');
      return results;
    };
    assert.deepEqual(settle(train, evaluation), [1, 1]);
    for (const [first, second] of [[train, evaluation], [evaluation, train]] as const) {
      // A length limit under the record's size: it has no trainable tokens, so it is no example and no leak.
      current = resolveSettings({ minExamples: 0, maxTokens: 10 }).settings;
      session.invalidate();
      assert.deepEqual(settle(first, second), [0, 0], `limited, ${first} first`);
      current = resolveSettings({ minExamples: 0 }).settings;
      session.invalidate();
      assert.deepEqual(settle(first, second), [1, 1], `back, ${first} first`);
    }
  });
});
