import type { Turn } from '../conversation';
import { mayHaveDialogueMarker } from './prefilter';
import type { RecordRule, RecordRuleContext } from './rule';
import { inMarkdownCode, quote, sharedPrefixLength } from './util';

/**
 * A user-turn label at the start of a line of an answer: Anthropic HH's "Human:", Vicuna's "USER:", Guanaco's
 * "### Human:", OpenChatKit's "<human>:", and the same in a few other languages. Upper- or title-case only: a YAML
 * line "user: admin" is configuration.
 */
const marker = /^[ \t]*((?:### ?)?(?:Human|HUMAN|User|USER|<human>|Usuario|Utilisateur|Benutzer|Пользователь|用户|用戶|ユーザー)[ \t\u00A0\u202F]*[:：])[ \t]*(?=\S)/gm;

/** A line spoken by someone: a role label (Assistant:, AI:, Interviewer:), a name in capitals (ROMEO:) or in bold. */
const speakerLine = /^[ \t]*(?:(?:### ?)?(?:Assistant|ASSISTANT|AI|Bot|BOT|Chatbot|GPT|ChatGPT|System|SYSTEM|Human|HUMAN|User|USER|Customer|Agent|Client|Interviewer|Interviewee|Q|A|Me|You|Speaker ?\d|Person ?[A-Z\d]|Asistente|Assistent|Ассистент|助手|Cliente|Kunde)[ \t\u00A0\u202F]*[:：]|[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,2}:|\*\*[^*\n]{1,30}(?::\*\*|\*\*:))/m;

/**
 * A "Label: value" line: the marker line is one field of a list (User: admin / Password: ...), not a turn. Any script
 * (Contraseña:, Пароль:, 密码：); the space before the colon that French puts there.
 */
const fieldLine = /^[ \t]*\p{L}[\p{L}\p{N} ]{0,20}[ \u00A0\u202F]?[:：][ \t]*\S/u;
const assistantLabel = /^[ \t]*(?:### ?)?(?:Assistant|ASSISTANT|AI|Bot|BOT|GPT|<bot>|Asistente|Assistant|Assistent|Ассистент|助手|アシスタント)[ \t\u00A0\u202F]*[:：]/;

/** The user asked for a dialogue, a transcript, a role-play or a prompt with example turns: its labels are the answer. */
// Whole words ("description", "JavaScript" and "exchange rate" ask for no dialogue); a scene, script, play, interview, prompt
// or a piece of fiction (a story, tale, novel, chapter: its characters may chat with a bot) only when asked to be written
// ("Write a scene where...", "Tell me a story about...", not "the crime scene", "enhance the prompt", "the story behind the
// name" or a review that mentions the screenplay).
const dialogueRequest = /\b(?:dialog(?:ue)?s?|conversations?|conversational|transcripts?|transcribe[ds]?|role-?play\w*|few-?shot|chat ?logs?|exchange (?:between|of (?:messages|words|lines))|interviews? (?:with|between))\b|\b(?:write|writing|create|compose|draft|generate|continue|act out|perform|imagine|turn|rewrite|design|craft|tell|narrate)\b[^.?!\n]{0,60}\b(?:scenes?|screenplays?|scripts?|skits?|plays?|interviews?|sitcoms?|prompts?|stor(?:y|ies)|tales?|fables?|novels?|novellas?|chapters?|fan-?fic(?:tion)?|fiction|narratives?|episodes?)\b|diálogo|conversaci|gespräch|对话|对白|диалог|разговор|会話|対話/i;

function asksForDialogue(turns: readonly Turn[]): boolean {
  return turns.some((turn) => (turn.role === 'user' || turn.role === 'system') && dialogueRequest.test(turn.content));
}

/**
 * The answer's line before the marker introduces an example or a sample exchange: it ends on the words that say so ("Here
 * is an example.", "...a sample dialogue.", "like this.") or starts with them ("For example, ..."). Not a word of them
 * mid-sentence ("a linter such as ESLint.", "ada@example.com"): the answer may still run on into a turn after that.
 */
const exampleIntro = /(?:\b(?:examples?|samples?|instances?|like this|as follows)(?:[ \t]+(?:exchanges?|dialog(?:ue)?s?|conversations?|chats?|sessions?|interactions?|transcripts?))?|(?:^|\n)[ \t]*(?:here(?:'s| is| are)|below is|for (?:example|instance)|e\.g\.)\b[^\n]{0,60})[ \t]*[.:]?[ \t]*\n\s*$/i;

/**
 * Whether the marker at `index` starts a new turn the answer ran on into: there is answer text before it, no earlier line
 * of the answer is spoken by someone (a script or transcript), the line before does not introduce a list ("...labels:"),
 * and the next line is not another field of a list.
 */
function continuesDialogue(text: string, index: number): boolean {
  const before = text.slice(0, index);
  if (before.trim().length === 0 || speakerLine.test(before) || /:[ \t]*\n\s*$/.test(before)) return false;
  // An exchange the answer shows as an example ("Here is an example.\n\nUser: Hi\nBot: Hello!").
  if (exampleIntro.test(before)) return false;
  const lineEnd = text.indexOf('\n', index);
  if (lineEnd >= 0) {
    const next = /^\s*\n?([^\n]*)/.exec(text.slice(lineEnd + 1))?.[1] ?? '';
    if (fieldLine.test(next) && !assistantLabel.test(next)) return false;
  }
  return !inMarkdownCode(text, index);
}

/** The chosen transcript's answer (after the text both transcripts start with) that runs on into a user turn. */
function reportTranscriptAnswer(context: RecordRuleContext, chosen: string, rejected: string): void {
  const shared = sharedPrefixLength(chosen, rejected);
  const answer = chosen.slice(shared);
  marker.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = marker.exec(answer)) !== null) {
    const label = match[1] ?? '';
    const start = match.index + match[0].indexOf(label);
    if (!continuesDialogue(answer, start)) continue;
    context.report(
      `The chosen answer runs on into another turn ("${quote(label)}"): with no "prompt" column, TRL takes the text both transcripts start with as the prompt, so this turn is part of the answer, and the model learns to write the user's next message itself. End the chosen transcript with its answer (or start the rejected one with the same turns).`,
      { path: ['chosen'], inString: { start: shared + start, end: shared + start + label.length } },
    );
    return;
  }
}

/**
 * An answer that goes on into the next turn ("...\n\nHuman: and then?"): scraped or generated text ran past the end of the
 * answer. Trained on it, the model learns to write the user's next message itself.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'dialogue-leak', description: 'An answer runs on into another turn ("\\n\\nHuman: ...", "\\nUSER: ...", "### Human:"): the model learns to speak for the user.', defaultSeverity: 'warning', fixable: false },
  check(context) {
    const { conversation } = context.analysis;
    // Pre-formatted text and Axolotl's template-free segments write every turn into one text on purpose.
    if (conversation.plainText || conversation.shape === 'segments' || !mayHaveDialogueMarker(context.record.text)) return;
    const value = context.record.value as Record<string, unknown>;
    // Two transcripts and no prompt column (Anthropic's HH-RLHF): TRL's answer is what follows the text both start with, so
    // only that part of the chosen transcript is the answer (the "Human:" lines before it are the prompt).
    if (conversation.shape === 'preference-trl' && !('prompt' in value) && typeof value.chosen === 'string' && typeof value.rejected === 'string') {
      reportTranscriptAnswer(context, value.chosen, value.rejected);
      return;
    }
    let requested: boolean | undefined;
    for (const turn of conversation.turns) {
      if (turn.role !== 'assistant' || !turn.trainable) continue;
      for (const part of turn.parts) {
        marker.lastIndex = 0;
        let match: RegExpExecArray | null;
        while ((match = marker.exec(part.text)) !== null) {
          const label = match[1] ?? '';
          const start = match.index + match[0].indexOf(label);
          if (!continuesDialogue(part.text, start)) continue;
          // Asked only once a marker is found: a dialogue the user asked for has its labels on purpose.
          requested ??= asksForDialogue(conversation.turns);
          if (requested) return;
          context.report(
            `The answer runs on into another turn ("${quote(label)}"): the text went on past the end of the answer (a generation that did not stop, or a scraped transcript), and trained on it the model learns to write the user's next message itself. Cut the answer before "${quote(label)}" and drop the turns it starts (or split them into their own turns).`,
            { path: part.path, inString: { start, end: start + label.length } },
          );
          return;
        }
      }
    }
  },
};
