import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'ends with an answer', text: lines(chat('a', 'b')) }, { name: 'alpaca', text: lines({ instruction: 'a', output: 'b' }) }],
  invalid: [
    { name: 'ends with a user turn', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]}'), problems: [{ line: 0, text: '"user"', nth: 1, message: /turn 3 \(user\)/ }] },
    { name: 'last answer has weight 0', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0}]}'), problems: [{ line: 0, text: '"assistant"', message: /weight 0/ }] },
  ],
};
