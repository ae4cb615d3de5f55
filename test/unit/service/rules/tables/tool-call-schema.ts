import { lines, type RuleTable } from '../table';

const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];

export const table: RuleTable = {
  valid: [
    { name: 'well-formed call and result', text: lines({ tools, messages: [{ role: 'user', content: 'Paris?' }, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] }, { role: 'tool', tool_call_id: 'c1', content: '20C' }, { role: 'assistant', content: 'It is 20C.' }] }) },
    { name: 'sharegpt function call with a tools string', text: lines({ conversations: [{ from: 'human', value: 'a' }, { from: 'function_call', value: '{"name": "f", "arguments": {"x": 1}}' }, { from: 'observation', value: 'r' }, { from: 'gpt', value: 'b' }], tools: '[{"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}]' }) },
  ],
  invalid: [
    { name: 'arguments that do not parse', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{city: Paris}"}}]}, {"role": "tool", "tool_call_id": "c1", "content": "r"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"{city: Paris}"', message: /does not parse/ }] },
    { name: 'arguments as an object, missing id', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]}]}'), problems: [{ line: 0, text: '{"type": "function", "function": {"name": "f", "arguments": {"x": 1}}}', message: /no "id"/ }, { line: 0, text: '{"x": 1}', message: /JSON string/ }] },
    { name: 'tool result id matches no call', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "c2", "content": "r"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"c2"', message: /matches no earlier tool call/ }] },
    { name: 'call to an undefined tool', text: lines(JSON.stringify({ tools, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }] })), problems: [{ line: 0, text: '"get_time"', message: /not among the tools/ }] },
    { name: 'tool spec with non-object parameters', text: lines('{"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}], "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}'), problems: [{ line: 0, text: '"string"', message: /"type": "object"/ }] },
    { name: 'sharegpt function call that is not JSON', text: lines('{"conversations": [{"from": "human", "value": "a"}, {"from": "function_call", "value": "f(x=1)"}, {"from": "observation", "value": "r"}, {"from": "gpt", "value": "b"}]}'), problems: [{ line: 0, text: '"f(x=1)"', message: /does not parse/ }] },
  ],
};
