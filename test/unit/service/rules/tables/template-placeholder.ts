import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // Trained away from, not towards (dpo_en_demo.json has one).
    { name: 'a placeholder only in the rejected answer of a preference pair', text: lines({ prompt: 'Write a two-line note thanking Priya for the book she lent me.', chosen: 'Dear Priya,\nThank you for lending me Piranesi. Warmly, Jonas', rejected: 'Dear [Friend Name],\nThanks for the book. Best, [Your Name]' }) },
    { name: 'plain text', text: lines(chat('Write a greeting', 'Hello, Ann!')) },
    { name: 'a code block with single braces and a markdown link', text: lines(chat('Show a dict', 'Use {"a": 1} and see [the docs](https://x.org).')) },
    { name: 'a Jinja template in a code block and in inline code', text: lines(chat('Greet in Flask', 'Save:\n\n```html\n<p>Hello, {{ user.name }}!</p>\n```\n\nA loop: `{% for x in xs %}{{ x }}{% endfor %}`')) },
    { name: 'a markdown link whose text starts with Add', text: lines(chat('Cart link?', 'Use [Add to cart](https://shop.example.com/cart) in the README.')) },
    { name: 'lyrics sections, log levels and citations', text: lines(chat('Song?', '[Verse 1]\\nLa la\\n[Chorus]\\n[INFO] started, see [1] and [Note] [sic].')) },
    { name: 'key names in brackets', text: lines(chat('How to quit?', 'Press [Enter], then [Insert] or [Esc].')) },
    { name: 'subscripts, generic types and code variables', text: lines(chat('Type hint?', 'Return `Optional[Date]` or write rows[Name] in prose.'), chat('f-string?', "```python\nprint(f'Hi {first_name}')\n```"), chat('Alert', "subject = f'CPU at {cpu_percent}%'"), chat('Deploy', 'Replace `<Your App Name>` and `<API_KEY>` in the YAML.')) },
    { name: 'T-SQL bracketed names in a code block', text: lines(chat('Query a table with spaces in its name', 'Brackets quote names:\n\n```sql\nSELECT [Order ID], [Customer Name]\nFROM [dbo].[Order Details]\nWHERE [Order Date] >= \'2024-01-01\';\n```')) },
    { name: 'one-word braces in code and math, HTML tags and generics', text: lines(chat('Format?', 'Use `"Hi {name}".format(name="Ana")`; the set {x} and {a, b}; `<Name>` in JSX; List<String> and <div class="Name">.'), chat('Py', "```python\nprint(f'Hi {name}')\n```")) },
    { name: 'a template the user asked for, and a lower-case blank in inline code', text: lines(chat('Generate a template for a customer service interaction', 'Date: [insert date]\nAgent: [Your Name]\nCustomer: {customer_name}'), chat('Missing word?', 'Answer in the format: `The missing word is: [your answer here]`')) },
    { name: 'OpenAPI path parameters in prose', text: lines(chat('Orders endpoint?', 'Call GET /users/{user_id}/orders?status=open; the {user_id} path parameter is numeric.')) },
    { name: 'markdown references and math sets', text: lines(chat('Refs?', 'See [link][1] and [link]: https://x.org. The set {x} and {a, b}.')) },
    { name: 'XXX that is not a name, lower-case words in Markdown links, and a camelCase variable in code', text: lines(chat('Sizes?', 'Sizes S to XXL; Super Bowl XXX was in 1996.'), chat('Docs?', 'See [the release date](https://example.com/releases) and [first name][1].'), chat('JSX?', 'Write `<p>{userName}</p>` in the component.')) },
    { name: 'parentheses and angle brackets that are not fields', text: lines(chat('Tip?', 'Results vary (your mileage may vary); compare a<b and c>d.')) },
  ],
  invalid: [
    { name: "self-instruct's <noinput> left in an Alpaca input", text: lines({ instruction: 'Name a prime.', input: '<noinput>', output: '7.' }), problems: [{ line: 0, text: '<noinput>', message: /marker for an example without an input.*Make the field empty/ }] },
    { name: "self-instruct's <nooutput> as an Alpaca answer", text: lines({ instruction: 'Draw a cat.', input: '', output: '<nooutput>' }), problems: [{ line: 0, text: '<nooutput>', message: /cannot answer.*remove the record/ }] },
    { name: 'a field name in parentheses and lower-case words in angle brackets', text: lines(chat('Sign off', 'Best regards,\n(Your Name)'), chat('Greeting', 'Hello <customer name>, thanks!')), problems: [{ line: 0, text: '(Your Name)' }, { line: 1, text: '<customer name>' }] },
    { name: 'lower-case angle placeholders, camelCase variables, name placeholders and bracketed field names with lower-case words', text: lines(chat('Announce', 'The review is on <insert date> in the main hall.'), chat('Confirm', 'Dear {customerName}, your order has shipped.'), chat('Invite', 'Dear XXX,\n\nYou are invited.'), chat('Remind', "Hello [Customer's first name], it renews on [renewal date].")), problems: [{ line: 0, text: '<insert date>' }, { line: 1, text: '{customerName}' }, { line: 2, text: 'XXX' }, { line: 3, text: "[Customer's first name]" }, { line: 3, text: '[renewal date]' }] },
    { name: 'a template the user asked to fill in', text: lines(chat('Fill in this template for Ana: Dear [Name], ...', 'Dear [Name], welcome aboard.'), chat('Fill the form letter.', 'The refund of [AMOUNT] arrives soon.')), problems: [{ line: 0, text: '[Name]' }, { line: 0, text: '[Name]', nth: 1 }, { line: 1, text: '[AMOUNT]' }] },
    { name: 'lower-case instructions, one-word brace fields and field names in angle brackets', text: lines(chat('Letter', 'Dear [insert name here], visit [insert link] or reply to {email}.'), chat('Order', 'Hi {name}, your order shipped. Dear <Customer Name>, welcome to <Company>.')), problems: [{ line: 0, text: '[insert name here]' }, { line: 0, text: '[insert link]' }, { line: 0, text: '{email}' }, { line: 1, text: '{name}' }, { line: 1, text: '<Customer Name>' }, { line: 1, text: '<Company>' }] },
    { name: 'moustache placeholder', text: lines(chat('Write to {{customer_name}}', 'Dear friend')), problems: [{ line: 0, text: '{{customer_name}}', message: /Unfilled placeholder/ }] },
    { name: 'insert placeholder in the answer', text: lines(chat('Write a letter', 'Best regards, [Your Name]')), problems: [{ line: 0, text: '[Your Name]' }] },
    { name: 'a moustache placeholder outside code next to code', text: lines(chat('Write', 'Dear {{ name }}, run `make` to build.')), problems: [{ line: 0, text: '{{ name }}' }] },
    { name: 'an Enter placeholder with words', text: lines(chat('Form', 'Email: [Enter your email]')), problems: [{ line: 0, text: '[Enter your email]' }] },
    { name: 'bracketed field names', text: lines(chat('Write a letter', "Dear [Recipient's Name],\\nThanks.\\n[Company Name], [DATE]")), problems: [{ line: 0, text: "[Recipient's Name]" }, { line: 0, text: '[Company Name]' }, { line: 0, text: '[DATE]' }] },
    { name: 'an explicit instruction in a code block', text: lines(chat('A letter', '```text\nDear [Your Name],\nSigned [INSERT DATE]\n```')), problems: [{ line: 0, text: '[Your Name]' }, { line: 0, text: '[INSERT DATE]' }] },
    { name: 'placeholder after escapes', text: lines(chat('a', 'Line\\n\\"quoted\\" [INSERT DATE]')), problems: [{ line: 0, text: '[INSERT DATE]' }] },
    { name: 'more field names, lower-case fields, angle and single-brace variables', text: lines(chat('Invite', 'Join us on [Date] at [Time] in [Location]; see [link].'), chat('Notice', 'Dear {customer_name}, order {ORDER_ID} shipped. Introducing <PRODUCT_NAME>.'), chat('Sign', 'Sincerely,\n<Your Name>')), problems: [{ line: 0, text: '[Date]' }, { line: 0, text: '[Time]' }, { line: 0, text: '[Location]' }, { line: 0, text: '[link]' }, { line: 1, text: '{customer_name}' }, { line: 1, text: '{ORDER_ID}' }, { line: 1, text: '<PRODUCT_NAME>' }, { line: 2, text: '<Your Name>' }] },
  ],
};
