import { chat, lines, type RuleTable } from '../table';

// JSON.stringify cannot write a repeated key, so the records with one are written out by hand.
const manyKeys = Array.from({ length: 40 }, (_, index) => `"k${index}": ${index}`).join(', ');

export const table: RuleTable = {
  valid: [
    { name: 'a chat record with no repeated key', text: lines(chat('Hi', 'Hello')) },
    { name: 'the same keys in sibling objects (every message has "role" and "content")', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}') },
    { name: 'a key equal to a value string', text: lines('{"instruction": "output", "input": "instruction", "output": "input"}') },
    { name: 'the same key in an object and the object inside it', text: lines('{"text": "a", "meta": {"text": "b", "meta": {"text": "c"}}}') },
    { name: 'repeated keys inside a string (JSON written as text)', text: lines('{"text": "{\\"a\\": 1, \\"a\\": 2}", "label": "x"}') },
    { name: 'an object with many keys, none repeated', text: lines(`{"text": "a", ${manyKeys}}`) },
    { name: 'a pretty-printed JSON array file', kind: 'json', text: '[\n  {\n    "instruction": "a",\n    "output": "b"\n  },\n  {\n    "instruction": "c",\n    "output": "d"\n  }\n]' },
  ],
  invalid: [
    {
      name: 'a record with "instruction" twice (the first value is lost)',
      text: lines('{"instruction": "Translate to French", "instruction": "cat", "output": "chat"}'),
      problems: [{ line: 0, text: '"instruction"', nth: 1, message: /The key "instruction" appears again in this object: json\.loads, JSON\.parse, pandas and the datasets library all keep only the last "instruction" value, so the earlier one is silently dropped\. Merge the two values into one "instruction", or rename one of the keys\./ }],
    },
    {
      name: 'a message with "content" twice',
      text: lines(chat('Hi', 'Hello'), '{"messages": [{"role": "user", "content": "What is 2+2?", "content": "And 3+3?"}, {"role": "assistant", "content": "6"}]}'),
      problems: [{ line: 1, text: '"content"', nth: 1, message: /"content" appears again/ }],
    },
    {
      name: 'a tool call whose function has "name" twice',
      text: lines('{"messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "name": "get_forecast", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "call_1", "content": "18C"}, {"role": "assistant", "content": "18C."}]}'),
      problems: [{ line: 0, text: '"name"', nth: 1, message: /"name" appears again/ }],
    },
    {
      name: 'a key three times: the second and the third',
      text: lines('{"text": "a", "label": 1, "text": "b", "text": "c"}'),
      problems: [{ line: 0, text: '"text"', nth: 1 }, { line: 0, text: '"text"', nth: 2 }],
    },
    {
      name: 'the same name spelt with an escape',
      text: lines('{"text": "a", "\\u0074ext": "b"}'),
      problems: [{ line: 0, text: '"\\u0074ext"', message: /"text" appears again/ }],
    },
    {
      name: 'a long key (read past its first 24 characters) repeated',
      text: lines('{"text": "a", "annotator_comment_for_the_second_pass": "x", "annotator_comment_for_the_second_pass": "y"}'),
      problems: [{ line: 0, text: '"annotator_comment_for_the_second_pass"', nth: 1 }],
    },
    {
      name: 'a repeat in an object with many keys',
      text: lines(`{"text": "a", ${manyKeys}, "k3": 3}`),
      problems: [{ line: 0, text: '"k3"', nth: 1 }],
    },
    {
      name: 'a pretty-printed JSON array file',
      kind: 'json',
      text: '[\n  {\n    "instruction": "a",\n    "output": "b",\n    "output": "c"\n  }\n]',
      problems: [{ line: 4, text: '"output"' }],
    },
  ],
};
