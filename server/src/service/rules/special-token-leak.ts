import { preformattedTemplate } from './chatTemplates';
import { mayHaveSpecialToken } from './prefilter';
import type { Turn } from '../conversation';
import type { RecordRule } from './rule';
import { allTurns, inMarkdownCode, reportMatchesInParts, textAndCallParts, userText } from './util';

// Control tokens of common chat templates: any <|name|> (ChatML, Llama 3, Phi, Qwen, Command R's
// <|END_OF_TURN_TOKEN|>...), Llama 2, Gemma with <bos>/<eos> (and Gemma 3's image tokens, which its processor inserts), Mistral ([INST], [SYSTEM_PROMPT],
// [TOOL_CALLS]), ChatGLM/GLM-4's [gMASK]<sop>, DeepSeek's full-width <｜User｜>/<｜end▁of▁sentence｜>, and <unk>/<pad> left by a detokenizer.
// Not a single letter, alone or with a short subscript (<|x|>, <|x_i|>): an absolute value or bra-ket in plain-text math, and
// no template's token.
const specialToken = /<\|(?![A-Za-z](?:_\w{1,3})?\|>)[A-Za-z][\w.-]{0,40}\|>|<\/?(?:start_of_turn|end_of_turn)>|<(?:start_of_image|end_of_image|image_soft_token)>|\[\/?(?:INST|SYSTEM_PROMPT)\]|<<\/?SYS>>|<\/s>|<s>|<\/?tool_call>|\[\/?(?:TOOL_CALLS|AVAILABLE_TOOLS|TOOL_RESULTS)\]|<(?:bos|eos|unk|pad)>|\[gMASK\]|<[se]op>|<｜[^｜<>\n]{1,40}｜>|^### (?:Instruction|Input|Response):/gm;

/**
 * Names of the <|name|> control tokens that chat templates and tokenizers define (ChatML and Kimi's im_*, Llama 3 and 4,
 * Phi, GLM-4, Zephyr, Granite, gpt-oss's harmony format, Qwen's vision and fill-in-the-middle tokens, Command R), lower-cased.
 */
const templateTokenNames: ReadonlySet<string> = new Set(
  'endoftext startoftext endofprompt eot_id eom_id eot start_header_id end_header_id header_start header_end begin_of_text end_of_text finetune_right_pad_id python_tag system user assistant end tool tool_call tool_calls tool_response observation function_call repo_name file_sep start message channel constrain return call start_of_role end_of_role end_of_turn_token start_of_turn_token user_token chatbot_token system_token start_of_turn end_of_turn bos eos pad unk sep cls mask'.split(' '),
);
const templateTokenFamilies = /^(?:im|fim|vision|object_ref|box|quad|image|video|audio)_|^(?:placeholder|reserved_special_token_)\d*$/;

/** Whether a <|name|> token is one that a chat template or tokenizer defines (not a dataset's own plain-text marker). */
function isTemplateToken(token: string): boolean {
  if (!token.startsWith('<|')) return true;
  const name = token.slice(2, -2).toLowerCase();
  return templateTokenNames.has(name) || templateTokenFamilies.test(name);
}

/** Bespoke-Stratos' and OpenThoughts' section markers. */
const reasoningMarker = /^<\|(?:begin|end)_of_(?:thought|solution)\|>$/;

/**
 * A marker a dataset writes as plain text on purpose: a <|name|> no template defines that the prompt (a system or user
 * message) names and the answer uses (Bespoke-Stratos and OpenThoughts: <|begin_of_thought|> ... <|end_of_solution|>,
 * described in the system prompt). No tokenizer reads it as a control token unless the trainer adds it.
 */
function isRequestedMarker(token: string, turns: readonly Turn[]): boolean {
  if (isTemplateToken(token)) return false;
  // Their names are known well enough to pass without the prompt (a copy of the data without its system column).
  if (reasoningMarker.test(token)) return true;
  let inPrompt = false;
  let inAnswer = false;
  for (const turn of turns) {
    if (!turn.content.includes(token)) continue;
    if (turn.role === 'system' || turn.role === 'user') inPrompt = true;
    else if (turn.role === 'assistant' || turn.role === null) inAnswer = true; // null: a tag the format does not know ("from": "assistant")
  }
  return inPrompt && inAnswer;
}

