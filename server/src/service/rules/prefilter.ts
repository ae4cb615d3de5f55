/**
 * Cheap tests on a record's raw text that rule out most clean records before the exact regular
 * expressions run over the decoded content. Each needle starts with a rare character, which
 * String.prototype.includes scans for at memory speed. A `\u` escape in the raw text means the
 * content may hide anything, so it always passes.
 */

function hasEscapes(text: string): boolean {
  return text.includes('\\u');
}

/**
 * '[' followed by a letter or '/': [INSERT ...], [Your Name], [INST], [/INST], [TOOL_CALLS]; with `anyScript`, also a
 * letter beyond ASCII ([дата], [会议日期], [اسمك]), which only placeholders need.
 */
function hasBracketWord(text: string, anyScript = false): boolean {
  let index = text.indexOf('[');
  while (index >= 0) {
    const code = text.charCodeAt(index + 1);
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 47 || (anyScript && code >= 0xc0)) return true;
    index = text.indexOf('[', index + 1);
  }
  return false;
}

/** '{' followed by a letter: {customer_name}, {ORDER_ID}, {имя} (JSON's own braces are followed by '"', '}' or space). */
function hasBraceWord(text: string): boolean {
  let index = text.indexOf('{');
  while (index >= 0) {
    const code = text.charCodeAt(index + 1);
    if (((code | 32) >= 97 && (code | 32) <= 122) || code >= 0xc0) return true;
    index = text.indexOf('{', index + 1);
  }
  return false;
}

/** "XX": the start of an "XXX" name placeholder ('X' is a rare capital: one scan). */
function hasDoubleX(text: string): boolean {
  for (let index = text.indexOf('X'); index >= 0; index = text.indexOf('X', index + 2)) if (text.charCodeAt(index + 1) === 88) return true;
  return false;
}

/** "(Your ..." or "(Insert ...": a field name in parentheses. */
function hasParenthesisedField(text: string): boolean {
  for (let index = text.indexOf('('); index >= 0; index = text.indexOf('(', index + 1)) {
    const code = text.charCodeAt(index + 1) | 32;
    if ((code === 121 && text.startsWith('our ', index + 2)) || (code === 105 && text.startsWith('nsert ', index + 2)) || text.startsWith('YOUR ', index + 1) || text.startsWith('INSERT ', index + 1)) return true;
  }
  return false;
}

export function mayHavePlaceholder(text: string): boolean {
  return text.includes('{{') || text.includes('<') || hasBracketWord(text, true) || hasBraceWord(text) || hasEscapes(text) || hasDoubleX(text) || hasParenthesisedField(text);
}

export function mayHaveSpecialToken(text: string): boolean {
  return text.includes('<') || hasBracketWord(text) || hasEscapes(text) || text.includes('### ');
}

/**
 * A user-turn label (Human:, User:, USER:, ### Human:, <human>:, Usuario:, Utilisateur :, 用户：): one scan for ':' (a few
 * per record) with a look at the word before it, and one for the full-width colon, which only CJK text has.
 */
export function mayHaveDialogueMarker(text: string): boolean {
  for (let at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) {
    // Most colons of a record separate a JSON key from its value ("role": ...): one character rules them out.
    const before = text.charCodeAt(at - 1);
    if (before === 34) continue;
    let end = at;
    // French puts a space or a no-break space before the colon ("Utilisateur : ..."): stepped over only at such colons,
    // rare in the rest of a record. A no-break space may be written as an escape (Python's json.dumps writes "\u00a0").
    if (before === 32 || before === 0xa0 || before === 0x202f || before === 48 || (before | 32) === 102) end = afterLabel(text, at);
    for (const label of userLabels) if (text.startsWith(label, end - label.length)) return true;
  }
  return text.includes('：');
}

