import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'short', text: lines(chat('a', 'b')) },
    { name: 'a short preference pair', settings: { maxTokens: 20 }, text: lines({ prompt: 'a', chosen: 'b', rejected: 'c' }) },
    // TRL's implicit prompt: each side is a whole conversation, its prompt counted once.
    { name: 'an implicit-prompt pair whose sides both fit', settings: { maxTokens: 30 }, text: lines({ chosen: [{ role: 'user', content: 'x'.repeat(40) }, { role: 'assistant', content: 'ok' }], rejected: [{ role: 'user', content: 'x'.repeat(40) }, { role: 'assistant', content: 'no' }] }) },
    { name: 'exactly as many turns as are checked, under the token limit', settings: { maxTokens: 0 }, text: lines({ messages: Array.from({ length: 10_000 }, (_, index) => (index % 2 === 0 ? { role: 'user', content: 'a' } : { role: 'assistant', content: 'b' })) }) },
  ],
  invalid: [
    // A generated record of tens of thousands of turns: only the first 10,000 of a list are read (memory stays bounded), and the record is named too long by its turn count.
    { name: 'more turns than are checked', settings: { maxTokens: 0 }, text: lines({ messages: Array.from({ length: 25_001 }, (_, index) => (index % 2 === 0 ? { role: 'user', content: 'a' } : { role: 'assistant', content: 'b' })) }, { conversations: Array.from({ length: 10_002 }, (_, index) => ({ from: index % 2 === 0 ? 'human' : 'gpt', value: 'x' })) }), problems: [{ line: 0, text: '"messages"', message: /has 25,001 turns: .*Only the first 10,000 turns of each list are checked\. Split it/ }, { line: 1, text: '"conversations"', message: /has 10,002 turns/ }] },
    // Each side is shortened on its own: both are said, with their own lengths.
    {
      name: 'both answers of a pair over maxTokens',
      settings: { maxTokens: 20 },
      text: lines({ prompt: 'a', chosen: 'word '.repeat(30).trim(), rejected: 'word '.repeat(45).trim() }),
      problems: [
        { line: 0, text: '"chosen"', message: /^This example is about \d+ tokens/ },
        { line: 0, text: '"rejected"', message: /^With its rejected answer this example is about \d+ tokens/ },
      ],
    },
    // DPO truncates prompt + rejected to the same max_length as prompt + chosen.
    { name: 'a rejected answer over maxTokens', settings: { maxTokens: 20 }, text: lines({ prompt: 'a', chosen: 'b', rejected: 'word '.repeat(40).trim() }), problems: [{ line: 0, text: '"rejected"', message: /^With its rejected answer this example is about \d+ tokens \(estimate: about 4 characters per token; for exact counts name a model: the tunesmith\.model setting, \"model\" in tunesmith\.json, or --model\), over maxTokens = 20 \(tunesmith\.maxTokens, tunesmith\.json or --max-tokens\): the rejected answer will be truncated/ }] },
    // At the field to shorten: the long answer, not the record's first key.
    { name: 'an Alpaca record whose output is over maxTokens', settings: { maxTokens: 20 }, text: lines({ instruction: 'Describe the sea.', output: 'word '.repeat(40).trim() }), problems: [{ line: 0, text: '"output"', message: /^This example is about \d+ tokens/ }] },
    { name: 'over maxTokens (estimate)', settings: { maxTokens: 20 }, text: lines(chat('a', 'word '.repeat(40).trim())), problems: [{ line: 0, text: '"messages"', message: /^This example is about \d+ tokens \(estimate: about 4 characters per token; for exact counts name a model: the tunesmith\.model setting, \"model\" in tunesmith\.json, or --model\), over maxTokens = 20 \(tunesmith\.maxTokens, tunesmith\.json or --max-tokens\): it will be truncated or dropped in training\. Shorten it or raise the limit\.$/ }] },
  ],
};
