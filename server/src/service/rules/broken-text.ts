import { mayHaveBrokenText } from './prefilter';
import { isBlank } from './empty-content';
import type { RecordRule } from './rule';
import { inMarkdownCode, reportMatchesInParts, textAndCallParts, toolSpecParts, userText } from './util';

// U+FFFD from a bad decode; UTF-8 read as Latin-1/Windows-1252; stray C0 controls; a BOM inside text.
// A UTF-8 continuation byte (0x80-0xBF) read as Windows-1252: a Latin-1 sign or one of its letters and signs for 0x80-0x9F.
const continuation = '\\u0080-\\u00BF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
// After Ä and Å (UTF-8 lead bytes 0xC4, 0xC5: Latin Extended-A, "Å¡" for "š", "Å‚" for "ł", "Ä±" for "ı", "Å‘" for "ő"): the
// same bytes but a closing quote, a dash or an ellipsis, which follow a capital Ä or Å in real text ("Å’s", "Ä — ...").
const extendedAContinuation = '\\u0080-\\u00BF€‚ƒ„†‡ˆ‰Š‹ŒŽ‘“•˜™š›œžŸ';
// "Ã©" for "é"; "â€™" for "’" and "â‚¬" for "€" (three-byte punctuation); "ä½ å¥½" for "你好" (three-byte CJK, two
// or more in a row, which covers Korean "ì•ˆë…•", Thai "à¸ªà¸§" and Hindi "à¤¨à¤®" too); "ÐŸÑ€Ð¸" for "При" (two-byte
// Cyrillic, Greek, Hebrew, Arabic, two or more in a row); "Tiáº¿ng Viá»‡t" for "Tiếng Việt" (Vietnamese and other letters of
// Latin Extended Additional, U+1E00-U+1EFF: one per word, so one is enough; "á" before "¸"-"»" and a continuation byte is no word).
const broken = new RegExp(
  [
    String.raw`\uFFFD+`,
    // ...and "ðŸ˜€" for an emoji (four bytes), "ã‚ã‚Š" for kana whose undefined 0x81 byte was dropped (three or more in a row).
    `(?:Ã[¡-ÿ${continuation}]|(?:[à-ï][${continuation}]{2}){2,}|ð[${continuation}]{2,3}|(?:[à-ï][${continuation}]{1,2}){3,}|â[${continuation}]{2}|[ÄÅ][${extendedAContinuation}]|á[¸-»][${continuation}]|â€|(?:[ÎÏÐÑ×ØÙÚÛ][${continuation}]){2,}|Â[\u00A0-\u00BF])+`,
    // "ObrigadoÂ (said": a no-break space decoded as "Â\u00A0" whose second half was later turned into a space. A real Â
    // starts or sits inside a capitalised word; glued to the end of a lower-case word or a sign, it is left over.
    String.raw`Â(?= )(?<=[a-z\d.,;:!?)]Â)`,
    // ...and "voilÃ le": "à" decoded as "Ã" and a no-break space, glued to the end of a lower-case word.
    String.raw`Ã(?= )(?<=[a-z]Ã)`,
    // "Ïðèâåò" for "Привет": Cyrillic written in Windows-1251 and read as Windows-1252 (three or more Latin-1 letters in a
    // row, which no Western language writes).
    String.raw`[À-ÖØ-öø-ÿ]{3,}`,
    String.raw`[\u0000-\u0008\u000B\u000C\u000E-\u001F]+`,
    // A byte order mark inside the text: files were joined, or a BOM was decoded as text.
    String.raw`\uFEFF+`,
    // A zero-width space or word joiner: invisible, left by copying from web pages; the tokenizer keeps it.
    String.raw`[\u200B\u2060]+`,
    // "锟斤拷" (U+FFFD's UTF-8 bytes read as GBK) and "烫烫烫"/"屯屯屯" (uninitialised memory printed as GBK).
    String.raw`(?:锟斤拷)+|烫烫烫+|屯屯屯+`,
    // Half of a UTF-16 surrogate pair, which only a JSON escape ("\ud800") can write: not a character at all.
    String.raw`[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`,
    // HTML entities left by scraping ("It&#39;s", "&quot;quoted&quot;", "R&amp;D"): reported outside Markdown code.
    String.raw`&(?:#\d{2,5}|#x[0-9a-fA-F]{2,5}|quot|amp|lt|gt|apos|nbsp|rsquo|lsquo|ldquo|rdquo|mdash|ndash|hellip);`,
  ].join('|'),
  'g',
);