/** Characters an HTML <s>...</s> element spans at most, on one line. */
const strikethroughLength = 200;

/**
 * Whether a matched `<s>` or `</s>` is one half of an HTML strikethrough element (`<s>$40</s>` in an
 * answer about HTML): the other half is near it on the same line with no [INST]/[/INST] between.
 * Llama 2's sentence tokens wrap whole turns around [INST] markers, or stand alone at an end.
 */
function isHtmlStrikethrough(match: RegExpExecArray): boolean {
  const token = match[0];
  if (token !== '<s>' && token !== '</s>') return false;
  const text = match.input;
  const open = token === '<s>' ? match.index : text.lastIndexOf('<s>', match.index);
  const close = token === '</s>' ? match.index : text.indexOf('</s>', match.index);
  if (open < 0 || close < open) return false;
  const inner = text.slice(open + 3, close);
  return inner.length <= strikethroughLength && !inner.includes('\n') && !inner.includes('INST]') && inner.trim().length > 0;
}

/** A <s> that is neither at the start or end of its text nor before [INST]: where Llama 2's own sentence tokens are not. */
function loneMidText(match: RegExpExecArray): boolean {
  const text = match.input;
  const end = match.index + 3;
  return text.slice(0, match.index).trim() !== '' && text.slice(end).trim() !== '' && !/^\s*\[INST\]/.test(text.slice(end, end + 20));
}

/** Words of text about HTML's <s> element ("the <s> tag", "strikethrough", "<del>"). */
const htmlTalk = /\bhtml\b|\btags?\b|\belements?\b|strike|markup|<\/?(?:del|ins|p|b|i|u|em|strong|span|div)>/i;

/** Whether a lone <s> names HTML's strikethrough element: in inline code, or in text (or a question) about HTML. */
function namesHtmlElement(match: RegExpExecArray, request: () => string): boolean {
  const text = match.input;
  if (text.charAt(match.index - 1) === '`' && text.charAt(match.index + 3) === '`') return true;
  return htmlTalk.test(text.slice(Math.max(0, match.index - 100), match.index + 103)) || htmlTalk.test(request());
}

/** Words of a sentence that talks about a vocabulary's special entries (not "pad" itself: the token contains it). */
const tokenTalk = /\btokens?\b|tokeni[sz]|vocab|\bpadd(?:ing|ed)\b|\b(?:end|beginning|start)[- ]of[- ](?:sequence|sentence|text)\b|seq2seq|\b(?:encoder|decoder)\b|special (?:symbols?|entries)/i;

/**
 * Whether a <bos>, <eos>, <unk> or <pad> is named in prose about tokens ("why do we add <pad> and <eos> to the vocabulary?",
 * "an end-of-sequence token, often written <eos>"): the sentence around it, or the user's question, talks of tokens. Plain
 * text to most chat templates then; one at the start or end of a text is still a leak ("Hello<eos>").
 */
function namedInProse(match: RegExpExecArray, request: () => string): boolean {
  const text = match.input;
  const end = match.index + match[0].length;
  if (text.slice(0, match.index).trim() === '' || text.slice(end).trim() === '') return false;
  return tokenTalk.test(text.slice(Math.max(0, match.index - 100), end + 100)) || tokenTalk.test(request());
}

