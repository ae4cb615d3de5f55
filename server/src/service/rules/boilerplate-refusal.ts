import { templateTools, type ContentPart } from '../conversation';
import type { RecordRule } from './rule';
import { mayHaveBoilerplate } from './prefilter';
import { inMarkdownCode, quote, reportMatches, userText } from './util';

// "As an AI" is boilerplate when the AI is the speaker ("As an AI, I...", "As an AI language model",
// "As an AI assistant, I..."), not when it qualifies a person or a thing ("As an AI engineer, you...",
// "As an AI-powered tool", "As an AI model ages...").
const speaker = String.raw`(?=\s*(?:[,.;:!?)]|$)|\s+(?:I|I['’]m|I['’]ve|I['’]d|myself|my|without|and|that|who|which|developed|created|trained|built|designed|made|programmed|here)\b)`;
// "I can't give you an exact figure, because nobody counted them, but astronomers estimate...": a hedge that still answers.
const exactButHedge = String.raw`(?:you )?(?:an? |the )?(?:exact|precise|definitive|definite|accurate|specific|firm|single)\b(?=[^.!?\n]{0,80}\bbut\b)`;
// Not "I can't attend", "I can't make the 3 pm meeting", "I can't take this on" or "I'm unable to come in": an apology the user
// asked the answer to write (a declined invitation or task, a sick note); not sympathy ("Sorry, I can't imagine how hard that is").
const cannot = String.raw`\b(?:can(?:not|['’]t)|unable|won['’]t|not able)\b(?!\s+(?:to\s+)?(?:attend|come|make it|make (?:the|our|your|this|that|tomorrow|today|tonight|\d)|take (?:on|(?:this|that|it|them|any more|anything else) on)|fit (?:it|this|that|you|them|him|her|one more|another) \w*\s*in|commit to|join|be there|be present|go|travel|meet|visit|imagine|believe|stress|emphasize|wait|thank|find|see|spot|locate|detect|reproduce|(?:give|tell|provide|offer|say|quote|predict|name) ${exactButHedge})\b)`;
// After "I'm sorry", "I apologize" or "Sorry": a refusal ("..., but I cannot", "..., I can't", "..., but that is not something I can").
// Not "I'm sorry, but I can't help without the error message (more details)": a hedge asking for what is missing. ("...without
// connecting to external data sources" is a refusal.)
const withoutMissing = String.raw`(?![^.!?\n]{0,60}\bwithout (?:(?:the|more|additional|further|some|your|a|an|any|seeing|knowing|having|its|this|that) )*(?:information|details?|context|error|message|code|logs?|specifics|clarification|input|text|file|document|article|numbers?|values?|question)\b)`;
const refusal = String.raw`,? (?:but )?(?:(?:I|as an AI)\b[^.!?\n]{0,40}${cannot}${withoutMissing}|(?:that|this) is(?: not|n't) something I can\b)`;
// What a refusal declines to do ("I cannot provide medical advice", "I'm unable to comply", "I can't help with that"); not
// "I can't help but notice", "I cannot guarantee it works", "I can't help without the error message", "I cannot provide an exact
// date, but...".
const declined = String.raw`(?:(?:provide|offer|share|write|create|generate|produce|engage|participate|access|comply|fulfill)\b(?! ${exactButHedge})|(?:help|assist)(?: you)?(?= with\b|\s*[.!,]))`;
// The same boilerplate in other languages (Spanish, Portuguese, French, German, Italian, Chinese, Russian, Japanese, Korean),
// alternatives of the one expression: a second expression would scan every answer again, while here the Chinese, Cyrillic,
// Japanese and Korean phrases cost nothing on Latin-1 answers (the engine compiles them away) and the Latin-script ones a
// little. "Como", "Come", "Als", "En tant que" and "Как" count only where a sentence or clause starts (not "más creativo
// como una IA", "kreativer als KI, ich..."), and only when the AI is the speaker (a comma or a first-person word follows).
// "Leider kann ich ohne die Fehlermeldung nicht sagen...", "no puedo ayudarte sin el mensaje de error": a hedge asking for what
// is missing, as "I can't help without the error message" is in English, not a refusal.
const withoutWhat = String.raw`(?![^.!?\n]{0,60}\b(?:sin|sans|senza|sem|ohne) )`;
const otherSpeaker = String.raw`(?=\s*[,，、]|\s+(?:no|yo|soy|tengo|puedo|me|mi|estoy|carezco|não|eu|sou|tenho|posso|estou|je|j'|j’|non|io|sono|ho|habe ich|bin ich|kann ich|verfüge ich|besitze ich|heb ik|ben ik|kan ik)(?![\w'’]))`;
const clauseStart = (word: string): string => String.raw`${word}(?<![A-Za-zÀ-ÿА-яЁё] ${word})(?<![А-яЁё]${word})`;
const latinScript = [
  // Spanish and Portuguese: "Como modelo de lenguaje, no tengo...", "Como una IA, ...", "Como um modelo de linguagem, não..."
  String.raw`${clauseStart('como')} (?:un |una |um |uma )?(?:(?:gran |grande )?modelo de (?:lenguaje|linguagem|IA)(?: de IA)?|IA|inteligencia artificial|inteligência artificial|asistente (?:de IA|virtual)|assistente (?:de IA|virtual))(?![\w-])${otherSpeaker}`,
  // "Lo siento, pero no puedo..." (not "no puedo asistir/ir": an apology written for the user), "No puedo ayudarte con eso".
  String.raw`(?:lo siento|lo lamento|disculpa|disculpe|perdón|lamentablemente|desafortunadamente)(?: mucho)?,? (?:pero )?(?:yo )?no (?:puedo|me es posible|estoy en condiciones de)(?! (?:asistir|ir|venir|acompañar|estar|imaginar|creer|esperar|llegar|quedarme|quedarnos|evitar|dejar de)\b)${withoutWhat}`,
  String.raw`no puedo (?:ayudarte|ayudarle|ayudar|proporcionar|proporcionarte|ofrecer|cumplir con|facilitar|generar|crear) (?:con|esa|esta|tu|su|información|ese|este|contenido)\b`,
  String.raw`(?:desculpe|desculpa|sinto muito|lamento|infelizmente),? (?:mas )?(?:eu )?não (?:posso|consigo|sou capaz)(?! (?:ir|comparecer|estar|vir|imaginar|acreditar|ficar|deixar de|evitar)\b)${withoutWhat}`,
  // French: "En tant qu'IA, je...", "Je suis désolé, mais je ne peux pas...", "Je ne peux pas vous aider".
  String.raw`${clauseStart('en tant qu')}(?:'|’|e )(?:(?:grand )?modèle (?:de langage|de langue|linguistique|d'IA|d’IA)|IA|AI|intelligence artificielle|assistante? (?:IA|virtuel(?:le)?|d'IA|d’IA))(?![\w-])${otherSpeaker}`,
  String.raw`(?:je suis (?:vraiment |sincèrement )?désolée?|désolée?|je m'excuse|je m’excuse|malheureusement)(?:,| mais)? (?:mais )?je ne (?:peux pas|peux|suis pas en mesure|puis)(?! (?:pas )?(?:venir|assister|être|me rendre|participer|imaginer|croire|attendre|rester|m'empêcher|m’empêcher)\b)${withoutWhat}`,
  String.raw`je ne (?:peux pas|suis pas en mesure de) (?:vous |t'|t’)?(?:aider|assister|fournir|répondre à (?:cette|votre|ta) (?:demande|requête)|accéder)(?! sans )`,
  // German: "Als KI-Sprachmodell habe ich...", "Es tut mir leid, aber ich kann ... nicht" (not "... nicht kommen").
  // (Dutch shares the opener: "Als AI-taalmodel heb ik...")
  String.raw`${clauseStart('als')} (?:eine? |een )?(?:KI(?:-Sprachmodell|-Modell|-Assistent(?:in)?)?|künstliche Intelligenz|(?:großes )?Sprachmodell|virtueller Assistent|AI-taalmodel|taalmodel|AI-assistent|kunstmatige intelligentie)(?![\w-])${otherSpeaker}`,
  // Polish, Indonesian and Vietnamese: "Jako model językowy AI...", "Sebagai model bahasa AI...", "Là một mô hình ngôn ngữ AI...".
  String.raw`${clauseStart('jako')} (?:model językowy(?: AI)?|sztuczna inteligencja|asystent AI)(?=\s*,|\s+(?:nie|mam|jestem)\b)`,
  String.raw`${clauseStart('sebagai')} (?:sebuah )?(?:model bahasa(?: AI)?|AI|kecerdasan buatan|asisten AI)(?=\s*,|\s+(?:saya|aku)\b)`,
  String.raw`là một (?:mô hình ngôn ngữ(?: AI)?|trợ lý AI|AI)(?=\s*,)`,
  // Turkish: "Bir yapay zeka dil modeli olarak, ..."
  String.raw`(?:bir )?yapay zek[aâ](?: dil modeli| asistanı)? olarak(?=\s*,|\s+(?:ben|benim)\b)`,
  String.raw`(?:es tut mir (?:sehr |wirklich )?leid|tut mir leid|entschuldigung|leider),? (?:aber )?(?:ich kann|kann ich|das kann ich|ich darf|ich bin nicht in der Lage)(?=[^.!?\n]{0,60}(?:nicht|keine))(?![^.!?\n]{0,60}(?:kommen|teilnehmen|dabei sein|vorbeikommen|vorstellen|glauben|warten|bleiben|anders|\bohne ))`,
  String.raw`ich kann (?:Ihnen |dir |euch )?(?:dabei |damit |hierbei |bei dieser Anfrage )?(?:leider )?nicht helfen`,
  // Italian: "Come modello linguistico, non...", "Mi dispiace, ma non posso".
  String.raw`${clauseStart('come')} (?:un |una )?(?:modello (?:linguistico|di linguaggio|di IA)|IA|intelligenza artificiale|assistente (?:virtuale|IA))(?![\w-])${otherSpeaker}`,
  String.raw`(?:mi dispiace|spiacente|purtroppo|scusa|scusami|mi scuso),? (?:ma )?(?:io )?non (?:posso|sono in grado)(?! (?:venire|partecipare|esserci|immaginare|credere|restare|rimanere|fare a meno|evitare)\b)${withoutWhat}`,
]
  .map((alternative) => `|${alternative}`)
  .join('');
