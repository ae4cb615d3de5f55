import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // missing-field reports it at "completion", naming both fixes (rename to "output", or add the label).
    { name: 'an Alpaca-like record with "completion" but no "output" or "label" among KTO records', text: lines({ instruction: 'The sky is', completion: ' blue.', label: true }, { instruction: 'Grass is', completion: ' green.', label: true }, { instruction: 'Snow is', completion: ' black.', label: false }, { instruction: 'Fire is', completion: ' cold.' }) },
    { name: 'one format', text: lines(chat('a', 'b'), chat('c', 'd')) },
    { name: 'a prompt/completion record with one stray answer column stays prompt/completion', text: lines({ prompt: 'Who discovered penicillin?', completion: ' Alexander Fleming.', chosen: 'x' }, { prompt: 'Who wrote Hamlet?', completion: ' Shakespeare.' }) },
    { name: 'TRL preference pairs with string and conversational sides', text: lines({ prompt: 'Capital of Peru?', chosen: 'Lima.', rejected: 'Cusco.' }, { prompt: [{ role: 'user', content: 'Capital of Chile?' }], chosen: [{ role: 'assistant', content: 'Santiago.' }], rejected: [{ role: 'assistant', content: 'Lima.' }] }) },
    { name: 'alpaca with and without input', text: lines({ instruction: 'a', input: '', output: 'b' }, { instruction: 'c', output: 'd' }) },
    // An empty list has no layout: it is the file's format with nothing in it (no-assistant-turn reports it).
    { name: 'an empty messages list among from/value messages', text: lines({ messages: [{ from: 'human', value: 'Capital of Peru?' }, { from: 'gpt', value: 'Lima.' }] }, { messages: [] }, { messages: [{ from: 'human', value: 'Capital of Chile?' }, { from: 'gpt', value: 'Santiago.' }] }) },
    { name: 'an empty conversations list among role/content conversations', text: lines({ conversations: [{ role: 'user', content: 'Capital of Peru?' }, { role: 'assistant', content: 'Lima.' }] }, { conversations: [] }, { conversations: [{ role: 'user', content: 'Capital of Chile?' }, { role: 'assistant', content: 'Santiago.' }] }) },
  ],
  invalid: [
    { name: 'as many records in each format: the first record decides, and the message does not say "mostly"', text: lines('{"instruction": "A", "output": "a"}', chat('B', 'b'), '{"instruction": "C", "output": "c"}', chat('D', 'd')), problems: [{ line: 1, text: '"messages"', message: /^This record is openai-chat but the file has as many records in each format and starts in alpaca: one file must use one format\./ }, { line: 3, text: '"messages"' }] },
    {
      name: 'two preference layouts with one pair each: the layout that comes first is the file\'s',
      text: lines({ input: { messages: [{ role: 'user', content: 'Capital of Ghana?' }] }, preferred_output: [{ role: 'assistant', content: 'Accra.' }], non_preferred_output: [{ role: 'assistant', content: 'Kumasi.' }] }, { prompt: 'Capital of Peru?', chosen: 'Lima.', rejected: 'Cusco.' }),
      problems: [{ line: 1, text: '"prompt"', message: /^This preference pair is written in TRL columns .* but the rest of the file in OpenAI DPO/ }],
    },
    // The datasets library loads the other layout's columns as null: TRL gets a null prompt, OpenAI rejects a row without "input".
    {
      name: 'an OpenAI DPO pair among TRL preference pairs (one layout per file)',
      text: lines(
        { prompt: 'Capital of Peru?', chosen: 'Lima.', rejected: 'Cusco.' },
        { prompt: 'Capital of Chile?', chosen: 'Santiago.', rejected: 'Lima.' },
        { input: { messages: [{ role: 'user', content: 'Capital of Ghana?' }] }, preferred_output: [{ role: 'assistant', content: 'Accra.' }], non_preferred_output: [{ role: 'assistant', content: 'Kumasi.' }] },
      ),
      problems: [{ line: 2, text: '"input"', message: /^This preference pair is written in OpenAI DPO \("input", "preferred_output", "non_preferred_output"\), but the rest of the file in TRL columns/ }],
    },
    { name: 'from/value messages among OpenAI messages (one layout per file)', text: lines({ messages: [{ role: 'user', content: 'Capital of Peru?' }, { role: 'assistant', content: 'Lima.' }] }, { messages: [{ role: 'user', content: 'Capital of Chile?' }, { role: 'assistant', content: 'Santiago.' }] }, { messages: [{ from: 'human', value: 'Capital of Spain?' }, { from: 'gpt', value: 'Madrid.' }] }), problems: [{ line: 2, text: '"messages"', message: /This record is sharegpt but the file is mostly openai-chat/ }] },
    { name: 'role/content conversations among from/value ShareGPT records (one layout per file)', text: lines({ conversations: [{ from: 'human', value: 'Capital of Peru?' }, { from: 'gpt', value: 'Lima.' }] }, { conversations: [{ from: 'human', value: 'Capital of Chile?' }, { from: 'gpt', value: 'Santiago.' }] }, { conversations: [{ role: 'user', content: 'Capital of Spain?' }, { role: 'assistant', content: 'Madrid.' }] }), problems: [{ line: 2, text: '"conversations"', message: /OpenAI-style, \{"from", "value"\} ShareGPT/ }] },
    { name: 'a torchtune input/output pair among Alpaca records is told to add its instruction', text: lines({ instruction: 'Translate: cat', input: '', output: 'gato' }, { instruction: 'Translate: dog', input: '', output: 'perro' }, { input: 'Translate: bird', output: 'pájaro' }), problems: [{ line: 2, text: '"input"', message: /torchtune \{"input", "output"\} pair needs its "instruction"/ }] },
    { name: 'an alpaca record among chat records', text: lines(chat('a', 'b'), chat('c', 'd'), { instruction: 'e', input: '', output: 'f' }), problems: [{ line: 2, text: '"instruction"', message: /alpaca but the file is mostly openai-chat/ }] },
    { name: 'forced format', settings: { format: 'sharegpt' }, text: lines(chat('a', 'b')), problems: [{ line: 0, text: '"messages"', message: /the file is set to sharegpt \(by tunesmith\.format or "format" in tunesmith\.json or \.tunesmithrc\.json\).*Convert the record \(quick fix\)/ }] },
    { name: 'forced Alpaca: a torchtune pair is said to be against the setting, not against the rest of the file', settings: { format: 'alpaca' }, text: lines({ input: 'Translate to French: cat', output: 'chat' }, { instruction: 'Name a colour', output: 'Blue.' }), problems: [{ line: 0, text: '"input"', message: /^This record is not Alpaca, but the file is set to Alpaca \(by tunesmith\.format or "format" in tunesmith\.json or \.tunesmithrc\.json\): Alpaca loaders/ }] },
    { name: 'a stepwise record among prompt/completion records', text: lines({ prompt: 'The sky is', completion: ' blue.' }, { prompt: 'Grass is', completion: ' green.' }, { prompt: 'Is 9.8 > 9.11?', completions: ['0.8 > 0.11.', 'Yes.'], labels: [true, true] }), problems: [{ line: 2, text: '"prompt"', message: /stepwise supervision.*PRMTrainer/ }] },
    { name: 'a text record among chat records: no conversion is offered, so none is promised', text: lines(chat('a', 'b'), chat('c', 'd'), { text: 'plain' }), problems: [{ line: 2, text: '"text"', message: /text but the file is mostly openai-chat.*Rewrite it as openai-chat or move it/ }] },
  ],
};
