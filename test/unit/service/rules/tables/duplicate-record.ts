import { chat, lines, type RuleTable } from '../table';

const record = chat('What is 2+2?', '4');
export const table: RuleTable = {
  valid: [
    { name: 'distinct records', text: lines(chat('a', 'b'), chat('a', 'c')) },
    { name: 'the same conversation with other tool specs', text: lines('{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "tools": "[{\\"name\\": \\"f\\", \\"description\\": \\"Find\\"}]"}', '{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "tools": "[{\\"name\\": \\"f\\", \\"description\\": \\"Find things\\"}]"}') },
  ],
  invalid: [
    { name: 'same record twice', text: lines(record, chat('x', 'y'), record), problems: [{ line: 2, text: record, message: /Duplicate of record 1 \(line 1\)/ }] },
    { name: 'same conversation in different formats and spacing', text: lines('{"instruction": "Hi", "output": "Hello"}', '{"instruction":"Hi","input":"","output":"Hello"}'), problems: [{ line: 1, text: '{"instruction":"Hi","input":"","output":"Hello"}' }] },
  ],
};