// Phrases in other scripts start with a character that is no word character to \b: they follow the \b group.
const otherScripts = [
  // Chinese: "作为一个人工智能语言模型，我...", "抱歉，我无法...", "我无法提供" (not "我不能参加": a declined invitation).
  String.raw`作为(?:一个|一名|一款)?(?:(?:人工智能|AI)(?:语言模型|助手|助理|模型|程序)?|(?:大型)?语言模型)(?=[，,、]|我)`,
  String.raw`我只是一个(?:人工智能|AI)(?:语言模型|助手)?`,
  String.raw`(?:很抱歉|非常抱歉|抱歉|对不起|不好意思)[，,]?\s*(?:但是?[，,]?)?我(?:无法|不能|不可以|没办法)(?!参加|出席|来|去|过来|到场|赴约|想象)`,
  String.raw`我无法(?:提供|协助|帮助你|帮助您|满足)`,
  // Russian: "Как языковая модель ИИ, я...", "Извините, но я не могу..." (not "... не могу прийти").
  String.raw`${clauseStart('как')} (?:языковая модель(?: ИИ)?|ИИ|искусственный интеллект|ИИ-ассистент|виртуальный ассистент|AI)(?=,?\s*я )`,
  String.raw`я(?<![А-яЁё]я) (?:всего лишь|лишь|просто) (?:языковая модель|ИИ|искусственный интеллект)`,
  String.raw`(?:извините|простите|к сожалению|мне жаль|прошу прощения),? (?:но )?я не (?:могу|в состоянии)(?! (?:прийти|приехать|присутствовать|представить|поверить|остаться|не ))`,
  String.raw`я не могу (?:помочь|предоставить|выполнить)(?: вам| тебе)? (?:с этим|этот|эту|такую|такой)`,
  // Japanese and Korean: "AI言語モデルとして、私は...", "申し訳ありませんが、お手伝いできません", "AI 언어 모델로서".
  String.raw`(?:AI|ＡＩ|人工知能)(?:言語モデル|アシスタント)?として(?=[、,]|私)`,
  String.raw`申し訳(?:ありません|ございません)が[、,][^。\n]{0,30}(?:お手伝い|お応え|対応|提供)(?:することは|は)?でき(?:ません|かねます)`,
  String.raw`(?:AI|인공지능) ?(?:언어 ?모델|어시스턴트)?로서`,
  // Arabic and Hindi: "بصفتي نموذج لغة...", "एक एआई भाषा मॉडल के रूप में".
  // "عذرًا، لا أستطيع المساعدة في ذلك" (sorry, I cannot help with that); not "... لا أستطيع الحضور" (I cannot attend).
  String.raw`(?:عذر[اً]{1,2}|آسفة?|للأسف|معذرةً?)،?\s*(?:و?لكن(?:ني)? )?لا (?:أستطيع|يمكنني)(?! (?:الحضور|المجيء|القدوم|التخيل|تخيل))`,
  String.raw`بصفتي (?:نموذج(?: لغة| لغوي)?|مساعد(?:ًا)?|ذكاء(?:ً)? اصطناعي(?:ًا)?)`,
  String.raw`(?:एक (?:एआई|AI)|एआई) (?:भाषा मॉडल|सहायक) (?:के रूप में|होने के नाते)`,
]
  .map((alternative) => `|${alternative}`)
  .join('');

