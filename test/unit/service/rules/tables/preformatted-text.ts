import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'a plain text with no template', text: lines({ text: 'The mitochondria is the powerhouse of the cell.' }) },
    { name: 'a text that mentions a token later (special-token-leak reports it)', text: lines({ text: 'Weekly report: sales grew.<|im_end|>' }) },
    { name: 'an HTML strikethrough at the start of a text', text: lines({ text: '<s>Deprecated</s> use the new API.' }) },
    { name: 'template tokens in a chat record are special-token-leak business', text: lines(chat('<s>[INST] Hi [/INST]', 'Hello')) },
  ],
  invalid: [
    // guanaco-llama2 layout, read as it is by TRL's SFTTrainer with a "text" column.
    { name: 'a Llama 2 pre-formatted text', text: lines({ text: '<s>[INST] What is the capital of France? [/INST] Paris. </s>' }), problems: [{ line: 0, text: '<s>[INST]', message: /already formatted with the Llama 2 \/ Mistral chat template.*store the turns as "messages"/ }] },
    { name: 'ChatML, Llama 3, Gemma and Zephyr texts, after leading whitespace', text: lines({ text: '<|im_start|>user\nHi<|im_end|>' }, { text: '  <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>' }, { text: '<start_of_turn>user\nHi<end_of_turn>' }, { text: '<|user|>\nHi</s>\n<|assistant|>\nHello</s>' }), problems: [{ line: 0, text: '<|im_start|>', message: /ChatML/ }, { line: 1, text: '<|begin_of_text|>', message: /Llama 3/ }, { line: 2, text: '<start_of_turn>', message: /Gemma/ }, { line: 3, text: '<|user|>', message: /Zephyr/ }] },
  ],
};
