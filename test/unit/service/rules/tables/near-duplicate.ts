import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'different instructions', text: lines(chat('Write a poem about the sea and its waves', 'a'), chat('Explain how a compiler parses source code', 'b')) },
    { name: 'short prompts are ignored', text: lines(chat('Hi there', 'a'), chat('Hi there!', 'b')) },
  ],
  invalid: [
    { name: 'one word changed', text: lines(chat('Write a short poem about the sea and its waves', 'a'), chat('Write a short poem about the ocean and its waves', 'b')), problems: [{ line: 1, text: '"Write a short poem about the ocean and its waves"', message: /nearly repeats record 1 \(line 1; ROUGE-L 0\.90/ }] },
  ],
};
