import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareToReference, maxDiffPieces } from '../../../media/src/similarity';

test('identical answers score 1 and show no change', () => {
  const result = compareToReference('Paris is the capital.', 'Paris is the capital.');
  assert.equal(result.score, 1);
  assert.deepEqual(result.segments, [{ kind: 'same', text: 'Paris is the capital.' }]);
});

test('the diff marks removed reference words and added model words, keeping spacing', () => {
  const result = compareToReference('The cat sat on the mat', 'The dog sat on the mat');
  assert.deepEqual(result.segments, [
    { kind: 'same', text: 'The ' },
    { kind: 'removed', text: 'cat ' },
    { kind: 'added', text: 'dog ' },
    { kind: 'same', text: 'sat on the mat' },
  ]);
  // LCS 5 of 6 words each way: F1 = 5/6.
  assert.ok(Math.abs(result.score - 5 / 6) < 1e-12);
});

test('case does not count as a difference; disjoint texts score 0', () => {
  assert.equal(compareToReference('Hello World', 'hello world').score, 1);
  assert.equal(compareToReference('alpha beta', 'gamma delta').score, 0);
});

test('empty texts: both empty is a match, one empty is not', () => {
  assert.equal(compareToReference('', '').score, 1);
  assert.equal(compareToReference('something', '').score, 0);
  assert.deepEqual(compareToReference('', 'new words').segments, [{ kind: 'added', text: 'new words' }]);
});

test('the diff rebuilds the generated text exactly and the reference up to spacing', () => {
  const reference = 'Step 1: boil water.\nStep 2: add pasta, stir!';
  const generated = 'Step 1: heat water.  Step 2: add the pasta!';
  const { segments } = compareToReference(reference, generated);
  const squash = (text: string): string => text.replace(/\s+/g, ' ');
  // Shared words are shown as the model wrote them (its spacing); the words themselves are the reference's.
  assert.equal(squash(segments.filter((s) => s.kind !== 'added').map((s) => s.text).join('')), squash(reference));
  assert.equal(segments.filter((s) => s.kind !== 'removed').map((s) => s.text).join(''), generated);
});

test('very long texts are compared on a prefix and say so', () => {
  const long = Array.from({ length: maxDiffPieces + 100 }, (_, i) => `w${i}`).join(' ');
  const result = compareToReference(long, long);
  assert.equal(result.truncated, true);
  assert.equal(result.score, 1);
});
