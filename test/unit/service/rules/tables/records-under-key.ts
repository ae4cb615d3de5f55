import { chat, type RuleTable } from '../table';

const alpaca = (instruction: string, output: string): { instruction: string; output: string } => ({ instruction, output });

export const table: RuleTable = {
  valid: [
    { name: 'records at the top level', kind: 'json', text: JSON.stringify([alpaca('a', 'b')], null, 2) },
    { name: 'package.json', kind: 'json', text: JSON.stringify({ name: 'x', version: '1.0.0', scripts: { build: 'tsc' } }, null, 2) },
    { name: 'tsconfig.json (one key, not an array)', kind: 'json', text: JSON.stringify({ compilerOptions: { strict: true } }, null, 2) },
    { name: 'extensions.json (one key, an array of strings)', kind: 'json', text: JSON.stringify({ recommendations: ['ms-python.python'] }, null, 2) },
    { name: 'one key, an array of objects in no known format', kind: 'json', text: JSON.stringify({ configurations: [{ type: 'node', request: 'launch', name: 'Run' }] }, null, 2) },
    { name: 'two keys, neither holding records', kind: 'json', text: JSON.stringify({ version: 1, data: [{ id: 1, label: 'x' }] }, null, 2) },
    { name: 'JSON Lines', text: `${chat('a', 'b')}\n` },
  ],
  invalid: [
    {
      name: 'records under "data", pretty-printed',
      kind: 'json',
      text: JSON.stringify({ data: [alpaca('a', 'b'), alpaca('c', 'd')] }, null, 2),
      problems: [{ line: 1, text: '"data"', message: /The 2 records are under the key "data".*field="data"/ }],
    },
    {
      name: 'records under "train" on one line',
      kind: 'json',
      text: JSON.stringify({ train: [JSON.parse(chat('a', 'b'))] }),
      problems: [{ line: 0, text: '"train"', message: /The 1 record is under the key "train"/ }],
    },
    {
      name: 'records under "examples" with a syntax error further down (CRLF)',
      kind: 'json',
      text: ['{', '  "examples": [', '    {"instruction": "a", "output": "b"},', '    {"instruction": "c", "output": "d",}', '  ]', '}'].join('\r\n'),
      problems: [{ line: 1, text: '"examples"', message: /under the key "examples"/ }],
    },
    {
      name: 'a header key, then records (the header is left alone)',
      kind: 'json',
      text: JSON.stringify({ version: 1, data: [alpaca('a', 'b')] }, null, 2),
      problems: [{ line: 2, text: '"data"', message: /The 1 record is under the key "data", not at the top level\. It is linted/ }],
    },
    {
      name: 'splits: a note on each key, naming the others',
      kind: 'json',
      text: JSON.stringify({ train: [alpaca('a', 'b'), alpaca('c', 'd')], validation: [alpaca('e', 'f')] }, null, 2),
      problems: [
        { line: 1, text: '"train"', message: /The 2 records are under the key "train", one of 2 arrays of records in this file \(also "validation"\)/ },
        { line: 11, text: '"validation"', message: /The 1 record is under the key "validation".*also "train".*field="validation"/ },
      ],
    },
    {
      name: 'splits with a syntax error in the first: the records from there on are still read',
      kind: 'json',
      text: ['{"version": "2",', ' "train": [', '  {"instruction": "a", "output": "b"},', '  {"instruction": "c", "output": "d",}', ' ],', ' "test": [', '  {"instruction": "e", "output": "f"}', ' ]', '}'].join('\n'),
      problems: [{ line: 1, text: '"train"', message: /under the key "train"/ }],
    },
  ],
};
