import { chat, filler, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'ten examples', settings: { minExamples: 10 }, text: lines(...filler(10)) },
    { name: 'empty file with minExamples 0 (the rule is off)', settings: { minExamples: 0 }, text: '' },
    { name: 'records under one key: the note does not hide the count', kind: 'json', settings: { minExamples: 2 }, text: JSON.stringify({ data: [{ instruction: 'a', output: 'b' }, { instruction: 'c', output: 'd' }] }) },
  ],
  invalid: [
    // Each record with an error is counted once, whether the error is its own (a wrong label, a missing answer) or the file's
    // (a KTO record without the label the others have).
    { name: 'KTO records: one without its label, one with a string label, one Alpaca-like without output or label', settings: { minExamples: 10 }, text: lines({ prompt: 'The sky is', completion: ' blue.', label: true }, { prompt: 'Grass is', completion: ' green.', label: true }, { prompt: 'Snow is', completion: ' black.', label: false }, { prompt: 'Fire is', completion: ' cold.' }, { prompt: 'Ice is', completion: ' cold.', label: 'yes' }, { instruction: 'Rain is', completion: ' wet.' }), problems: [{ line: 0, column: 0, endColumn: 0, message: /^Only 3 examples \(3 more records have errors and do not count\)/ }] },
    { name: 'three examples', settings: { minExamples: 10 }, text: lines(chat('a', 'b'), chat('c', 'd'), chat('e', 'f')), problems: [{ line: 0, column: 0, endColumn: 0, message: /Only 3 examples/ }] },
    { name: 'empty JSONL file', settings: { minExamples: 10 }, text: '', problems: [{ line: 0, column: 0, endColumn: 0, message: /^No examples: the file has no records\. Fine-tuning needs at least 10/ }] },
    { name: 'blank lines only', settings: { minExamples: 10 }, text: '\n  \n\n', problems: [{ line: 0, column: 0, endColumn: 0, message: /^No examples/ }] },
    { name: 'empty JSON array', kind: 'json', settings: { minExamples: 10 }, text: '[\n]\n', problems: [{ line: 0, column: 0, endColumn: 0, message: /^No examples/ }] },
    { name: 'empty JSON file', kind: 'json', settings: { minExamples: 1 }, text: '', problems: [{ line: 0, column: 0, endColumn: 0, message: /at least 1 / }] },
    { name: 'records under one key are counted', kind: 'json', settings: { minExamples: 10 }, text: JSON.stringify({ data: [{ instruction: 'a', output: 'b' }] }), problems: [{ line: 0, column: 0, endColumn: 0, message: /Only 1 example:/ }] },
    { name: 'records that do not parse count among those with errors', settings: { minExamples: 10 }, text: lines(...filler(5), '{"messages": [}', chat('x', '')), problems: [{ line: 0, column: 0, endColumn: 0, message: /^Only 5 examples \(2 more records have errors and do not count\)/ }] },
    { name: 'records in another format than the file\'s (mixed-formats errors) do not count', settings: { minExamples: 10 }, text: lines(...filler(3), '{"instruction": "a", "output": "b"}'), problems: [{ line: 0, column: 0, endColumn: 0, message: /^Only 3 examples \(1 more record has errors and does not count\)/ }] },
    { name: 'records with errors do not count', settings: { minExamples: 10 }, text: lines(...filler(9), chat('x', '')), problems: [{ line: 0, column: 0, endColumn: 0, message: /^Only 9 examples \(1 more record has errors and does not count\)/ }] },
  ],
};
