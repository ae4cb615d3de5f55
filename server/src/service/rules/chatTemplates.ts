/**
 * The chat templates a plain `text` record can be written in already (pre-formatted training text,
 * such as the Llama 2 layout `<s>[INST] ... [/INST] ... </s>` of many SFT datasets): how each one
 * opens, and the control tokens it uses. Shared by special-token-leak (a template's own tokens are
 * the layout there, not a leak) and preformatted-text (which names the template).
 */

export interface ChatTemplateFamily {
  /** The template's name, for messages. */
  name: string;
  /** Whether a control token belongs to this template. */
  owns(token: string): boolean;
}

const family = (name: string, tokens: readonly string[]): ChatTemplateFamily => {
  const own = new Set(tokens);
  return { name, owns: (token) => own.has(token) };
};

const llama2 = family('Llama 2 / Mistral', ['<s>', '</s>', '[INST]', '[/INST]', '<<SYS>>', '<</SYS>>', '[SYSTEM_PROMPT]', '[/SYSTEM_PROMPT]', '[TOOL_CALLS]', '[AVAILABLE_TOOLS]', '[/AVAILABLE_TOOLS]', '[TOOL_RESULTS]', '[/TOOL_RESULTS]']);
const chatml = family('ChatML (Qwen, OpenHermes)', ['<|im_start|>', '<|im_end|>', '<|endoftext|>', '<tool_call>', '</tool_call>']);
const llama3 = family('Llama 3', ['<|begin_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>', '<|eom_id|>', '<|python_tag|>', '<|end_of_text|>']);
const gemma = family('Gemma', ['<bos>', '<eos>', '<start_of_turn>', '<end_of_turn>']);
const zephyr = family('Zephyr / Phi-3', ['<|system|>', '<|user|>', '<|assistant|>', '<|end|>', '<|endoftext|>', '</s>', '<s>']);
const glm = family('ChatGLM / GLM-4', ['[gMASK]', '<sop>', '<eop>', '<|system|>', '<|user|>', '<|assistant|>', '<|observation|>', '<|endoftext|>']);
const deepseek: ChatTemplateFamily = { name: 'DeepSeek', owns: (token) => token.startsWith('<｜') };

/** Each template's openers: the text of a record pre-formatted with it starts with one of them. */
const openers: readonly { pattern: RegExp; template: ChatTemplateFamily }[] = [
  { pattern: /^(?:<s>\s*)?(?:\[INST\]|<<SYS>>|\[SYSTEM_PROMPT\]|\[AVAILABLE_TOOLS\])/, template: llama2 },
  { pattern: /^<\|im_start\|>/, template: chatml },
  { pattern: /^(?:<\|begin_of_text\|>|<\|start_header_id\|>)/, template: llama3 },
  { pattern: /^(?:<bos>\s*)?<start_of_turn>/, template: gemma },
  { pattern: /^(?:<s>\s*)?<\|(?:system|user)\|>/, template: zephyr },
  { pattern: /^\[gMASK\]/, template: glm },
  { pattern: /^<｜begin▁of▁sentence｜>|^<｜User｜>/, template: deepseek },
];

/** The template a plain text is written in, with the opening token as written (and where it starts), or undefined. */
export function preformattedTemplate(text: string): { template: ChatTemplateFamily; opener: string; start: number } | undefined {
  let start = 0;
  while (start < text.length && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 10 || text.charCodeAt(start) === 13 || text.charCodeAt(start) === 9)) start++;
  // Only texts that start with '<' or '[' can be pre-formatted: one character test for most records.
  const first = text.charCodeAt(start);
  if (first !== 60 && first !== 91) return undefined;
  const rest = start === 0 ? text : text.slice(start);
  for (const { pattern, template } of openers) {
    const match = pattern.exec(rest);
    if (match !== null) return { template, opener: match[0], start };
  }
  return undefined;
}
