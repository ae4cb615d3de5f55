import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [{ name: 'no tokens', text: lines(chat('What is <div>?', 'An HTML element such as <div> or <span>.')) }],
  invalid: [
    { name: 'ChatML tokens', text: lines(chat('Hi', 'Hello<|im_end|>')), problems: [{ line: 0, text: '<|im_end|>', message: /Special token/ }] },
    { name: 'Llama 2 tokens', text: lines(chat('[INST] Hi [/INST]', 'Hello')), problems: [{ line: 0, text: '[INST]' }, { line: 0, text: '[/INST]' }] },
    { name: 'Llama 3 end of turn', text: lines(chat('Hi', 'Hello<|eot_id|>')), problems: [{ line: 0, text: '<|eot_id|>' }] },
  ],
};