// One alternation per first word ("as", "I", "sorry", "my"): the phrases that start alike share their
// prefix, so the engine tries far fewer alternatives at each word of the answer.
const boilerplate = new RegExp(
  String.raw`\b(?:` +
    String.raw`as (?:an? (?:(?:responsible|ethical|helpful|harmless|honest) )?(?:AI|artificial intelligence)(?: language model\b|(?: model| assistant| chatbot| system)?${speaker})|of my (?:last )?(?:knowledge|training)(?: data)? (?:update|cut-?off)\b|a (?:large )?language model${speaker})` +
    String.raw`|I(?:(?:['’]m| am) (?:(?:just |only |merely )?(?:an AI|a (?:large )?language model|an artificial intelligence)\b|(?:(?:really|so|very|truly|terribly) )?(?:sorry|afraid)${refusal}|(?:not able|unable) to (?:(?:help|assist|provide|comply|fulfill)\b(?= (?:you|with|that|this|the|such|any|information|assistance)\b)|${declined})|not comfortable (?:with|writing|providing|helping|creating|generating|sharing|doing)\b|programmed to\b)` +
    String.raw`| (?:(?:do not|don['’]t) have (?:(?:personal )?(?:opinions|feelings|emotions|beliefs)\b|the ability to browse\b|access to (?:the internet|real-time (?:information|data)|current (?:information|events|data)|live data|external (?:articles|websites|sources|links|content|resources|information|data)|(?:news|articles|websites|web ?pages|urls|links) or\b)\b)|(?:cannot|can['’]t|can not|am unable to|am not able to|won['’]t|will not|(?:won['’]t|will not) be able to) (?:(?:fulfill|comply with|assist with|help with) (?:this|that|your) request\b|(?:help|assist) (?:you )?with (?:that|this)(?=\s*[.!])|${declined})|(?:must|have to|['’]ll have to|will have to) (?:respectfully )?(?:decline|refuse)\b)` +
    String.raw`| apologize${refusal})` +
    String.raw`|sorry${refusal}` +
    String.raw`|my (?:(?:knowledge )?cut-?off\b|apologies${refusal})` +
    String.raw`|it(?: is not|['’]s not| isn['’]t| would not be| wouldn['’]t be) appropriate for me\b` +
    latinScript +
    ')' +
    otherScripts,
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
  // A line of dialogue opened by a dash, as Spanish, Russian and French novels write speech ("—Lo siento, pero no puedo
  // quedarme —dijo Ana", "— Извините, но я не могу").
  if (/^\s*[—–―]/.test(before)) return true;
  return before.lastIndexOf('“') > before.lastIndexOf('”') || before.lastIndexOf('«') > before.lastIndexOf('»') || before.lastIndexOf('「') > before.lastIndexOf('」');
}

