import { chat, filler, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'ten examples', settings: { minExamples: 10 }, text: lines(...filler(10)) }, { name: 'empty file', settings: { minExamples: 10 }, text: '' }],
  invalid: [{ name: 'three examples', settings: { minExamples: 10 }, text: lines(chat('a', 'b'), chat('c', 'd'), chat('e', 'f')), problems: [{ line: 0, column: 0, endColumn: 0, message: /Only 3 examples/ }] }],
};