/** Where a label before the colon at `at` would end, once the spaces and no-break spaces (raw or escaped) before it are skipped. */
function afterLabel(text: string, at: number): number {
  let end = at;
  for (;;) {
    const code = text.charCodeAt(end - 1);
    if (code === 32 || code === 0xa0 || code === 0x202f) end--;
    else if (text.charCodeAt(end - 6) === 92 && escapedSpaces.includes(text.slice(end - 5, end).toLowerCase())) end -= 6;
    else return end;
  }
}

const escapedSpaces = ['u00a0', 'u202f'];

const userLabels = ['Human', 'HUMAN', 'User', 'USER', 'human>', 'Usuario', 'Utilisateur', 'Benutzer', 'Пользователь', '用户', '用戶', 'ユーザー'];

/**
 * First characters of UTF-8 mojibake of other scripts: two-byte Cyrillic, Greek, Hebrew and Arabic
 * letters (Ð, Ñ, Î, Ï, ×, Ø, Ù), Central European and Turkish ones (Ä, Å), three-byte kana and CJK ideographs (ã, ä ... é), Thai, Indic and
 * Vietnamese (à, á) and Korean Hangul (ê ... í). One memchr-speed scan each; most text has none of them.
 */
const mojibakeLeads = ['Ð', 'Ñ', 'Ø', 'Ù', '×', 'Î', 'Ï', 'Ä', 'Å', 'ã', 'ä', 'å', 'æ', 'ç', 'è', 'é', 'ð', 'î', 'à', 'á', 'ê', 'ë', 'ì', 'í'];

export function mayHaveBrokenText(text: string): boolean {
  if (text.includes('\uFFFD') || text.includes('Ã') || text.includes('â') || text.includes('Â') || text.includes('\\f') || text.includes('\\b') || text.includes('\uFEFF') || text.includes('\u200B') || text.includes('&') || hasEscapes(text)) return true;
  // The word joiner, and "锟斤拷"/"烫烫烫" (GBK mojibake of U+FFFD and of uninitialised memory): characters above U+00FF,
  // which a search on a Latin-1 string rules out at once.
  if (text.includes('\u2060') || text.includes('锟斤') || text.includes('烫烫') || text.includes('屯屯')) return true;
  for (const lead of mojibakeLeads) if (text.includes(lead)) return true;
  return false;
}

/** Whether `text` has `needle` ending right before an occurrence of the rare character `marker`. */
function precedesMarker(text: string, marker: string, needles: readonly string[]): boolean {
  let index = text.indexOf(marker);
  while (index >= 0) {
    for (const needle of needles) if (text.startsWith(needle, index - needle.length)) return true;
    index = text.indexOf(marker, index + 1);
  }
  return false;
}

/**
 * 'A' starts AKIA/ASIA/AIza, Azure's AccountKey= and the ':AA' of a Telegram bot token (123456789:AA...): one scan
 * for the capital instead of five substring searches.
 */
function hasCapitalAPrefix(text: string): boolean {
  let index = text.indexOf('A');
  while (index >= 0) {
    if (text.startsWith('KIA', index + 1) || text.startsWith('SIA', index + 1) || text.startsWith('Iza', index + 1) || text.startsWith('ccountKey=', index + 1)) return true;
    // AC and a hex digit: a Twilio account SID.
    if (text.charCodeAt(index + 1) === 67 /* C */ && isHexDigit(text.charCodeAt(index + 2))) return true;
    if (text.charCodeAt(index - 1) === 58 /* : */ && text.charCodeAt(index + 1) === 65 /* A */) return true;
    index = text.indexOf('A', index + 1);
  }
  return false;
}

// 3+3 digits of a phone number ((212)867-5309 too), a card number or an IBAN written in groups; 3-2-4 digits of an SSN;
// a French number's first pairs (06 12 34), which a Spanish landline's 2-3-2-2 (91 123 45 67) and 3-2-2-2 (678 90 12 34)
// also have; nine digits in a row (612345678) and a Dutch mobile (06 12345678). The last two double the cost of this test
// on text with few digits (about 0.35x JSON.parse more on the benchmark): the price of finding a bare labelled number.
const phoneDigits = /\d(?:\d\d(?:\)[ .-]?\d{3}|[ .-]\d{3}|-\d\d-\d{4})|[1-9][ .]\d\d[ .]\d\d|\d{8}|[ -]\d{8})/;

