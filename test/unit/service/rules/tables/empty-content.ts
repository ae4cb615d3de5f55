import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'non-empty turns', text: lines(chat('a', 'b')) },
    { name: 'alpaca with empty input', text: lines({ instruction: 'a', input: '', output: 'b' }) },
  ],
  invalid: [
    { name: 'empty assistant answer', text: lines(chat('a', '')), problems: [{ line: 0, text: '""', message: /turn 2 \(assistant\) is empty/ }] },
    { name: 'whitespace-only user turn', text: lines('{"conversations": [{"from": "human", "value": "  \\n "}, {"from": "gpt", "value": "b"}]}'), problems: [{ line: 0, text: '"  \\n "', message: /only whitespace/ }] },
    { name: 'empty alpaca output', text: lines('{"instruction": "a", "input": "", "output": ""}'), problems: [{ line: 0, text: '""', nth: 1 }] },
  ],
};
