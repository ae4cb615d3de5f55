/** The hover's token figures with a model: trained tokens as trainers mask them, and what truncation leaves. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument } from '../../../server/src/service/document';
import { hover } from '../../../server/src/service/features/editor';
import { buildFacts, lintDocument } from '../../../server/src/service/linter';
import { modelTokenCounter } from '../../../server/src/service/modelTokens';

const model = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'service', 'tiny-model');
const text = '{"messages": [{"role": "user", "content": "Hello world"}, {"role": "assistant", "content": "hi there"}]}\n';

async function hoverText(maxTokens: number): Promise<string> {
  const loaded = await modelTokenCounter(model);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
  const document = DatasetDocument.parse(text, 'jsonl');
  const { settings } = resolveSettings({ minExamples: 0, maxTokens });
  const uri = 'file:///test/data.jsonl';
  const { facts } = lintDocument(document, uri, settings, { facts: buildFacts(document, uri, settings, { tokens: loaded.counter }) });
  const result = hover(document, facts, { line: 0, character: 5 });
  assert.ok(result);
  return (result.contents as { value: string }).value;
}

describe('hover token figures with a model', () => {
  // Rendered: "<|user|> Hello world\n<|assistant|> hi there\n" = <| user |> hello world <| assistant |> hi <unk>:
  // 10 tokens; the prompt alone is 5, so the answer trains on the other 5 (its role header included,
  // since this template has no generation prompt), not the 3 of its text and end token.
  it('gives the exact trained tokens from the chat template', async () => {
    const value = await hoverText(4096);
    assert.match(value, /Tokens: 10 total, 5 trainable \(tiny-model tokenizer and chat template\); limit 4096\n/);
  });
  it('says how many trained tokens are left when the record is cut at the limit', async () => {
    assert.match(await hoverText(7), /Tokens: 10 total, 5 trainable .*; limit 7; cut at the limit, 2 trained tokens are left/);
  });
});
