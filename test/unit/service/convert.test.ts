/** Record conversion between OpenAI chat, ShareGPT and Alpaca: what converts, and what is refused because it would be lost. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings, type LintSettings } from '../../../server/src/service/config';
import { hintFromDatasetInfo } from '../../../server/src/service/datasetInfo';
import { DatasetDocument } from '../../../server/src/service/document';
import { codeActions } from '../../../server/src/service/features/editor';
import { detectShape, normalise, type FormatHint } from '../../../server/src/service/formats';
import { buildFacts, lintDocument } from '../../../server/src/service/linter';
import { applyEdits, lint, parse } from './helpers';

const uri = 'file:///test/data.jsonl';
const at = { line: 0, character: 1 };

/** The record on line 1 converted by its code action to `target` (a title suffix), or undefined when none is offered. */
function converted(record: unknown, target: 'ShareGPT' | 'Alpaca' | 'OpenAI chat'): unknown {
  const text = `${JSON.stringify(record)}\n`;
  const { document, facts } = parse(text);
  const action = codeActions(document, facts, uri, { start: at, end: at }, []).find((candidate) => candidate.title === `Convert record 1 to ${target}`);
  if (action === undefined) return undefined;
  return JSON.parse(applyEdits(text, action.edit?.changes?.[uri] ?? []));
}

const weatherTool = { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

/** Two parallel weather calls, their results and the answer, with the calls' arguments as written. */
function parallelCalls(paris: string, rome: string): { messages: Record<string, unknown>[]; tools: unknown[] } {
  return {
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: null, tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: paris } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: rome } },
      ] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 18}' },
      { role: 'tool', tool_call_id: 'call_2', content: '{"temp": 24}' },
      { role: 'assistant', content: 'Paris 18 °C, Rome 24 °C.' },
    ],
    tools: [weatherTool],
  };
}

