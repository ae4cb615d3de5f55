import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeStatistics, statisticsStatus } from '../../../client/src/statisticsText';
import type { DatasetStatistics } from '../../../protocol/messages';

function statistics(overrides: Partial<DatasetStatistics>): DatasetStatistics {
  return {
    uri: 'file:///data/train.jsonl',
    format: 'openai-chat',
    records: 1200,
    invalidRecords: 0,
    turns: 3600,
    tokens: { p50: 180, p90: 512, max: 2048, total: 240000, estimated: false },
    roles: { user: 1200, assistant: 1200 },
    duplicates: 0,
    ...overrides,
  };
}

describe('describeStatistics', () => {
  it('names the count, the format, the turns and the token lengths', () => {
    assert.equal(
      describeStatistics('train.jsonl', statistics({})),
      'Tunesmith: train.jsonl: 1,200 records (OpenAI chat), 3,600 turns, 240,000 tokens (p50 180, p90 512, max 2048).',
    );
  });

  it('says when records are invalid or duplicated and when token counts are estimates', () => {
    const text = describeStatistics(
      'd.json',
      statistics({ format: 'sharegpt', records: 1, invalidRecords: 2, turns: 1, duplicates: 1, tokens: { p50: 3, p90: 3, max: 3, total: 3, estimated: true } }),
    );
    assert.equal(text, 'Tunesmith: d.json: 1 record (ShareGPT), 2 invalid, 1 turn, ~3 tokens (p50 3, p90 3, max 3), 1 duplicate.');
  });
});

describe('statisticsStatus', () => {
  it('shows records and p90 tokens in the status bar, and every figure in the tooltip', () => {
    const { text, tooltip } = statisticsStatus('train.jsonl', statistics({ roles: { user: 1200, assistant: 1200, system: 40 } }));
    assert.equal(text, '$(database) 1,200 records · p90 512 tokens');
    assert.match(tooltip, /\*\*Tunesmith: train\.jsonl\*\*/);
    assert.match(tooltip, /\| Format \| OpenAI chat \|/);
    assert.match(tooltip, /\| Turns \| 3,600 \|/);
    assert.match(tooltip, /\| Tokens per record \| p50 180 · p90 512 · max 2,048 \|/);
    assert.match(tooltip, /\| Tokens in all \| 240,000 \|/);
    assert.match(tooltip, /\| Roles \| user 1,200 · assistant 1,200 · system 40 \|/);
    assert.match(tooltip, /\| Duplicate records \| 0 \|/);
  });

  it('adds duplicates and invalid records when there are any, and marks estimates', () => {
    const { text, tooltip } = statisticsStatus('d.json', statistics({ records: 1, invalidRecords: 2, duplicates: 3, tokens: { p50: 3, p90: 4, max: 5, total: 6, estimated: true } }));
    assert.equal(text, '$(database) 1 record · p90 ~4 tokens · 3 duplicates · 2 invalid');
    assert.match(tooltip, /\| Records \| 1 \(2 invalid\) \|/);
    assert.match(tooltip, /\| Tokens in all \| ~6 \(estimate: set tunesmith\.model for exact counts\) \|/);
  });
});
