import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'text', text: lines(chat('a', 'b')) }],
  invalid: [{ name: 'binary content', text: 'PK\u0003\u0004\u0000\u0000binary', problems: [{ line: 0, column: 0, endColumn: 0, message: /looks binary/ }] }],
};
