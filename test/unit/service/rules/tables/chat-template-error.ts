import { chat, lines, type RuleTable } from '../table';

// google/gemma-2's template (its system-role check and its alternation check, as published).
const gemma =
  "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}" +
  "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}" +
  "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";
const withSystem = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }, { role: 'assistant', content: 'Paris.' }] };

export const table: RuleTable = {
  valid: [
    { name: 'the template renders the example', chatTemplate: gemma, text: lines(chat('Capital of France?', 'Paris.')) },
    { name: 'without a model nothing is rendered', text: lines(withSystem) },
    { name: 'plain text is not templated', chatTemplate: gemma, text: lines({ text: 'Question: two plus two? Answer: four.' }) },
  ],
  invalid: [
    { name: "a system message Gemma's template refuses", chatTemplate: gemma, text: lines(chat('Hi', 'Hello'), withSystem), problems: [{ line: 1, text: '"system"', message: /fails on this example: "System role not supported"/ }] },
    {
      name: 'two user turns in a row',
      chatTemplate: gemma,
      text: lines({ messages: [{ role: 'user', content: 'Hi' }, { role: 'user', content: 'Anyone?' }, { role: 'assistant', content: 'Hello' }] }),
      problems: [{ line: 0, text: '"messages"', message: /roles must alternate/ }],
    },
  ],
};
