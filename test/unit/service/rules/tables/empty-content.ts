import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // TRL's extract_prompt splits a strict prefix one character early: the shorter side keeps its last character as its answer.
    { name: 'an HH-RLHF pair whose rejected side stops inside the answer the chosen side goes on with', text: lines({ chosen: '\n\nHuman: Is Paris the capital of France?\n\nAssistant: Yes, it is.', rejected: '\n\nHuman: Is Paris the capital of France?\n\nAssistant: Yes' }) },
    // SlimOrca / OpenOrca: {"from": "system", "value": ""} opens many rows.
    { name: 'an empty first system turn in ShareGPT data', text: lines({ conversations: [{ from: 'system', value: '' }, { from: 'human', value: 'Name a prime.' }, { from: 'gpt', value: '7.' }] }) },
    { name: 'a message written as a plain string is wrong-type\'s finding, not empty content', text: lines({ messages: [{ role: 'user', content: 'Hi' }, 'Hello there.'] }, { conversations: [{ from: 'human', value: 'Hi' }, 'Hello there.'] }) },
    { name: 'non-empty turns', text: lines(chat('a', 'b')) },
    { name: 'alpaca with empty input', text: lines({ instruction: 'a', input: '', output: 'b' }) },
    { name: 'a vision user turn with an empty text part beside its image', text: lines({ messages: [{ role: 'user', content: [{ type: 'text', text: '' }, { type: 'image_url', image_url: { url: 'https://example.com/x.png' } }] }, { role: 'assistant', content: 'A red barn.' }] }) },
    { name: 'a vision user turn that is only an image', text: lines({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/dog.png' } }] }, { role: 'assistant', content: 'A dog.' }] }) },
    { name: 'a list where a string belongs is wrong-type, not empty', text: lines({ instruction: ['Name a color.'], input: '', output: 'Blue.' }) },
    { name: 'an HH-RLHF pair whose answers differ after the shared prompt', text: lines({ chosen: '\n\nHuman: Hi\n\nAssistant: Hello!', rejected: '\n\nHuman: Hi\n\nAssistant: Go away.' }) },
    { name: 'stepwise steps with text, and an empty step list (no-assistant-turn\'s finding)', text: lines({ prompt: 'Is 91 prime?', completions: ['Step 1: 91 = 7 x 13.', 'Step 2: so no.'], labels: [true, true] }, { prompt: 'Is 7 prime?', completions: [], labels: [] }) },
    { name: 'zero-width characters inside text', text: lines(chat('Hi', 'Hel\u200blo\u200d')) },
  ],
  invalid: [
    { name: 'an Alpaca output of whitespace: the record, not a turn, is what can be removed', text: lines({ instruction: 'Name a colour.', output: '   ' }), problems: [{ line: 0, text: '"   "', message: /^The content of "output" is only whitespace: write the answer or remove the record\.$/ }] },
    { name: 'a question/answer record (Axolotl qa) with an empty answer', text: lines({ question: 'What is the tallest animal?', answer: '' }), problems: [{ line: 0, text: '""', message: /empty/ }] },
    { name: 'an answer of only zero-width spaces, joiners or a word joiner', text: lines(chat('Hi', '\u200b'), chat('Hi', '\u200c\u200d \u2060'), chat('Hi', '\ufeff\u200b')), problems: [{ line: 0, text: '"\u200b"', message: /turn 2 \(assistant\) is only invisible characters/ }, { line: 1, text: '"\u200c\u200d \u2060"' }, { line: 2, text: '"\ufeff\u200b"' }] },
    // TRL PRMTrainer tokenizes each step with its label: an empty step trains a label on no text.
    { name: 'an empty stepwise step', text: lines({ prompt: 'Is 91 prime?', completions: ['Step 1: 91 = 7 x 13.', ''], labels: [true, false] }), problems: [{ line: 0, text: '""', message: /^Step 2 of "completions" is empty: PRMTrainer trains its label on no text/ }] },
    { name: 'whitespace-only stepwise steps are each reported once', text: lines({ prompt: 'Is 91 prime?', completions: ['  ', '\n'], labels: [true, false] }), problems: [{ line: 0, text: '"  "', message: /^Step 1 of "completions" is only whitespace/ }, { line: 0, text: '"\\n"', message: /^Step 2 of "completions" is only whitespace/ }] },
    { name: 'an HH-RLHF chosen side that stops at "Assistant:" (TRL extracts an empty answer)', text: lines({ chosen: '\n\nHuman: Hi\n\nAssistant:', rejected: '\n\nHuman: Hi\n\nAssistant: Go away.' }), problems: [{ line: 0, text: '"\\n\\nHuman: Hi\\n\\nAssistant:"', message: /The chosen answer is empty/ }] },
    { name: 'empty assistant answer', text: lines(chat('a', '')), problems: [{ line: 0, text: '""', message: /turn 2 \(assistant\) is empty/ }] },
    { name: 'whitespace-only user turn', text: lines('{"conversations": [{"from": "human", "value": "  \\n "}, {"from": "gpt", "value": "b"}]}'), problems: [{ line: 0, text: '"  \\n "', message: /only whitespace/ }] },
    { name: 'an empty list of content parts', text: lines('{"messages": [{"role": "user", "content": []}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '[]', message: /is empty/ }] },
    { name: 'an empty text record', text: lines('{"text": ""}'), problems: [{ line: 0, text: '""', message: /The text is empty: write the text or remove the record/ }] },
    { name: 'empty alpaca output', text: lines('{"instruction": "a", "input": "", "output": ""}'), problems: [{ line: 0, text: '""', nth: 1 }] },
  ],
};
