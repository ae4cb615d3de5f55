import { mayHavePlaceholder } from './prefilter';
import type { RecordRule } from './rule';
import type { ContentPart, Turn } from '../conversation';
import { inMarkdownCode, quote, reportMatchesInParts, textAndCallParts, userText } from './util';

// {{name}} / {{ user_input }}, [INSERT ...] / [Your Name], <PLACEHOLDER>, ${var}: text a generator meant to fill.
// [Company Name], [Recipient's Name], [DATE]: a bracketed field name (up to three words before it).
const fieldNames = "Name|NAME|Date|DATE|Time|TIME|Address|ADDRESS|Email|EMAIL|Email Address|Phone|PHONE|Phone Number|PHONE NUMBER|Company|COMPANY|Company Name|Job Title|Position|POSITION|Recipient|RECIPIENT|City|CITY|Location|LOCATION|Link|LINK|URL|Website|Amount|AMOUNT|Number|NUMBER|Price|PRICE|Product|PRODUCT|Title|TITLE|Topic|TOPIC";
/** "[Nn]ombre" for "nombre": a field word written with or without its capital. */
function eitherCase(word: string): string {
  const first = word.charAt(0);
  return first.toUpperCase() === first.toLowerCase() ? word : `[${first.toUpperCase()}${first.toLowerCase()}]${word.slice(1)}`;
}

// Field names of other languages, written before what they qualify ([nombre de la clínica], [дата встречи]). "date",
// "data" and "Name" are also English words ([Date Night], [Data Structures]): only with a preposition ([date de livraison]).
const intlFieldWords = ['nombre', 'apellidos', 'apellido', 'fecha', 'dirección', 'correo', 'teléfono', 'empresa', 'ciudad', 'prénom', 'nom', 'adresse', 'entreprise', 'société', 'ville', 'téléphone', 'Vorname', 'Nachname', 'Datum', 'Firmenname', 'Firma', 'Telefonnummer', 'nome', 'cognome', 'endereço', 'telefone', 'cidade', 'indirizzo', 'azienda', 'имя', 'фамилия', 'дата', 'адрес', 'компания', 'телефон', 'город', 'название', 'должность'].map(eitherCase).join('|');
const intlPrepositionFieldWords = ['date', 'data', 'Name'].map(eitherCase).join('|');
const prepositions = "de|del|de la|de l'|d'|du|des|da|do|dos|das|di|del|della|dello|dei|der|dem|von";
// Field names that end a CJK placeholder ([会议日期], [会社名]), and "your" in other languages ([Tu nombre], [Ваше имя], [您的姓名]).
const cjkFieldWords = '姓名|名字|名称|日期|时间|地址|公司|电话|邮箱|名前|氏名|日付|日時|住所|会社|会社名|電話番号';
const intlYour = 'Tu|tu|Su|su|Votre|votre|Vos|vos|Ton|Ta|Ihr|Ihre|ihr|ihre|Dein|Deine|Seu|Sua|seu|sua|Il tuo|La tua|Tuo|Tua|Vostro|Vostra|Ваше|Ваш|Ваша|Ваши|ваше|ваш|ваша|Твоё|Твое|Твой|Твоя';

const capitalFieldNames = fieldNames.split('|').filter((name) => name === name.toUpperCase()).join('|');
const braceFieldWords = 'nombre|apellido|fecha|correo|teléfono|empresa|prénom|nom|vorname|nachname|datum|firma|nome|cognome|имя|фамилия|дата|адрес|компания|姓名|名字|日期|地址|公司|名前|氏名|日付|住所|会社';

