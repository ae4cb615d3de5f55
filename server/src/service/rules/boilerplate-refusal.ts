import type { RecordRule } from './rule';
import { quote, reportMatches } from './util';

// "As an AI" is boilerplate when the AI is the speaker ("As an AI, I...", "As an AI language model",
// "As an AI assistant, I..."), not when it qualifies a person or a thing ("As an AI engineer, you...",
// "As an AI-powered tool", "As an AI model ages...").
const boilerplate = /\bas an? (?:AI|artificial intelligence)(?: language model\b|(?: model| assistant| chatbot| system)?(?=\s*(?:[,.;:!?)]|$)|\s+(?:I|I'm|I've|I'd|myself|my|without|and|that|who|which|developed|created|trained|built|designed|made|programmed|here)\b))|\bas of my (?:last )?(?:knowledge|training)(?: data)? update\b|\bas a (?:large )?language model\b|\bI(?:'m| am) (?:just )?an AI\b|\bI (?:do not|don't) have (?:personal )?(?:opinions|feelings|emotions|beliefs)\b|\b(?:I'm sorry|I am sorry|I apologize|Sorry),? (?:but )?(?:I|as an AI)\b[^.!?\n]{0,40}\b(?:can(?:not|'t)|unable|won't|not able)\b|\b(?:I'm sorry|I am sorry|I apologize), but (?:that|this) is(?: not|n't) something I can\b|\bI(?:'m| am) (?:not able|unable) to (?:help|assist|provide|comply|fulfill)\b(?= (?:you|with|that|this|the|such|any|information|assistance)\b)|\bI (?:cannot|can't|am unable to|won't) (?:fulfill|comply with|assist with|help with) (?:this|that|your) request\b|\bmy (?:knowledge )?cut-?off\b/gi;

/** Characters at the start of each answer that are scanned. */
const headLength = 600;

/** Assistant boilerplate and refusals copied from another model: the tuned model learns to hedge and refuse. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'boilerplate-refusal', description: 'Assistant boilerplate and refusals ("As an AI language model...").', defaultSeverity: 'warning', fixable: false },
  check(context) {
    const answers = context.analysis.conversation.turns.filter((turn) => turn.role === 'assistant' && turn.trainable);
    // Boilerplate and refusals open the answer: scanning its head keeps this rule cheap on long answers.
    reportMatches(context, answers, boilerplate, (match) => `Assistant boilerplate or refusal "${quote(match[0])}": trained on, it teaches the model to hedge or refuse. Rewrite the answer or drop the example (unless refusing is the intended behaviour).`, 2, headLength);
  },
};
