import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'a record that is a deeply nested list: not-an-object\'s, not reported here too', text: `${'['.repeat(2000)}${']'.repeat(2000)}\n` },
    { name: 'nesting up to Python\'s limit, and many brackets inside strings', text: `{"messages": [{"role": "user", "content": "${'['.repeat(2000)}"}, {"role": "assistant", "content": "b"}], "meta": ${'['.repeat(980)}${']'.repeat(980)}}\n` },
    { name: 'JSONL with blank lines and CRLF', text: [chat('Hi', 'Hello'), '', chat('Bye', 'Goodbye')].join('\r\n') },
    { name: 'pretty-printed JSON array', kind: 'json', text: JSON.stringify([{ text: 'a' }, { text: 'b' }], null, 2) },
    { name: 'BOM at the start', text: `\uFEFF${chat('Hi', 'Hello')}\n` },
    { name: 'a record whose nested array closes on a line of its own is not mistaken for a run', text: lines(chat('Hi', 'Hello'), '{"text": "a"}', '{"text": "b"}') },
  ],
  invalid: [
    { name: 'a trailing comma says where to fix it', text: lines(chat('Hi', 'Hello'), '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},]}'), problems: [{ line: 1, text: ']', message: /trailing comma.*Fix it at the underlined spot/ }] },
    { name: 'a byte order mark inside the file (files joined with cat)', text: '{"text": "a"}\n\ufeff{"text": "b"}\n', problems: [{ line: 1, column: 0, endColumn: 1, message: /byte order mark \(U\+FEFF, invisible\).*delete it/ }] },
    { name: 'missing comma between members', text: lines(chat('Hi', 'Hello'), '{"text": "a" "more": 1}'), problems: [{ line: 1, text: '"more"', message: /expected ',' or '}'/ }] },
    { name: 'trailing comma', text: lines('{"text": "a",}'), problems: [{ line: 0, text: '}', message: /property name.*trailing comma/ }] },
    { name: 'single quotes', text: lines("{'text': 'a'}"), problems: [{ line: 0, text: "'text'", message: /double quotes/ }] },
    { name: 'unterminated string', text: lines('{"text": "abc'), problems: [{ line: 0, text: '"', nth: 2, message: /Unterminated string/ }] },
    { name: 'truncated line: zero-width range at the end', text: lines('{"text": "abc"'), problems: [{ line: 0, column: 14, endColumn: 14, message: /missing its closing '}'/ }] },
    { name: 'two records on one line', text: lines('{"text": "a"} {"text": "b"}'), problems: [{ line: 0, text: '{', nth: 1, message: /one record per line/ }] },
    { name: "a pretty-printed record missing its closing '}': said at the next record, which the message names", kind: 'json', text: '[\n  {\n    "text": "a"\n,\n  {\n    "text": "b"\n  }\n]', problems: [{ line: 4, column: 2, endLine: 4, endColumn: 3, message: /Unexpected '\{': expected a property name: an object cannot be a key\. If it starts the next record, the record before it is missing its closing '\}'/ }] },
    { name: 'a key typed without its value before the next record: one error, at the key, not a second one on the good record after the next', kind: 'json', text: '[\n  {\n    "instruction":\n  {\n    "instruction": "Name a colour.",\n    "output": "Red."\n  },\n  {\n    "instruction": "Name a planet.",\n    "output": "Mars."\n  }\n]\n', problems: [{ line: 2, column: 18, endLine: 2, endColumn: 18, message: /^Invalid JSON: Unexpected end of text: an object is missing its closing '\}'\. Fix it at the underlined spot: JSON loaders reject the whole file/ }] },
    { name: 'raw CRLF line break in a JSON array file: one line break, underlined whole', kind: 'json', text: '[\r\n  {"text": "a"},\r\n  {"text": "b\r\n c"}\r\n]', problems: [{ line: 2, column: 13, endLine: 3, endColumn: 0, message: /Unescaped line break/ }] },
    { name: 'a value nested 1,000 levels deep (Python\'s json module cannot load it): at the first bracket past 990', text: `{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "meta": ${'['.repeat(1000)}${']'.repeat(1000)}}\n`, problems: [{ line: 0, column: 96 + 989, endColumn: 96 + 990, message: /^Invalid JSON for Python: the value is nested more than 990 levels deep/ }] },
    { name: 'comments in a JSON array file: said as comments, and the records after them still read', kind: 'json', text: '[\n  // first record\n  {"text": "a"},\n  /* second */\n  {"text": "b"}\n]\n', problems: [{ line: 1, text: '// first record', message: /^Invalid JSON: A comment: JSON has none \(\/\/ and \/\* \*\/ are JSONC and JSON5\), and the JSON loaders trainers use reject it\. Remove it\. Fix it at the underlined spot/ }, { line: 3, text: '/* second */', message: /^Invalid JSON: A comment: JSON has none/ }] },
    { name: 'a stray word between the records of a JSON array file: the records after it still read', kind: 'json', text: '[\n  {"text": "a"},\n  x,\n  {"text": "b"},\n  y,\n  {"text": "c"}\n]\n', problems: [{ line: 2, text: 'x', message: /^Invalid JSON: Unexpected 'x': expected a JSON value/ }, { line: 4, text: 'y', message: /^Invalid JSON: unexpected 'y' where a record belongs in the array\. Remove it\.$/ }] },
    { name: 'text after the closing bracket of a JSON array file: no JSONL hint, and what to do', kind: 'json', text: '[\n  {"text": "a"},\n  {"text": "b"}\n]\ngarbage\n', problems: [{ line: 4, text: 'garbage', message: /^Invalid JSON: Unexpected 'garbage' after the end of the JSON value\. Remove the text after the end of the array: JSON loaders reject the whole file\.$/ }] },
    { name: 'raw line break in a JSON array file', kind: 'json', text: '[\n  {"text": "a"},\n  {"text": "b\n c"}\n]', problems: [{ line: 2, column: 13, endLine: 3, endColumn: 0, message: /line break/ }] },
    {
      name: 'pretty-printed record in JSONL: one problem over its lines',
      text: lines(chat('Hi', 'Hello'), '{', '  "messages": [', '    {"role": "user", "content": "a"},', '    {"role": "assistant", "content": "b"}', '  ]', '}'),
      problems: [{ line: 1, column: 0, endLine: 6, endColumn: 1, message: /spans lines 2-7, but JSON Lines needs one record per line/ }],
    },
    {
      name: 'JSON array pasted into JSONL (CRLF)',
      text: ['[', `  ${chat('Hi', 'Hello')},`, `  ${chat('Bye', 'Goodbye')}`, ']', ''].join('\r\n'),
      problems: [{ line: 0, column: 0, endLine: 3, endColumn: 1, message: /4 lines \(lines 1-4\) hold a JSON array of 2 records/ }],
    },
    {
      name: 'pretty-printed record with a syntax error: one problem at the bad token',
      text: lines('{', '  "messages": [', '    {"role": "user", "content": "a"},', '  ]', '}'),
      problems: [{ line: 3, text: ']', message: /trailing comma.*spans lines 1-5/ }],
    },
    { name: 'bad token after a CRLF line in JSON', kind: 'json', text: '[\r\n  {"text": "a"},\r\n  {"text": nope}\r\n]', problems: [{ line: 2, text: 'nope', message: /expected a JSON value/ }] },
  ],
};