// The u flag: names in other scripts ({{姓名}}, {prénom}, [дата]) need \p{L}.
const placeholder = new RegExp(
  [
    String.raw`\{\{\s*[\p{L}_][\p{L}\p{N}_ .-]{0,40}\}\}`,
    String.raw`\[(?:INSERT|PLACEHOLDER|YOUR|ADD|FILL IN|TODO|ENTER|Insert|Your|Placeholder|Add|Fill in|Enter|insert|placeholder|your|fill in)\b[^\]\n]{0,60}\]`,
    String.raw`\[(?:[A-Z][\w'’]*\s){0,3}(?:${fieldNames})\]`,
    // [Tu nombre], [Votre nom], [Ihr Name], [Ваше имя]: "your" and a word; [您的姓名], [あなたの名前]: CJK has no space.
    String.raw`\[(?:${intlYour})\s[^\]\n]{1,60}\]|\[(?:您的|你的|あなたの)[^\]\n]{1,30}\]`,
    // [nombre de la clínica], [Nombre del empleado], [date de livraison], [дата], [имя клиента]: a field word first, then
    // a preposition and words or one lower-case word (not a Markdown link, reference or reference definition "[nom]: https://...";
    // "Estimado [Nombre del empleado]:" is a salutation).
    String.raw`\[(?:(?:${intlFieldWords})(?:\s\p{Ll}+)?|(?:${intlFieldWords}|${intlPrepositionFieldWords})\s(?:${prepositions})\s?[\p{L}'’]+(?:\s[\p{L}'’]+){0,2})\](?![\[(]|:[ \t]*(?:https?:|www\.|[/#<]))`,
    // [会议日期], [您的姓名], [会社名]: CJK words and a field name at the end; [اسمك], [تاريخ الاجتماع]: Arabic name, date, address.
    String.raw`\[[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]{0,12}(?:${cjkFieldWords})\]|\[(?:ال)?(?:اسم|تاريخ|عنوان)[^\]\n]{0,30}\]`,
    // Lower-case field names a generator left: "[link]", "[name]" (not "[link]: url" or "[link][1]": Markdown references).
    String.raw`\[(?:link|name|date|time|url|email|phone|address|company|location)\](?![:\[(])`,
    String.raw`<(?:INSERT|Insert|insert|ENTER|Enter|enter|PLACEHOLDER|YOUR|Your|your)[ _-][^<>\n]{1,40}>|<PLACEHOLDER>`,
    // Self-instruct's markers for a missing input or output, which Alpaca's generator turns into "" (or drops the example).
    String.raw`<(?:[Nn]o ?(?:[Ii]nput|[Oo]utput)|NO ?(?:INPUT|OUTPUT))>`,
    // [Customer's first name], [Recipient's email address]: a capitalised word, then lower-case ones, then the field name;
    // [renewal date], [customer name]: lower-case words and a field name (not a Markdown link or reference).
    String.raw`\[[A-Z][\w'’]*(?:\s[a-z][\w'’]*){0,2}\s(?:name|date|time|address|email|email address|phone|phone number|number|amount|title)\]`,
    String.raw`\[(?:[a-z][\w'’]*\s){1,2}(?:name|date|time|address|email|phone|number|amount|link|url|company|title)\](?![:\[(])`,
    // "(Your Name)", "(insert date)": a field name in parentheses after Your/Insert (not "(your mileage may vary)").
    String.raw`\((?:Your|YOUR|your|Insert|INSERT|insert) (?:[\w'’]+ ){0,2}(?:[Nn]ame|NAME|[Cc]ompany|[Dd]ate|[Ee]mail|[Pp]hone|[Aa]ddress|[Tt]itle|[Pp]osition|[Ss]ignature)(?: [Hh]ere)?\)`,
    // <customer name>, <order number>: lower-case words and a field name in angle brackets (no HTML tag looks like that).
    String.raw`<(?:[a-z]+ ){1,2}(?:name|date|email|address|phone|number|id)>`,
    // "Dear XXX," / "Mr. XXX": a name never filled in (not XXX-large or Super Bowl XXX).
    String.raw`X{2,}(?<=\b(?:Dear|Hi|Hello|Hey|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Name:) X+)(?![\w-])`,
    // <Customer Name>, <COMPANY>: a field name in angle brackets (an HTML tag is lower-case and has no spaces like that).
    // Not a bare <Link> or <Product>: a React component or an XML element named in prose.
    String.raw`<(?:(?:[A-Z][\w'’]*\s){1,3}(?:${fieldNames})|${capitalFieldNames})>`,
    // <PRODUCT_NAME>, {customer_name}, {ORDER_ID}: a variable a template engine never filled (only outside code).
    String.raw`<[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+>`,
    // ...and {name}, {email}: a one-word field name (not {x} or {a, b}: sets and math).
    // {vorname}, {prénom}, {имя}, {姓名}, {nombre_cliente}: the same in other languages.
    String.raw`(?<![\w$\\{%#@])\{(?:\p{Ll}[\p{Ll}\p{N}]*(?:_[\p{Ll}\p{N}]+)+|[a-z]+(?:[A-Z][a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|name|firstname|username|customer|recipient|email|phone|address|company|product|city|date|link|url|amount|price|topic|title|${braceFieldWords})\}(?!\})`,
  ].join('|'),
  'gu',
);

