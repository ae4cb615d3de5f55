import { mayHavePlaceholder } from './prefilter';
import type { RecordRule } from './rule';
import type { Turn } from '../conversation';
import { inMarkdownCode, quote, reportMatches } from './util';

// {{name}} / {{ user_input }}, [INSERT ...] / [Your Name], <PLACEHOLDER>, ${var}: text a generator meant to fill.
// [Company Name], [Recipient's Name], [DATE]: a bracketed field name (up to three words before it).
const fieldNames = "Name|NAME|Date|DATE|Time|TIME|Address|ADDRESS|Email|EMAIL|Email Address|Phone|PHONE|Phone Number|PHONE NUMBER|Company|COMPANY|Company Name|Job Title|Position|POSITION|Recipient|RECIPIENT|City|CITY|Location|LOCATION|Link|LINK|URL|Website|Amount|AMOUNT|Number|NUMBER|Price|PRICE|Product|PRODUCT|Title|TITLE|Topic|TOPIC";
const placeholder = new RegExp(
  [
    String.raw`\{\{\s*[A-Za-z_][\w .-]{0,40}\}\}`,
    String.raw`\[(?:INSERT|PLACEHOLDER|YOUR|ADD|FILL IN|TODO|ENTER|Insert|Your|Placeholder|Add|Fill in|Enter|insert|placeholder|your|fill in)\b[^\]\n]{0,60}\]`,
    String.raw`\[(?:[A-Z][\w'’]*\s){0,3}(?:${fieldNames})\]`,
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
    // <Customer Name>, <Company>: a field name in angle brackets (an HTML tag is lower-case and has no spaces like that).
    String.raw`<(?:[A-Z][\w'’]*\s){0,3}(?:${fieldNames})>`,
    // <PRODUCT_NAME>, {customer_name}, {ORDER_ID}: a variable a template engine never filled (only outside code).
    String.raw`<[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+>`,
    // ...and {name}, {email}: a one-word field name (not {x} or {a, b}: sets and math).
    String.raw`(?<![\w$\\{%#@])\{(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|name|firstname|username|customer|recipient|email|phone|address|company|product|city|date|link|url|amount|price|topic|title)\}(?!\})`,
  ].join('|'),
  'g',
);

/** A bracketed instruction to the writer: a placeholder even inside code. */
const explicitInstruction = /^\[(?:INSERT|PLACEHOLDER|YOUR|FILL IN|TODO|Insert|Your|Placeholder|Fill in)\b/;

/** Bracketed words that also name keys and buttons: "[Enter]" alone is a key, "[Enter your email]" a placeholder. */
const keyNames = /^\[(?:enter|insert|add)\]$/i;

/** Code written without Markdown fences: a Python, JS or shell line with a format string, or a text that is a program. */
const codeLine = /\bf["']|\.format\(|\bprint\(|\$\{|=\s*["'{]|\bconsole\.|\breturn\b/;
const programText = /^(?:import |from \S+ import |def |class |function |const |let |#include|package |using )/m;

/** Whether the line of a single-brace match (or the whole text) is code, where `{name}` is a variable. */
function looksLikeCode(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index) + 1;
  const lineEnd = text.indexOf('\n', index);
  return codeLine.test(text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd)) || programText.test(text);
}

/**
 * Whether a match is a placeholder and not legitimate text: `{{ user.name }}` in Markdown code is a
 * Jinja/Handlebars template the answer teaches; `[Add to cart](url)` is a Markdown link; `[Enter]` a key.
 */
function isPlaceholder(match: RegExpExecArray): boolean {
  const text = match[0];
  const end = match.index + text.length;
  if (text.startsWith('{{')) return !inMarkdownCode(match.input, match.index);
  // `{customer_name}` and `<API_KEY>` are variables in code (f-strings, format strings, shell usage),
  // and `<Your App Name>` in code is what the answer tells the user to replace.
  if (text.startsWith('<')) return !inMarkdownCode(match.input, match.index);
  // `/users/{user_id}/orders`: an OpenAPI path parameter, also when the text names it again ("the {user_id} parameter").
  if (text.startsWith('{')) return !inMarkdownCode(match.input, match.index) && !looksLikeCode(match.input, match.index) && !match.input.includes(`/${text}`);
  if (text.startsWith('[')) {
    // In code, brackets are syntax: T-SQL quotes names as `[Order Date]`, `[Customer Name]`. Only an
    // explicit instruction ([INSERT ...], [TODO], [Your ...]) is a placeholder there.
    if (!explicitInstruction.test(text) && inMarkdownCode(match.input, match.index)) return false;
    // `Optional[Date]`, `row[NAME]`: a subscript or a generic type, not a placeholder.
    const before = match.input.charCodeAt(match.index - 1);
    const identifier = (before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122) || before === 95;
    // ...but not after an escape written out ("Thanks.\\n[Company Name]" in double-escaped data).
    if ((identifier && match.input.charCodeAt(match.index - 2) !== 92) || before === 93) return false;
    return match.input.charCodeAt(end) !== 40 /* ( */ && !keyNames.test(text);
  }
  return true;
}

const noValueMarker = /^<no ?(?:input|output)>$/i;

/** A request for a template ("Generate a template for a customer service interaction"), not to fill one in. */
const templateRequest = /\btemplates?\b|\bplaceholders?\b/i;
const fillRequest = /\bfill/i;

/** Whether the user asked for a template, whose placeholders are then the answer, not a generator's leftovers. */
function asksForTemplate(turns: readonly Turn[]): boolean {
  return turns.some((turn) => (turn.role === 'user' || turn.role === 'system') && templateRequest.test(turn.content) && !fillRequest.test(turn.content));
}

/** Unfilled template placeholders: the generator never substituted them, and the model learns to emit them. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'template-placeholder', description: 'Unfilled template placeholders such as {{name}} or [INSERT ...].', defaultSeverity: 'warning', fixable: false },
  check(context) {
    if (!mayHavePlaceholder(context.record.text)) return;
    let requested: boolean | undefined;
    // A rejected answer is trained away from, not towards: a placeholder there (a deliberately poor answer) teaches nothing to emit.
    reportMatches(context, context.analysis.conversation.turns, placeholder, (match) => {
      if (!isPlaceholder(match)) return undefined;
      // Asked only once a placeholder is found: a template the user asked for has its blanks on purpose.
      requested ??= asksForTemplate(context.analysis.conversation.turns);
      if (requested) return undefined;
      if (noValueMarker.test(match[0])) return `"${quote(match[0])}" is self-instruct's marker for ${/input/i.test(match[0]) ? 'an example without an input: Alpaca\'s generator turns it into an empty input. Make the field empty ("")' : 'an instruction the model cannot answer: Alpaca\'s generator drops such examples. Write the answer, or remove the record'}; as written, the model learns the marker.`;
      return `Unfilled placeholder "${quote(match[0])}": the template was never filled in. Replace it with real text.`;
    });
  },
};
