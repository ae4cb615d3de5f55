import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'objects', text: lines(chat('a', 'b'), { text: 'x' }) }],
  invalid: [
    { name: 'a null record', text: lines('null'), problems: [{ line: 0, text: 'null', message: /but this is null\./ }] },
    { name: 'an array record', text: lines(chat('a', 'b'), '["user", "hi"]'), problems: [{ line: 1, text: '["user", "hi"]', message: /an array/ }] },
    { name: 'a string record in a JSON array', kind: 'json', text: '[\n  {"text": "a"},\n  "just text"\n]', problems: [{ line: 2, text: '"just text"', message: /a string/ }] },
  ],
};
