import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // OpenAI's legacy guide: a completion starts with a space and ends with a fixed stop sequence such as "\n".
    { name: "a legacy completion's stop sequence", text: lines({ prompt: 'Company: Tasty Oats\nAd: Creamy oat milk.\nSupported:', completion: ' yes\n' }) },
    // empty-content reports the blank step (PRMTrainer trains its label on no text); it is no content part a template renders.
    { name: 'a blank step of a stepwise record', text: lines({ prompt: 'Solve 2x + 3 = 11.', completions: ['Subtract 3: 2x = 8.', '  ', 'x = 4.'], labels: [true, false, true] }) },
    // Anthropic HH-RLHF: no prompt column, each side a transcript starting "\n\nHuman:" (the implicit prompt TRL's extract_prompt finds).
    { name: 'HH-RLHF preference pairs whose sides start with the shared "\\n\\nHuman:" prompt', text: lines({ chosen: '\n\nHuman: What is a good name for a cat?\n\nAssistant: Whiskers is a classic choice.', rejected: '\n\nHuman: What is a good name for a cat?\n\nAssistant: I don\'t know.' }) },
    { name: 'a rejected answer with trailing spaces (preference training pushes it down)', text: lines({ prompt: 'Name a tree.', chosen: 'Oak.', rejected: 'Pine.  ' }) },
    { name: 'a one-line function body completing a code prompt that ends its line (HumanEval)', text: lines({ prompt: 'def add(a, b):\n    \"\"\"Return the sum.\"\"\"\n', completion: '    return a + b' }) },
    { name: 'trimmed answer', text: lines(chat('  spaces in a prompt are fine ', 'Trimmed.')) },
    { name: 'an empty Alpaca input, and a whitespace-only instruction (empty-content reports it)', text: lines({ instruction: 'Write a motto.', input: '', output: 'Never stop.' }, { instruction: '  ', input: '', output: 'Never stop.' }) },
    { name: 'spaces between content parts are inside the response', text: lines({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: [{ type: 'text', text: 'It is ' }, { type: 'text', text: ' sunny.' }] }] }) },
    // TRL's dataset_formats.md and OpenAI's prompt/completion guide: the completion continues the prompt text.
    { name: 'leading space of a standard completion after a string prompt', text: lines({ prompt: 'The sky is', completion: ' blue.' }) },
    { name: 'leading space of standard chosen and rejected answers after a string prompt', text: lines({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' }) },
    { name: 'an answer that starts with code indentation (a Markdown indented block, a completed function body)', text: lines(chat('Complete: def area(radius):', '    import math\n    return math.pi * radius ** 2'), chat('Go body?', '\tfmt.Println("hi")\n}')) },
    { name: 'an ideographic-space paragraph indent before Japanese and Chinese text', text: lines(chat('短い随筆を書いてください。', '\u3000雨の日の朝は、世界が少しだけ静かになる。\n\u3000水たまりに映る信号の色。'), chat('写一段散文。', '\u3000\u3000秋天的早晨很安静。\n\u3000\u3000落叶铺满了小路。')) },
  ],
  invalid: [
    { name: 'a completion that ends in two line breaks (no stop sequence of one)', text: lines({ prompt: 'Company: Tasty Oats\nSupported:', completion: ' yes\n\n' }), problems: [{ line: 0, text: '\\n\\n', message: /Trailing whitespace/ }] },
    { name: 'an ideographic space before Latin text, and three of them before Japanese', text: lines(chat('Name?', '\u3000Tokyo.'), chat('名前？', '\u3000\u3000\u3000東京です。')), problems: [{ line: 0, text: '\u3000' }, { line: 1, text: '\u3000\u3000\u3000' }] },
    // LLaMA-Factory and Axolotl append any non-empty input to the instruction: "Write a motto.\n   ".
    { name: 'an Alpaca input of only spaces, and a blank text part beside text', text: lines({ instruction: 'Write a motto.', input: '   ', output: 'Never stop learning.' }, { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: ' \n' }] }, { role: 'assistant', content: 'Hello.' }] }), problems: [{ line: 0, text: '"   "', message: /^"input" is only whitespace: trainers still add it to the prompt/ }, { line: 1, text: '" \\n"', message: /^This text part is only whitespace/ }] },
    { name: 'a blank line, a short indent, or an indent before a one-line answer', text: lines(chat('a', '\n    code'), chat('b', '  Answer.\n  More.'), chat('c', '\tOxygen.'), chat('d', '    return a + b')), problems: [{ line: 0, text: '\\n    ', message: /Leading whitespace/ }, { line: 1, text: '  ', message: /Leading whitespace/ }, { line: 2, text: '\\t', message: /Leading whitespace/ }, { line: 3, text: '    ', message: /Leading whitespace/ }] },
    { name: 'trailing newline in the answer', text: lines(chat('a', 'Answer.\n')), problems: [{ line: 0, text: '\\n', message: /Trailing whitespace/ }] },
    { name: 'leading spaces in the answer', text: lines(chat('a', '  Answer.')), problems: [{ line: 0, text: '  ', message: /Leading whitespace/ }] },
    { name: 'trailing space at the end of the last content part', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": [{"type": "text", "text": "It is "}, {"type": "text", "text": "sunny. "}]}]}'), problems: [{ line: 0, text: ' ', nth: 17, message: /Trailing whitespace/ }] },
    { name: 'trailing space of a standard completion', text: lines({ prompt: 'The sky is', completion: ' blue. ' }), problems: [{ line: 0, text: ' ', nth: 3, message: /Trailing whitespace/ }] },
    { name: 'leading space of a standard completion after a prompt ending in a newline', text: lines({ prompt: 'Translate: no\n', completion: ' no' }), problems: [{ line: 0, text: ' ', nth: 1, message: /Leading whitespace/ }] },
    { name: 'leading space of a conversational completion', text: lines({ prompt: [{ role: 'user', content: 'Sky colour?' }], completion: [{ role: 'assistant', content: ' Blue.' }] }), problems: [{ line: 0, text: ' ', nth: 1, message: /Leading whitespace/ }] },
    { name: 'alpaca output', text: lines({ instruction: 'a', output: 'b ' }), problems: [{ line: 0, text: ' ' }] },
  ],
};
