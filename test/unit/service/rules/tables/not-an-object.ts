import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'objects', text: lines(chat('a', 'b'), { text: 'x' }) }],
  invalid: [
    { name: 'a null record', text: lines('null'), problems: [{ line: 0, text: 'null', message: /but this is null\./ }] },
    { name: 'an array record', text: lines(chat('a', 'b'), '["user", "hi"]'), problems: [{ line: 1, text: '["user", "hi"]', message: /an array/ }] },
    { name: 'a JSON array of records on one line of a JSON Lines file', text: lines(chat('a', 'b'), `[${chat('Capital of Chile?', 'Santiago.')}, ${chat('Capital of Kenya?', 'Nairobi.')}]`), problems: [{ line: 1, column: 0, endLine: 1, endColumn: 1, message: /This line holds a JSON array of 2 records, but JSON Lines needs each record on its own line.*The quick fix puts each record on its own line/ }] },
    { name: 'an array of objects that are no records is only an array', text: lines(chat('a', 'b'), '[{"x": 1}, {"y": 2}]'), problems: [{ line: 1, text: '[{"x": 1}, {"y": 2}]', message: /but this is an array\./ }] },
    { name: 'an array of records inside a JSON array file is only an array (there are no lines to split it onto)', kind: 'json', text: '[\n  {"text": "a"},\n  [{"text": "b"}, {"text": "c"}]\n]', problems: [{ line: 2, text: '[{"text": "b"}, {"text": "c"}]', message: /but this is an array\./ }] },
    { name: 'a string record in a JSON array', kind: 'json', text: '[\n  {"text": "a"},\n  "just text"\n]', problems: [{ line: 2, text: '"just text"', message: /a string/ }] },
  ],
};