describe('record conversion', () => {
  it('puts the results of parallel tool calls in one observation turn, so ShareGPT positions stay valid', () => {
    const record = parallelCalls('{"city": "Paris"}', '{"city": "Rome"}');
    const sharegpt = converted(record, 'ShareGPT') as { conversations: { from: string; value: string }[] };
    assert.deepEqual(sharegpt.conversations.map((turn) => turn.from), ['human', 'function_call', 'observation', 'gpt']);
    assert.equal(sharegpt.conversations[2]?.value, '{"temp": 18}\n</tool_response>\n<tool_response>\n{"temp": 24}');
    assert.deepEqual(JSON.parse(sharegpt.conversations[1]?.value ?? ''), [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_weather', arguments: { city: 'Rome' } }]);
    const errors = lint(`${JSON.stringify(sharegpt)}\n`).diagnostics.filter((item) => item.severity === 'error');
    assert.deepEqual(errors, [], 'the converted record passes the ShareGPT position checks');
  });

  it('splits the joined results of parallel calls into one tool message per call on the way back to OpenAI chat', () => {
    // Arguments written compactly, as the conversion writes them back.
    const record = parallelCalls('{"city":"Paris"}', '{"city":"Rome"}');
    const back = converted(converted(record, 'ShareGPT'), 'OpenAI chat') as typeof record;
    assert.deepEqual(back.messages, record.messages);
    assert.deepEqual(lint(`${JSON.stringify(back)}\n`).diagnostics.filter((item) => item.severity === 'error'), []);
  });

  it('does not convert a message with a field the other format has no place for (name, reasoning, refusal, a train flag)', () => {
    const chat = (extra: Record<string, unknown>, on: 0 | 1): unknown => {
      const messages: Record<string, unknown>[] = [{ role: 'user', content: 'Think first: 2+3?' }, { role: 'assistant', content: '5' }];
      Object.assign(messages[on] ?? {}, extra);
      return { messages };
    };
    for (const [extra, on] of [[{ name: 'alice' }, 0], [{ reasoning_content: '2 plus 3 is 5.' }, 1], [{ thinking: 'Add them.' }, 1], [{ refusal: 'I cannot.' }, 1], [{ train: true }, 0], [{ train: false }, 1]] as const) {
      for (const target of ['ShareGPT', 'Alpaca'] as const) assert.equal(converted(chat(extra, on), target), undefined, `${JSON.stringify(extra)} to ${target}`);
    }
    // A train flag that says what the role does anyway is carried.
    assert.deepEqual(converted(chat({ train: true }, 1), 'Alpaca'), { instruction: 'Think first: 2+3?', input: '', output: '5' });
    // So is what OpenAI's API writes on every message it returns, saying nothing.
    assert.deepEqual(converted(chat({ refusal: null, annotations: [], audio: null }, 1), 'Alpaca'), { instruction: 'Think first: 2+3?', input: '', output: '5' });
  });

  it('does not convert what a turn or a call says beyond its text: a weight that is no number, a result id on an answer, keys of a call, a list of answers', () => {
    const chat = (assistant: Record<string, unknown>): unknown => ({ messages: [{ role: 'user', content: 'Weather in Baku?' }, { role: 'assistant', content: '15C.', ...assistant }] });
    for (const target of ['ShareGPT', 'Alpaca'] as const) {
      assert.equal(converted(chat({ weight: '0' }), target), undefined, `a string weight to ${target}`);
      assert.equal(converted(chat({ tool_call_id: 'x' }), target), undefined, `a tool_call_id on an answer to ${target}`);
    }
    const call = (extra: Record<string, unknown>, fnExtra: Record<string, unknown>): unknown => ({
      messages: [
        { role: 'user', content: 'Weather in Baku?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', ...extra, function: { name: 'get_weather', arguments: '{"city": "Baku"}', ...fnExtra } }] },
        { role: 'tool', tool_call_id: 'c1', content: '15C' },
        { role: 'assistant', content: '15C in Baku.' },
      ],
    });
    assert.equal(converted(call({ index: 0 }, {}), 'ShareGPT'), undefined, 'a stream index');
    assert.equal(converted(call({}, { strict: true }), 'ShareGPT'), undefined, 'a strict flag');
    assert.ok(converted(call({}, {}), 'ShareGPT') !== undefined, 'a plain call converts');
    // LLaMA-Factory's ranking Alpaca writes [chosen, rejected] as a two-item output: joined, the rejected answer would be trained.
    assert.equal(converted({ instruction: 'Name a metal.', input: '', output: ['Iron.', 'Wood.'] }, 'OpenAI chat'), undefined);
  });

  it('does not convert to ShareGPT a conversation LLaMA-Factory would skip (not alternating, or ending on the user)', () => {
    const messages = (...roles: string[]): unknown => ({ messages: roles.map((role, index) => ({ role, content: `Turn ${index + 1}.` })) });
    assert.equal(converted(messages('user', 'assistant', 'user'), 'ShareGPT'), undefined);
    assert.equal(converted(messages('user', 'assistant', 'assistant'), 'ShareGPT'), undefined);
    assert.equal(converted(messages('assistant', 'user', 'assistant'), 'ShareGPT'), undefined);
    assert.deepEqual(converted(messages('system', 'user', 'assistant'), 'ShareGPT'), { conversations: [{ from: 'human', value: 'Turn 2.' }, { from: 'gpt', value: 'Turn 3.' }], system: 'Turn 1.' });
  });

  it("drops a completion's separator space on the way to a chat answer (it would be trained as the answer's first token)", () => {
    const record = { prompt: 'The capital of France is', completion: ' Paris.' };
    const chat = converted(record, 'OpenAI chat');
    assert.deepEqual(chat, { messages: [{ role: 'user', content: 'The capital of France is' }, { role: 'assistant', content: 'Paris.' }] });
    assert.deepEqual(lint(`${JSON.stringify(chat)}\n`).diagnostics.filter((item) => item.rule === 'whitespace'), []);
    assert.deepEqual(converted(record, 'Alpaca'), { instruction: 'The capital of France is', input: '', output: 'Paris.' });
  });

  it('does not convert to ShareGPT an answer that says something beside its tool calls (the text would be lost)', () => {
    const record = {
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 18}' },
        { role: 'assistant', content: '18 °C.' },
      ],
      tools: [weatherTool],
    };
    assert.equal(converted(record, 'ShareGPT'), undefined);
    const silent = structuredClone(record);
    (silent.messages[1] as { content: string | null }).content = null;
    assert.notEqual(converted(silent, 'ShareGPT'), undefined, 'the same record without the text converts');
  });

  it('does not convert image parts into text-only formats, but keeps the text parts of other records', () => {
    const withImage = { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }, { role: 'assistant', content: 'A cat.' }] };
    assert.equal(converted(withImage, 'ShareGPT'), undefined);
    assert.equal(converted(withImage, 'Alpaca'), undefined);
    const textParts = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Name a colour' }] }, { role: 'assistant', content: 'Blue.' }] };
    assert.deepEqual(converted(textParts, 'Alpaca'), { instruction: 'Name a colour', input: '', output: 'Blue.' });
  });

  it('round-trips a plain conversation through ShareGPT and back', () => {
    const record = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Largest ocean?' }, { role: 'assistant', content: 'The Pacific.' }] };
    const sharegpt = converted(record, 'ShareGPT');
    assert.deepEqual(sharegpt, { conversations: [{ from: 'human', value: 'Largest ocean?' }, { from: 'gpt', value: 'The Pacific.' }], system: 'Be brief.' });
    assert.deepEqual(converted(sharegpt, 'OpenAI chat'), record);
  });

  it('does not convert an answer that is not trained (weight 0) or re-weighted into formats without weights', () => {
    const record = { messages: [{ role: 'user', content: 'Draft, then final.' }, { role: 'assistant', content: 'Draft.', weight: 0 }, { role: 'user', content: 'Final?' }, { role: 'assistant', content: 'Final.' }] };
    assert.equal(converted(record, 'ShareGPT'), undefined, 'LLaMA-Factory would train the draft');
    assert.equal(converted(record, 'Alpaca'), undefined);
    const factor = { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a', loss_weight: 0.5 }] };
    assert.deepEqual(converted(factor, 'OpenAI chat'), { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', loss_weight: 0.5 }] }, 'a factor stays a loss_weight (OpenAI weight is 0 or 1)');
  });

  it('does not convert what the conversation cannot carry: content of the wrong type, a call that does not parse, tools that do not parse', () => {
    assert.equal(converted({ messages: [{ role: 'user', content: { text: 'What is a dict?' } }, { role: 'assistant', content: 'A mapping.' }] }, 'ShareGPT'), undefined);
    assert.equal(converted({ conversations: [{ from: 'human', value: 'Stock of Z?' }, { from: 'function_call', value: "get_stock(symbol='Z')" }, { from: 'observation', value: '3' }, { from: 'gpt', value: '3.' }] }, 'OpenAI chat'), undefined);
    assert.equal(converted({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], tools: '[{"name": "x",}]' }, 'OpenAI chat'), undefined);
    const call = (args: string) => ({ messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: args } }] }, { role: 'tool', tool_call_id: 'c1', content: '18C' }, { role: 'assistant', content: '18C.' }], tools: [weatherTool] });
    assert.equal(converted(call(JSON.stringify('{"city": "Paris"}')), 'ShareGPT'), undefined, 'arguments encoded twice');
    assert.equal(converted(call('{"city": "Paris"} x'), 'ShareGPT'), undefined, 'arguments that do not parse');
    assert.notEqual(converted(call('{"city": "Paris"}'), 'ShareGPT'), undefined);
  });

  it('does not convert what would vanish on the way: extra keys of a text part, tools beside legacy functions, a history entry that is no pair', () => {
    const cached = { messages: [{ role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral' } }] }, { role: 'assistant', content: 'a' }] };
    const both = { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], tools: [weatherTool], functions: [{ name: 'b', parameters: {} }] };
    for (const target of ['ShareGPT', 'Alpaca'] as const) {
      assert.equal(converted(cached, target), undefined, `a text part's cache_control to ${target}`);
      assert.equal(converted(both, target), undefined, `tools and functions to ${target}`);
    }
    // A plain text part converts (its text is all it says).
    assert.deepEqual(converted({ messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }, { role: 'assistant', content: 'a' }] }, 'Alpaca'), { instruction: 'q', input: '', output: 'a' });
    const triple = { instruction: 'i', input: '', output: 'o', history: [['u', 'a', 'extra']] };
    for (const target of ['ShareGPT', 'OpenAI chat'] as const) assert.equal(converted(triple, target), undefined, `a history triple to ${target}`);
    assert.deepEqual(converted({ ...triple, history: [['u', 'a']] }, 'OpenAI chat'), { messages: [{ role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }, { role: 'user', content: 'i' }, { role: 'assistant', content: 'o' }] });
  });

  it('converts a weight on a user message, which no trainer reads (OpenAI weighs answers only), but not one on an answer', () => {
    const weighted = (on: 0 | 1): unknown => ({ messages: [{ role: 'user', content: 'q', ...(on === 0 ? { weight: 0 } : {}) }, { role: 'assistant', content: 'a', ...(on === 1 ? { weight: 0 } : {}) }] });
    assert.deepEqual(converted(weighted(0), 'ShareGPT'), { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] });
    assert.equal(converted(weighted(1), 'ShareGPT'), undefined);
  });

  it('keeps the tools offered when converting to Alpaca (LLaMA-Factory reads a tools column), and the result lints clean', () => {
    const alpaca = converted({ messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: 'Which city?' }], tools: [weatherTool] }, 'Alpaca');
    assert.deepEqual(alpaca, { instruction: 'Weather?', input: '', output: 'Which city?', tools: JSON.stringify([weatherTool.function]) });
    assert.deepEqual(lint(`${JSON.stringify(alpaca)}\n`).diagnostics.filter((item) => item.severity === 'error' || item.severity === 'warning'), []);
  });

  it('carries the columns the conversation does not hold (id, source, a KTO label) over to the converted record', () => {
    assert.deepEqual(converted({ id: 'conv-17', conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], source: 'web' }, 'OpenAI chat'), { messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }], id: 'conv-17', source: 'web' });
    assert.deepEqual(converted({ prompt: 'q', completion: 'a', label: false }, 'ShareGPT'), { conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }], label: false });
    const systemColumn = { system: 'You are terse.', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] };
    assert.equal(converted(systemColumn, 'ShareGPT'), undefined, 'a column the target reads (but the source ignores) would change the conversation');
    assert.equal(converted(systemColumn, 'Alpaca'), undefined);
  });
});

