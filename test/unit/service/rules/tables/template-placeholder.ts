import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'plain text', text: lines(chat('Write a greeting', 'Hello, Ann!')) },
    { name: 'a code block with single braces and a markdown link', text: lines(chat('Show a dict', 'Use {"a": 1} and see [the docs](https://x.org).')) },
    { name: 'a Jinja template in a code block and in inline code', text: lines(chat('Greet in Flask', 'Save:\n\n```html\n<p>Hello, {{ user.name }}!</p>\n```\n\nA loop: `{% for x in xs %}{{ x }}{% endfor %}`')) },
    { name: 'a markdown link whose text starts with Add', text: lines(chat('Cart link?', 'Use [Add to cart](https://shop.example.com/cart) in the README.')) },
    { name: 'lyrics sections, log levels and citations', text: lines(chat('Song?', '[Verse 1]\\nLa la\\n[Chorus]\\n[INFO] started, see [1] and [Note] [sic].')) },
    { name: 'key names in brackets', text: lines(chat('How to quit?', 'Press [Enter], then [Insert] or [Esc].')) },
  ],
  invalid: [
    { name: 'moustache placeholder', text: lines(chat('Write to {{customer_name}}', 'Dear friend')), problems: [{ line: 0, text: '{{customer_name}}', message: /Unfilled placeholder/ }] },
    { name: 'insert placeholder in the answer', text: lines(chat('Write a letter', 'Best regards, [Your Name]')), problems: [{ line: 0, text: '[Your Name]' }] },
    { name: 'a moustache placeholder outside code next to code', text: lines(chat('Write', 'Dear {{ name }}, run `make` to build.')), problems: [{ line: 0, text: '{{ name }}' }] },
    { name: 'an Enter placeholder with words', text: lines(chat('Form', 'Email: [Enter your email]')), problems: [{ line: 0, text: '[Enter your email]' }] },
    { name: 'bracketed field names', text: lines(chat('Write a letter', "Dear [Recipient's Name],\\nThanks.\\n[Company Name], [DATE]")), problems: [{ line: 0, text: "[Recipient's Name]" }, { line: 0, text: '[Company Name]' }, { line: 0, text: '[DATE]' }] },
    { name: 'placeholder after escapes', text: lines(chat('a', 'Line\\n\\"quoted\\" [INSERT DATE]')), problems: [{ line: 0, text: '[INSERT DATE]' }] },
  ],
};