/** Chat-template special tokens written into content: the tokenizer turns them into control tokens and the conversation structure breaks. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'special-token-leak', description: 'Chat-template special tokens (<|im_start|>, [INST], <|eot_id|>, <s>...) leaked into content.', defaultSeverity: 'error', fixable: false },
  check(context) {
    if (!mayHaveSpecialToken(context.record.text)) return;
    // Axolotl's template-free segments are the raw training text: the author writes <s>, </s> and turn tokens on purpose.
    if (context.analysis.conversation.shape === 'segments') return;
    const { conversation } = context.analysis;
    // A plain text record written in a chat template on purpose (preformatted-text names it): that template's own
    // tokens are its layout; a token of another template in it is still a leak.
    const written = conversation.plainText ? preformattedTemplate(conversation.turns[0]?.parts[0]?.text ?? '')?.template : undefined;
    // Alpaca's prompt headers are plain text, written on purpose in a prompt or a pre-formatted "text" record: only an
    // answer that goes on into one (outside code, where no answer shows the format) has leaked it.
    let answers: Set<string> | undefined;
    let request: string | undefined;
    // Tool-call arguments are trained text too: a leaked token there teaches the model to end a turn inside a call.
    reportMatchesInParts(context, textAndCallParts(context, allTurns(context)), specialToken, (match) => {
      if (isHtmlStrikethrough(match) || written?.owns(match[0]) === true || isRequestedMarker(match[0], allTurns(context))) return undefined;
      if (match[0] === '<s>' && loneMidText(match) && namesHtmlElement(match, () => (request ??= userText(conversation.turns)))) return undefined;
      // Hermes-style tool calling (NousResearch's function-calling data, ShareGPT and other text layouts): the call is written in
      // the answer between <tool_call> tags, and the system prompt tells the format. Only beside calls of its own (OpenAI's
      // tool_calls, ShareGPT function_call turns), which the template renders in those tags, is the written tag a leak.
      if (/^<\/?tool_call>$/.test(match[0]) && !conversation.turns.some((turn) => turn.toolCalls.length > 0)) return undefined;
      if (match[0].startsWith('###')) {
        answers ??= new Set(conversation.plainText ? [] : allTurns(context).filter((turn) => turn.role === 'assistant').flatMap((turn) => turn.parts.map((part) => part.text)));
        // "### Input:" alone is a heading of the answer (a problem statement's "### Input:" / "### Output:"); with the
        // template's other headers it is the template.
        if (match[0].startsWith('### Input') && !/^### (?:Instruction|Response):/m.test(match.input)) return undefined;
        // "### Response:" as one heading of a report (an incident's summary, then its response) is not the template without its instruction.
        if (match[0].startsWith('### Response') && !/^### (?:Instruction|Input):/m.test(match.input)) return undefined;
        return !answers.has(match.input) || inMarkdownCode(match.input, match.index) ? undefined : `Prompt-format marker "${match[0]}" in the content: the text was already formatted with an Alpaca-style prompt template (or a generation ran on past its answer). Remove the marker and any turn it starts; the trainer's template adds its own.`;
      }
      // In code that teaches a chat format the token is meant, but the tokenizer still reads it as a control token.
      if (inMarkdownCode(match.input, match.index)) {
        // <pad>, <unk>, <bos> and <eos> in code are a vocabulary's entries (a PyTorch tokenizer, a seq2seq tutorial):
        // ordinary text to the chat templates of Llama 3, Qwen, Mistral and most others.
        if (/^<(?:bos|eos|unk|pad)>$/.test(match[0])) return undefined;
        return `Special token "${match[0]}" in a code block: even there the tokenizer reads it as a control token, so the model learns to end or start turns mid-answer. If the example teaches the format, write the token so it is not one (e.g. with a space after "<"), or drop the example.`;
      }
      // A lone <s> mid-text is Llama 2's sentence start leaked (an HTML <s>...</s> pair was let through above), unless prose names it.
      if (/^<(?:bos|eos|unk|pad|s)>$/.test(match[0]) && namedInProse(match, () => (request ??= userText(conversation.turns)))) return undefined;
      // <unk> and <pad> are what a detokenizer leaves where it lost a character or padded: no template writes them.
      if (/^<(?:unk|pad)>$/.test(match[0])) return `Token "${match[0]}" in the content: left by a detokenizer (a character it could not map, or padding), and the tokenizer reads it as its control token, so the model learns to emit it. Restore the text it stands for, or remove it.`;
      // A plain text record has no template: its author wrote every token, and one of another format breaks it.
      if (conversation.plainText) return `Special token "${match[0]}" in the text: the tokenizer reads it as a control token (a turn boundary or a sequence end mid-text), and it is not the layout this text is written in. Remove it (the text was probably formatted twice).`;
      return `Special token "${match[0]}" in the content: the chat template adds these itself, and a literal one breaks the turn structure the model learns. Remove it (the text was probably formatted twice).`;
    });
  },
};
