/** The session's text in pieces: every edit and read gives what the same edits of one string give. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PieceText } from '../../../server/src/service/pieceText';

describe('PieceText', () => {
  it('random edits, reads of parts and of single characters agree with plain strings', () => {
    let state = 42;
    const random = (limit: number): number => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % limit;
    };
    // Pieces both longer and shorter than the size under which typed text joins them.
    let expected = Array.from({ length: 3000 }, (_, index) => `line ${index}\n`).join('');
    let text = PieceText.of(expected);
    for (let step = 0; step < 600; step++) {
      const start = random(expected.length + 1);
      const end = Math.min(expected.length, start + (random(3) === 0 ? random(9000) : random(4)));
      const insert = ['', 'x', '{"a": 1},\n', 'y'.repeat(5000)][random(4)] ?? '';
      expected = expected.slice(0, start) + insert + expected.slice(end);
      text = text.edit(start, end, insert);
      assert.equal(text.length, expected.length, `length after step ${step}`);
      const from = random(expected.length + 1);
      const to = from + random(20000);
      assert.equal(text.slice(from, to), expected.slice(from, to), `slice after step ${step}`);
      const at = random(expected.length + 2) - 1;
      assert.ok(Object.is(text.charCodeAt(at), expected.charCodeAt(at)), `character ${at} after step ${step}`);
      if (step % 50 === 0) assert.equal(text.toString(), expected, `text after step ${step}`);
    }
    assert.equal(text.toString(), expected);
  });
  it('an edit of an empty text, and one that empties it', () => {
    const text = PieceText.of('').edit(0, 0, 'abc');
    assert.equal(text.toString(), 'abc');
    assert.equal(text.edit(0, 3, '').toString(), '');
    assert.equal(text.edit(0, 3, '').length, 0);
  });
});
