import { chat, lines, type RuleTable } from '../table';

const record = chat('What is 2+2?', '4');
export const table: RuleTable = {
  valid: [{ name: 'distinct records', text: lines(chat('a', 'b'), chat('a', 'c')) }],
  invalid: [
    { name: 'same record twice', text: lines(record, chat('x', 'y'), record), problems: [{ line: 2, text: record, message: /Duplicate of record 1 \(line 1\)/ }] },
    { name: 'same conversation in different formats and spacing', text: lines('{"instruction": "Hi", "output": "Hello"}', '{"instruction":"Hi","input":"","output":"Hello"}'), problems: [{ line: 1, text: '{"instruction":"Hi","input":"","output":"Hello"}' }] },
  ],
};
