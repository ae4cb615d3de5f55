import type { Conversation, Turn } from '../conversation';
import type { FixData, RecordRule, RecordRuleContext } from './rule';
import { turnName } from './util';

/**
 * A standard (plain string) completion or preference answer after a plain string prompt: TRL joins
 * prompt and answer as they are ({"prompt": "The sky is", "completion": " blue."}), and OpenAI's
 * prompt/completion guide starts every completion with a space, so its leading whitespace is the
 * separator the model must learn, not noise. After a prompt that already ends in whitespace it is a
 * doubled separator and is reported.
 */
export function continuesPrompt(conversation: Conversation, turn: Turn): boolean {
  const prompt = stringPromptBefore(conversation, turn);
  return prompt !== undefined && prompt.length > 0 && prompt.trimEnd() === prompt;
}

/** The plain string prompt a plain string completion or preference answer follows (TRL's standard layout), or undefined. */
function stringPromptBefore(conversation: Conversation, turn: Turn): string | undefined {
  if (conversation.shape !== 'prompt-completion' && conversation.shape !== 'preference-trl') return undefined;
  const first = conversation.turns[0];
  const isPrompt = turn.rolePath === undefined && turn.path.length === 1 && first !== undefined && first !== turn && first.rolePath === undefined && first.path.length === 1 && first.path[0] === 'prompt';
  return isPrompt ? first.content : undefined;
}

/**
 * A string side of a preference pair without a prompt column (Anthropic's HH-RLHF: "\n\nHuman: ...
 * \n\nAssistant: ..."): its start is the implicit prompt both sides share, which TRL's extract_prompt
 * takes as the common prefix, not the answer's first characters; "\n\nHuman:" is how that data is written.
 */
function startsImplicitPrompt(conversation: Conversation, turn: Turn): boolean {
  if (conversation.shape !== 'preference-trl' || turn.rolePath !== undefined || turn.path.length !== 1) return false;
  return !conversation.turns.some((other) => other.path[0] === 'prompt');
}

/**
 * Leading whitespace that indents the first line of a multi-line answer as code: a tab or four or more spaces
 * before text (a Markdown indented code block, a function body completed after "def area(radius):"). It is
 * content. A one-line answer after a tab ("\tOxygen.") is still a stray indent.
 */
function isCodeIndentation(text: string, leading: number): boolean {
  const indent = text.slice(0, leading);
  return !indent.includes('\n') && !indent.includes('\r') && (indent.includes('\t') || leading >= 4) && text.trimEnd().includes('\n', leading);
}

/**
 * An ideographic-space (U+3000) indent before Chinese or Japanese text: the paragraph indent of CJK typography, written
 * before every paragraph (trimming only the first would leave the others indented), not a stray space.
 */
function isCjkIndent(text: string, leading: number): boolean {
  if (leading === 0 || leading > 2 || text.charCodeAt(0) !== 0x3000 || (leading === 2 && text.charCodeAt(1) !== 0x3000)) return false;
  return /^[\u3001-\u303F\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF01-\uFF60]/.test(text.slice(leading));
}

/**
 * A completion after a prompt that ends its line, starting with spaces or tabs: the indent of the code
 * line it completes (HumanEval's one-line function body after the signature and docstring).
 */
