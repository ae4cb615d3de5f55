/** Number literals a double cannot hold, found in JSON text without parsing it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactJson, holdsImpreciseNumber } from '../../../server/src/service/json/numbers';

describe('numbers a double cannot hold', () => {
  it('finds integers beyond 2^53 and decimals of more than 15 significant digits, not those a double holds', () => {
    for (const literal of ['98765432109876543210', '9007199254740993', '-9007199254740993', '12345678.123456789', '0.10000000000000000555', '1e400']) assert.equal(holdsImpreciseNumber(`{"n": ${literal}}`), true, literal);
    for (const literal of ['9007199254740992', '123456789012345', '1.0', '1.5e10', '0.000001', '100', '-0']) assert.equal(holdsImpreciseNumber(`{"n": ${literal}}`), false, literal);
    assert.equal(holdsImpreciseNumber('{"text": "order 98765432109876543210"}'), false, 'digits inside a string are text');
  });

  it('compacts JSON text keeping strings and numbers as written', () => {
    assert.equal(compactJson('{ "a b": "x  y\\u00e9",\n  "n": 98765432109876543210 }'), '{"a b":"x  y\\u00e9","n":98765432109876543210}');
  });
});