const nordicRun = /^[äöüÄÖÜßåÅæÆøØ]+$/;

// Latin-1 vowels and ç grouped by base letter, in alphabetical order. Windows-1251 puts Cyrillic in alphabetical order at the
// same codes, so an ordered run may also be a Cyrillic word ("äåíü" for "день"): only a long one counts as a listing.
const listingGroups = ['àáâãäå', 'æ', 'ç', 'èéêë', 'ìíîï', 'òóôõö', 'ø', 'ùúûü', 'ýÿ'];
// Icelandic's letters beyond ASCII in its own alphabetical order (á ð é í ó ú ý þ æ ö): "ÁÐÉÍÓÚÝÞÆÖ", "ðþæö".
const icelandicGroups = ['á', 'ð', 'é', 'í', 'ó', 'ú', 'ý', 'þ', 'æ', 'ö'];

/**
 * "àâäéèêëîïôöùûüÿ": five or more distinct accented vowels (and ç) in alphabetical order list a language's letters; so do four
 * or more of Icelandic's letters in its order.
 */
function isLetterListing(text: string): boolean {
  const lower = text.toLowerCase();
  return (lower.length >= 5 && inGroupOrder(lower, listingGroups)) || (lower.length >= 4 && inGroupOrder(lower, icelandicGroups));
}

/** Whether each letter of `text` appears once, in the order of `groups`. */
function inGroupOrder(text: string, groups: readonly string[]): boolean {
  let group = 0;
  for (let at = 0; at < text.length; at++) {
    const letter = text.charAt(at);
    if (text.indexOf(letter) !== at) return false;
    while (group < groups.length && !(groups[group] ?? '').includes(letter)) group++;
    if (group === groups.length) return false;
  }
  return true;
}

// A record about encodings (an ftfy tutorial, "how do I repair cafÃ©?") shows mojibake on purpose, in code or in quotes.
/** A user's question about HTML, XML or their entities. */
const htmlTalk = /\b(?:HTML|XML|XHTML|entit(?:y|ies)|ampersand)\b/i;

const encodingTalk = /mojibake|ftfy|encod|decod|charset|utf-?8|latin-?1|cp1252|windows-125\d|garbled/i;

/** Whether the match sits inside a quotation opened earlier on its line ("like "cafÃ©" in Python"). */
function inQuotes(match: RegExpExecArray): boolean {
  const before = match.input.slice(match.input.lastIndexOf('\n', match.index - 1) + 1, match.index);
  let straight = 0;
  for (let at = before.indexOf('"'); at >= 0; at = before.indexOf('"', at + 1)) straight++;
  return straight % 2 === 1 || before.lastIndexOf('“') > before.lastIndexOf('”') || before.lastIndexOf('«') > before.lastIndexOf('»');
}

/**
 * "\\frac" or "\\beta" written in JSON with one backslash decodes to a form feed or backspace followed
 * by the rest of the command ("rac", "eta"): say so, and how to write it.
 */
function latexEscapeMessage(match: RegExpExecArray): string | undefined {
  const control = match[0];
  if (control !== '\f' && control !== '\b') return undefined;
  const rest = /^[a-z]{2,}/.exec(match.input.slice(match.index + 1, match.index + 16))?.[0];
  if (rest === undefined) return undefined;
  const command = `\\${control === '\f' ? 'f' : 'b'}${rest}`;
  return `Control character ${control === '\f' ? 'U+000C (form feed)' : 'U+0008 (backspace)'} before "${rest}": probably the LaTeX command ${command} whose backslash was read as a JSON escape. Double the backslash in the JSON ("\\${command}").`;
}

