import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'content as a list of parts', text: lines({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }, { role: 'assistant', content: 'Hello' }] }) },
    { name: 'strings', text: lines(chat('a', 'b')) },
  ],
  invalid: [
    { name: 'content as a number', text: lines('{"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '42', message: /"content" must be a string or a list, not a number/ }] },
    { name: 'messages as an object', text: lines('{"messages": {"role": "user"}}'), problems: [{ line: 0, text: '{"role": "user"}', message: /must be a list/ }] },
    { name: 'a message that is a string', text: lines('{"messages": ["hello", {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"hello"', message: /Each message must be an object/ }] },
    { name: 'alpaca output null', text: lines('{"instruction": "a", "output": null}'), problems: [{ line: 0, text: 'null', message: /not null/ }] },
  ],
};