describe('conversions write line and paragraph separators as escapes', () => {
  it('keeps U+2028 and U+2029 escaped (editors flag them raw, and splitlines() breaks the line on them)', () => {
    const text = `${JSON.stringify({ messages: [{ role: 'user', content: 'a\u2028b' }, { role: 'assistant', content: 'c\u2029d' }] })}\n`;
    const { document, facts } = parse(text);
    const action = codeActions(document, facts, uri, { start: at, end: at }, []).find((candidate) => candidate.title === 'Convert record 1 to ShareGPT');
    const written = applyEdits(text, action?.edit?.changes?.[uri] ?? []);
    assert.ok(!/[\u2028\u2029]/.test(written), written);
    assert.ok(written.includes('a\\u2028b') && written.includes('c\\u2029d'), written);
    assert.deepEqual(JSON.parse(written), { conversations: [{ from: 'human', value: 'a\u2028b' }, { from: 'gpt', value: 'c\u2029d' }] });
  });
});

describe('conversions keep the meaning', () => {
  /** The canonical conversation of a record, as the trainer sees it: roles, texts, calls, trained turns, tools. */
  function canonical(record: unknown): string {
    const shape = detectShape(record);
    const conversation = normalise(record, shape);
    const tools = conversation.tools?.value;
    const list = typeof tools === 'string' ? (JSON.parse(tools) as unknown[]) : tools;
    return JSON.stringify({
      turns: conversation.turns.map((turn) => [turn.role, turn.content, turn.trainable, turn.toolCalls.map((call) => [call.name, typeof call.arguments === 'string' ? JSON.parse(call.arguments) : call.arguments])]),
      tools: Array.isArray(list) ? list.map((spec) => (typeof spec === 'object' && spec !== null && 'function' in spec ? (spec as { function: unknown }).function : spec)) : undefined,
    });
  }
  const call = (id: string, city: string) => ({ id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city }) } });
  const records = [
    { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' }, { role: 'user', content: 'q2' }, { role: 'assistant', content: 'a2' }] },
    { messages: [{ role: 'user', content: 'Weather in Oslo?' }, { role: 'assistant', content: null, tool_calls: [call('c1', 'Oslo')] }, { role: 'tool', tool_call_id: 'c1', content: '-4C' }, { role: 'assistant', content: 'It is -4C.' }], tools: [weatherTool] },
    { messages: [{ role: 'user', content: 'Say "hi" \u00e9 😀' }, { role: 'assistant', content: 'Line one\nline two', weight: 1 }] },
  ];
  for (const [index, record] of records.entries()) {
    it(`record ${index + 1} survives OpenAI chat -> ShareGPT -> OpenAI chat${index === 1 ? '' : ' and -> Alpaca -> OpenAI chat'}`, () => {
      const sharegpt = converted(record, 'ShareGPT');
      assert.ok(sharegpt, 'converts to ShareGPT');
      assert.equal(canonical(sharegpt), canonical(record));
      assert.equal(canonical(converted(sharegpt, 'OpenAI chat')), canonical(record));
      if (index === 1) return; // tool calls have no Alpaca form
      const alpaca = converted(record, 'Alpaca');
      assert.ok(alpaca, 'converts to Alpaca');
      assert.equal(canonical(alpaca), canonical(record));
      assert.equal(canonical(converted(alpaca, 'OpenAI chat')), canonical(record));
    });
  }
});