/** Broken text: replacement characters, mojibake or control characters from a bad encoding step. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'broken-text', description: 'Broken text: U+FFFD replacement characters, mojibake, control characters.', defaultSeverity: 'warning', fixable: false },
  check(context) {
    if (!mayHaveBrokenText(context.record.text)) return;
    let talksAboutEncoding: boolean | undefined;
    let asksAboutHtml: boolean | undefined;
    // A rejected answer is trained away from: its mojibake, entities and invisible characters teach nothing to emit. Lone
    // surrogates and control characters still break its tokenization, as trainers tokenize it too.
    const { conversation } = context.analysis;
    // Every text the model reads or writes: turns, tool calls and their arguments, reasoning, and the tool specs of the prompt.
    const rejectedLists = conversation.rejected !== undefined ? textAndCallParts(context, conversation.rejected) : [];
    const rejectedParts = new Set(rejectedLists.flat());
    const partLists = [...textAndCallParts(context, conversation.turns), ...rejectedLists, toolSpecParts(conversation)];
    reportMatchesInParts(context, partLists, broken, (match, part) => {
      const text = match[0];
      const code = text.charCodeAt(0);
      if (rejectedParts.has(part) && !(code >= 0xd800 && code <= 0xdfff) && !/^[\u0000-\u001F]+$/.test(text)) return undefined;
      if (code >= 0xd800 && code <= 0xdfff) return `Lone surrogate U+${code.toString(16).toUpperCase()} (written as the escape "\\u${code.toString(16)}"): half of a UTF-16 pair, not a character. Python cannot encode it as UTF-8 and tokenizers fail on it ("surrogates not allowed"). Remove it, or write the whole pair (or the character itself).`;
      // A text of nothing but invisible characters is empty-content's finding (one finding, not two).
      if ((text.startsWith('\u200B') || text.startsWith('\u2060') || text.startsWith('\uFEFF')) && isBlank(match.input)) return undefined;
      if (text.startsWith('\u200B')) return 'Invisible zero-width space U+200B inside the text: left over from copying a web page; the tokenizer keeps it and the model learns to emit it. Remove it.';
      if (text.startsWith('\u2060')) return 'Invisible word joiner U+2060 inside the text: left over from copying a web page or a word processor; the tokenizer keeps it and the model learns to emit it. Remove it.';
      if (text.startsWith('锟') || text.startsWith('烫') || text.startsWith('屯')) return `Mojibake "${text.slice(0, 12)}": Chinese text went through a wrong GBK/UTF-8 conversion ("锟斤拷" is U+FFFD's bytes read as GBK, "烫烫烫" uninitialised memory); the original characters are lost. Re-export the data as UTF-8 from the source.`;
      // An answer to a question about HTML or its entities writes them on purpose, in prose too.
      if (text.startsWith('&')) return inMarkdownCode(match.input, match.index) || (asksAboutHtml ??= htmlTalk.test(userText(conversation.turns))) ? undefined : `HTML entity "${text}" in the text: it was scraped from HTML and never unescaped, so the model learns to write "${text}". Replace it with the character it stands for (html.unescape in Python).`;
      if (text.startsWith('\uFEFF')) return 'Invisible character U+FEFF (a byte order mark) inside the text: left over from joining files or from HTML extraction; the tokenizer keeps it and the model learns to emit it. Remove it.';
      if (text.includes('\uFFFD')) return 'Replacement character U+FFFD: the text was decoded with the wrong encoding and characters were lost. Re-export the data as UTF-8.';
      if (/^[\u0000-\u001F]+$/.test(text)) return latexEscapeMessage(match) ?? 'Control character in the text: probably an encoding or extraction error. Remove it.';
      // A run of German and Nordic letters is a listing ("die Umlaute äöü", "ÆØÅ"), not Windows-1251 Cyrillic; so is a long
      // ordered run of accented vowels ("les voyelles àâäéèêëîïôöùûüÿ").
      if (nordicRun.test(text) || isLetterListing(text)) return undefined;
      // Read only for a quoted finding (rare) and once per record, so clean records pay nothing.
      if ((inMarkdownCode(match.input, match.index) || inQuotes(match)) && (talksAboutEncoding ??= encodingTalk.test(context.record.text))) return undefined;
      const original = originalOf(text);
      // Not UTF-8 bytes: a run of Latin-1 letters is Cyrillic written in Windows-1251 ("Ïðèâåò" for "Привет").
      if (original === '' && latinLetterRun.test(text)) {
        // Windows-1251 turns every letter of a Cyrillic word into one of these: a run inside a word with other letters
        // ("küçük", "üçüncü", "Göçü") is Turkish, Hungarian or another Latin-script language, and so is a whole word ("üçü",
        // "the three of them") in a text whose other words mix such letters with ASCII ones.
        if (letterNextTo(match.input, match.index - 1) || letterNextTo(match.input, match.index + text.length) || accentedLatinWord.test(match.input)) return undefined;
        return `Mojibake "${visible(text)}" (probably "${windows1251.decode(Buffer.from(text, 'latin1'))}"): Cyrillic text written in Windows-1251 was read as Windows-1252/Latin-1. Fix the encoding where the data was produced.`;
      }
      return `Mojibake "${visible(text)}"${original}: UTF-8 text was decoded as Latin-1/Windows-1252 (e.g. "Ã©" for "é", "â€™" for "’"). Fix the encoding where the data was produced.`;
    });
  },
};

/** The text with its invisible characters (C0 and C1 controls) written as escapes, so a message shows them. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Windows-1252's characters for the bytes 0x80-0x9F (its five undefined bytes stay the C1 controls Python's decoders give). */
const windows1252High = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/** The bytes a Latin-1 or Windows-1252 decode read as `text`, or undefined when a character is neither's. */
function windows1252Bytes(text: string): Buffer | undefined {
  const bytes = Buffer.alloc(text.length);
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    const high = code > 0xff ? windows1252High.indexOf(text.charAt(at)) : -1;
    if (code > 0xff && high < 0) return undefined;
    bytes[at] = code > 0xff ? 0x80 + high : code;
  }
  return bytes;
}

