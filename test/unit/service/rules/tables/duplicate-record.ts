import { chat, lines, type RuleTable } from '../table';

const record = chat('What is 2+2?', '4');
export const table: RuleTable = {
  valid: [
    { name: 'distinct records', text: lines(chat('a', 'b'), chat('a', 'c')) },
    { name: 'the same conversation with other tool specs', text: lines('{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "tools": "[{\\"name\\": \\"f\\", \\"description\\": \\"Find\\"}]"}', '{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "tools": "[{\\"name\\": \\"f\\", \\"description\\": \\"Find things\\"}]"}') },
    { name: 'the same text about other images (OpenAI image parts)', text: lines(
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in the picture?' }, { type: 'image_url', image_url: { url: 'https://example.com/cup_001.jpg' } }] }, { role: 'assistant', content: 'A cup.' }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in the picture?' }, { type: 'image_url', image_url: { url: 'https://example.com/cup_002.jpg' } }] }, { role: 'assistant', content: 'A cup.' }] },
    ) },
    { name: 'the same text about other images (LLaMA-Factory images column)', text: lines(
      { conversations: [{ from: 'human', value: '<image>What is this?' }, { from: 'gpt', value: 'A cup.' }], images: ['cup_001.jpg'] },
      { conversations: [{ from: 'human', value: '<image>What is this?' }, { from: 'gpt', value: 'A cup.' }], images: ['cup_002.jpg'] },
    ) },
    { name: 'the same talk with other message names or other reasoning (templates render both)', text: lines(
      { messages: [{ role: 'user', content: 'Hi', name: 'example_user' }, { role: 'assistant', content: 'Hello.' }] },
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] },
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.', reasoning_content: 'A greeting: greet back.' }] },
    ) },
    { name: 'the same talk trained on another answer (weight 0 on one copy), or with other loss weights or train flags', text: lines(
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', weight: 0 }] },
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] },
      { messages: [{ role: 'user', content: 'Hey' }, { role: 'assistant', content: 'Hello', weight: 0 }, { role: 'user', content: 'Yes?' }, { role: 'assistant', content: 'Yes' }] },
      { messages: [{ role: 'user', content: 'Hey' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Yes?' }, { role: 'assistant', content: 'Yes', weight: 0 }] },
      { messages: [{ role: 'user', content: 'Go' }, { role: 'assistant', content: 'Gone', loss_weight: 0.0 }] },
      { messages: [{ role: 'user', content: 'Go' }, { role: 'assistant', content: 'Gone', loss_weight: 1.0 }] },
      { messages: [{ role: 'user', content: 'Run' }, { role: 'assistant', content: 'Ran', train: false }] },
      { messages: [{ role: 'user', content: 'Run' }, { role: 'assistant', content: 'Ran', train: true }] },
    ) },
  ],
  invalid: [
    { name: 'a KTO completion labelled both ways: a contradiction, said at the later label (a third copy is a plain duplicate)', text: lines(
      { prompt: [{ role: 'user', content: 'Is the sky green?' }], completion: [{ role: 'assistant', content: 'Yes.' }], label: false },
      { prompt: [{ role: 'user', content: 'Is the sky green?' }], completion: [{ role: 'assistant', content: 'Yes.' }], label: true },
      { prompt: [{ role: 'user', content: 'Is the sky green?' }], completion: [{ role: 'assistant', content: 'Yes.' }], label: true },
    ), problems: [{ line: 1, text: 'true', message: /^The same prompt and completion as record 1 \(line 1\), labelled true here and false there: a KTO trainer learns this completion as desirable and as undesirable at once\. Keep the right label and remove the other record\.$/ }, { line: 2, text: JSON.stringify({ prompt: [{ role: 'user', content: 'Is the sky green?' }], completion: [{ role: 'assistant', content: 'Yes.' }], label: true }), message: /^Duplicate of record 2/ }] },
    { name: 'the same weights and the same KTO label twice', text: lines(
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', weight: 0 }, { role: 'user', content: 'And?' }, { role: 'assistant', content: 'Bye' }] },
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', weight: 0 }, { role: 'user', content: 'And?' }, { role: 'assistant', content: 'Bye' }] },
      { prompt: [{ role: 'user', content: 'Is the sky blue?' }], completion: [{ role: 'assistant', content: 'Yes.' }], label: true },
      { prompt: [{ role: 'user', content: 'Is the sky blue?' }], completion: [{ role: 'assistant', content: 'Yes.' }], label: true },
    ), problems: [
      { line: 1, text: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', weight: 0 }, { role: 'user', content: 'And?' }, { role: 'assistant', content: 'Bye' }] }) },
      { line: 3, text: JSON.stringify({ prompt: [{ role: 'user', content: 'Is the sky blue?' }], completion: [{ role: 'assistant', content: 'Yes.' }], label: true }) },
    ] },
    { name: 'a copy in another split of a file of splits is leakage, a copy in the same split is over-weighting', kind: 'json', text: JSON.stringify({ train: [{ instruction: 'Name a planet.', output: 'Mars.' }, { instruction: 'Name a star.', output: 'Sirius.' }, { instruction: 'Name a star.', output: 'Sirius.' }], test: [{ instruction: 'Name a planet.', output: 'Mars.' }] }, null, 2), problems: [{ line: 10, column: 4, endLine: 13, endColumn: 5, message: /^Duplicate of record 2 \(line 7\): repeated examples are over-weighted/ }, { line: 16, column: 4, endLine: 19, endColumn: 5, message: /^The same example is in the "train" split \(record 1, line 3\): if "test" is used for evaluation, this example leaks into it from training and inflates the scores\. Remove it from one split\.$/ }] },
    { name: 'the same tools written with other spacing (LLaMA-Factory parses the tools string)', text: lines(
      { conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }], tools: '[{"name": "f", "description": "Find"}]' },
      { conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }], tools: '[{"name":"f","description":"Find"}]' },
    ), problems: [{ line: 1, text: JSON.stringify({ conversations: [{ from: 'human', value: 'a' }, { from: 'gpt', value: 'b' }], tools: '[{"name":"f","description":"Find"}]' }), message: /Duplicate of record 1 \(line 1\)/ }] },
    { name: 'the same image twice', text: lines(
      { conversations: [{ from: 'human', value: '<image>What is this?' }, { from: 'gpt', value: 'A cup.' }], images: ['cup_001.jpg'] },
      { conversations: [{ from: 'human', value: '<image>What is this?' }, { from: 'gpt', value: 'A cup.' }], images: ['cup_001.jpg'] },
    ), problems: [{ line: 1, text: JSON.stringify({ conversations: [{ from: 'human', value: '<image>What is this?' }, { from: 'gpt', value: 'A cup.' }], images: ['cup_001.jpg'] }) }] },
    { name: 'same record twice', text: lines(record, chat('x', 'y'), record), problems: [{ line: 2, text: record, message: /Duplicate of record 1 \(line 1\)/ }] },
    { name: 'same conversation in different formats and spacing', text: lines('{"instruction": "Hi", "output": "Hello"}', '{"instruction":"Hi","input":"","output":"Hello"}'), problems: [{ line: 1, text: '{"instruction":"Hi","input":"","output":"Hello"}' }] },
  ],
};
