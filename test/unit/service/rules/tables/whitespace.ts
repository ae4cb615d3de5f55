import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'trimmed answer', text: lines(chat('  spaces in a prompt are fine ', 'Trimmed.')) }],
  invalid: [
    { name: 'trailing newline in the answer', text: lines(chat('a', 'Answer.\n')), problems: [{ line: 0, text: '\\n', message: /Trailing whitespace/ }] },
    { name: 'leading spaces in the answer', text: lines(chat('a', '  Answer.')), problems: [{ line: 0, text: '  ', message: /Leading whitespace/ }] },
    { name: 'alpaca output', text: lines({ instruction: 'a', output: 'b ' }), problems: [{ line: 0, text: ' ' }] },
  ],
};