function continuesCodeLine(conversation: Conversation, turn: Turn, text: string, leading: number): boolean {
  if (leading === 0) return false;
  const prompt = stringPromptBefore(conversation, turn);
  if (prompt === undefined || !prompt.endsWith('\n') || !/^[ \t]+$/.test(text.slice(0, leading))) return false;
  // The prompt's last line is code: indented itself, or opening a block ("def add(a, b):", "int main() {").
  const lastLine = /([^\n]*)\n[ \t\n]*$/.exec(prompt)?.[1] ?? '';
  return /^[ \t]+\S/.test(lastLine) || /[:{]\s*$/.test(lastLine);
}

/**
 * OpenAI's legacy prompt/completion guide: each completion starts with a space and ends with a fixed stop sequence such as
 * "\n", which the model must learn to emit (" yes\n" after "...Supported:").
 */
function endsWithStopSequence(conversation: Conversation, turn: Turn, text: string): boolean {
  return conversation.shape === 'prompt-completion' && text.startsWith(' ') && text.endsWith('\n') && !text.endsWith('\n\n') && !/[ \t]\n$/.test(text) && continuesPrompt(conversation, turn);
}

/** Leading or trailing whitespace in a response: the model learns to emit it, and it wastes tokens. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'whitespace', description: 'Leading or trailing whitespace in an assistant response, or a prompt field of only whitespace beside text.', defaultSeverity: 'warning', fixable: true },
  check(context) {
    // Not a rejected answer: preference training pushes its tokens down, so whitespace there teaches nothing to emit.
    context.analysis.conversation.turns.forEach((turn, index) => {
      // A stepwise record's steps are no content parts a template renders: a blank step is empty-content's finding.
      if (turn.parts.length > 1 && context.analysis.conversation.shape !== 'stepwise') reportBlankParts(context, turn);
      if (turn.role !== 'assistant' || context.analysis.conversation.plainText) return;
      turn.parts.forEach((part, partIndex) => {
        const text = part.text;
        if (text.trim().length === 0) return; // empty-content reports it, or reportBlankParts
        // Content parts are joined into one response: only its start and its end are the response's edges.
        const { conversation } = context.analysis;
        const leadingRun = partIndex === 0 && !continuesPrompt(conversation, turn) && !startsImplicitPrompt(conversation, turn) ? text.length - text.trimStart().length : 0;
        const leading = isCodeIndentation(text, leadingRun) || continuesCodeLine(conversation, turn, text, leadingRun) || isCjkIndent(text, leadingRun) ? 0 : leadingRun;
        const trailing = partIndex === turn.parts.length - 1 && !endsWithStopSequence(conversation, turn, text) ? text.length - text.trimEnd().length : 0;
        if (leading === 0 && trailing === 0) return;
        const where = leading > 0 && trailing > 0 ? 'Leading and trailing' : leading > 0 ? 'Leading' : 'Trailing';
        const start = leading > 0 ? 0 : text.length - trailing;
        const end = trailing > 0 ? text.length : leading;
        // The fix trims the side reported only: an exempt leading run (code indentation, a completion's separator) stays.
        const fix: FixData = leading > 0 && trailing > 0 ? { kind: 'trim', path: part.path } : { kind: 'trim', path: part.path, ends: leading > 0 ? 'start' : 'end' };
        context.report(`${where} whitespace in the response of ${turnName(turn, index)}: the model learns to produce it. Trim it (quick fix).`, { path: part.path, inString: { start, end } }, fix);
      });
    });
  },
};

/**
 * A piece of a turn's text that is only whitespace beside text (the turn itself is not empty):
 * Alpaca's "input" of spaces, which LLaMA-Factory and Axolotl append to the instruction as they do any
 * non-empty string, or a blank text part that the template still renders.
 */
function reportBlankParts(context: RecordRuleContext, turn: Turn): void {
  if (turn.content.trim().length === 0) return; // empty-content reports the turn
  for (const part of turn.parts) {
    if (part.text.length === 0 || part.text.trim().length > 0) continue;
    const key = part.path.length === 1 ? part.path[0] : undefined;
    const message =
      typeof key === 'string'
        ? `"${key}" is only whitespace: trainers still add it to the prompt (LLaMA-Factory and Axolotl append any non-empty string). Make it "" (quick fix) or write the text.`
        : 'This text part is only whitespace: the template still renders it into the message. Make it "" (quick fix) and remove the part, or write the text.';
    context.report(message, { path: part.path }, { kind: 'trim', path: part.path });
  }
}
