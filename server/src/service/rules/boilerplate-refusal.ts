import type { RecordRule } from './rule';
import { quote, reportMatches } from './util';

// "As an AI" is boilerplate when the AI is the speaker ("As an AI, I...", "As an AI language model",
// "As an AI assistant, I..."), not when it qualifies a person or a thing ("As an AI engineer, you...",
// "As an AI-powered tool", "As an AI model ages...").
const speaker = String.raw`(?=\s*(?:[,.;:!?)]|$)|\s+(?:I|I'm|I've|I'd|myself|my|without|and|that|who|which|developed|created|trained|built|designed|made|programmed|here)\b)`;
// Not "I can't attend" or "I'm unable to come in": an apology the user asked the answer to write (a declined invitation, a sick note);
// not sympathy ("Sorry, I can't imagine how hard that is").
const cannot = String.raw`\b(?:can(?:not|'t)|unable|won't|not able)\b(?!\s+(?:to\s+)?(?:attend|come|make it|join|be there|be present|go|travel|meet|visit|imagine|believe|stress|emphasize|wait|thank)\b)`;
// After "I'm sorry", "I apologize" or "Sorry": a refusal ("..., but I cannot", "..., I can't", "..., but that is not something I can").
const refusal = String.raw`,? (?:but )?(?:(?:I|as an AI)\b[^.!?\n]{0,40}${cannot}|(?:that|this) is(?: not|n't) something I can\b)`;
// What a refusal declines to do ("I cannot provide medical advice", "I'm unable to comply", "I can't help with that"); not
// "I can't help but notice", "I cannot guarantee it works", "I can't help without the error message".
const declined = String.raw`(?:(?:provide|offer|share|write|create|generate|produce|engage|participate|access|comply|fulfill)\b|(?:help|assist)(?: you)?(?= with\b|\s*[.!,]))`;
// One alternation per first word ("as", "I", "sorry", "my"): the phrases that start alike share their
// prefix, so the engine tries far fewer alternatives at each word of the answer.
const boilerplate = new RegExp(
  String.raw`\b(?:` +
    String.raw`as (?:an? (?:(?:responsible|ethical|helpful|harmless|honest) )?(?:AI|artificial intelligence)(?: language model\b|(?: model| assistant| chatbot| system)?${speaker})|of my (?:last )?(?:knowledge|training)(?: data)? (?:update|cut-?off)\b|a (?:large )?language model${speaker})` +
    String.raw`|I(?:(?:'m| am) (?:(?:just |only |merely )?(?:an AI|a (?:large )?language model|an artificial intelligence)\b|(?:(?:really|so|very|truly|terribly) )?(?:sorry|afraid)${refusal}|(?:not able|unable) to (?:(?:help|assist|provide|comply|fulfill)\b(?= (?:you|with|that|this|the|such|any|information|assistance)\b)|${declined})|not comfortable (?:with|writing|providing|helping|creating|generating|sharing|doing)\b|programmed to\b)` +
    String.raw`| (?:(?:do not|don't) have (?:(?:personal )?(?:opinions|feelings|emotions|beliefs)\b|the ability to browse\b|access to (?:the internet|real-time (?:information|data)|current (?:information|events|data)|live data)\b)|(?:cannot|can't|can not|am unable to|am not able to|won't|will not|(?:won't|will not) be able to) (?:(?:fulfill|comply with|assist with|help with) (?:this|that|your) request\b|(?:help|assist) (?:you )?with (?:that|this)(?=\s*[.!])|${declined})|(?:must|have to|'ll have to|will have to) (?:respectfully )?(?:decline|refuse)\b)` +
    String.raw`| apologize${refusal})` +
    String.raw`|sorry${refusal}` +
    String.raw`|my (?:(?:knowledge )?cut-?off\b|apologies${refusal})` +
    String.raw`|it(?: is not|'s not| isn't| would not be| wouldn't be) appropriate for me\b` +
    ')',
  'gi',
);

/** Quote marks and emphasis: a phrase in quotes or italics is talked about ("The phrase *As an AI language model* is..."), not said. */
const quoteMarks = new Set(['"', '“', '„', '«', "'", '‘', '`', '*', '_']);

/**
 * Whether the match is inside a quotation opened earlier on its line: a character's speech in a story or a
 * quoted line ("I'm sorry, Dave. I'm afraid I can't do that."), not the answer's own words.
 */
