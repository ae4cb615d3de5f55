import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // ROUGE-L 0.83, but a templated question about another subject: a short instruction's content words must all be kept.
    { name: 'the same short question about another subject', text: lines(chat('What is the capital of Canada?', 'Ottawa.'), chat('What is the capital of Australia?', 'Canberra.'), chat('Which metal is liquid at room temperature?', 'Mercury.')) },
    { name: 'the same short question about another subject, with a contraction', text: lines(chat("What's the capital of Canada?", 'Ottawa.'), chat("What's the capital of Australia?", 'Canberra.'), chat("Who's the author of Dune?", 'Frank Herbert.'), chat("Who's the author of Emma?", 'Jane Austen.')) },
    // A question asked of an image repeats by design, however the image is attached.
    { name: 'the same question asked of different images (<image>, OpenAI image_url parts, TRL image parts)', text: lines(
      { messages: [{ role: 'user', content: '<image>Which cheese is shown in this picture here?' }, { role: 'assistant', content: 'Brie.' }], images: ['a.jpg'] },
      { messages: [{ role: 'user', content: '<image>Which cheese is shown in this picture here?' }, { role: 'assistant', content: 'Gouda.' }], images: ['b.jpg'] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Which cheese is shown in this picture here?' }, { type: 'image_url', image_url: { url: 'https://example.com/c.jpg' } }] }, { role: 'assistant', content: 'Feta.' }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Which cheese is shown in this picture here?' }, { type: 'image_url', image_url: { url: 'https://example.com/d.jpg' } }] }, { role: 'assistant', content: 'Edam.' }] },
      { messages: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Which cheese is shown in this picture here?' }] }, { role: 'assistant', content: 'Comté.' }], images: ['e.jpg'] },
      { messages: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Which cheese is shown in this picture here?' }] }, { role: 'assistant', content: 'Manchego.' }], images: ['f.jpg'] },
    ) },
    { name: "the same short question about another subject, with won't", text: lines(chat("Why won't my car start?", 'Check the battery.'), chat("Why won't my bike start?", 'Check the chain.'), chat("Why won't the door close?", 'Check the hinge.')) },
    { name: 'different instructions', text: lines(chat('Write a poem about the sea and its waves', 'a'), chat('Explain how a compiler parses source code', 'b')) },
    { name: 'short prompts are ignored', text: lines(chat('Hi there', 'a'), chat('Hi there!', 'b')) },
    { name: 'prompts of fewer than five distinct words are ignored', text: lines(chat('How are you?', 'a'), chat('how are you', 'b'), chat('Translate to Italian: no', 'c'), chat('Translate to Italian: bread', 'd')) },
    { name: 'an exact duplicate record is duplicate-record\'s, not a near-duplicate', text: lines(chat('Write a short poem about the sea and its waves', 'a'), chat('Write a short poem about the sea and its waves', 'a')) },
    // One instruction, different inputs: different examples (a word to classify; Dolphin's system prompt above each question).
    {
      name: 'Alpaca records that share an instruction and differ in their inputs',
      text: lines(
        { instruction: 'Classify the following word as a noun, verb, adjective or adverb and explain why.', input: 'Happiness', output: 'Noun.' },
        { instruction: 'Classify the following word as a noun, verb, adjective or adverb and explain why.', input: 'Quickly', output: 'Adverb.' },
        { instruction: 'You are an AI assistant. You will be given a task. You must generate a detailed and long answer.', input: 'Who wrote Hamlet?', output: 'Shakespeare.' },
        { instruction: 'You are an AI assistant. You will be given a task. You must generate a detailed and long answer.', input: 'What is the boiling point of water?', output: '100 C.' },
      ),
    },
    {
      name: 'preference pairs repeat their prompt by design',
      text: lines({ prompt: 'Write a short poem about the sea and its waves', chosen: 'Waves roll in.', rejected: 'No.' }, { prompt: 'Write a short poem about the sea and its waves', chosen: 'Salt and foam.', rejected: 'Sea.' }),
    },
    {
      name: 'KTO completions of one prompt are labelled one by one',
      text: lines({ prompt: 'Write a short poem about the sea and its waves', completion: 'Waves roll in.', label: true }, { prompt: 'Write a short poem about the sea and its waves', completion: 'No.', label: false }),
    },
  ],
  invalid: [
    {
      // The duplicate hash samples a long text (its length and three windows of 32 characters): these two answers share
      // it, and only the full comparison tells them apart. Not copies (duplicate-record is silent), so the repeat is said.
      name: 'the same prompt with two answers of one length that differ only between the sampled windows',
      text: lines(
        chat('Explain how compound interest works for a first-year nursing student, with one worked example.', 'Compound interest means you earn interest on interest. After one year at 10% the balance is 1100 dollars; the next year the rate applies to that new balance rather than the original amount, and over decades it snowballs quickly.'),
        chat('Explain how compound interest works for a first-year nursing student, with one worked example.', 'Compound interest means you earn interest on interest. After one year at 10% the balance is 1200 dollars; the next year the rate applies to that new balance rather than the original amount, and over decades it snowballs quickly.'),
      ),
      problems: [{ line: 1, text: '"Explain how compound interest works for a first-year nursing student, with one worked example."', message: /repeats record 1 \(line 1\) word for word/ }],
    },
    {
      name: 'Alpaca records whose instructions and inputs both nearly repeat',
      text: lines(
        { instruction: 'Summarize the following review of the restaurant in one sentence.', input: 'The pasta was fresh and the service was quick and friendly.', output: 'Good pasta, quick service.' },
        { instruction: 'Summarize the following review of the restaurant in one short sentence.', input: 'The pasta was fresh and the service was very quick and friendly.', output: 'Fresh pasta, friendly staff.' },
      ),
      problems: [{ line: 1, text: '"Summarize the following review of the restaurant in one short sentence."' }],
    },
    // The later exact copy is duplicate-record's (its quick fix removes it): only record 2's near-duplicate of record 1 is reported.
    { name: "an exact copy is duplicate-record's even when another record is near it", text: lines(chat('Write a short poem about the ocean at night and the stars above', 'x'), chat('Write a short poem about the sea at night and the stars above', 'y'), chat('Write a short poem about the ocean at night and the stars above', 'x')), problems: [{ line: 1, text: '"Write a short poem about the sea at night and the stars above"' }] },
    {
      // A 150-word rubric shared by two prompts about different essays: only the first 128 words are compared, and the message says so.
      name: 'a long instruction whose first 128 words repeat another\'s: the message says only its start is compared',
      text: lines(
        chat(`${Array.from({ length: 150 }, (_, index) => `criterion${index}`).join(' ')} Essay: the ocean shapes coastal towns through storms and trade.`, 'Score 3.'),
        chat(`${Array.from({ length: 150 }, (_, index) => `criterion${index}`).join(' ')} Essay: railways changed how farmers sold grain in distant cities.`, 'Score 4.'),
      ),
      problems: [{ line: 1, column: 38, endLine: 1, endColumn: 38 + JSON.stringify(`${Array.from({ length: 150 }, (_, index) => `criterion${index}`).join(' ')} Essay: railways changed how farmers sold grain in distant cities.`).length, message: /^This long instruction starts as record 1 \(line 1\) does: their first 128 words are the same, word for word \(ROUGE-L 1\.00 over them\)\. Only the start of a long instruction is compared/ }],
    },
    {
      // The later record is short (100 words), the earlier one long: the message does not call the short one long.
      name: 'a short instruction that is the start of an earlier long one',
      text: lines(
        chat(`${Array.from({ length: 150 }, (_, index) => `criterion${index}`).join(' ')} Essay: the ocean shapes coastal towns through storms and trade.`, 'Score 3.'),
        chat(Array.from({ length: 100 }, (_, index) => `criterion${index}`).join(' '), 'Score 4.'),
      ),
      problems: [{ line: 1, column: 38, endLine: 1, endColumn: 38 + JSON.stringify(Array.from({ length: 100 }, (_, index) => `criterion${index}`).join(' ')).length, message: /^This instruction nearly matches the start of record 1 \(line 1\), a long instruction \(ROUGE-L 0\.\d\d against its first 128 words, >= 0\.7\)/ }],
    },
    {
      name: 'the same instruction in other case and punctuation, with another answer',
      text: lines(chat('Write a short poem about the sea and its waves.', 'a'), chat('write a short poem about the sea, and its waves!', 'b')),
      problems: [{ line: 1, text: '"write a short poem about the sea, and its waves!"', message: /repeats record 1 \(line 1\) word for word \(ROUGE-L 1\.00/ }],
    },
    {
      name: 'words joined by a no-break space, a dash or a curly apostrophe are still words',
      text: lines(chat('Translate\u00a0this\u00a0sentence\u00a0into\u00a0French\u00a0for\u00a0the\u00a0travel\u00a0brochure', 'a'), chat('Translate this sentence into French—for the travel brochure, don’t wait', 'b')),
      problems: [{ line: 1, text: '"Translate this sentence into French—for the travel brochure, don’t wait"', message: /nearly repeats record 1 \(line 1; ROUGE-L 0\.86/ }],
    },
    {
      name: 'accented capitals are lower-cased like ASCII ones',
      text: lines(chat('Décris le château de Zürich où vit Müller avec sa fille', 'a'), chat('DÉCRIS LE CHÂTEAU DE ZÜRICH OÙ VIT MÜLLER AVEC SA FILLE', 'b')),
      problems: [{ line: 1, text: '"DÉCRIS LE CHÂTEAU DE ZÜRICH OÙ VIT MÜLLER AVEC SA FILLE"', message: /repeats record 1 \(line 1\) word for word \(ROUGE-L 1\.00/ }],
    },
    {
      name: 'a short instruction with few content words, repeated with another answer',
      text: lines(chat('Write a poem about love.', 'a'), chat('write a poem about love', 'b')),
      problems: [{ line: 1, text: '"write a poem about love"', message: /repeats record 1 \(line 1\) word for word \(ROUGE-L 1\.00/ }],
    },
    {
      name: 'a short instruction with one content word changed',
      text: lines(chat('Explain what a list is in Python', 'a'), chat('Explain what a tuple is in Python', 'b')),
      problems: [{ line: 1, text: '"Explain what a tuple is in Python"', message: /nearly repeats record 1 \(line 1; ROUGE-L 0\.86/ }],
    },
    {
      name: 'a short instruction with two content words, nearly repeated by one with more',
      text: lines(chat('Write a poem about love.', 'a'), chat('Write a short poem about love and loss', 'b')),
      problems: [{ line: 1, text: '"Write a short poem about love and loss"', message: /nearly repeats record 1 \(line 1; ROUGE-L 0\.77/ }],
    },
    { name: 'one word changed', text: lines(chat('Write a short poem about the sea and its waves', 'a'), chat('Write a short poem about the ocean and its waves', 'b')), problems: [{ line: 1, text: '"Write a short poem about the ocean and its waves"', message: /nearly repeats record 1 \(line 1; ROUGE-L 0\.90/ }] },
  ],
};
