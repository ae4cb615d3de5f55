import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'system, user, assistant', text: lines({ messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }) },
    { name: 'tool round trip', text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', tool_calls: [{ id: '1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: '1', content: 'r' }, { role: 'assistant', content: 'b' }] }) },
    { name: 'sharegpt with function call and observation', text: lines({ conversations: [{ from: 'human', value: 'a' }, { from: 'function_call', value: '{"name": "f", "arguments": {}}' }, { from: 'observation', value: 'r' }, { from: 'gpt', value: 'b' }] }) },
    { name: 'two turns', text: lines(chat('a', 'b')) },
    { name: 'messages with chosen and rejected message objects (Axolotl chat_template.default)', text: lines({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Name a prime.' }], chosen: { role: 'assistant', content: '7' }, rejected: { role: 'assistant', content: '8' } }) },
  ],
  invalid: [
    { name: 'a rejected message object that is not an assistant message (Axolotl chat_template.default)', text: lines({ messages: [{ role: 'user', content: 'Name a prime.' }], chosen: { role: 'assistant', content: '7' }, rejected: { role: 'user', content: '8' } }), problems: [{ line: 0, text: '"user"', nth: 1, message: /"rejected" must be an assistant message/ }] },
    // torchtune validate_messages: "Messages must be at least length 2" / "Assistant message before expected user message".
    { name: 'a chat with only an assistant message', text: lines({ messages: [{ role: 'assistant', content: 'Hello there.' }] }), problems: [{ line: 0, text: '"assistant"', message: /no user message/ }] },
    { name: 'a LLaMA-Factory ranking pair whose rejected answer is a human turn', text: lines('{"conversations": [{"from": "human", "value": "Slogan?"}], "chosen": {"from": "gpt", "value": "Nice."}, "rejected": {"from": "human", "value": "Bad."}}'), problems: [{ line: 0, text: '"human"', nth: 1, message: /The rejected answer must be "gpt" or "function_call", not "human"/ }] },
    { name: 'an OpenAI DPO output with two messages', text: lines('{"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": [{"role": "assistant", "content": "Hello!"}], "non_preferred_output": [{"role": "assistant", "content": "Hm."}, {"role": "assistant", "content": "Go away."}]}'), problems: [{ line: 0, text: '"assistant"', nth: 2, message: /"non_preferred_output" holds 2 messages.*exactly one assistant message/ }] },
    { name: 'system not first', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"system"', message: /only be the first/ }] },
    { name: 'two user turns in a row', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "a2"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"user"', nth: 1, message: /Two user messages/ }] },
    { name: 'an assistant greeting before the first user message', text: lines('{"messages": [{"role": "assistant", "content": "Hi! How can I help?"}, {"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"assistant"', message: /starts with an assistant message/ }] },
    { name: 'tool result without a call', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "tool", "tool_call_id": "x", "content": "r"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"tool"', message: /must follow an assistant message that calls/ }] },
    { name: 'sharegpt observation after a plain answer', text: lines('{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}, {"from": "observation", "value": "r"}, {"from": "gpt", "value": "c"}]}'), problems: [{ line: 0, text: '"observation"', message: /must follow a "function_call" turn that makes the call; not "gpt"/ }] },
    { name: 'sharegpt conversation that starts with an observation', text: lines('{"conversations": [{"from": "observation", "value": "r"}, {"from": "gpt", "value": "b"}]}'), problems: [{ line: 0, text: '"observation"', message: /cannot start with one/ }] },
    { name: 'sharegpt gpt at an odd position', text: lines('{"conversations": [{"from": "gpt", "value": "b"}, {"from": "human", "value": "a"}, {"from": "gpt", "value": "c"}]}'), problems: [{ line: 0, text: '"gpt"', message: /Turn 1 of the conversation must be "human" or "observation"/ }] },
  ],
};
