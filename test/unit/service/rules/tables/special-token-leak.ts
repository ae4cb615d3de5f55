import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'a report whose headings include "### Response:" without the template\'s instruction', text: lines(chat('Write an incident postmortem for the outage.', '### Summary:\nThe API was down for 42 minutes.\n\n### Response:\nOn-call rolled back the deploy.')) },
    // Code-Feedback / Magicoder: a tokenizer's vocabulary in code, and a problem statement's own headings.
    { name: '<pad>, <unk>, <sos>, <eos> as vocabulary entries in code, and "### Input:" / "### Output:" headings of an answer', text: lines(chat('Build a vocab for my seq2seq model.', 'Start with the special entries:\n\n```python\nvocab = ["<pad>", "<unk>", "<sos>", "<eos>"]\n```\n\nThen map unknown words to `<unk>`.'), chat('Describe the input and output format for the sum-of-pairs problem.', '### Input:\nThe first line contains an integer n.\n\n### Output:\nPrint the sum of all pairs on one line.')) },
    { name: 'Alpaca headers in a prompt and in a pre-formatted text record', text: lines({ prompt: '### Instruction:\nSummarize the text.\n\n### Response:\n', completion: ' A summary.' }, { text: '### Instruction:\nName a planet.\n\n### Response:\nMars.' }) },
    { name: 'Markdown headings and the Alpaca format shown in code', text: lines(chat('Doc?', '### Input\nA list.\n\n### Response codes\n200 OK.'), chat('Alpaca?', 'The prompt looks like:\n\n```\n### Instruction:\n{instruction}\n\n### Response:\n```')) },
    { name: 'no tokens', text: lines(chat('What is <div>?', 'An HTML element such as <div> or <span>.')) },
    { name: 'an HTML strikethrough element', text: lines(chat('Show an old price', 'Use `<s>$40</s> <b>$25</b>`.')) },
    { name: 'an HTML strikethrough at the start of a line', text: lines(chat('Mark it', '<s>Deprecated</s> use the new API.')) },
    { name: 'Haskell and generics are not tokens', text: lines(chat('Operators?', '`a <|> b` picks one; List<String> and a<b.')) },
    // Axolotl template_free.qmd: the author writes the tokens of the raw training text.
    // TRL SFTTrainer trains a "text" column as written; guanaco-llama2-style datasets keep each example in the Llama 2 template (preformatted-text notes it).
    { name: 'a text record written in one chat template uses its tokens on purpose', text: lines({ text: '<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello </s>' }, { text: '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>' }, { text: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>' }) },
    { name: 'template-free segments hold the special tokens on purpose', text: lines({ segments: [{ label: true, text: '<s>Hello\n' }, { label: false, text: 'goodbye ' }, { label: true, text: 'farewell</s>' }] }) },
  ],
  invalid: [
    // Qwen3 and DeepSeek templates render reasoning into the trained text (a <think> block).
    { name: 'a special token in reasoning', text: lines({ messages: [{ role: 'user', content: 'Why?' }, { role: 'assistant', content: 'Because.', reasoning_content: 'Simple.<|im_end|>', thinking: 'Done.<|eot_id|>' }] }), problems: [{ line: 0, text: '<|im_end|>' }, { line: 0, text: '<|eot_id|>' }] },
    { name: 'a special token in tool-call arguments', text: lines({ messages: [{ role: 'user', content: 'Text Bob.' }, { role: 'assistant', tool_calls: [{ id: 'c3', type: 'function', function: { name: 'send_sms', arguments: '{"text": "See you.<|im_end|>"}' } }] }, { role: 'tool', tool_call_id: 'c3', content: 'ok' }, { role: 'assistant', content: 'Sent.' }] }), problems: [{ line: 0, text: '<|im_end|>', message: /^Special token "<\|im_end\|>"/ }] },
    { name: 'a detokenizer\'s <unk> in prose, and "### Input:" beside the template\'s other headers', text: lines(chat('Translate: Guten Tag', 'Good <unk> day.'), chat('Summarise.', 'A summary.\n### Instruction:\nSummarise again.\n### Input:\nMore text.')), problems: [{ line: 0, text: '<unk>', message: /^Token "<unk>" in the content: left by a detokenizer/ }, { line: 1, text: '### Instruction:' }, { line: 1, text: '### Input:' }] },
    { name: 'Alpaca prompt headers leaked into an answer', text: lines(chat('Capital of France?', 'Paris.\n\n### Instruction:\nWhat about Italy?\n\n### Response:\nRome.')), problems: [{ line: 0, text: '### Instruction:', message: /Prompt-format marker/ }, { line: 0, text: '### Response:' }] },
    { name: 'ChatGLM / GLM-4 prefix tokens', text: lines(chat('Summarize', '[gMASK]<sop>Sales rose 4%.<eop>')), problems: [{ line: 0, text: '[gMASK]' }, { line: 0, text: '<sop>' }, { line: 0, text: '<eop>' }] },
    { name: 'a token of another template in a pre-formatted text, and tokens in a text that is not pre-formatted', text: lines({ text: '<s>[INST] Hi [/INST] Hello<|im_end|> </s>' }, { text: 'Weekly report: sales grew.<|im_end|>' }), problems: [{ line: 0, text: '<|im_end|>', message: /^Special token "<\|im_end\|>" in the text: the tokenizer reads it as a control token/ }, { line: 1, text: '<|im_end|>' }] },
    { name: 'ChatML tokens', text: lines(chat('Hi', 'Hello<|im_end|>')), problems: [{ line: 0, text: '<|im_end|>', message: /Special token/ }] },
    { name: "Gemma 3's image tokens written into the text (its processor inserts them for each image)", text: lines(chat('<start_of_image><image_soft_token><end_of_image> What is this?', 'A cat.')), problems: [{ line: 0, text: '<start_of_image>' }, { line: 0, text: '<image_soft_token>' }, { line: 0, text: '<end_of_image>' }] },
    { name: 'Llama 2 tokens', text: lines(chat('[INST] Hi [/INST]', 'Hello')), problems: [{ line: 0, text: '[INST]' }, { line: 0, text: '[/INST]' }] },
    { name: 'an end-of-sentence token after the answer', text: lines(chat('Hi', 'Hello.</s>')), problems: [{ line: 0, text: '</s>' }] },
    { name: 'a whole Llama 2 turn', text: lines(chat('<s>[INST] Hi [/INST] Hello </s>', 'Hi')), problems: [{ line: 0, text: '<s>' }, { line: 0, text: '[INST]' }, { line: 0, text: '[/INST]' }, { line: 0, text: '</s>' }] },
    { name: 'Gemma sentence tokens and DeepSeek turn tokens', text: lines(chat('<｜User｜>Hi', '<bos>Hello<eos>')), problems: [{ line: 0, text: '<｜User｜>' }, { line: 0, text: '<bos>' }, { line: 0, text: '<eos>' }] },
    { name: 'a token in a code block that teaches the format', text: lines(chat('ChatML?', 'It looks like `<|im_start|>user`.')), problems: [{ line: 0, text: '<|im_start|>', message: /in a code block: even there the tokenizer reads it as a control token/ }] },
    { name: 'Llama 3 end of turn', text: lines(chat('Hi', 'Hello<|eot_id|>')), problems: [{ line: 0, text: '<|eot_id|>' }] },
    { name: 'any <|name|> token, Mistral system prompt, DeepSeek and <unk>', text: lines(chat('Hi', 'Hello!<|END_OF_TURN_TOKEN|>'), chat('[SYSTEM_PROMPT]Be terse.[/SYSTEM_PROMPT]3+3?', '6.'), chat('Hi', 'Yo<｜end▁of▁sentence｜>'), chat('Sum: the cat <unk> sat', 'A cat sat.')), problems: [{ line: 0, text: '<|END_OF_TURN_TOKEN|>' }, { line: 1, text: '[SYSTEM_PROMPT]' }, { line: 1, text: '[/SYSTEM_PROMPT]' }, { line: 2, text: '<｜end▁of▁sentence｜>' }, { line: 3, text: '<unk>' }] },
  ],
};