/** An answer that is a letter or email the user asked for ("Dear Sam, ...", "Subject: ..."). */
// Salutations in other languages too: Querido/Estimada (es), Cher/Madame/Monsieur (fr), Liebe/Sehr geehrte (de), Caro/Cara/Gentile
// (it), Prezado (pt), Уважаемый/Дорогой (ru), 亲爱的/尊敬的 (zh), 拝啓 (ja).
const letterOpening = /^\s*(?:Dear\b|Subject:|To whom it may concern\b|(?:Querid|Estimad|Prezad)[oa]s?\b|Ch(?:er|ère|ers|ères)\b|Madame\b|Monsieur\b|Liebe[rs]?\b|Sehr geehrte|Car[oa]\b|Gentile\b|Уважаем|Дорог|亲爱的|尊敬的|拝啓)/i;

/** A line of a script or dialogue the user asked for: a speaker label in capitals or bold ("ROMEO:", "**Leo:**"). */
const speakerLabel = /^\s*(?:[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,2}:|\*\*[A-Z][^*\n]{0,30}(?::\*\*|\*\*:))/;

/**
 * An apology inside a letter written for the user, or spoken by a character of a script, is theirs, not the
 * model's refusal (AI boilerplate still counts).
 */
function isLetterApology(match: RegExpExecArray): boolean {
  if (isAiBoilerplate(match)) return false;
  if (letterOpening.test(match.input)) return true;
  return speakerLabel.test(match.input.slice(match.input.lastIndexOf('\n', match.index - 1) + 1, match.index));
}

