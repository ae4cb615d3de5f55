import type { Conversation, Turn } from '../conversation';
import type { RecordRule } from './rule';
import { allTurns, turnName } from './util';

/**
 * A standard (plain string) completion or preference answer after a plain string prompt: TRL joins
 * prompt and answer as they are ({"prompt": "The sky is", "completion": " blue."}), and OpenAI's
 * prompt/completion guide starts every completion with a space, so its leading whitespace is the
 * separator the model must learn, not noise. After a prompt that already ends in whitespace it is a
 * doubled separator and is reported.
 */
export function continuesPrompt(conversation: Conversation, turn: Turn): boolean {
  if (conversation.shape !== 'prompt-completion' && conversation.shape !== 'preference-trl') return false;
  const first = conversation.turns[0];
  return turn.rolePath === undefined && turn.path.length === 1 && first !== undefined && first !== turn && first.rolePath === undefined && first.path.length === 1 && first.path[0] === 'prompt' && first.content.length > 0 && first.content.trimEnd() === first.content;
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

/** Leading or trailing whitespace in a response: the model learns to emit it, and it wastes tokens. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'whitespace', description: 'Leading or trailing whitespace in an assistant response.', defaultSeverity: 'warning', fixable: true },
  check(context) {
    allTurns(context).forEach((turn, index) => {
      if (turn.role !== 'assistant' || context.analysis.conversation.plainText) return;
      turn.parts.forEach((part, partIndex) => {
        const text = part.text;
        if (text.trim().length === 0) return; // empty-content reports it
        // Content parts are joined into one response: only its start and its end are the response's edges.
        const { conversation } = context.analysis;
        const leadingRun = partIndex === 0 && !continuesPrompt(conversation, turn) && !startsImplicitPrompt(conversation, turn) ? text.length - text.trimStart().length : 0;
        const leading = isCodeIndentation(text, leadingRun) ? 0 : leadingRun;
        const trailing = partIndex === turn.parts.length - 1 ? text.length - text.trimEnd().length : 0;
        if (leading === 0 && trailing === 0) return;
        const where = leading > 0 && trailing > 0 ? 'Leading and trailing' : leading > 0 ? 'Leading' : 'Trailing';
        const start = leading > 0 ? 0 : text.length - trailing;
        const end = trailing > 0 ? text.length : leading;
        context.report(`${where} whitespace in the response of ${turnName(turn, index)}: the model learns to produce it. Trim it (quick fix).`, { path: part.path, inString: { start, end } }, { kind: 'trim', path: part.path });
      });
    });
  },
};