function inQuotation(match: RegExpExecArray): boolean {
  const text = match.input;
  const lineStart = text.lastIndexOf('\n', match.index - 1) + 1;
  let straight = 0;
  for (let at = text.indexOf('"', lineStart); at >= 0 && at < match.index; at = text.indexOf('"', at + 1)) straight++;
  if (straight % 2 === 1) return true;
  const before = text.slice(lineStart, match.index);
  return before.lastIndexOf('“') > before.lastIndexOf('”') || before.lastIndexOf('«') > before.lastIndexOf('»');
}

/** An answer that is a letter or email the user asked for ("Dear Sam, ...", "Subject: ..."). */
const letterOpening = /^\s*(?:Dear\b|Subject:|To whom it may concern\b)/i;

/** A line of a script or dialogue the user asked for: a speaker label in capitals or bold ("ROMEO:", "**Leo:**"). */
const speakerLabel = /^\s*(?:[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,2}:|\*\*[A-Z][^*\n]{0,30}(?::\*\*|\*\*:))/;

/**
 * An apology inside a letter written for the user, or spoken by a character of a script, is theirs, not the
 * model's refusal (AI boilerplate still counts).
 */
function isLetterApology(match: RegExpExecArray): boolean {
  if (/\bAI\b|language model/i.test(match[0])) return false;
  if (letterOpening.test(match.input)) return true;
  return speakerLabel.test(match.input.slice(match.input.lastIndexOf('\n', match.index - 1) + 1, match.index));
}

/**
 * "As an AI, she..." / "As an AI model, GPT-4 has no memory": narration or an explanation about another AI (a third-person
 * subject after the comma, and no "I", "me" or "my" in the rest of the sentence), not the answer speaking of itself.
 */
function isAboutAnotherAi(match: RegExpExecArray): boolean {
  // "As an AI language model" is boilerplate whatever follows ("As an AI language model, Python is...").
  if (!/^as an? /i.test(match[0]) || /language model/i.test(match[0])) return false;
  const rest = match.input.slice(match.index + match[0].length, match.index + match[0].length + 200);
  // The subject: a third-person pronoun or an AI's name (ChatGPT, Claude, GPT-4, Llama-3, the robot).
  const subject = /^\s*,\s*(?:he|she|they|his|her|their|(?:the|this|that) (?:robot|android|machine|model|assistant|chatbot|system|computer)|ChatGPT|Claude|Gemini|Copilot|Siri|Alexa|Bard|HAL|[A-Z][A-Za-z]*-?\d[\w.-]*)(?![\w-])/.exec(rest);
  if (subject === null) return false;
  const sentence = rest.split(/[.!?\n]/, 1)[0] ?? '';
  return !/\b(?:I|I'm|I've|me|my|myself)\b/.test(sentence);
}

/** Characters at the start of each answer that are scanned. */
const headLength = 600;

/**
 * Whether an answer goes on past the scanned head and its rest has the word "I" or "AI" (every refusal form has one:
 * "I cannot...", "Sorry, but I...", "As an AI..."): then it is scanned whole, so a refusal that closes a long answer
 * is found. A scan for one character runs at memory speed; a substring search per phrase word cost ten times more.
 */
function tailMayHaveBoilerplate(content: string): boolean {
  if (content.length <= headLength) return false;
  for (let at = content.indexOf('I', headLength - 40); at >= 0; at = content.indexOf('I', at + 1)) {
    const next = content.charCodeAt(at + 1);
    if (next === 32 || next === 39 || next === 0x2019 || content.charCodeAt(at - 1) === 65) return true;
  }
  return false;
}

/** Assistant boilerplate and refusals copied from another model: the tuned model learns to hedge and refuse. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'boilerplate-refusal', description: 'Assistant boilerplate and refusals ("As an AI language model...").', defaultSeverity: 'warning', fixable: false },
  check(context) {
    const answers = context.analysis.conversation.turns.filter((turn) => turn.role === 'assistant' && turn.trainable);
    // Boilerplate and refusals mostly open the answer: scanning its head keeps this rule cheap on long answers,
    // and the rest of a long answer is scanned only when a plain substring search finds a word of some phrase there.
    const scanned = answers.some((turn) => tailMayHaveBoilerplate(turn.content)) ? Infinity : headLength;
    reportMatches(context, answers, boilerplate, boilerplateMessage, 2, scanned);
  },
};

/** The message for a match, or undefined when the phrase is quoted, narrated or written for the user. */
function boilerplateMessage(match: RegExpExecArray): string | undefined {
  return isLetterApology(match) || quoteMarks.has(match.input.charAt(match.index - 1)) || inQuotation(match) || isAboutAnotherAi(match) ? undefined : `Assistant boilerplate or refusal "${quote(match[0])}": trained on, it teaches the model to hedge or refuse. Rewrite the answer or drop the example (unless refusing is the intended behaviour).`;
}
