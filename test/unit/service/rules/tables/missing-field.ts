import { lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'assistant tool call without content', text: lines({ messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'sunny' }, { role: 'assistant', content: 'Sunny.' }] }) },
    { name: 'alpaca without input', text: lines({ instruction: 'a', output: 'b' }) },
    { name: 'a record in another format than the forced one is mixed-formats\' finding, not a missing field', settings: { format: 'sharegpt' }, text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }) },
    { name: 'text and image content parts with their payloads', text: lines({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }, { role: 'assistant', content: 'A cat.' }] }) },
    { name: 'legacy function result named by name', text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }, { role: 'function', name: 'f', content: 'r' }, { role: 'assistant', content: 'b' }], functions: [{ name: 'f', parameters: { type: 'object', properties: {} } }] }) },
    // TRL dataset_formats.md "Tool Calling": the result answers the id-less call by name.
    { name: 'a tool result with a name answering a call without an id (Hugging Face chat templates)', text: lines({ messages: [{ role: 'user', content: 'Lights on.' }, { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'control_light', arguments: { room: 'hall' } } }] }, { role: 'tool', name: 'control_light', content: 'On.' }, { role: 'assistant', content: 'Done!' }] }) },
  ],
  invalid: [
    { name: 'a rejected message object without content (Axolotl chat_template.default)', text: lines({ messages: [{ role: 'user', content: 'Name a prime.' }], chosen: { role: 'assistant', content: '7' }, rejected: { role: 'assistant' } }), problems: [{ line: 0, text: '{"role":"assistant"}', message: /"rejected" is missing the required "content"/ }] },
    // torchtune InputOutputToMessages reads input/output; LLaMA-Factory's AlpacaDatasetConverter and Axolotl's alpaca need instruction.
    { name: 'input and output without instruction (torchtune instruct layout)', text: lines({ input: 'Translate to Spanish: thank you', output: 'Gracias' }), problems: [{ line: 0, text: '"input"', message: /no "instruction": its question is in "input".*Rename "input" to "instruction"/ }] },
    { name: 'a template-free segment without its label', text: lines({ segments: [{ text: 'Q: hi\n' }, { label: true, text: 'A: hello' }] }), problems: [{ line: 0, text: '{"text":"Q: hi\\n"}', message: /"label"/ }] },
    { name: 'a tool result with a name but no tool_call_id when the calls have ids', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "name": "f", "content": "r"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '{"role": "tool", "name": "f", "content": "r"}', message: /tool_call_id/ }] },
    { name: 'an OpenAI DPO record without "input" is still a DPO record', text: lines('{"preferred_output": [{"role": "assistant", "content": "Hello!"}], "non_preferred_output": [{"role": "assistant", "content": "Go away."}]}'), problems: [{ line: 0, column: 0, endColumn: 1, message: /missing the required "input" field/ }] },
    { name: 'a text content part without its text', text: lines('{"messages": [{"role": "user", "content": [{"type": "text"}]}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '{"type": "text"}', message: /Content part 1 of message 1 is missing the required "text" field/ }] },
    { name: 'message without content', text: lines('{"messages": [{"role": "user"}, {"role": "assistant", "content": "x"}]}'), problems: [{ line: 0, text: '{"role": "user"}', message: /missing the required "content"/ }] },
    { name: 'sharegpt turn without value', text: lines('{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt"}]}'), problems: [{ line: 0, text: '{"from": "gpt"}', message: /"value"/ }] },
    { name: 'alpaca without output', text: lines('{"instruction": "a", "input": ""}'), problems: [{ line: 0, text: '{', message: /"output" field \(string\)\. Add it\.$/ }] },
    // TRL dataset_formats.md: prompt-only records feed GRPO/RLOO/online DPO, not SFTTrainer.
    { name: 'a prompt-only record (TRL GRPO) says what it is for', text: lines({ prompt: [{ role: 'user', content: 'Solve 2+2.' }] }), problems: [{ line: 0, text: '{', message: /"completion".*prompt-only record is for TRL's GRPO, RLOO or online DPO trainers/ }] },
    // TRL dataset_formats.md, stepwise supervision: prompt, completions (steps), labels (one per step), for PRMTrainer.
    { name: 'a TRL stepwise-supervision record says which trainer reads it', text: lines({ prompt: 'Which is larger, 9.8 or 9.11?', completions: ['Compare the tenths: 8 > 1.', '9.8 is larger.'], labels: [true, true] }), problems: [{ line: 0, text: '{', message: /"completion".*stepwise-supervision layout.*PRMTrainer/ }] },
    // Axolotl rlhf.qmd, chatml.argilla: system, instruction, chosen_response, rejected_response.
    { name: 'Axolotl chatml.argilla preference columns are named, with the renames', text: lines({ system: 'Be helpful.', instruction: 'Name a prime.', chosen_response: '7', rejected_response: '8' }), problems: [{ line: 0, text: '{', message: /chatml\.argilla.*"chosen_response" to "chosen" and "rejected_response" to "rejected"/ }] },
    { name: 'record in no known format', text: lines('{"question": "a", "answer": "b"}'), problems: [{ line: 0, text: '{', message: /matches no dataset format/ }] },
    { name: 'legacy function result without name', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": null, "function_call": {"name": "f", "arguments": "{}"}}, {"role": "function", "content": "r"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '{"role": "function", "content": "r"}', message: /"name"/ }] },
    { name: 'tool message without tool_call_id', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "tool", "content": "r"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '{"role": "tool", "content": "r"}', message: /tool_call_id/ }] },
  ],
};
