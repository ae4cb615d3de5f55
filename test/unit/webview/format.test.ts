import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount, formatDuration, formatLoss, formatRate, parseSetting } from '../../../media/src/format';

test('durations read as seconds, minutes or hours', () => {
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(125), '2m 05s');
  assert.equal(formatDuration(3 * 3600 + 7 * 60), '3h 07m');
  assert.equal(formatDuration(Number.NaN), '–');
  assert.equal(formatDuration(-1), '–');
});

test('counts, rates and losses', () => {
  assert.equal(formatCount(134_515_008), '135M');
  assert.equal(formatCount(1_049_984), '1.0M');
  assert.equal(formatCount(950), '950');
  assert.equal(formatRate(0), '–');
  assert.equal(formatRate(12.345), '12.3 tok/s');
  assert.equal(formatRate(1234.5), '1235 tok/s');
  assert.equal(formatLoss(undefined), '–');
  assert.equal(formatLoss(2.34567), '2.346');
});

test('settings typed in the panel are clamped, rounded, and bad input keeps the old value', () => {
  assert.equal(parseSetting('0.7', 0, 0, 2, false), 0.7);
  assert.equal(parseSetting('5', 0.5, 0, 2, false), 2);
  assert.equal(parseSetting('12.6', 64, 1, 4096, true), 13);
  assert.equal(parseSetting('abc', 64, 1, 4096, true), 64);
  assert.equal(parseSetting('  ', 64, 1, 4096, true), 64);
  assert.equal(parseSetting('-3', 64, 1, 4096, true), 1);
});
