import { lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // Axolotl's docs write its chat_template data so: from/value turns with OpenAI role names and per-message train flags.
    { name: "Axolotl's fine-grained training example: from/value turns named user/assistant/system with train flags and spans", text: lines({ conversations: [{ from: 'system', value: 'You are an AI assistant.', train: false }, { from: 'human', value: 'Hello', train: false }, { from: 'assistant', value: 'Hello', train: true }, { from: 'human', value: 'How are you?' }, { from: 'assistant', value: "I'm well, thanks!", train_detail: [{ begin_offset: 0, end_offset: 8, train: true }] }] }) },
    { name: 'openai roles', text: lines({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }) },
    { name: 'sharegpt roles', text: lines({ conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }] }) },
  ],
  invalid: [
    { name: 'a misspelt ShareGPT tag in from/value turns under "messages"', text: lines({ messages: [{ from: 'human', value: 'Capital of Peru?' }, { from: 'gtp', value: 'Lima.' }] }), problems: [{ line: 0, text: '"gtp"', message: /did you mean "gpt"\?/ }] },
    { name: 'a misspelt role in role/content turns under "conversations" is suggested from OpenAI roles', text: lines({ conversations: [{ role: 'user', content: 'Capital of Peru?' }, { role: 'assitant', content: 'Lima.' }] }), problems: [{ line: 0, text: '"assitant"', message: /did you mean "assistant"\?/ }] },
    // Axolotl conversation.qmd writes "from": "assistant" (its chat_template maps it); LLaMA-Factory's converter skips it, torchtune's ShareGPTToMessages raises.
    { name: 'an OpenAI role name in a ShareGPT turn says which trainers take it', text: lines({ conversations: [{ from: 'human', value: 'Hello' }, { from: 'assistant', value: 'Hi there!' }] }), problems: [{ line: 0, text: '"assistant"', message: /OpenAI role name.*LLaMA-Factory skips.*Use "gpt"/ }] },
    { name: 'a role named like an Object.prototype member', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "constructor", "content": "b"}]}'), problems: [{ line: 0, text: '"constructor"', message: /Unknown role "constructor"/ }] },
    {
      name: 'a misspelt OpenAI role name in ShareGPT: the ShareGPT tag it means',
      text: lines('{"conversations": [{"from": "humna", "value": "a"}, {"from": "assistnat", "value": "b"}]}', '{"conversations": [{"from": "human", "value": "a"}, {"from": "bto", "value": "b"}]}'),
      problems: [{ line: 0, text: '"humna"', message: /did you mean "human"/ }, { line: 0, text: '"assistnat"', message: /did you mean "gpt"/ }, { line: 1, text: '"bto"', message: /did you mean "gpt"/ }],
    },
    { name: 'transposed letters', text: lines('{"conversations": [{"from": "human", "value": "a"}, {"from": "gtp", "value": "b"}]}'), problems: [{ line: 0, text: '"gtp"', message: /did you mean "gpt"/ }] },
    { name: 'misspelt role', text: lines('{"messages": [{"role": "usr", "content": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"usr"', message: /did you mean "user"/ }] },
    { name: 'sharegpt role in an openai record', text: lines('{"messages": [{"role": "human", "content": "a"}, {"role": "gpt", "content": "b"}]}'), problems: [{ line: 0, text: '"human"', message: /did you mean "user"/ }, { line: 0, text: '"gpt"', message: /did you mean "assistant"/ }] },
    { name: 'openai role in a sharegpt record', text: lines('{"conversations": [{"from": "user", "value": "a"}, {"from": "gpt", "value": "b"}]}'), problems: [{ line: 0, text: '"user"', message: /Use "human"/ }] },
    { name: 'unknown role without suggestion', text: lines('{"messages": [{"role": "narrator", "content": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"narrator"', message: /roles here are/ }] },
  ],
};