/** Lints with a forced format or a dataset_info.json hint and returns the quick fix for mixed-formats on line `line`. */
function mixedFormatFix(text: string, settings: Partial<LintSettings>, hint?: FormatHint, line = 0): string | undefined {
  const document = DatasetDocument.parse(text, 'jsonl');
  const resolved = resolveSettings({ minExamples: 0, ...settings }).settings;
  const result = lintDocument(document, uri, resolved, { facts: buildFacts(document, uri, resolved, hint ? { hint } : {}), ...(hint ? { hint } : {}) });
  const diagnostic = result.diagnostics.find((item) => item.rule === 'mixed-formats' && item.range.start.line === line);
  assert.ok(diagnostic, 'a mixed-formats diagnostic');
  const lsp = { range: diagnostic.range, message: diagnostic.message, source: 'tunesmith', code: diagnostic.rule };
  const fix = codeActions(document, result.facts, uri, diagnostic.range, [lsp], { current: result.diagnostics }).find((action) => action.kind === 'quickfix');
  return fix === undefined ? undefined : applyEdits(text, fix.edit?.changes?.[uri] ?? []);
}

describe('conversion in files whose format is forced', () => {
  const openaiLine = JSON.stringify({ messages: [{ role: 'user', content: 'Hi there' }, { role: 'assistant', content: 'Hello!' }] });

  it('a record in another format than the forced one gets its quick fix (read as written, not as the forced format)', () => {
    const text = `${openaiLine}\n${JSON.stringify({ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] })}\n`;
    const fixed = mixedFormatFix(text, { format: 'sharegpt' });
    assert.ok(fixed, 'a quick fix');
    assert.deepEqual(JSON.parse(fixed.split('\n')[0] ?? ''), { conversations: [{ from: 'human', value: 'Hi there' }, { from: 'gpt', value: 'Hello!' }] });
  });

  it('writes the columns and role tags a dataset_info.json gives the file', () => {
    const hint = hintFromDatasetInfo(JSON.stringify({ s: { file_name: 'data.jsonl', formatting: 'sharegpt', columns: { messages: 'dialogue', system: 'instructions' }, tags: { role_tag: 'role', content_tag: 'text', user_tag: 'client', assistant_tag: 'agent' } } }), 'data.jsonl');
    assert.ok(hint);
    const withSystem = JSON.stringify({ messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi there' }, { role: 'assistant', content: 'Hello!' }] });
    const text = `${withSystem}\n${JSON.stringify({ dialogue: [{ role: 'client', text: 'q' }, { role: 'agent', text: 'a' }] })}\n`;
    const fixed = mixedFormatFix(text, {}, hint);
    assert.ok(fixed, 'a quick fix');
    assert.deepEqual(JSON.parse(fixed.split('\n')[0] ?? ''), { dialogue: [{ role: 'client', text: 'Hi there' }, { role: 'agent', text: 'Hello!' }], instructions: 'Be kind.' });
  });

  it('records of another format than the forced one are not duplicates of each other (read as the forced format, all are empty)', () => {
    const sharegpt = (question: string): string => JSON.stringify({ conversations: [{ from: 'human', value: question }, { from: 'gpt', value: `About ${question}` }] });
    const text = `${['Who wrote Hamlet?', 'Largest ocean?', 'Capital of Peru?', 'Speed of light?'].map(sharegpt).join('\n')}\n`;
    const document = DatasetDocument.parse(text, 'jsonl');
    const { settings } = resolveSettings({ minExamples: 0, format: 'alpaca' });
    const rules = lintDocument(document, uri, settings).diagnostics.map((item) => item.rule);
    assert.deepEqual(rules, ['mixed-formats', 'mixed-formats', 'mixed-formats', 'mixed-formats']);
    // Forced by a dataset_info.json entry without "formatting": the message says what the entry lacks.
    const hint = hintFromDatasetInfo(JSON.stringify({ s: { file_name: 'data.jsonl' } }), 'data.jsonl');
    assert.ok(hint);
    const { settings: auto } = resolveSettings({ minExamples: 0 });
    const fromInfo = lintDocument(DatasetDocument.parse(text, 'jsonl'), uri, auto, { hint }).diagnostics;
    assert.deepEqual(fromInfo.map((item) => item.rule), ['mixed-formats', 'mixed-formats', 'mixed-formats', 'mixed-formats']);
    assert.match(fromInfo[0]?.message ?? '', /dataset_info\.json entry has no "formatting", so LLaMA-Factory reads the file as Alpaca.*Add "formatting": "sharegpt"/);
  });

  it('does not turn a ranking record that lacks its rejected answer into a plain conversation', () => {
    const hint = hintFromDatasetInfo(JSON.stringify({ r: { file_name: 'data.jsonl', formatting: 'sharegpt', ranking: true } }), 'data.jsonl');
    assert.ok(hint);
    const text = `${JSON.stringify({ conversations: [{ from: 'human', value: 'Slogan?' }], chosen: { from: 'gpt', value: 'Squeeze the day.' } })}\n`;
    const document = DatasetDocument.parse(text, 'jsonl');
    const { settings } = resolveSettings({ minExamples: 0 });
    const facts = lintDocument(document, uri, settings, { facts: buildFacts(document, uri, settings, { hint }), hint }).facts;
    const titles = codeActions(document, facts, uri, { start: at, end: at }, []).map((action) => action.title);
    assert.deepEqual(titles.filter((title) => title.startsWith('Convert')), []);
  });
});

/** The text after the code action titled `title` (cursor on line `line`), or undefined when it is not offered. */
function afterAction(text: string, title: string, line = 0, hint?: FormatHint): string | undefined {
  const document = DatasetDocument.parse(text, 'jsonl');
  const { settings } = resolveSettings({ minExamples: 0 });
  const facts = lintDocument(document, uri, settings, { facts: buildFacts(document, uri, settings, hint ? { hint } : {}), ...(hint ? { hint } : {}) }).facts;
  const position = { line, character: 1 };
  const action = codeActions(document, facts, uri, { start: position, end: position }, []).find((candidate) => candidate.title === title);
  return action === undefined ? undefined : applyEdits(text, action.edit?.changes?.[uri] ?? []);
}

/** The reasons of the disabled record conversion actions on line `line` (with a client that shows them). */
function refusals(text: string, line = 0): string[] {
  const { document, facts } = parse(text);
  const position = { line, character: 1 };
  return codeActions(document, facts, uri, { start: position, end: position }, [], { showDisabled: true }).flatMap((action) => (action.disabled === undefined || !action.title.startsWith('Cannot convert record') ? [] : [`${action.title}: ${action.disabled.reason}`]));
}

describe('conversions keep every digit of numbers a double cannot hold', () => {
  it('keeps a large integer in tool-call arguments, ShareGPT -> OpenAI chat', () => {
    const line = '{"conversations":[{"from":"human","value":"Where is order 98765432109876543210?"},{"from":"function_call","value":"{\\"name\\": \\"track_order\\", \\"arguments\\": {\\"order_id\\": 98765432109876543210}}"},{"from":"observation","value":"shipped"},{"from":"gpt","value":"It has shipped."}]}';
    assert.equal(afterAction(`${line}\n`, 'Convert record 1 to OpenAI chat'), '{"messages":[{"role":"user","content":"Where is order 98765432109876543210?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"track_order","arguments":"{\\"order_id\\":98765432109876543210}"}}]},{"role":"tool","content":"shipped","tool_call_id":"call_1"},{"role":"assistant","content":"It has shipped."}]}\n');
  });

  it('keeps a large integer in tool-call arguments, OpenAI chat -> ShareGPT', () => {
    const line = '{"messages":[{"role":"user","content":"Where?"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"track_order","arguments":"{\\"order_id\\": 98765432109876543210, \\"weight\\": 0.10000000000000000555}"}}]},{"role":"tool","tool_call_id":"c1","content":"shipped"},{"role":"assistant","content":"Shipped."}]}';
    assert.equal(afterAction(`${line}\n`, 'Convert record 1 to ShareGPT'), '{"conversations":[{"from":"human","value":"Where?"},{"from":"function_call","value":"{\\"name\\":\\"track_order\\",\\"arguments\\":{\\"order_id\\":98765432109876543210,\\"weight\\":0.10000000000000000555}}"},{"from":"observation","value":"shipped"},{"from":"gpt","value":"Shipped."}]}\n');
  });

  it('does not convert tools offered with a number a double cannot hold (the tools list is parsed and written again)', () => {
    const spec = '{"name":"track_order","parameters":{"type":"object","properties":{"order_id":{"type":"integer","maximum":98765432109876543210}}}}';
    const openai = `{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."}],"tools":[{"type":"function","function":${spec}}]}\n`;
    assert.deepEqual(refusals(openai).filter((item) => item.includes('ShareGPT')), ['Cannot convert record 1 to ShareGPT: The record\'s "tools" column holds a number that would lose digits.']);
    const sharegpt = `${JSON.stringify({ conversations: [{ from: 'human', value: 'Hi' }, { from: 'gpt', value: 'Hello.' }], tools: `[${spec}]` })}\n`;
    assert.deepEqual(refusals(sharegpt).filter((item) => item.includes('OpenAI')), ['Cannot convert record 1 to OpenAI chat: The record\'s "tools" column holds a number that would lose digits.']);
  });

  it('copies a column holding a 19-digit integer id as written', () => {
    const line = '{"messages":[{"role":"user","content":"Capital of Peru?"},{"role":"assistant","content":"Lima."}],"id":1234567890123456789,"meta":{"n": 1.5}}';
    assert.equal(afterAction(`${line}\n`, 'Convert record 1 to ShareGPT'), '{"conversations":[{"from":"human","value":"Capital of Peru?"},{"from":"gpt","value":"Lima."}],"id":1234567890123456789,"meta":{"n":1.5}}\n');
  });
});

describe('tool results stay with their calls', () => {
  const outOfOrder = {
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: null, tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ] },
      { role: 'tool', tool_call_id: 'call_2', content: 'Rome 25' },
      { role: 'tool', tool_call_id: 'call_1', content: 'Paris 21' },
      { role: 'assistant', content: 'Paris 21, Rome 25.' },
    ],
    tools: [weatherTool],
  };

  it('joins results written in another order than their calls in call order, so the way back pairs them right', () => {
    const sharegpt = converted(outOfOrder, 'ShareGPT') as { conversations: { from: string; value: string }[] };
    assert.equal(sharegpt.conversations[2]?.value, 'Paris 21\n</tool_response>\n<tool_response>\nRome 25');
    const back = converted(sharegpt, 'OpenAI chat') as { messages: { tool_call_id?: string; content: string }[] };
    assert.deepEqual(back.messages.slice(2, 4), [{ role: 'tool', content: 'Paris 21', tool_call_id: 'call_1' }, { role: 'tool', content: 'Rome 25', tool_call_id: 'call_2' }]);
  });

  it('does not convert results that do not answer the calls one to one', () => {
    const stray = structuredClone(outOfOrder);
    (stray.messages[2] as { tool_call_id: string }).tool_call_id = 'call_9';
    assert.equal(converted(stray, 'ShareGPT'), undefined);
    assert.deepEqual(refusals(`${JSON.stringify(stray)}\n`).filter((item) => item.includes('ShareGPT')), ['Cannot convert record 1 to ShareGPT: The record\'s tool results do not answer its calls one to one by tool_call_id, and ShareGPT pairs them by position.']);
  });

  it('does not convert ShareGPT parallel calls with one observation it cannot split to OpenAI chat', () => {
    const record = { conversations: [
      { from: 'human', value: 'Weather in Paris and Rome?' },
      { from: 'function_call', value: '[{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_weather", "arguments": {"city": "Rome"}}]' },
      { from: 'observation', value: '[{"temp": 21}, {"temp": 25}]' },
      { from: 'gpt', value: 'Paris 21 °C, Rome 25 °C.' },
    ] };
    assert.equal(converted(record, 'OpenAI chat'), undefined);
    assert.deepEqual(refusals(`${JSON.stringify(record)}\n`).filter((item) => item.includes('OpenAI')), ['Cannot convert record 1 to OpenAI chat: 2 parallel tool calls get one result, and OpenAI chat needs one tool message per call.']);
  });
});