/** Whether the text has digits grouped as a phone number, or nine in a row: a labelled number may be there. */
export function mayHavePhoneDigits(text: string): boolean {
  return phoneDigits.test(text);
}

/** '+' then a digit: an international phone number's country code (+44 20 7946 0958). */
function hasInternationalPrefix(text: string): boolean {
  let index = text.indexOf('+');
  while (index >= 0) {
    const code = text.charCodeAt(index + 1);
    if (code >= 48 && code <= 57) return true;
    index = text.indexOf('+', index + 1);
  }
  return false;
}

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102);
}

/** A dot 7 characters after the one at `at`, 24 or more into the text: the shape of a Discord token's middle part. */
function opensDottedToken(text: string, at: number): boolean {
  return at >= 24 && text.charCodeAt(at + 7) === 46;
}

/** Whether the text has a Discord token's middle part (see opensDottedToken). */
export function hasDottedToken(text: string): boolean {
  for (let at = text.indexOf('.', 24); at >= 0; at = text.indexOf('.', at + 1)) if (opensDottedToken(text, at)) return true;
  return false;
}

/**
 * One scan for '.' instead of a substring search each: SendGrid keys (SG.), Slack webhooks (hooks.slack.com), Discord
 * webhooks (discord.com/api/webhooks/) and a Discord token's dot-separated middle part.
 */
function hasDotMarker(text: string): boolean {
  for (let at = text.indexOf('.'); at >= 0; at = text.indexOf('.', at + 1)) {
    if (opensDottedToken(text, at)) return true;
    if (text.charCodeAt(at - 1) === 71 /* G */ && text.charCodeAt(at - 2) === 83 /* S */) return true;
    if (text.startsWith('slack.', at + 1) || text.startsWith('com/api/webhooks/', at + 1) || text.startsWith('ya29', at - 4)) return true;
  }
  return false;
}

/**
 * '-' after a token prefix (sk-, xoxb-, glpat-, -----BEGIN, key-, api-key), before a Mailchimp data centre (-us21) or as
 * mysql's -p flag glued to a password: one scan.
 */
function hasDashMarker(text: string): boolean {
  for (let at = text.indexOf('-'); at >= 0; at = text.indexOf('-', at + 1)) {
    for (const needle of dashPrefixes) if (text.startsWith(needle, at - needle.length)) return true;
    if ((text.charCodeAt(at + 1) === 117 /* u */ && text.charCodeAt(at + 2) === 115 /* s */) || gluesPasswordFlag(text, at)) return true;
  }
  return false;
}

/** Whether the lower-cased letters at `at` spell `word` (ASCII only: `| 32` folds the case). */
function spellsAt(text: string, at: number, word: string): boolean {
  for (let index = 0; index < word.length; index++) if ((text.charCodeAt(at + index) | 32) !== word.charCodeAt(index)) return false;
  return true;
}

/**
 * Whether a password name ends at `end`: password, passwd, passphrase, or pass and pwd after a non-letter (see passwordKey in
 * secrets-pii). Its last letter rules out most keys at once ("role", "content").
 */
function endsPasswordName(text: string, end: number): boolean {
  const last = text.charCodeAt(end - 1) | 32;
  if (last === 100 /* d */) return spellsAt(text, end - 8, 'password') || spellsAt(text, end - 6, 'passwd') || (spellsAt(text, end - 3, 'pwd') && !isLetter(text.charCodeAt(end - 4)));
  if (last === 115 /* s */) return spellsAt(text, end - 4, 'pass') && !isLetter(text.charCodeAt(end - 5));
  return last === 101 /* e */ && spellsAt(text, end - 10, 'passphrase');
}

