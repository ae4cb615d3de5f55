import { lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'different answers', text: lines({ prompt: 'Q?', chosen: 'Good answer.', rejected: 'Bad answer.' }) },
    { name: 'same prompt turn, different answers (implicit prompt)', text: lines({ chosen: [{ role: 'user', content: 'Q?' }, { role: 'assistant', content: 'Yes.' }], rejected: [{ role: 'user', content: 'Q?' }, { role: 'assistant', content: 'No.' }] }) },
    { name: 'not a preference record', text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'a' }] }) },
  ],
  invalid: [
    { name: 'TRL strings', text: lines('{"prompt": "Q?", "chosen": "Same.", "rejected": "Same. "}'), problems: [{ line: 0, text: '"Same. "', message: /identical to the chosen/ }] },
    { name: 'OpenAI DPO shape', text: lines('{"input": {"messages": [{"role": "user", "content": "Q"}]}, "preferred_output": [{"role": "assistant", "content": "A"}], "non_preferred_output": [{"role": "assistant", "content": "A"}]}'), problems: [{ line: 0, text: '"A"', nth: 1 }] },
    { name: 'LLaMA-Factory ShareGPT ranking', text: lines('{"conversations": [{"from": "human", "value": "Q"}], "chosen": {"from": "gpt", "value": "A"}, "rejected": {"from": "gpt", "value": "A"}}'), problems: [{ line: 0, text: '"A"', nth: 1 }] },
  ],
};
