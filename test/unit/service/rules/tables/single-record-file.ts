import { chat, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'an array of one record', kind: 'json', text: `[${chat('a', 'b')}]\n` },
    { name: 'package.json', kind: 'json', text: JSON.stringify({ name: 'x', version: '1.0.0', scripts: { build: 'tsc' } }, null, 2) },
    { name: 'an object that is no record (a message alone)', kind: 'json', text: JSON.stringify({ role: 'user', content: 'hi' }, null, 2) },
    { name: 'records under one key', kind: 'json', text: JSON.stringify({ data: [{ instruction: 'a', output: 'b' }] }, null, 2) },
    { name: 'one record in JSON Lines', text: `${chat('a', 'b')}\n` },
    { name: 'one record on one line of a .json file (JSON Lines, which loaders read)', kind: 'json', text: `${chat('a', 'b')}\n` },
  ],
  invalid: [
    {
      name: 'one OpenAI chat record, pretty-printed',
      kind: 'json',
      text: JSON.stringify(JSON.parse(chat('a', 'b')), null, 2),
      problems: [{ line: 0, column: 0, endLine: 0, endColumn: 1, message: /This file holds one record, not an array of records.*Wrap the record in \[ and \]/ }],
    },
    {
      name: 'one Alpaca record, pretty-printed after a blank line',
      kind: 'json',
      text: `\n${JSON.stringify({ instruction: 'Name a colour.', input: '', output: 'Blue.' }, null, 2)}\n`,
      problems: [{ line: 1, column: 0, endLine: 1, endColumn: 1 }],
    },
  ],
};
