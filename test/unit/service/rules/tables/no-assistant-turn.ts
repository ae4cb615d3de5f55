import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'with an answer', text: lines(chat('a', 'b')) }, { name: 'plain text', text: lines({ text: 'abc' }) }],
  invalid: [
    { name: 'only user and system', text: lines('{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "a"}]}'), problems: [{ line: 0, text: '"messages"', message: /No assistant turn/ }] },
    { name: 'an empty message list', text: lines('{"messages": []}'), problems: [{ line: 0, text: '[]', message: /The conversation is empty/ }] },
    { name: 'an empty sharegpt conversation', text: lines('{"conversations": []}'), problems: [{ line: 0, text: '[]', message: /"conversations" has no messages/ }] },
    { name: 'sharegpt without gpt', text: lines('{"conversations": [{"from": "human", "value": "a"}]}'), problems: [{ line: 0, text: '"conversations"' }] },
  ],
};
