/** Tool-call arguments and tools columns written as JSON in a string: read with their escapes decoded, mapped back exactly. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonTextPart, partTarget } from '../../../../server/src/service/rules/util';
import { seededRandom } from '../helpers';

describe('jsonTextPart', () => {
  it('reads text without a backslash as it is', () => {
    const part = jsonTextPart(['arguments'], '{"city": "Paris"}');
    assert.deepEqual(part, { path: ['arguments'], text: '{"city": "Paris"}', offset: 0 });
    assert.deepEqual(partTarget(part, 10, 15), { path: ['arguments'], inString: { start: 10, end: 15 } });
  });

  it('decodes escapes as the tool receives them, and maps every span back to the escapes as written', () => {
    const written = JSON.stringify({ code: 'pw="Hk29"\n\tx\\y', title: 'Café ’', bad: 'a\u0001b' }).replace(/[\u0080-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const part = jsonTextPart(['arguments'], written);
    assert.equal(part.text, '{"code":"pw="Hk29"\n\tx\\y","title":"Café ’","bad":"a\u0001b"}');
    const at = part.text.indexOf('Hk29');
    assert.equal(written.slice(partTarget(part, at, at + 4).inString.start, partTarget(part, at, at + 4).inString.end), 'Hk29');
    const cafe = part.text.indexOf('é ’');
    const { start, end } = partTarget(part, cafe, cafe + 3).inString;
    assert.equal(written.slice(start, end), '\\u00e9 \\u2019');
  });

  it('maps each character of random JSON texts to the one escape or character it is written as', () => {
    const random = seededRandom(11);
    const alphabet = ['a', ' ', '"', '\\', '/', '\n', '\t', '\r', '\b', '\f', '\u0000', 'é', '’', '😀', '\u2028', '{', '}'];
    for (let trial = 0; trial < 500; trial++) {
      const value = Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      let written = JSON.stringify({ text: value, list: [value.slice(1)] });
      if (random() < 0.5) written = written.replace(/[\u0080-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const part = jsonTextPart([], written);
      const offsets = part.sourceOffsets;
      if (offsets === undefined) {
        assert.equal(part.text, written);
        continue;
      }
      assert.equal(offsets.length, part.text.length + 1);
      assert.equal(offsets[part.text.length], written.length);
      for (let index = 0; index < part.text.length; index++) {
        const piece = written.slice(offsets[index], offsets[index + 1]);
        const character = piece === '"' ? '"' : (JSON.parse(`"${piece}"`) as string);
        assert.equal(character, part.text[index], `${written} at ${index}`);
      }
    }
  });
});