const latinLetterRun = /^[À-ÖØ-öø-ÿ]{3,}$/;

/** A Latin-1 letter beside an ASCII one: a word of a Latin-script language ("küçük"), which no Windows-1251 misreading writes. */
const accentedLatinWord = /[A-Za-z][À-ÖØ-öø-ÿ]|[À-ÖØ-öø-ÿ][A-Za-z]/;

/** Whether the character at `at` is a letter (a surrogate pair's either half counts: the letter is astral). */
function letterNextTo(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (Number.isNaN(code) || code < 0x41) return false;
  if (code >= 0xd800 && code <= 0xdfff) return /\p{L}/u.test(String.fromCodePoint(text.codePointAt(code <= 0xdbff ? at : at - 1) ?? 0));
  return /\p{L}/u.test(text.charAt(at));
}
const windows1251 = new TextDecoder('windows-1251');

/**
 * What mojibake stood for: its characters read back as the UTF-8 bytes they were, again while that
 * decodes cleanly (text decoded wrongly twice: "cafÃƒÂ©" is "café").
 */
function originalOf(text: string): string {
  let current = text;
  for (let round = 0; round < 3; round++) {
    const decoded = windows1252Bytes(current)?.toString('utf8');
    if (decoded === undefined || decoded.includes('\uFFFD') || decoded === current) break;
    current = decoded;
  }
  return current === text ? '' : ` (probably "${visible(current)}")`;
}