function isLetter(code: number): boolean {
  const lower = code | 32;
  return lower >= 97 && lower <= 122;
}

/** Whether a `marker` ('=' or ':') follows a password name, with up to four quotes, backslashes (JSON's \") or spaces between. */
function followsPasswordName(text: string, marker: string): boolean {
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) {
    let end = at;
    while (end > 0 && at - end < 4 && isKeyJoint(text.charCodeAt(end - 1))) end--;
    if (endsPasswordName(text, end)) return true;
  }
  return false;
}

function isKeyJoint(code: number): boolean {
  return code === 34 /* " */ || code === 39 /* ' */ || code === 92 /* \ */ || code === 32;
}

/** Whether the '-' at `at` is mysql's password flag glued to a value (mysql -pS3cret, not -p 8080). */
function gluesPasswordFlag(text: string, at: number): boolean {
  return text.charCodeAt(at + 1) === 112 /* p */ && text.charCodeAt(at - 1) === 32 && text.charCodeAt(at + 2) > 32 && (text.includes('mysql') || text.includes('mariadb'));
}

/** Whether a password name is followed by '=' or ':' (DB_PASSWORD=, "password": , SMTP_PASS=, MYSQL_PWD=): one scan for each. */
function hasPasswordName(text: string): boolean {
  return followsPasswordName(text, '=') || followsPasswordName(text, ':');
}

/** Whether a password may be assigned: after a password name, or with mysql's -p flag. */
export function mayHavePasswordKey(text: string): boolean {
  if (hasPasswordName(text)) return true;
  for (let at = text.indexOf('-'); at >= 0; at = text.indexOf('-', at + 1)) if (gluesPasswordFlag(text, at)) return true;
  return false;
}

const dashPrefixes = ['sk', 'xoxa', 'xoxb', 'xoxp', 'xoxr', 'xoxs', '----', 'glpat', 'GOCSPX', 'xai', 'pypi', 'key', 'api', 'Api', 'API'];

export function mayHaveSecret(text: string): boolean {
  // Each token kind needs a rare character, found with single-character scans that run at memory
  // speed: '@' (emails, passwords in URLs), '_' (hf_, ghp_, github_pat_, npm_, sk_live_, gsk_, aws_secret_access_key), '-' (sk-, xox?-, glpat-, GOCSPX-, -----BEGIN, -us21), 'J' (eyJ: JWTs),
  // 'A' (AKIA, ASIA, AIza, AccountKey=, :AA, AC + hex), '.' (SG., .slack., discord.com/api/webhooks/, Discord tokens), '=' and ':'
  // (after a password name). Searching 'sk-' or 'eyJ' directly would scan for the common first letter.
  // A ten-digit number after "call" is looked for only when one of these passes: a regex for digit runs cost as much as all the rest.
  return (
    text.indexOf('@') >= 0 ||
    text.indexOf('_') >= 0 ||
    hasEscapes(text) ||
    hasDashMarker(text) ||
    precedesMarker(text, 'J', ['ey']) ||
    hasCapitalAPrefix(text) ||
    phoneDigits.test(text) ||
    hasInternationalPrefix(text) ||
    // SendGrid keys, Slack and Discord webhooks, Discord tokens.
    hasDotMarker(text) ||
    hasPasswordName(text)
  );
}

/**
 * Words at least one of which every phrase of the boilerplate-refusal expression has: "AI", "language" (model), "cannot",
 * "sorry", "cutoff", "como", "désolé", "leid", "purtroppo"... "I don't have" and "I can not" count by the words that must
 * follow them (opinions, access; provide, help...).
 */
