import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'a single file never leaks (copies inside it are duplicate-record)', text: lines(chat('a', 'b'), chat('a', 'b')) },
    { name: 'different examples in train and eval', text: lines(chat('a', 'b')), otherFiles: { 'eval.jsonl': lines(chat('c', 'd')) } },
  ],
  invalid: [
    {
      name: 'an eval example also in train, written in another format',
      text: lines(chat('x', 'y'), chat('What is 2+2?', '4')),
      otherFiles: { 'eval.json': JSON.stringify([{ text: 'unrelated' }, { instruction: 'What is 2+2?', input: '', output: '4' }], null, 2) },
      problems: [{ line: 1, text: chat('What is 2+2?', '4'), message: /same example is in eval\.json \(line 5\)/ }],
    },
  ],
};
