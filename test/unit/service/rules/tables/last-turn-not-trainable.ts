import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'ends with an answer', text: lines(chat('a', 'b')) }, { name: 'alpaca', text: lines({ instruction: 'a', output: 'b' }) }, { name: 'a TRL prompt-only record ends on the prompt by design', text: lines({ prompt: [{ role: 'user', content: 'Write a haiku about rain.' }] }) }, { name: 'a ShareGPT conversation ending on a human turn is role-order\'s error (LLaMA-Factory skips it)', text: lines({ conversations: [{ from: 'human', value: 'Hi.' }, { from: 'gpt', value: 'Hello.' }, { from: 'human', value: 'Bye.' }] }) }],
  invalid: [
    { name: 'a final answer masked by Axolotl\'s "train": false', text: lines({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!', train: true }, { role: 'user', content: 'Bye' }, { role: 'assistant', content: 'Bye!', train: false }] }), problems: [{ line: 0, text: 'false', message: /is marked "train": false.*Set "train" to true/ }] },
    { name: 'a final answer masked by Axolotl\'s "train": false', text: lines({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!', train: true }, { role: 'user', content: 'Bye' }, { role: 'assistant', content: 'Bye!', train: false }] }), problems: [{ line: 0, text: 'false', message: /is marked "train": false.*Set "train" to true/ }] },
    { name: 'ends with a user turn', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]}'), problems: [{ line: 0, text: '"user"', nth: 1, message: /turn 3 \(user\)/ }] },
    { name: 'last answer has weight 0', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0}]}'), problems: [{ line: 0, text: '0', message: /weight 0.*no other answer is trained either, so the example teaches nothing\. Set its weight to 1/ }] },
    { name: 'last answer has weight 0 after a trained one', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "d", "weight": 0}]}'), problems: [{ line: 0, text: '0', message: /weight 0: it is not trained, so the example ends on an answer the model does not learn/ }] },
  ],
};
