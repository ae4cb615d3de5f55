import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'short', text: lines(chat('a', 'b')) }],
  invalid: [
    { name: 'over maxTokens (estimate)', settings: { maxTokens: 20 }, text: lines(chat('a', 'word '.repeat(40).trim())), problems: [{ line: 0, text: '"messages"', message: /about \d+ tokens \(estimate.*maxTokens = 20/ }] },
  ],
};
