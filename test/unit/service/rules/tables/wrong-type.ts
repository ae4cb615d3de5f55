import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'content as a list of parts', text: lines({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }, { role: 'assistant', content: 'Hello' }] }) },
    { name: 'strings', text: lines(chat('a', 'b')) },
    { name: 'message names the API accepts', text: lines({ messages: [{ role: 'user', name: 'john_doe-2', content: 'a' }, { role: 'assistant', name: 'Ann', content: 'b' }] }) },
    { name: 'TRL fields all strings, or all message lists', text: lines({ prompt: 'q', chosen: 'a', rejected: 'b' }, { prompt: [{ role: 'user', content: 'q' }], chosen: [{ role: 'assistant', content: 'a' }], rejected: [{ role: 'assistant', content: 'b' }] }, { prompt: 'q', completion: 'a', label: true }) },
    { name: 'alpaca history pairs', text: lines({ instruction: 'x', output: 'y', history: [['a', 'b'], ['c', 'd']] }) },
    { name: 'weight 0 and 1', text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', weight: 0 }, { role: 'user', content: 'c' }, { role: 'assistant', content: 'd', weight: 1 }] }) },
    // TRL vision datasets / transformers multimodal templates: {"type": "image"} with the images in a column; Axolotl: with a path.
    { name: 'Hugging Face template media parts (image without payload, image with a path)', text: lines({ images: ['cat.jpg'], messages: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What animal?' }] }, { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] }] }, { messages: [{ role: 'user', content: [{ type: 'image', path: '/data/dog.jpg' }, { type: 'text', text: 'And this?' }] }, { role: 'assistant', content: 'A dog.' }] }) },
    // Axolotl rlhf.qmd chatml.ultra; TRL maybe_extract_prompt ignores the string prompt when the answers hold the prompt turns.
    { name: 'a string prompt beside answers that start with the prompt turns', text: lines({ prompt: 'Name a prime.', chosen: [{ role: 'user', content: 'Name a prime.' }, { role: 'assistant', content: '7' }], rejected: [{ role: 'user', content: 'Name a prime.' }, { role: 'assistant', content: '8' }] }) },
  ],
  invalid: [
    { name: 'a template-free segment label written as a string', text: lines({ segments: [{ label: 'false', text: 'Q: hi\n' }, { label: true, text: 'A: hello' }] }), problems: [{ line: 0, text: '"false"' }] },
    { name: 'a content part of an unknown type', text: lines('{"messages": [{"role": "user", "content": [{"type": "txt", "text": "hi"}]}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"txt"', message: /Unknown content part type "txt".*did you mean "text"/ }] },
    { name: 'a content part whose text is a number', text: lines('{"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '5', message: /"text" must be a string, not a number/ }] },
    { name: 'content as a number', text: lines('{"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '42', message: /"content" must be a string or a list, not a number/ }] },
    { name: 'messages as an object', text: lines('{"messages": {"role": "user"}}'), problems: [{ line: 0, text: '{"role": "user"}', message: /must be a list/ }] },
    { name: 'a message that is a string', text: lines('{"messages": ["hello", {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"hello"', message: /Each message must be an object/ }] },
    { name: 'weight that is not 0 or 1', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 2}]}'), problems: [{ line: 0, text: '2', nth: 0, message: /"weight" must be 0 .* or 1/ }] },
    { name: 'alpaca history entry that is not a pair', text: lines('{"instruction": "x", "output": "y", "history": [["a", "b"], ["c"]]}'), problems: [{ line: 0, text: '["c"]', message: /History entry 2 must be an \[instruction, response\] pair/ }] },
    { name: 'a LLaMA-Factory ranking answer written as a string is reported once, by its column', text: lines('{"conversations": [{"from": "human", "value": "q"}], "chosen": "Bubbles!", "rejected": {"from": "gpt", "value": "b"}}'), problems: [{ line: 0, text: '"Bubbles!"', message: /"chosen" must be an object, not a string/ }] },
    { name: 'a ShareGPT turn that is a string names the ShareGPT keys', text: lines('{"conversations": ["hello", {"from": "gpt", "value": "b"}]}'), problems: [{ line: 0, text: '"hello"', message: /Each turn must be an object like \{"from": "human", "value": "..."\}/ }] },
    { name: 'tool_calls as an object: only that is reported, not the null content beside it', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": null, "tool_calls": {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}}, {"role": "tool", "tool_call_id": "c1", "content": "r"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}', message: /"tool_calls" must be a list, not an object/ }] },
    { name: 'TRL fields mixing strings and message lists: the odd one out is reported', text: lines('{"prompt": "Capital of Peru?", "chosen": [{"role": "assistant", "content": "Lima."}], "rejected": "Cusco."}'), problems: [{ line: 0, text: '[{"role": "assistant", "content": "Lima."}]', message: /"chosen" is a list of messages but "prompt" and "rejected" are strings/ }] },
    { name: 'a string prompt with a conversational completion: the prompt is reported', text: lines('{"prompt": "Capital of Peru?", "completion": [{"role": "assistant", "content": "Lima."}]}'), problems: [{ line: 0, text: '"Capital of Peru?"', message: /"prompt" is a string but "completion" is a list of messages.*\[\{"role": "user"/ }] },
    { name: 'a list written as JSON text (json.dumps twice)', text: lines('{"conversations": "[{\\"from\\": \\"human\\", \\"value\\": \\"q\\"}]"}'), problems: [{ line: 0, text: '"[{\\"from\\": \\"human\\", \\"value\\": \\"q\\"}]"', message: /must be a list, not a string: it holds a list written as JSON text \(encoded twice\)\. Write the list itself, without the quotes\./ }] },
    { name: 'a message name with a space', text: lines('{"messages": [{"role": "user", "name": "John Doe", "content": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"John Doe"', message: /"name" must be one word such as "John_Doe"/ }] },
    { name: 'alpaca output null', text: lines('{"instruction": "a", "output": null}'), problems: [{ line: 0, text: 'null', message: /not null/ }] },
  ],
};
