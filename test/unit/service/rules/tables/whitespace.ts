import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'trimmed answer', text: lines(chat('  spaces in a prompt are fine ', 'Trimmed.')) },
    { name: 'spaces between content parts are inside the response', text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'text', text: 'It is ' }, { type: 'text', text: ' sunny.' }] }] }) },
  ],
  invalid: [
    { name: 'trailing newline in the answer', text: lines(chat('a', 'Answer.\n')), problems: [{ line: 0, text: '\\n', message: /Trailing whitespace/ }] },
    { name: 'leading spaces in the answer', text: lines(chat('a', '  Answer.')), problems: [{ line: 0, text: '  ', message: /Leading whitespace/ }] },
    { name: 'trailing space at the end of the last content part', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": [{"type": "text", "text": "It is "}, {"type": "text", "text": "sunny. "}]}]}'), problems: [{ line: 0, text: ' ', nth: 17, message: /Trailing whitespace/ }] },
    { name: 'alpaca output', text: lines({ instruction: 'a', output: 'b ' }), problems: [{ line: 0, text: ' ' }] },
  ],
};
