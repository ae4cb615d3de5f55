import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'a whole surrogate pair written as escapes', text: lines('{"messages": [{"role": "user", "content": "Smile?"}, {"role": "assistant", "content": "Here: \\ud83d\\ude00"}]}') },
    { name: 'entities in code, ampersands in prose, joiners in emoji and Persian', text: lines(chat('Escape?', 'Write `&lt;` for <, or:\n\n```html\n<p>Tom &amp; Jerry</p>\n```\nAT&T and R&D; 👨\u200D👩\u200D👧; می\u200Cخواهم')) },
    { name: 'a capital Â in words and alone', text: lines(chat('Words?', 'CHÂTEAU, PÂTE, ÂGE and the letter Â in Romanian, ÎN ÎNCHEIERE, Â is a vowel.')) },
    { name: 'accents and emoji', text: lines(chat('Café?', 'Oui, café crème 👍 — São Paulo.')) },
    { name: 'Portuguese capitals with Ã', text: lines(chat('Cidades?', 'SÃO PAULO, IRMÃ, MÃE — Ã é uma letra.')) },
    { name: 'scripts and accents that look like mojibake leads', text: lines(chat('Words', 'Привет, 你好, مرحبا, Það, Ðúfa, Smørrebrød, ØRESUND, crème brûlée, Grüße, SÃO PAULO, 3 × 4, é « », à bientôt')) },
    { name: 'Icelandic ð, emoji joined by zero-width joiners, and a Persian zero-width non-joiner', text: lines(chat('Faroese?', 'Eg eri úr Føroyum; ðað er fallegt, með vinum.'), chat('Family?', '👨\u200d👩\u200d👧 is one emoji.'), chat('Books?', 'کتاب\u200cها')) },
    { name: 'Nordic letters with separators, and German and Nordic letters listed in a row', text: lines(chat('Alphabet?', 'Danish adds Æ, Ø and Å; Swedish Å, Ä and Ö.'), chat('Umlaute?', 'Die Umlaute äöü und ÄÖÜ, dazu ß; auf Dänisch ÆØÅ.')) },
  ],
  invalid: [
    { name: 'Windows-1251 Cyrillic read as Windows-1252, "à" with its no-break space turned into a space, and smart quotes that lost a byte', text: lines(chat('Hi', 'Ïðèâåò, êàê äåëà?'), chat('Voilà', 'VoilÃ le document.'), chat('Thumbs', 'Great ðŸ‘ keep going.'), chat('Quote', 'The â€œbestâ€ result.')), problems: [{ line: 0, text: 'Ïðèâåò' }, { line: 0, text: 'êàê' }, { line: 0, text: 'äåëà' }, { line: 1, text: 'Ã' }, { line: 2, text: 'ðŸ‘' }, { line: 3, text: 'â€œ' }, { line: 3, text: 'â€', nth: 1 }] },
    { name: 'emoji and kana mojibake, GBK mojibake, and a word joiner', text: lines(chat('Emoji', 'Good morning! ðŸ˜€ Have a great day.'), chat('Thanks', 'ã‚ã‚ŠãŒã¨ã†'), chat('DB', '锟斤拷锟斤拷 用户名不存在'), chat('Deadline', '\u2060The deadline is Friday.')), problems: [{ line: 0, text: 'ðŸ˜€', message: /Mojibake/ }, { line: 1, text: 'ã‚ã‚ŠãŒã¨ã†', message: /Mojibake/ }, { line: 2, text: '锟斤拷锟斤拷', message: /GBK/ }, { line: 3, text: '\u2060', message: /word joiner/ }] },
    // JSON allows "\ud800" alone; Python's json.loads keeps it, then encoding it as UTF-8 (every tokenizer) fails.
    { name: 'lone surrogate halves written as escapes', text: lines(chat('Emoji?', 'Broken \ud83d here, and a lone low half \ude00.')), problems: [{ line: 0, text: '\\ud83d', message: /Lone surrogate U\+D83D.*Remove it, or write the whole pair/ }, { line: 0, text: '\\ude00', message: /Lone surrogate U\+DE00/ }] },
    { name: 'HTML entities left by scraping and a zero-width space', text: lines(chat('Quote?', 'It&#39;s &quot;done&quot; at R&amp;D.'), chat('Word?', 'zero\u200Bwidth')), problems: [{ line: 0, text: '&#39;', message: /HTML entity/ }, { line: 0, text: '&quot;' }, { line: 0, text: '&quot;', nth: 1 }, { line: 0, text: '&amp;' }, { line: 1, text: '\u200B', message: /zero-width space/ }] },
    { name: 'a left-over Â after a word (a mangled no-break space)', text: lines(chat('Thanks?', 'ObrigadoÂ (said by men), costs 5.Â Thanks.')), problems: [{ line: 0, text: 'Â', message: /Mojibake/ }, { line: 0, text: 'Â', nth: 1 }] },
    { name: 'mojibake of German sharp s (Windows-1252 letters after Ã)', text: lines(chat('a', 'GrÃ¼ÃŸ Gott')), problems: [{ line: 0, text: 'Ã¼ÃŸ', message: /Mojibake/ }] },
    { name: 'replacement character', text: lines(chat('a', 'caf\uFFFD')), problems: [{ line: 0, text: '\uFFFD', message: /U\+FFFD/ }] },
    { name: 'mojibake', text: lines(chat('a', 'fiancÃ© and itâ€™s')), problems: [{ line: 0, text: 'Ã©', message: /Mojibake/ }, { line: 0, text: 'â€™' }] },
    { name: 'backspace from a LaTeX \\beta written with one backslash', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "$\\beta$ and $\\frac{1}{2}$"}]}'), problems: [{ line: 0, text: '\\b', message: /LaTeX command \\beta whose backslash was read as a JSON escape/ }, { line: 0, text: '\\f', message: /LaTeX command \\frac/ }] },
    { name: 'form feed from a bad \\f escape', text: lines('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "\\\\(\\frac{1}{2}\\\\)"}]}'), problems: [{ line: 0, text: '\\f', message: /Control character/ }] },
    { name: 'mojibake of CJK, Cyrillic and three-byte signs; a BOM inside text', text: lines(chat('Chinese', 'ä½\u00a0å¥½ä¸–ç•Œ'), chat('Russian', 'ÐŸÑ€Ð¸Ð²ÐµÑ‚!'), chat('Price', 'It costs 20 â‚¬.'), chat('\ufeffWhat is a BOM?', 'A byte order mark.')), problems: [{ line: 0, text: 'ä½\u00a0å¥½ä¸–ç•Œ' }, { line: 1, text: 'ÐŸÑ€Ð¸Ð²ÐµÑ‚' }, { line: 2, text: 'â‚¬' }, { line: 3, text: '\ufeff', message: /U\+FEFF/ }] },
  ],
};
