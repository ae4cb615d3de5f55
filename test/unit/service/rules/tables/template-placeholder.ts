import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'plain text', text: lines(chat('Write a greeting', 'Hello, Ann!')) },
    { name: 'a code block with single braces and a markdown link', text: lines(chat('Show a dict', 'Use {"a": 1} and see [the docs](https://x.org).')) },
  ],
  invalid: [
    { name: 'moustache placeholder', text: lines(chat('Write to {{customer_name}}', 'Dear friend')), problems: [{ line: 0, text: '{{customer_name}}', message: /Unfilled placeholder/ }] },
    { name: 'insert placeholder in the answer', text: lines(chat('Write a letter', 'Best regards, [Your Name]')), problems: [{ line: 0, text: '[Your Name]' }] },
    { name: 'placeholder after escapes', text: lines(chat('a', 'Line\\n\\"quoted\\" [INSERT DATE]')), problems: [{ line: 0, text: '[INSERT DATE]' }] },
  ],
};