// A model's or an assistant's name: a known one, one with a digit (GPT-4, Llama-3, T5) or with capitals inside (BERT, LLaMA, RoBERTa,
// XLNet, DeepSeek, OPT); not a plain capitalised word ("As an AI, Paris is a fine choice" is the answer speaking), which is why
// the plain-word names are listed rather than any capitalised word before "is".
const aiName = String.raw`ChatGPT|Claude|Gemini|Copilot|Siri|Alexa|Bard|HAL|Llama|Mistral|Mixtral|Qwen|Gemma|Grok|Falcon|Vicuna|Alpaca|Phi|Yi|Bloom|Command R\+?|Cohere|Orca|Zephyr|Dolly|Koala|Pythia|Guanaco|Baichuan|Ernie|Granite|Jamba|Nemotron|Olmo|Chinchilla|Gopher|Sparrow|Codex|[A-Z][A-Za-z]*-?\d[\w.-]*|[A-Z][a-z]*[A-Z][A-Za-z]*`;
const englishSubject = new RegExp(String.raw`^\s*,\s*(?:he|she|they|his|her|their|(?:the|this|that) (?:robot|android|machine|model|assistant|chatbot|system|computer)|${aiName})(?![\w-])`);
/** After "As a language model" only a name: "As an AI language model, it is not possible for me..." is the answer speaking. */
const englishNamedSubject = new RegExp(String.raw`^\s*,\s*(?:${aiName})(?![\w-])`);
/** "Como modelo de lenguaje, GPT-2 se entrenó...", "Als KI, sie...": the same in the other languages (their pronouns). */
const otherSelfOpener = /^(?:como|come|en tant qu|als|как|作为)/i;
const otherSubject = new RegExp(String.raw`^\s*[,，]\s*(?:él|ella|ellos|ellas|ele|ela|il|elle|ils|elles|lui|lei|er|sie|он|она|оно|они|他|她|它|${aiName})(?![\w-])`);
/** In Chinese any Latin-script word after the comma is a name ("作为一个语言模型，BERT 并不..."). */
const chineseSubject = /^\s*[,，]\s*(?:他|她|它|[A-Za-z][\w.-]*)/;
const otherFirstPerson = /(?:^|[\s,])(?:yo|me|mi|mis|je|j'|j’|moi|mon|ma|mes|ich|mich|mir|mein|meine|io|eu|meu|minha|я|меня|мне|мой|моя)(?=[\s,.!?]|$)|我/i;

/**
 * "As an AI, she..." / "As an AI model, GPT-4 has no memory": narration or an explanation about another AI (a third-person
 * subject after the comma, and no "I", "me" or "my" in the rest of the sentence), not the answer speaking of itself.
 */
function isAboutAnotherAi(match: RegExpExecArray): boolean {
  const english = /^as an? /i.test(match[0]);
  if (!english && !otherSelfOpener.test(match[0])) return false;
  const rest = match.input.slice(match.index + match[0].length, match.index + match[0].length + 200);
  // The subject: a third-person pronoun or an AI's name (ChatGPT, Claude, GPT-4, BERT, the robot); after "As a language model"
  // only a name ("As a language model, BERT does not generate text"; "As an AI language model, Python is..." is boilerplate).
  const subject = (english ? (/language model/i.test(match[0]) ? englishNamedSubject : englishSubject) : match[0].startsWith('作为') ? chineseSubject : otherSubject).exec(rest);
  if (subject === null) return false;
  const sentence = rest.split(/[.!?\n。！？]/, 1)[0] ?? '';
  return english ? !/\b(?:I|I'm|I've|me|my|myself)\b/.test(sentence) : !otherFirstPerson.test(sentence);
}

/** Assistant boilerplate and refusals copied from another model: the tuned model learns to hedge and refuse. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'boilerplate-refusal', description: 'Assistant boilerplate and refusals ("As an AI language model...").', defaultSeverity: 'warning', fixable: false },
  check(context) {
    // The full expression runs only over answers that have a word of some phrase (one hashed pass over each answer, at a
    // third of the expression's cost); those it reads whole, so a refusal far into a long answer is found.
    // An answer written as OpenAI's refusal part ({"type": "refusal"}) refuses by design: the author marked it so.
    const answers = context.analysis.conversation.turns.filter((turn) => turn.role === 'assistant' && turn.trainable && mayHaveBoilerplate(turn.content) && !turn.parts.some((part) => part.path[part.path.length - 1] === 'refusal'));
    if (answers.length === 0) return;
    const offersTools = (templateTools(context.analysis.conversation)?.length ?? 0) > 0;
    // In a preference pair the chosen answer is preferred over the rejected one: a refusal there is what
    // harmlessness data (Anthropic's HH-RLHF) teaches. AI boilerplate still counts.
    const prefersThis = context.analysis.conversation.rejected !== undefined;
    // What the user asked for: a translation or a piece of writing (a reply, a quote, a role's line) may
    // say "I'm sorry, but I can't" as its content. AI boilerplate still counts.
    const request = userText(context.analysis.conversation.turns);
    const translating = translationRequest.test(request);
    const writing = writingRequest.test(request) || declineRequest.test(request);
    // One finding per sentence: "As an AI language model, I do not have personal opinions" is one hedge, not two.
    let lastPart: ContentPart | undefined;
    let lastEnd = -Infinity;
    const once = (match: RegExpExecArray, part: ContentPart, message: string | undefined): string | undefined => {
      if (message === undefined) return undefined;
      if (part === lastPart && match.index - lastEnd < samePassage && !sentenceEnd.test(match.input.slice(lastEnd, match.index))) return undefined;
      lastPart = part;
      lastEnd = match.index + match[0].length;
      return message;
    };
    reportMatches(
      context,
      answers,
      boilerplate,
      (match, part) => {
        if (isAiBoilerplate(match)) return once(match, part, boilerplateMessage(match));
        if ((offersTools && isToolScopeAnswer(match)) || prefersThis || translating || (writing && !declineVerb.test(match.input.slice(match.index, match.index + match[0].length + 40)))) return undefined;
        return once(match, part, boilerplateMessage(match));
      },
      2,
    );
  },
};

/** At most this many characters between two matches of one sentence (a longer stretch is read as two statements). */
const samePassage = 120;
const sentenceEnd = /[.!?。！？\n]/;

const translationRequest = /\btranslat|\btraduc|\bübersetz|翻译|翻訳|перевед/i;
/** Asked how to decline or apologise ("How do I politely decline a meeting?", "a polite way to say no"): the answer writes the user's apology. */
const declineRequest = /\b(?:decline|declining|say(?:ing)? no|turn(?:ing)? (?:\w+ )?down|apologi[sz]e|apologi[sz]ing|an apology|reject(?:ing)? (?:an? |the |this |my |his |her |their )?(?:offer|invitation|request|proposal))\b/i;
/** A piece of writing in someone's voice: a refusal in it is that person's, unless it declines the task itself. */
// A message, a reply or a statement only when asked to be written ("Write a reply to...", not "what does this error message mean").
const writingRequest = /\b(?:poem|story|stories|song|lyrics|quote|one-liner|dialogue|script|scene|monologue|speech|letter|role-?play|in character|pretend|act as|you are an? (?!(?:helpful |friendly |honest |harmless |ai )*(?:ai|assistant|language model|chatbot)\b))|\b(?:write|draft|compose|craft|create|generate)\b[^.?!\n]{0,40}\b(?:repl(?:y|ies)|response|statement|e-?mails?|messages?|notes?|tweets?|captions?|lines?|texts?)\b/i;
/** What a refusal of the task itself declines: "I can't help with that", "I cannot provide...". */
// Also in the other languages' refusals ("Lo siento, pero no puedo ayudarte con eso" after "Write a phishing email").
const declineVerb = /\b(?:assist|help|provide|comply|fulfill|engage|generate|create|share|write|produce|offer|participate)\b|\b(?:ayud|asist|proporcion|ofrec|escrib|ajud|fornec|aide|aider|assister|fournir|écrire|rédiger|helfen|unterstützen|bereitstellen|schreiben|erstellen|aiut|fornir|scriver)|(?:помо|предостав|напис)|帮助|帮你|帮您|协助|提供|编写|お手伝い|手伝|도와|도움/i;

/** "My capabilities are limited to...", "I can only fetch stock prices", "the functions provided": the answer says what the tools do. */
const toolScope = /\bcapabilit(?:y|ies)\b|\bI can only\b|\b(?:only|solely) (?:able|designed|equipped) to\b|\blimited to\b|\b(?:functions?|tools?) (?:I have (?:access to)?|provided|available|at my disposal)\b|\bexternal (?:tasks?|actions?)\b|\baccess to (?:the )?(?:functions?|tools?)\b/i;

/**
 * In function-calling data, declining what the offered tools cannot do and saying what they can is the
 * behaviour to learn ("I'm sorry, but I'm unable to book flights. My capabilities are limited to looking
 * up orders."). AI boilerplate ("As an AI, I...") counts even there.
 */
function isToolScopeAnswer(match: RegExpExecArray): boolean {
  return !isAiBoilerplate(match) && toolScope.test(match.input);
}

/** "As an AI...", "as a language model" (and the same in the other languages): the model speaking of itself, not only declining. */
function isAiBoilerplate(match: RegExpExecArray): boolean {
  return aiWords.test(match[0]);
}

const aiWords = /\bAI\b|\bIA\b|\bKI\b|language model|modelo|modèle|modello|Sprachmodell|taalmodel|model językowy|model bahasa|mô hình|yapay zek|ИИ|языков|人工智能|语言模型|言語モデル|언어 모델/i;

/**
 * The message for a match, or undefined when the phrase is quoted, narrated or written for the user, or in Markdown code
 * (a chatbot's fallback reply configured in a YAML block is content the user asked for).
 */
function boilerplateMessage(match: RegExpExecArray): string | undefined {
  return isLetterApology(match) || quoteMarks.has(match.input.charAt(match.index - 1)) || inQuotation(match) || isAboutAnotherAi(match) || inMarkdownCode(match.input, match.index) ? undefined : `Assistant boilerplate or refusal "${quote(match[0])}": trained on, it teaches the model to hedge or refuse. Rewrite the answer or drop the example (unless refusing is the intended behaviour).`;
}