/** A bracketed instruction to the writer: a placeholder even inside code. */
const explicitInstruction = /^\[(?:INSERT|PLACEHOLDER|YOUR|FILL IN|TODO|Insert|Your|Placeholder|Fill in)\b/;

/** Bracketed words that also name keys and buttons: "[Enter]" alone is a key, "[Enter your email]" a placeholder. */
const keyNames = /^\[(?:enter|insert|add)\]$/i;

/** A play's stage direction: "[Enter FOX, yawning.]", a character's name in capitals (not "[Enter NAME]", a field). */
const stageDirection = /^\[Enter (?!(?:NAME|EMAIL|DATE|ADDRESS|PHONE|NUMBER|TEXT|CODE|ID|URL|LINK|KEY|PASSWORD|VALUE|TITLE|COMPANY|AMOUNT|CITY|HERE|YOUR|INFO|DETAILS)\b)[A-Z]{2,}\b/;

/** Code written without Markdown fences: a Python, JS or shell line with a format string, or a text that is a program. */
// C# $"...{name}", Rust println!("{name}"), a YAML value "{{ item }}" (Ansible, Helm).
const codeLine = /\bf["']|\$"|\w!\(|\.format\(|\bprint\(|\$\{|=\s*["'{]|\bconsole\.|\breturn\b|^\s*(?:- )?[\w.-]+:\s*["']\{\{/;
const programText = /^(?:import |from \S+ import |def |class |function |const |let |#include|package |using )/m;

/** Whether the line of a single-brace match (or the whole text) is code, where `{name}` is a variable. */
function looksLikeCode(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index) + 1;
  const lineEnd = text.indexOf('\n', index);
  return codeLine.test(text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd)) || programText.test(text);
}

const identifierLetter = /^(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}])\p{L}$/u;

/** Whether `{name}` also appears in Markdown code of the text: prose explaining the format string the answer shows. */
function alsoInCode(input: string, text: string): boolean {
  for (let at = input.indexOf(text); at >= 0; at = input.indexOf(text, at + text.length)) if (inMarkdownCode(input, at)) return true;
  return false;
}

/**
 * Whether a match is a placeholder and not legitimate text: `{{ user.name }}` in Markdown code is a
 * Jinja/Handlebars template the answer teaches; `[Add to cart](url)` is a Markdown link; `[Enter]` a key.
 */
function isPlaceholder(match: RegExpExecArray): boolean {
  const text = match[0];
  const end = match.index + text.length;
  // {{ user.name }}, {{ product.title }}: a template language's property access, taught or shown, not a generator's blank.
  if (text.startsWith('{{')) return !inMarkdownCode(match.input, match.index) && !looksLikeCode(match.input, match.index) && !/^\{\{\s*\w+\.\w/.test(text);
  // `{customer_name}` and `<API_KEY>` are variables in code (f-strings, format strings, shell usage),
  // and `<Your App Name>` in code is what the answer tells the user to replace.
  if (text.startsWith('<')) return !inMarkdownCode(match.input, match.index);
  // `/users/{user_id}/orders`: an OpenAPI path parameter, also when the text names it again ("the {user_id} parameter").
  if (text.startsWith('{')) return !mathSubscript.test(text) && !inMarkdownCode(match.input, match.index) && !looksLikeCode(match.input, match.index) && !match.input.includes(`/${text}`) && !alsoInCode(match.input, text);
  if (text.startsWith('[')) {
    // In code, brackets are syntax: T-SQL quotes names as `[Order Date]`, `[Customer Name]`. Only an
    // explicit instruction ([INSERT ...], [TODO], [Your ...]) is a placeholder there.
    if (!explicitInstruction.test(text) && inMarkdownCode(match.input, match.index)) return false;
    // `Optional[Date]`, `row[NAME]`: a subscript or a generic type, not a placeholder.
    const before = match.input.charCodeAt(match.index - 1);
    // A letter of another alphabet too (массив[имя]), but not a CJK one: Chinese has no space before a bracket (诚邀您于[会议日期]).
    const identifier = (before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122) || before === 95 || (before >= 0xc0 && identifierLetter.test(match.input.charAt(match.index - 1)));
    // ...but not after an escape written out ("Thanks.\\n[Company Name]" in double-escaped data).
    // Also an Excel structured reference, =[@[First Name]].
    if ((identifier && match.input.charCodeAt(match.index - 2) !== 92) || before === 93 || before === 64 /* @ */) return false;
    return match.input.charCodeAt(end) !== 40 /* ( */ && !keyNames.test(text) && !stageDirection.test(text);
  }
  return true;
}

const noValueMarker = /^<no ?(?:input|output)>$/i;

/**
 * Whether the answers keep a blank of the user's template as prose: not only in code that shows the template (`template =
 * "Hello {first_name}"` in an answer teaching how to fill it).
 */
function keepsBlank(answers: string, blank: string): boolean {
  for (let at = answers.indexOf(blank); at >= 0; at = answers.indexOf(blank, at + blank.length)) {
    if (!inMarkdownCode(answers, at) && !looksLikeCode(answers, at)) return true;
  }
  return false;
}

/** A request for a template ("Generate a template for a customer service interaction"), not to fill one in. */
// The same in Spanish, Portuguese, French, Italian, German, Russian, Chinese and Japanese. "modelo"/"modèle" alone also
// means a model ("modelo de lenguaje"): only a model of a letter, an email, a message...
const templateRequest =
  /\btemplates?\b|\bplaceholders?\b|\b(?:handlebars|mustache|jinja2?|liquid|format strings?|f-strings?|string interpolation)\b|\bplantillas?\b|\bmod(?:elos?|èles?|ell[oi]) (?:de|di|d['’]|para|pour|per) ?(?:(?:una?|la|le|el|une|il|uma?) )?(?:correo|carta|mensaje|e-?mail|lettre|courrier|message|mail|lettera|messaggio|documento|document|contrato|contrat|contratto|texto|texte|testo|factura|facture|fattura|cv|currículum)|vorlage|platzhalter|шаблон|заполнител|模板|模版|テンプレート|ひな形|雛形|プレースホルダー|占位符|marcadores? de posición|espaces? réservés?|espaços? reservados?|segnaposto/i;
// "Fill in", "rellena", "remplis", "ausfüllen", "заполни", "填写" (but not "需要填写的空位": blanks that need filling).
const fillRequest = /(?<!\b(?:can|could|will|may|they|others|anyone|someone|(?:fields|blanks|spaces|gaps|slots) to) )\bfill|\brellen(?:a|e|ar)\b|\brempli(?:s|ssez|r)\b|ausfüll|\bfülle?\b|заполни(?!тел)|(?<![需待要供可以])填(?:写|好|入)|記入し/i;

/** A request to transform a text the user gives: its placeholders are the user's, to keep. */
// Translate in other languages too (traduis, traduza, tradurre, übersetze, vertaal, переведи, 翻译, 翻訳, 번역); no \b before a
// letter outside ASCII, which \b does not count as a word character.
const transformRequest = /\btranslat|\bproofread|\bcorrect|\bfix\b|\brewrite|\brephrase|\bparaphrase|\bedit\b|\blocali[sz]|\breword|\bpolish|\bgrammar|\bspelling|\btypos?\b|\btradu[cizt]|\btradurr|übersetz|\bvertaal|перев[оеё]д|翻译|翻譯|翻訳|번역/i;

/** Asked to fill in, complete or personalise a template the user gives ("Fill in this template for Ana Souza: Dear [Customer Name]..."). */
const fillInRequest = /\b(?:complete|personali[sz]e|customi[sz]e|populate)\b[^.?!\n]{0,40}\b(?:template|form|letter|e-?mail|message|blanks?|fields?|placeholders?)\b/i;

/** `{a_n}`, `{x_i}`, `{b_k}`: a sequence or set of a letter with a short subscript in math ("the sequence {a_n} converges"), no field name. */
const mathSubscript = /^\{\p{Ll}_[\p{Ll}\p{N}]{1,2}\}$/u;

/** Whether the user asked for a template, whose placeholders are then the answer, not a generator's leftovers. */
function asksForTemplate(turns: readonly Turn[]): boolean {
  return turns.some((turn) => (turn.role === 'user' || turn.role === 'system') && templateRequest.test(turn.content) && !fillRequest.test(turn.content));
}

/** Unfilled template placeholders: the generator never substituted them, and the model learns to emit them. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'template-placeholder', description: 'Unfilled template placeholders such as {{name}} or [INSERT ...].', defaultSeverity: 'warning', fixable: true },
  check(context) {
    if (!mayHavePlaceholder(context.record.text)) return;
    let requested: boolean | undefined;
    let request: string | undefined;
    let answers: string | undefined;
    let userParts: Set<ContentPart> | undefined;
    // The turns and the calls the model is trained to write (an email a send_email call sends, signed "[Your Name]"). Not a
    // rejected answer: it is trained away from, and a placeholder there (a deliberately poor answer) teaches nothing to emit.
    const turns = context.analysis.conversation.turns;
    const partLists = textAndCallParts(context, turns, (turn) => turn.trainable);
    reportMatchesInParts(context, partLists, placeholder, (match, part) => {
      if (!isPlaceholder(match)) return undefined;
      // Asked only once a placeholder is found: a template the user asked for has its blanks on purpose.
      requested ??= asksForTemplate(context.analysis.conversation.turns);
      if (requested) return undefined;
      // A text the user gave to translate or proofread keeps its placeholders (a UI string, a mail-merge message).
      request ??= userText(turns);
      if (transformRequest.test(request) && request.includes(match[0])) return undefined;
      // A template the user gives to fill in: its blanks in the prompt are the material, which the answer replaces (a blank
      // the answer keeps is reported there, and then here too).
      if ((fillRequest.test(request) || fillInRequest.test(request)) && (userParts ??= new Set(turns.filter((turn) => turn.role === 'user').flatMap((turn) => turn.parts))).has(part)) {
        answers ??= turns.filter((turn) => turn.role === 'assistant' && turn.trainable).map((turn) => turn.content).join('\n');
        if (!keepsBlank(answers, match[0])) return undefined;
      }
      if (noValueMarker.test(match[0])) {
        const input = /input/i.test(match[0]);
        const message = `"${quote(match[0])}" is self-instruct's marker for ${input ? 'an example without an input: Alpaca\'s generator turns it into an empty input. Make the field empty ("")' : 'an instruction the model cannot answer: Alpaca\'s generator drops such examples. Write the answer, or remove the record'}; as written, the model learns the marker.`;
        // The field holding the marker alone is emptied (quick fix and fix-all): nothing else is in it to lose.
        return input && part.sourceOffsets === undefined && part.text.trim() === match[0] ? { message, fix: { kind: 'set-value', path: part.path, value: '' } } : message;
      }
      return `Unfilled placeholder "${quote(match[0])}": the template was never filled in. Replace it with real text.`;
    });
  },
};
