import { lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'different answers', text: lines({ prompt: 'Q?', chosen: 'Good answer.', rejected: 'Bad answer.' }) },
    { name: 'same prompt turn, different answers (implicit prompt)', text: lines({ chosen: [{ role: 'user', content: 'Q?' }, { role: 'assistant', content: 'Yes.' }], rejected: [{ role: 'user', content: 'Q?' }, { role: 'assistant', content: 'No.' }] }) },
    { name: 'not a preference record', text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'a' }] }) },
    { name: 'an implicit-prompt conversational pair that shares its prompt (TRL dataset_formats.md)', text: lines({ chosen: [{ role: 'user', content: 'What color is the sky?' }, { role: 'assistant', content: 'It is blue.' }], rejected: [{ role: 'user', content: 'What color is the sky?' }, { role: 'assistant', content: 'It is green.' }] }) },
  ],
  invalid: [
    { name: 'identical conversational answers beside an instruction column (distilabel-capybara-dpo)', text: lines({ instruction: 'Name a prime.', chosen: [{ role: 'user', content: 'Name a prime.' }, { role: 'assistant', content: '7' }], rejected: [{ role: 'user', content: 'Name a prime.' }, { role: 'assistant', content: '7' }] }), problems: [{ line: 0, text: '"7"', nth: 1, message: /identical to the chosen one/ }] },
    { name: 'identical Axolotl chatml.argilla responses', text: lines({ instruction: 'Name a prime.', chosen_response: '7', rejected_response: '7' }), problems: [{ line: 0, text: '"7"', nth: 1, message: /identical to the chosen one/ }] },
    { name: 'a string prompt beside answers that ask different questions (TRL takes the prompt from the answers)', text: lines({ prompt: 'Sky colour?', chosen: [{ role: 'user', content: 'Sky colour?' }, { role: 'assistant', content: 'Blue.' }], rejected: [{ role: 'user', content: 'Grass colour?' }, { role: 'assistant', content: 'Green.' }] }), problems: [{ line: 0, text: '{"role":"user","content":"Grass colour?"}', message: /empty prompt/ }] },
    // TRL data_utils.extract_prompt: the prompt is the messages both sides start with.
    { name: 'an implicit-prompt pair whose sides ask different questions (TRL extracts an empty prompt)', text: lines({ chosen: [{ role: 'user', content: 'Sky colour?' }, { role: 'assistant', content: 'Blue.' }], rejected: [{ role: 'user', content: 'Grass colour?' }, { role: 'assistant', content: 'Green.' }] }), problems: [{ line: 0, text: '{"role":"user","content":"Grass colour?"}', message: /part at their first message, so TRL extracts an empty prompt/ }] },
    { name: 'an implicit-prompt pair that parts at a later user message', text: lines({ chosen: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Sky colour?' }, { role: 'assistant', content: 'Blue.' }], rejected: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Grass colour?' }, { role: 'assistant', content: 'Green.' }] }), problems: [{ line: 0, text: '{"role":"user","content":"Grass colour?"}', message: /at message 3, a user message/ }] },
    { name: 'TRL strings', text: lines('{"prompt": "Q?", "chosen": "Same.", "rejected": "Same. "}'), problems: [{ line: 0, text: '"Same. "', message: /identical to the chosen/ }] },
    { name: 'OpenAI DPO shape', text: lines('{"input": {"messages": [{"role": "user", "content": "Q"}]}, "preferred_output": [{"role": "assistant", "content": "A"}], "non_preferred_output": [{"role": "assistant", "content": "A"}]}'), problems: [{ line: 0, text: '"A"', nth: 1 }] },
    { name: 'LLaMA-Factory ShareGPT ranking', text: lines('{"conversations": [{"from": "human", "value": "Q"}], "chosen": {"from": "gpt", "value": "A"}, "rejected": {"from": "gpt", "value": "A"}}'), problems: [{ line: 0, text: '"A"', nth: 1 }] },
  ],
};
