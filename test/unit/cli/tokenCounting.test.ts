/**
 * Token counts with a configured model: the real tokenizer and chat template (checked against the
 * tokenizer directly), cached per record (an edit re-tokenizes only that record), bounded on huge
 * texts, and a clear message for a model folder that cannot be used.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { resolveSettings } from '../../../server/src/service/config';
import type { Conversation } from '../../../server/src/service/conversation';
import { lintFiles } from '../../../server/src/service/files';
import { exactTokenizeLimit, modelTokenCounter } from '../../../server/src/service/modelTokens';
import { normalise } from '../../../server/src/service/formats';
import { DatasetSession } from '../../../server/src/service/session';
import { trainableAfterTruncation, type TokenCount, type TokenCounter } from '../../../server/src/service/tokens';

const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });

/** What transformers' apply_chat_template(messages, tokenize=True) gives, computed here without Tunesmith's code. */
async function directCount(folder: string, messages: { role: string; content: string }[], addGenerationPrompt = false): Promise<number> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const { Template } = await import('@huggingface/jinja');
  const config = JSON.parse(readFileSync(path.join(folder, 'tokenizer_config.json'), 'utf8')) as { chat_template: string; eos_token: string };
  const tokenizer = new Tokenizer(JSON.parse(readFileSync(path.join(folder, 'tokenizer.json'), 'utf8')) as object, config);
  const text = new Template(config.chat_template).render({ messages, add_generation_prompt: addGenerationPrompt, bos_token: '', eos_token: config.eos_token });
  return tokenizer.encode(text, { add_special_tokens: false }).ids.length;
}