describe('conversions refuse what they would change', () => {
  it('does not convert a ShareGPT record with a system column and a system turn (two system prompts)', () => {
    const record = { system: 'You are a pirate.', conversations: [{ from: 'system', value: 'You are a polite butler.' }, { from: 'human', value: 'Greet me.' }, { from: 'gpt', value: 'Good evening, sir.' }] };
    assert.equal(converted(record, 'OpenAI chat'), undefined);
    assert.equal(converted(record, 'Alpaca'), undefined);
    assert.deepEqual(refusals(`${JSON.stringify(record)}\n`), [
      'Cannot convert record 1 to OpenAI chat: The record has more than one system prompt.',
      'Cannot convert record 1 to Alpaca: The record has more than one system prompt.',
    ]);
  });

  it('does not convert to Alpaca a record with a column Alpaca writes (its "input" would be overwritten)', () => {
    const record = { messages: [{ role: 'user', content: 'Capital of Peru?' }, { role: 'assistant', content: 'Lima.' }], input: 'source: geography quiz 3' };
    assert.equal(converted(record, 'Alpaca'), undefined);
    assert.deepEqual(converted({ ...record, input: undefined, output_note: 'x' }, 'Alpaca'), { instruction: 'Capital of Peru?', input: '', output: 'Lima.', output_note: 'x' });
  });

  it('does not convert a file a dataset_info.json entry reads as another format (it would no longer load), only its strays to that format', () => {
    const hint = hintFromDatasetInfo(JSON.stringify({ qa: { file_name: 'data.jsonl', columns: { prompt: 'question', response: 'answer', system: 'sys' } } }), 'data.jsonl');
    assert.ok(hint);
    const text = `${JSON.stringify({ question: 'Capital of Peru?', answer: 'Lima.', sys: 'Be brief.' })}\n${JSON.stringify({ messages: [{ role: 'user', content: 'Capital of Chile?' }, { role: 'assistant', content: 'Santiago.' }] })}\n`;
    assert.equal(afterAction(text, 'Convert record 1 to OpenAI chat', 0, hint), undefined);
    assert.equal(afterAction(text, 'Convert record 1 to ShareGPT', 0, hint), undefined);
    assert.equal(afterAction(text, 'Convert the whole file to OpenAI chat (1 record)', 0, hint), undefined);
    assert.equal(afterAction(text, 'Convert record 2 to Alpaca', 1, hint), `${JSON.stringify({ question: 'Capital of Peru?', answer: 'Lima.', sys: 'Be brief.' })}\n${JSON.stringify({ question: 'Capital of Chile?', input: '', answer: 'Santiago.' })}\n`);
  });
});

