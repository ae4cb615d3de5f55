import { lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // A misspelt key that holds a required field: missing-field names it and offers the rename (one finding on the key, not two).
    { name: 'a stepwise record with "completion" for "completions"', text: lines({ prompt: 'Is 50 a square?', completion: ['7 * 7 = 49.', 'So no.'], labels: [true, true] }) },
    { name: 'a misspelt chosen_response (Axolotl chatml.argilla)', text: lines({ instruction: 'Name a prime.', chosen_respons: '7', rejected_response: '8' }) },
    { name: 'a required key cut short ("complete" for "completion")', text: lines('{"prompt": "Water boils at", "complete": "100C."}') },
    { name: 'a required key cut short in Alpaca ("instruct")', text: lines('{"instruct": "Name a bird.", "input": "", "output": "Robin."}') },
    { name: 'a ShareGPT turn written with OpenAI keys', text: lines('{"conversations": [{"role": "user", "content": "q"}, {"from": "gpt", "value": "a"}]}') },
    { name: 'an OpenAI message written with ShareGPT keys', text: lines('{"messages": [{"role": "user", "content": "q"}, {"from": "assistant", "value": "a"}]}') },
    { name: 'prompt/response instead of prompt/completion', text: lines('{"prompt": "Capital of Peru?", "response": "Lima."}') },
    { name: 'misspelt top-level key', text: lines('{"instrution": "a", "output": "b"}') },
    { name: 'misspelt content part key', text: lines('{"messages": [{"role": "user", "content": [{"type": "text", "txet": "hi"}]}, {"role": "assistant", "content": "b"}]}') },
    { name: 'misspelt message key', text: lines('{"messages": [{"role": "user", "contnet": "a"}, {"role": "assistant", "content": "b"}]}') },
    // Axolotl's question/answer layout is a format of its own (alpaca_chat.load_qa): no Alpaca key is suggested for its columns.
    { name: 'a question/answer record', text: lines('{"question": "Capital of Peru?", "answer": "Lima."}') },
    // Capybara: {"input", "output"} pairs under "conversation" are no turns, so no rename to "conversations" is offered (missing-field says the record matches no format).
    { name: 'a Capybara record: no rename of "conversation" that would leave its pairs unreadable', text: lines({ source: 'Airoboros', conversation: [{ input: 'What is the capital of France?', output: 'Paris.' }] }) },
    // missing-field reports it at "completion" (rename to "output", or add a KTO label).
    { name: 'an Alpaca record with "completion" for "output" and no label', text: lines({ instruction: 'Suggest a name for a horse.', completion: 'Comet.' }) },
    { name: 'extra top-level columns are allowed', text: lines({ id: 7, source: 'web', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }) },
    { name: 'an extra column named like a present one is not a misspelling (the answer is there)', text: lines({ instruction: 'a', input: '', output: 'b', response: 'model draft', context: 'notes' }) },
    { name: 'an extra column that starts like a present key is not a misspelling', text: lines({ prompt: 'a', completion: 'b', completion_tokens: 12, prompt_id: 'p1' }) },
    { name: 'weight and name on messages', text: lines({ messages: [{ role: 'user', name: 'ann', content: 'a' }, { role: 'assistant', weight: 1, content: 'b' }] }) },
    { name: 'GRPO prompt-only records keep the reward function\'s columns', text: lines({ prompt: 'What is 12 * 7?', answer: '84' }, { prompt: [{ role: 'user', content: 'Solve x + 2 = 5.' }], solution: 'x = 3', task: 'algebra' }) },
    { name: 'longer or shorter forms of a present key are other columns', text: lines({ instruction: 'a', input: '', output: 'b', output2: 'c', inputs: 'd', instr: 'e' }) },
    { name: 'a weight of 0 on a system or user message (true anyway)', text: lines({ messages: [{ role: 'system', content: 'Be brief.', weight: 0 }, { role: 'user', content: 'Hi', weight: 0 }, { role: 'assistant', content: 'Hello.', weight: 1 }] }) },
  ],
  invalid: [
    { name: 'tools at the top of an OpenAI DPO record, where the API does not read them', text: lines({ input: { messages: [{ role: 'user', content: 'Weather in Oslo?' }] }, tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }], preferred_output: [{ role: 'assistant', content: 'Let me check.' }], non_preferred_output: [{ role: 'assistant', content: 'Sunny.' }] }), problems: [{ line: 0, text: '"tools"', message: /^"tools" at the top of an OpenAI DPO record is not read: the API takes it inside "input"/ }] },
    { name: 'a misspelt required key with missing-field turned off: unknown-key still names it', settings: { rules: { 'missing-field': 'off' } }, text: lines('{"messages": [{"role": "user", "contnet": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"contnet"', message: /did you mean "content"/ }] },
    { name: 'a "tool_call_id" on an answer: only a tool result names the call it answers', text: lines({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', tool_call_id: 'abc' }] }), problems: [{ line: 0, text: '"tool_call_id"', message: /^Unknown key "tool_call_id" in message 2: the fine-tuning API accepts only/ }] },
    { name: 'a weight on a user message (only assistant messages are trained)', text: lines({ messages: [{ role: 'user', content: 'Hi', weight: 1 }, { role: 'assistant', content: 'Hello.', weight: 1 }] }), problems: [{ line: 0, text: '"weight"', message: /"weight" on message 1 \(user\) has no effect/ }] },
    // LMSYS-Chat-1M: "conversation" is the misspelt column; its "redacted" flag is no "rejected" answer (a rename would have made a preference pair).
    { name: 'an LMSYS-Chat record: the conversation column is named, its boolean redacted flag is not', text: lines({ conversation_id: 'c4ca4238', model: 'vicuna-13b', conversation: [{ content: 'What is the capital of France?', role: 'user' }, { content: 'Paris.', role: 'assistant' }], turn: 1, language: 'English', redacted: false }), problems: [{ line: 0, text: '"conversation"', message: /did you mean "messages"\?/ }] },
    { name: 'a misspelt prompt in a prompt-only record', text: lines({ promt: 'The sky is' }), problems: [{ line: 0, text: '"promt"', message: /did you mean "prompt"/ }] },
    { name: 'Dolly columns in an Alpaca record', text: lines('{"instruction": "Summarise.", "context": "The meeting moved to Friday.", "response": "Friday now."}'), problems: [{ line: 0, text: '"context"', message: /did you mean "input"/ }] },
    { name: 'a top-level system prompt beside OpenAI messages', text: lines('{"system": "You are terse.", "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"system"', message: /"system" is not read in this format: the system prompt must be the first message of "messages"/ }] },
    { name: 'a ShareGPT system column beside a first system turn', text: lines('{"conversations": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "system": "Be long."}'), problems: [{ line: 0, text: '"system"', nth: 1, message: /ignores the "system" column here: the first turn is a "system" turn/ }] },
    { name: 'a misspelt copy of a key the record has (as fix-all leaves the second misspelling)', text: lines('{"instruction": "Say hi", "instructon": "Say hello", "input": "", "output": "Hi"}'), problems: [{ line: 0, text: '"instructon"', message: /in the record looks like a second "instruction", which it already has: trainers read only "instruction" and ignore this one/ }] },
    { name: 'a key written twice in two cases in a ShareGPT turn', text: lines('{"conversations": [{"from": "human", "value": "q", "Value": "q again"}, {"from": "gpt", "value": "a"}]}'), problems: [{ line: 0, text: '"Value"', message: /in turn 1 looks like a second "value"/ }] },
    { name: 'unknown message key', text: lines('{"messages": [{"role": "user", "content": "a", "lang": "en"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"lang"', message: /accepts only/ }] },
    // MetaMathQA (query, response, type, original_question) and Magicoder OSS-Instruct (problem, solution, lang).
    { name: 'a question and answer under other datasets\' names get the Alpaca names', text: lines({ query: 'What is 2+2?', response: 'The answer is: 4', type: 'GSM_Rephrased' }, { problem: 'Write a function that adds two numbers.', solution: 'def add(a, b):\n    return a + b', lang: 'python' }), problems: [{ line: 0, text: '"query"', message: /^Unknown key "query": did you mean "instruction"\? Without it the record matches no dataset format\.$/ }, { line: 0, text: '"response"', message: /did you mean "output"/ }, { line: 1, text: '"problem"', message: /did you mean "instruction"/ }, { line: 1, text: '"solution"', message: /did you mean "output"/ }] },
    { name: 'misspelt format key: the record matches no format', text: lines('{"mesages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"mesages"', message: /did you mean "messages"/ }] },
    { name: 'a very long generated key is cut in the message, not in the range', text: lines(`{"messages": [{"role": "user", "content": "a", "${'k'.repeat(5000)}": 1}, {"role": "assistant", "content": "b"}]}`), problems: [{ line: 0, text: `"${'k'.repeat(5000)}"`, message: /^Unknown key "k{59}…" in .*accepts only/ }] },
    { name: 'a key named like an Object.prototype member', text: lines('{"messages": [{"role": "user", "content": "a", "constructor": 1}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"constructor"', message: /accepts only/ }] },
    { name: 'misspelt KTO label', text: lines('{"prompt": "a", "completion": "b", "lable": true}'), problems: [{ line: 0, text: '"lable"', message: /did you mean "label"/ }] },
  ],
};
