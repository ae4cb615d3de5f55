import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    // HH-RLHF transcripts: the "Human:" lines both start with are the prompt.
    { name: 'an HH-RLHF pair of transcripts (the turns both start with are the prompt)', text: lines({ chosen: '\n\nHuman: Recommend a novel.\n\nAssistant: Try The Dispossessed.\n\nHuman: Why?\n\nAssistant: It asks what freedom costs.', rejected: '\n\nHuman: Recommend a novel.\n\nAssistant: Try The Dispossessed.\n\nHuman: Why?\n\nAssistant: No idea.' }) },
    { name: 'an exchange the answer shows as an example', text: lines(chat('How should a chatbot greet new users?', 'Keep it short and offer options. Here is an example.\n\nUser: Hi\nBot: Hello! I can track orders. What do you need?')) },
    { name: 'a dialogue, few-shot prompt or transcript the user asked for', text: lines(chat('Write a short dialogue between a human and an AI.', 'Sure.\n\nHuman: Rain tomorrow?\n\nAI: Probably.'), chat('Give me a few-shot prompt for sentiment.', 'Classify each review.\n\nUser: Great!\nAssistant: positive')) },
    { name: 'a script whose earlier lines are spoken, a list introduced by a colon, a field list, and code', text: lines(chat('Roles?', 'There are three roles:\n\nSystem: sets the behaviour.\nUser: asks.\nAssistant: answers.'), chat('Login?', 'Sign in with the credentials on the sticker.\n\nUser: admin\nPassword: printed on the label'), chat('HH?', 'Each example is one string:\n\n```\nHuman: Hi\n\nAssistant: Hello\n```'), chat('Chat', 'Agent: Hello, how can I help?\nUser: My order is late.')) },
    { name: 'field lists in Spanish, Russian and Chinese', text: lines(chat('¿Cómo entro al router?', 'Usa las credenciales de la etiqueta.\n\nUsuario: admin\nContraseña: la impresa en la etiqueta'), chat('Как войти?', 'Откройте стенд в браузере.\n\nПользователь: tester\nПароль: выдаётся в чате'), chat('注册页面有哪些字段？', '注册页面包含以下字段。\n用户：填写登录名\n密码：至少8位'), chat('Identifiants ?', 'Ceux de l’étiquette.\n\nUtilisateur : admin\nMot de passe : sur l’étiquette')) },
    { name: 'a label that opens the answer, lower-case YAML, and a label in the prompt only', text: lines(chat('Who speaks first?', 'User: the person typing.'), chat('Config?', 'Set it like this.\nuser: admin'), chat('Human: hi\nUser: hello', 'Hello!')) },
    { name: 'a pre-formatted text record and a rejected answer', text: lines({ text: 'Human: Hi\n\nAssistant: Hello!\n\nHuman: Bye' }, { prompt: 'Hi', chosen: 'Hello!', rejected: 'Hello!\n\nHuman: bye' }) },
    { name: 'a story, tale or chapter the user asked for, whose characters chat with a bot', text: lines(chat('Write a short story about a lonely programmer who builds a chatbot.', 'Every night Dev typed to the bot he had built.\n\nUser: Are you awake?\nBot: I am always awake.\n\nHe laughed.'), chat('Tell me a tale of a robot and a girl.', 'Once upon a time a girl met a robot.\n\nUser: Hello?\nRobot: Hello.'), chat('Continue the next chapter of my novel.', 'Mara opened the old laptop.\n\nUser: who are you\nTERMINAL: A friend.')) },
  ],
  invalid: [
    { name: '"such as" or an example.com address in the line before the turn the answer runs on into', text: lines(chat('Tell me something useful.', 'Use a linter such as ESLint.\n\nHuman: What about on Everest?\n\nAssistant: About 70 degrees.'), chat('Who do I write to?', 'Write to ada@example.com.\n\nUser: thanks\nAssistant: You are welcome.')), problems: [{ line: 0, text: 'Human:' }, { line: 1, text: 'User:' }] },
    { name: 'an HH-RLHF chosen transcript whose answer goes on into a Human turn', text: lines({ chosen: '\n\nHuman: Recommend a novel.\n\nAssistant: Try The Dispossessed by Ursula K. Le Guin.\n\nHuman: thanks, anything else?', rejected: '\n\nHuman: Recommend a novel.\n\nAssistant: No.' }), problems: [{ line: 0, text: 'Human:', nth: 1, message: /^The chosen answer runs on into another turn \("Human:"\): with no "prompt" column, TRL takes the text both transcripts start with as the prompt/ }] },
    {
      name: 'a prompt with "description", "JavaScript", "exchange rate", "command prompt", "enhance the prompt", "crime scene" or "the story behind" asked for no dialogue',
      text: lines(
        chat('Write a product description for a kettle.', 'A sleek steel kettle.\n\nHuman: Make it shorter.'),
        chat('What does JavaScript print for typeof null?', '"object".\nUser: Why?'),
        chat('What is the exchange rate of euros to dollars?', 'About 1.08.\n\nHuman: And pounds?'),
        chat('How do I open the command prompt?', 'Press Win+R and type cmd.\n\nUser: Thanks!'),
        chat('Enhance the prompt: "a cat on a mat".', 'A fluffy ginger cat asleep on a woven mat.\n\n### Human: Make it longer.'),
        chat('Describe the crime scene in the novel.', 'A dark alley.\n\nHuman: Who found it?'),
        chat("What's the story behind the name Python?", 'Guido named it after Monty Python.\n\nHuman: And Java?'),
      ),
      problems: [{ line: 0, text: 'Human:' }, { line: 1, text: 'User:' }, { line: 2, text: 'Human:' }, { line: 3, text: 'User:' }, { line: 4, text: '### Human:' }, { line: 5, text: 'Human:' }, { line: 6, text: 'Human:' }],
    },
    { name: 'answers that run on into the next turn', text: lines(chat('Boiling point?', 'Water boils at 100 °C.\n\nHuman: What about on Everest?\n\nAssistant: About 70 °C.'), chat('Largest planet?', 'Jupiter.\nUSER: And the smallest?\nASSISTANT: Mercury.'), chat('Synonym for happy?', 'Joyful.\n\n### Human: Another one?\n### Assistant: Cheerful.'), chat('讲个笑话', '好的，这是一个笑话。\n\n用户：再讲一个')), problems: [{ line: 0, text: 'Human:', message: /runs on into another turn.*Cut the answer/ }, { line: 1, text: 'USER:' }, { line: 2, text: '### Human:' }, { line: 3, text: '用户：' }] },
    { name: 'French labels with a space, a no-break space or an escaped one before the colon', text: lines(chat('Combien de côtés a un hexagone ?', 'Six.\n\nUtilisateur : Et un octogone ?\nAssistant : Huit.'), chat('Capitale ?', 'Paris.\n\nUtilisateur\u00a0: Et de l’Italie ?'), '{"messages":[{"role":"user","content":"Capitale ?"},{"role":"assistant","content":"Paris.\\n\\nUtilisateur\\u202f: Et Rome ?"}]}'), problems: [{ line: 0, text: 'Utilisateur :' }, { line: 1, text: 'Utilisateur\u00a0:' }, { line: 2, text: 'Utilisateur\\u202f:' }] },
  ],
};