describe('conversion actions say what they do and what they cannot', () => {
  const chat = (question: string, answer: string) => ({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] });
  const toolCall = { messages: [{ role: 'user', content: 'Weather in Oslo?' }, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Oslo"}' } }] }, { role: 'tool', tool_call_id: 'call_1', content: '3 C' }, { role: 'assistant', content: 'It is 3 C.' }], tools: [weatherTool] };

  it('offers the file\'s own format for the records in other formats, as the mixed-formats warnings ask', () => {
    const text = `${[chat('Capital of Peru?', 'Lima.'), { conversations: [{ from: 'human', value: 'Capital of Chile?' }, { from: 'gpt', value: 'Santiago.' }] }, chat('Capital of Uruguay?', 'Montevideo.'), { instruction: 'Capital of Bolivia?', input: '', output: 'Sucre.' }, chat('Capital of Ecuador?', 'Quito.')].map((record) => JSON.stringify(record)).join('\n')}\n`;
    const after = afterAction(text, 'Convert the whole file to OpenAI chat (the other 2 records)');
    assert.equal(after, `${[chat('Capital of Peru?', 'Lima.'), chat('Capital of Chile?', 'Santiago.'), chat('Capital of Uruguay?', 'Montevideo.'), chat('Capital of Bolivia?', 'Sucre.'), chat('Capital of Ecuador?', 'Quito.')].map((record) => JSON.stringify(record)).join('\n')}\n`);
  });

  it('sends a conversion it cannot do as a disabled action with the reason, only to a client that shows them', () => {
    const text = `${JSON.stringify(chat('Capital of Peru?', 'Lima.'))}\n${JSON.stringify(toolCall)}\n`;
    assert.deepEqual(refusals(text, 1), ['Cannot convert record 2 to Alpaca: Alpaca cannot hold tool calls or their results.']);
    // A whole file where no record converts says so too.
    const alone = parse(`${JSON.stringify(toolCall)}\n`);
    const wholeFile = codeActions(alone.document, alone.facts, uri, { start: at, end: at }, [], { showDisabled: true, resolveEdits: true }).filter((action) => action.kind === 'refactor.rewrite.convertFile');
    assert.deepEqual(wholeFile, [
      { title: 'Convert the whole file to ShareGPT (1 record)', kind: 'refactor.rewrite.convertFile', data: { uri, convertFile: 'sharegpt' } },
      { title: 'Cannot convert the whole file to Alpaca', kind: 'refactor.rewrite.convertFile', disabled: { reason: 'Alpaca cannot hold tool calls or their results.' } },
    ]);
    const { document, facts } = parse(text);
    const position = { line: 1, character: 1 };
    assert.deepEqual(codeActions(document, facts, uri, { start: position, end: position }, []).filter((action) => action.disabled !== undefined), []);
  });

  it('says in a whole-file title how many records stay, and why', () => {
    const text = `${[toolCall, chat('Capital of Peru?', 'Lima.'), toolCall, chat('Capital of Chile?', 'Santiago.'), toolCall].map((record) => JSON.stringify(record)).join('\n')}\n`;
    const { document, facts } = parse(text);
    const titles = codeActions(document, facts, uri, { start: at, end: at }, [], { resolveEdits: true }).filter((action) => action.kind === 'refactor.rewrite.convertFile').map((action) => action.title);
    assert.deepEqual(titles, ['Convert the whole file to ShareGPT (5 records)', 'Convert the whole file to Alpaca (2 of 5 records; 3 stay: Alpaca cannot hold tool calls or their results)']);
  });

  it('keeps the BOM of a JSONL file when record 1 or the whole file is converted', () => {
    const text = `\ufeff${JSON.stringify(chat('Capital of Peru?', 'Lima.'))}\n`;
    const expected = `\ufeff${JSON.stringify({ instruction: 'Capital of Peru?', input: '', output: 'Lima.' })}\n`;
    assert.equal(afterAction(text, 'Convert record 1 to Alpaca'), expected);
    assert.equal(afterAction(text, 'Convert the whole file to Alpaca (1 record)'), expected);
  });
});