const boilerplateWords = [
  // English
  'ai', 'artificial', 'language', 'sorry', 'afraid', 'apologize', 'apologies', 'cannot', "can't", "won't", 'unable', 'able', 'comfortable', 'programmed', 'decline', 'refuse', 'cutoff', 'cut', 'update', 'appropriate',
  'opinions', 'feelings', 'emotions', 'beliefs', 'ability', 'access', 'fulfill', 'comply', 'assist', 'help', 'provide', 'offer', 'share', 'write', 'create', 'generate', 'produce', 'engage', 'participate',
  // Spanish and Portuguese
  'como', 'siento', 'lamento', 'lamentablemente', 'disculpa', 'disculpe', 'perdón', 'desafortunadamente', 'puedo', 'desculpe', 'desculpa', 'sinto', 'infelizmente',
  // French
  'tant', 'désolé', 'désolée', "m'excuse", 'malheureusement', 'peux', 'mesure',
  // German and Dutch, Polish, Indonesian, Turkish
  'als', 'leid', 'leider', 'entschuldigung', 'kann', 'jako', 'sebagai', 'yapay',
  // Italian
  'come', 'dispiace', 'spiacente', 'purtroppo', 'scusa', 'scusami', 'scuso',
];

/**
 * Five bits for each Latin-1 byte: 1-26 for a letter of either case, 27 for an apostrophe (' and the low byte of ’),
 * 28-31 for an accented letter (é and É alike), 0 for anything that ends a word.
 */
const letterCodes = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  const lower = byte | 32;
  letterCodes[byte] = lower >= 97 && lower <= 122 && byte < 128 ? lower - 96 : byte === 39 || byte === 0x19 ? 27 : byte >= 0xc0 && byte !== 0xd7 && byte !== 0xf7 ? 28 + (byte & 3) : 0;
}

/** Where a word's code (its last six letters, five bits each) falls in the 2^20-bit table of boilerplate words. */
function boilerplateSlot(code: number): number {
  return Math.imul(code, 0x9e3779b1) >>> 12;
}

const boilerplateTable = new Int32Array(1 << 15);
for (const text of boilerplateWords) {
  let code = 0;
  for (let at = 0; at < text.length; at++) code = (code << 5) | letterCodes[text.charCodeAt(at) & 255];
  const slot = boilerplateSlot(code);
  boilerplateTable[slot >>> 5] |= 1 << (slot & 31);
}

/** Letters of scripts whose boilerplate the expression knows by other characters: Greek to Vietnamese, kana, CJK, Hangul, full-width forms. */
const otherScript = /[\u0370-\u1fff\u3000-\ud7ff\uf900-\uffef]/;

/** The answer as Latin-1 bytes (other characters keep their low byte), reused between calls. */
let latin1 = Buffer.allocUnsafe(1 << 16);

/**
 * Whether an answer may hold assistant boilerplate or a refusal: it has one of the words above (or a word whose code
 * shares a table bit with one, about one answer in a hundred), or a letter of another script. The answer is copied
 * into bytes natively, then one loop without branches folds each letter to five bits, keeps a word's last six and
 * tests each finished word's bit: about a third of the full expression's cost per character, and it reads the whole
 * answer, so a refusal far into a long answer is found.
 */
export function mayHaveBoilerplate(text: string): boolean {
  if (otherScript.test(text)) return true;
  if (text.length > latin1.length) latin1 = Buffer.allocUnsafe(text.length * 2);
  const length = latin1.write(text, 0, 'latin1');
  const bytes = latin1;
  let code = 0;
  let found = 0;
  for (let at = 0; at < length; at++) {
    const letter = letterCodes[bytes[at]];
    // 1 when this byte ends a word, 0 inside one: the word's bit is read either way and kept only at its end.
    const ends = (letter - 1) >>> 31;
    const slot = boilerplateSlot(code);
    found |= (boilerplateTable[slot >>> 5] >>> (slot & 31)) & ends;
    code = ((code << 5) | letter) & (ends - 1);
  }
  const slot = boilerplateSlot(code);
  return (found | ((boilerplateTable[slot >>> 5] >>> (slot & 31)) & 1)) !== 0;
}
