import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // OpenAI reinforcement fine-tuning: the prompt messages and the fields the grader reads; the model writes the answer.
    { name: 'OpenAI reinforcement fine-tuning rows with the grader\'s fields', text: lines({ messages: [{ role: 'developer', content: 'Answer with a number.' }, { role: 'user', content: 'How many legs has a spider?' }], reference_answer: '8' }, { messages: [{ role: 'user', content: 'Is 7 prime?' }], correct_label: 'yes', id: 2 }) },
    // Axolotl tests a segment's label as Python does: the string "true" trains it (wrong-type reports the string), so something is trained.
    { name: 'a segment labelled with the string "true"', text: lines({ segments: [{ label: false, text: 'Q: capital of Bolivia? ' }, { label: 'true', text: 'A: Sucre' }] }) },
    { name: 'a preference side whose role is misspelt (unknown-role\'s) or written as a list where one turn belongs (wrong-type\'s)', text: lines({ prompt: [{ role: 'user', content: 'What is 7+7?' }], chosen: [{ role: 'asistant', content: '14.' }], rejected: [{ role: 'assistant', content: '15.' }] }, { conversations: [{ from: 'human', value: 'Bye?' }], chosen: [{ from: 'gpt', value: 'Bye.' }], rejected: [{ from: 'gpt', value: 'Hi.' }] }) },
    { name: 'preference pair with message lists', text: lines({ prompt: [{ role: 'user', content: 'Q' }], chosen: [{ role: 'assistant', content: 'yes' }], rejected: [{ role: 'assistant', content: 'no' }] }) },
    { name: 'with an answer', text: lines(chat('a', 'b')) },
    { name: 'plain text', text: lines({ text: 'abc' }) },
    { name: 'the answer has no role (missing-field reports it)', text: lines('{"messages": [{"role": "user", "content": "a"}, {"content": "b"}]}') },
    { name: 'the answer has a misspelt role (unknown-role reports it)', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assitant", "content": "b"}]}') },
    { name: 'TRL prompt-only records have no answer by design', text: lines({ prompt: 'The sky is' }, { prompt: [{ role: 'user', content: 'What color is the sky?' }] }) },
  ],
  invalid: [
    { name: 'a chat without an answer beside another format\'s keys is no reinforcement row', text: lines({ input: { messages: [{ role: 'user', content: 'Capital of Congo?' }] }, preferred_output: [{ role: 'assistant', content: 'Brazzaville.' }], non_preferred_output: [{ role: 'assistant', content: 'Pointe-Noire.' }], messages: [{ role: 'user', content: 'x' }] }), problems: [{ line: 0, text: '"messages"', nth: 1, message: /^No assistant turn/ }] },
    { name: 'a KTO completion conversation (prompt inside) with no answer', text: lines({ prompt: 'Hi', completion: [{ role: 'user', content: 'Hi' }, { role: 'user', content: 'Hello' }], label: true }), problems: [{ line: 0, text: '"completion"', message: /No assistant turn/ }] },
    { name: 'a stepwise record without steps', text: lines({ prompt: 'Is 9.8 > 9.11?', completions: [], labels: [] }), problems: [{ line: 0, text: '[]', message: /"completions" has no steps/ }] },
    { name: 'template-free segments with no segment labelled true (Axolotl masks every token)', text: lines({ segments: [{ label: false, text: 'Q: hi\n' }, { label: false, text: 'A: hello' }] }), problems: [{ line: 0, text: '"segments"', message: /No segment has "label": true/ }] },
    { name: 'only user and system', text: lines('{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "a"}]}'), problems: [{ line: 0, text: '"messages"', message: /No assistant turn/ }] },
    { name: 'an empty message list', text: lines('{"messages": []}'), problems: [{ line: 0, text: '[]', message: /The conversation is empty/ }] },
    { name: 'an empty sharegpt conversation', text: lines('{"conversations": []}'), problems: [{ line: 0, text: '[]', message: /"conversations" has no messages/ }] },
    { name: 'a preference pair whose chosen list is empty', text: lines('{"prompt": "Q", "chosen": [], "rejected": [{"role": "assistant", "content": "no"}]}'), problems: [{ line: 0, text: '[]', message: /"chosen" has no assistant message/ }] },
    { name: 'an OpenAI DPO pair without a rejected answer', text: lines('{"input": {"messages": [{"role": "user", "content": "Q"}]}, "preferred_output": [{"role": "assistant", "content": "A"}], "non_preferred_output": []}'), problems: [{ line: 0, text: '[]', message: /"non_preferred_output" has no assistant message/ }] },
    { name: 'sharegpt without gpt', text: lines('{"conversations": [{"from": "human", "value": "a"}]}'), problems: [{ line: 0, text: '"conversations"' }] },
  ],
};