describe('token counting with a configured model', () => {
  let folder: string;
  let model: string;
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-tokens-'));
    model = createTinyModel({ out: path.join(folder, 'tiny') }).dir;
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('counts with the real tokenizer and chat template', async () => {
    const records = [
      [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Tell me about the weather in Paris today, please.' }, { role: 'assistant', content: 'Sunny and warm: about twenty degrees.' }],
      [{ role: 'user', content: 'Zählen Sie die Wörter: 東京 と 大阪 🚄' }, { role: 'assistant', content: 'Fünf.' }],
    ];
    writeFileSync(path.join(folder, 'data.jsonl'), records.map((messages) => JSON.stringify({ messages })).join('\n') + '\n');
    writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ model: 'tiny' }));
    const result = await lintFiles(['data.jsonl'], { cwd: folder, statistics: true });
    assert.deepEqual(result.warnings, []);
    const expected = await Promise.all(records.map((messages) => directCount(model, messages)));
    const tokens = result.files[0]?.statistics?.tokens;
    assert.equal(tokens?.estimated, false);
    assert.equal(tokens?.total, expected[0]! + expected[1]!);
    assert.equal(tokens?.max, Math.max(...expected));
  });

  it('finds the trained tokens left after truncation exactly, at the token where the answer starts', async () => {
    const loaded = await modelTokenCounter(model);
    assert.ok(loaded.ok);
    const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'word '.repeat(80) }, { role: 'assistant', content: 'The answer is forty two, clearly and simply.' }];
    // What a trainer masks: the answer's tokens start where the prompt with the generation prompt ends.
    const answerStart = await directCount(model, messages.slice(0, 2), true);
    const total = await directCount(model, messages);
    const conversation = normalise({ messages }, 'openai-chat');
    for (const limit of [answerStart - 1, answerStart, answerStart + 1, answerStart + 5, total - 1, total + 10]) {
      assert.equal(trainableAfterTruncation(conversation, loaded.counter, limit), Math.max(0, Math.min(total, limit) - answerStart), `maxTokens ${limit}`);
    }
  });

  it('re-tokenizes only the edited record', async () => {
    const loaded = await modelTokenCounter(model);
    assert.ok(loaded.ok);
    const counted: string[] = [];
    const counting: TokenCounter = {
      estimated: loaded.counter.estimated,
      label: loaded.counter.label,
      count(conversation: Conversation): TokenCount {
        counted.push(conversation.turns.map((turn) => turn.content).join('|'));
        return loaded.counter.count(conversation);
      },
    };
    const settings = resolveSettings({ maxTokens: 4096 }).settings;
    const session = new DatasetSession(() => ({ settings, tokens: counting }));
    const lines = Array.from({ length: 20 }, (_, index) => chat(`Question ${index} about ${['cats', 'ships', 'stars', 'bread'][index % 4]} and the number ${index * 31}`, `Answer ${index}.`));
    session.open('file:///d.jsonl', lines.join('\n') + '\n', 'jsonl');
    session.lint('file:///d.jsonl');
    assert.equal(counted.length, 20, 'every record is counted once');
    counted.length = 0;
    session.lint('file:///d.jsonl');
    assert.equal(counted.length, 0, 'linting again counts nothing');
    const edited = chat('Question 7 rewritten about ships and the number 217', 'Answer 7.');
    session.change('file:///d.jsonl', [{ range: { start: { line: 7, character: 0 }, end: { line: 7, character: (lines[7] ?? '').length } }, text: edited }]);
    session.lint('file:///d.jsonl');
    assert.deepEqual(counted, ['Question 7 rewritten about ships and the number 217|Answer 7.']);
  });

  it('does not tokenize a huge text whole: the count is scaled and labelled as an estimate', async () => {
    const loaded = await modelTokenCounter(model);
    assert.ok(loaded.ok);
    const body = 'hello world '.repeat(Math.ceil((exactTokenizeLimit * 3) / 12));
    writeFileSync(path.join(folder, 'huge.jsonl'), chat(body, 'ok') + '\n');
    writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ model: 'tiny', rules: { 'too-few-examples': 'off' } }));
    const started = Date.now();
    const result = await lintFiles(['huge.jsonl'], { cwd: folder, statistics: true });
    const elapsed = Date.now() - started;
    const tokens = result.files[0]?.statistics?.tokens;
    assert.equal(tokens?.estimated, true, "the statistics say the huge record's count is scaled, not exact");
    const tooLong = result.files[0]?.diagnostics.find((item) => item.rule === 'too-long');
    assert.match(tooLong?.message ?? '', /^This example is about [\d,]+ tokens \(tiny tokenizer and chat template\)/);
    // The scaled count is close to the truth (tokens of the repeated unit, measured on a short text).
    const { Tokenizer } = await import('@huggingface/tokenizers');
    const tokenizer = new Tokenizer(JSON.parse(readFileSync(path.join(model, 'tokenizer.json'), 'utf8')) as object, JSON.parse(readFileSync(path.join(model, 'tokenizer_config.json'), 'utf8')) as object);
    const perUnit = tokenizer.encode('hello world '.repeat(1000), { add_special_tokens: false }).ids.length / 1000;
    const scaled = Number(/about ([\d,]+) tokens/.exec(tooLong?.message ?? '')?.[1]?.replaceAll(',', ''));
    const truth = (body.length / 12) * perUnit;
    assert.ok(Math.abs(scaled - truth) / truth < 0.01, `${scaled} vs ${truth}`);
    assert.ok(elapsed < 30_000, `took ${elapsed} ms`);
  });

  it('loads a model folder that was broken and has been fixed since', async () => {
    const later = path.join(folder, 'filled-later');
    mkdirSync(later);
    const before = await modelTokenCounter(later);
    assert.equal(before.ok, false);
    writeFileSync(path.join(later, 'tokenizer.json'), readFileSync(path.join(model, 'tokenizer.json')));
    writeFileSync(path.join(later, 'tokenizer_config.json'), readFileSync(path.join(model, 'tokenizer_config.json')));
    const after = await modelTokenCounter(later);
    assert.equal(after.ok, true, after.ok ? '' : after.error);
  });

  it('says clearly why a model folder cannot be used', async () => {
    mkdirSync(path.join(folder, 'no-tokenizer'));
    writeFileSync(path.join(folder, 'file-not-folder'), 'x');
    mkdirSync(path.join(folder, 'bad-template'));
    writeFileSync(path.join(folder, 'bad-template', 'tokenizer.json'), readFileSync(path.join(model, 'tokenizer.json')));
    writeFileSync(path.join(folder, 'bad-template', 'tokenizer_config.json'), JSON.stringify({ chat_template: '{% for m in messages %}{{ m.content }' }));
    const reasons: Record<string, RegExp> = {
      missing: /: no such folder\. Token counts are estimates until this is fixed\.$/,
      'no-tokenizer': /: the folder has no tokenizer\.json /,
      'file-not-folder': /: it is a file, not a folder /,
      'bad-template': /: its chat template does not parse /,
    };
    for (const [name, reason] of Object.entries(reasons)) {
      const loaded = await modelTokenCounter(path.join(folder, name));
      assert.equal(loaded.ok, false, name);
      assert.match(loaded.ok ? '' : loaded.error, reason, name);
    }
  });
});
