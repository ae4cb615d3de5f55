import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // An answer of nothing but a zero-width space is empty-content's finding: one finding, not two.
    { name: 'an answer that is only a zero-width space', text: lines(chat('Say nothing.', '\u200B')) },
    // Trained away from, not towards: only what breaks tokenization (lone surrogates, control characters) counts there.
    { name: 'mojibake and HTML entities only in a rejected answer', text: lines({ prompt: 'Say café.', chosen: 'Café.', rejected: 'CafÃ© &nbsp;done' }) },
    { name: 'a whole surrogate pair written as escapes', text: lines('{"messages": [{"role": "user", "content": "Smile?"}, {"role": "assistant", "content": "Here: \\ud83d\\ude00"}]}') },
    { name: 'entities in code, ampersands in prose, joiners in emoji and Persian', text: lines(chat('Escape?', 'Write `&lt;` for <, or:\n\n```html\n<p>Tom &amp; Jerry</p>\n```\nAT&T and R&D; 👨\u200D👩\u200D👧; می\u200Cخواهم')) },
    { name: 'Turkish and Hungarian words with three Latin-1 letters in a row (Windows-1251 mojibake makes whole words of them)', text: lines(chat('Küçük bir kedi hakkında üçüncü bir şiir yaz.', 'Küçük kedi, Göçü sever; üçü de güzel.'), chat('Nagyon?', 'A főnök kérdése: ÖÇÜ𝔘 and 𝔘üçü.')) },
    { name: 'HTML entities in prose answering a question about HTML', text: lines(chat('How do I write an ampersand in HTML?', 'Write it as the entity &amp; (or &#38;); &lt; and &gt; work the same way.')) },
    { name: 'a capital Â in words and alone', text: lines(chat('Words?', 'CHÂTEAU, PÂTE, ÂGE and the letter Â in Romanian, ÎN ÎNCHEIERE, Â is a vowel.')) },
    { name: 'Icelandic letters listed in their order, and a capital Å or Ä before a closing quote or a dash', text: lines(chat('Icelandic?', 'Icelandic adds ÁÐÉÍÓÚÝÞÆÖ to the alphabet; in lower case ðþæö.'), chat('Rivers?', 'The river "Å" is short. Ä — the letter — sorts after A.')) },
    { name: 'accents and emoji', text: lines(chat('Café?', 'Oui, café crème 👍 — São Paulo.')) },
    { name: 'Portuguese capitals with Ã', text: lines(chat('Cidades?', 'SÃO PAULO, IRMÃ, MÃE — Ã é uma letra.')) },
    { name: 'scripts and accents that look like mojibake leads', text: lines(chat('Words', 'Привет, 你好, مرحبا, Það, Ðúfa, Smørrebrød, ØRESUND, crème brûlée, Grüße, SÃO PAULO, 3 × 4, é « », à bientôt')) },
    { name: 'Icelandic ð, emoji joined by zero-width joiners, and a Persian zero-width non-joiner', text: lines(chat('Faroese?', 'Eg eri úr Føroyum; ðað er fallegt, með vinum.'), chat('Family?', '👨\u200d👩\u200d👧 is one emoji.'), chat('Books?', 'کتاب\u200cها')) },
    { name: 'Nordic letters with separators, and German and Nordic letters listed in a row', text: lines(chat('Alphabet?', 'Danish adds Æ, Ø and Å; Swedish Å, Ä and Ö.'), chat('Umlaute?', 'Die Umlaute äöü und ÄÖÜ, dazu ß; auf Dänisch ÆØÅ.')) },
    { name: 'accented vowels listed in order (French), Vietnamese written right, and a Spanish guillemet after á', text: lines(chat('Quelles lettres accentuées ?', 'Les voyelles accentuées sont àâäéèêëîïôöùûüÿ, en capitales ÀÂÄÉÈÊËÎÏÔÖÙÛÜ, plus la cédille ç.'), chat('Vietnamese?', 'Tiếng Việt.'), chat('¿Qué dijo?', 'Dijo «ya está allá» y se fue.')) },
    { name: 'mojibake quoted in a question and shown in code in a record about repairing encodings', text: lines(chat('How do I repair text like "cafÃ©" in Python?', '```python\nimport ftfy\nftfy.fix_text("cafÃ©")  # "café"\n```')) },
  ],
  invalid: [
    {
      // json.dumps (ensure_ascii) writes "CafÃ©" as Caf\u00c3\u00a9 inside the arguments string: the range is the escapes as written.
      name: 'mojibake written as \\u escapes in tool-call arguments and in a ShareGPT tools column',
      text: lines(
        { messages: [{ role: 'user', content: 'Save a note.' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'save_note', arguments: '{"title": "Caf\\u00c3\\u00a9"}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }, { role: 'assistant', content: 'Saved.' }] },
        { conversations: [{ from: 'human', value: 'Save milk.' }, { from: 'function_call', value: '{"name": "save_note", "arguments": {"title": "Milk"}}' }, { from: 'observation', value: 'ok' }, { from: 'gpt', value: 'Saved.' }], tools: '[{"name": "save_note", "description": "Save to the user\\u00e2\\u20ac\\u2122s notebook", "parameters": {"type": "object", "properties": {"title": {"type": "string"}}}}]' },
      ),
      problems: [
        { line: 0, text: '\\\\u00c3\\\\u00a9', message: /probably "é"/ },
        { line: 1, text: '\\\\u00e2\\\\u20ac\\\\u2122', message: /probably "’"/ },
      ],
    },
    { name: 'mojibake in reasoning, in tool-call arguments (OpenAI and ShareGPT) and in the tool specs of the prompt', text: lines(
      { messages: [{ role: 'user', content: 'Why?' }, { role: 'assistant', content: 'Because.', reasoning_content: 'Itâ€™s simple.' }] },
      { messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get', arguments: '{"city": "ZÃ¼rich"}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'Sunny' }, { role: 'assistant', content: 'Sunny.' }] },
      { conversations: [{ from: 'human', value: 'Weather?' }, { from: 'function_call', value: '{"name": "get", "arguments": {"city": "MÃ¼nchen"}}' }, { from: 'observation', value: 'Sunny' }, { from: 'gpt', value: 'Sunny.' }], tools: '[{"name": "get", "description": "The cityâ€™s weather", "parameters": {"type": "object", "properties": {}}}]' },
    ), problems: [{ line: 0, text: 'â€™', message: /Mojibake/ }, { line: 1, text: 'Ã¼' }, { line: 2, text: 'Ã¼' }, { line: 2, text: 'â€™' }] },
    { name: 'Czech, Polish, Turkish and Hungarian letters read as Windows-1252', text: lines(chat('Škola?', 'Å¡kola, Ä\u008desky'), chat('Łódź?', 'Å\u0081Ã³dÅº'), chat('Işık?', 'Ä±ÅŸÄ±k'), chat('Ő?', 'kÅ‘ and Å»ółw')), problems: [{ line: 0, text: 'Å¡', message: /^Mojibake "Å¡" \(probably "š"\)/ }, { line: 0, text: 'Ä\u008d' }, { line: 1, text: 'Å\u0081Ã³', message: /probably "Łó"/ }, { line: 1, text: 'Åº', message: /probably "ź"/ }, { line: 2, text: 'Ä±ÅŸÄ±', message: /probably "ışı"/ }, { line: 3, text: 'Å‘', message: /probably "ő"/ }, { line: 3, text: 'Å»' }] },
    { name: 'smart quotes, and text decoded wrongly twice', text: lines(chat('Quote?', 'The â€œbestâ€\u009d one.'), chat('Coffee?', 'A cafÃƒÂ© au lait.')), problems: [{ line: 0, text: 'â€œ', message: /^Mojibake "â€œ" \(probably "“"\)/ }, { line: 0, text: 'â€\u009d', message: /probably "”"/ }, { line: 1, text: 'ÃƒÂ©', message: /^Mojibake "ÃƒÂ©" \(probably "é"\)/ }] },
    { name: 'mojibake with invisible C1 characters is shown escaped, with what it stood for', text: lines(chat('Dash?', 'a \u00e2\u0080\u0094 b')), problems: [{ line: 0, text: '\u00e2\u0080\u0094', message: /^Mojibake "â\\u0080\\u0094" \(probably "—"\): UTF-8 text was decoded as Latin-1/ }] },
    { name: 'a control character in a rejected answer (it still breaks tokenization)', text: lines({ prompt: 'Say café.', chosen: 'Café.', rejected: 'Caf\u0007e' }), problems: [{ line: 0, text: '\\u0007', message: /Control character/ }] },
    // The user turns hold an "é", which the prefilter already looks for: its list lacks the leads à, á, ê, ë, ì and í.
    { name: 'Korean, Thai, Hindi and Vietnamese mojibake', text: lines(chat('Hello in Korean?', 'ì•ˆë…•í•˜ì„¸ìš” (annyeonghaseyo).'), chat('Hello in Thai?', 'à¸ªà¸§à¸±à¸ªà¸”à¸µ (sawasdee).'), chat('Hello in Hindi?', 'à¤¨à¤®à¤¸à¥\u008dà¤¤à¥‡ (namaste).'), chat('Vietnamese, written?', 'Tiáº¿ng Viá»‡t.')), problems: [{ line: 0, text: 'ì•ˆë…•í•˜ì„¸ìš”', message: /Mojibake/ }, { line: 1, text: 'à¸ªà¸§à¸±à¸ªà¸”à¸µ' }, { line: 2, text: 'à¤¨à¤®à¤¸à¥\u008dà¤¤à¥‡' }, { line: 3, text: 'áº¿', message: /Mojibake/ }, { line: 3, text: 'á»‡' }] },
    { name: 'a short ordered run that is a Cyrillic word, and mojibake in code of a record that is not about encodings', text: lines(chat('Day?', 'Äåíü'), chat('Menu?', '```\ncafÃ© au lait\n```')), problems: [{ line: 0, text: 'Äåíü', message: /Mojibake/ }, { line: 1, text: 'Ã©' }] },
    { name: 'Windows-1251 Cyrillic read as Windows-1252, "à" with its no-break space turned into a space, and smart quotes that lost a byte', text: lines(chat('Hi', 'Ïðèâåò, êàê äåëà?'), chat('Voilà', 'VoilÃ le document.'), chat('Thumbs', 'Great ðŸ‘ keep going.'), chat('Quote', 'The â€œbestâ€ result.')), problems: [{ line: 0, text: 'Ïðèâåò', message: /probably "Привет"\): Cyrillic text written in Windows-1251/ }, { line: 0, text: 'êàê', message: /probably "как"/ }, { line: 0, text: 'äåëà' }, { line: 1, text: 'Ã' }, { line: 2, text: 'ðŸ‘' }, { line: 3, text: 'â€œ' }, { line: 3, text: 'â€', nth: 1 }] },
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
