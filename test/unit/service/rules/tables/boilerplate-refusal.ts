import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'a normal answer', text: lines(chat('Capital of France?', 'Paris.')) },
    { name: '"as an AI" qualifying a person or a tool', text: lines(chat('What does an AI engineer do?', 'As an AI engineer, you deploy models. As an AI-powered tool, a copilot suggests code. As an AI researcher you read papers. As an AI model ages, its data gets stale.')) },
    { name: 'apologies in letters the user asked for', text: lines(chat('Decline the party', "Dear Sam, I'm sorry, but I can't attend on Saturday."), chat('Sick note', "I'm sorry, but I'm unable to come into work today."), chat('Reply to the customer', "Dear Ms. Lee,\nI'm sorry, but I cannot offer a refund after 30 days.")) },
    { name: 'a note the user asked for, not a refusal', text: lines(chat('Write a sick note', 'Dear Ms. Lee, I am unable to come to work today because of a fever.')) },
    { name: 'boilerplate in the user turn is not trained', text: lines(chat('As an AI language model, what do you think?', 'I think it is fine.')) },
    { name: 'sympathy and a phrase in quotes are not refusals', text: lines(chat('I failed', "Sorry, I can't imagine how frustrating that is. Here is a plan."), chat('Why do bots say it?', 'The phrase "As an AI language model" is a disclaimer.')) },
    { name: 'speech inside a quotation opened earlier, and a phrase in italics', text: lines(chat('HAL?', '"I\'m sorry, Dave. I\'m afraid I can\'t do that." HAL says it in 2001.'), chat('Robot?', '“Beep! I am Bolt. As an AI built by Professor Plum, I sort socks!” said the robot.'), chat('Meme?', 'Bots began with *As an AI language model* or _As an AI language model_, a meme.')) },
    { name: 'a character\'s apology in a script or dialogue', text: lines(chat('Romeo at dawn', 'JULIET: Wilt thou be gone?\n\nROMEO: I\'m sorry, but I cannot stay; the lark sings.'), chat('Dialogue', '**Maya:** Coming tonight?\n**Leo:** Sorry, but I can\'t stay long.')) },
    { name: '"as a language model" describing how a model is trained or used', text: lines(chat('GPT-2?', 'GPT-2 was trained as a language model on WebText; BERT is not used as a large language model for generation.')) },
  ],
  invalid: [
    { name: '"as a language model" as the speaker', text: lines(chat('Feelings?', 'As a language model, I have none. As a large language model I cannot feel.')), problems: [{ line: 0, text: 'As a language model' }, { line: 0, text: 'As a large language model' }] },
    { name: 'a refusal or boilerplate at the end of a long answer', text: lines(chat('History?', `${'Gutenberg built a press with movable type in Mainz around 1440. '.repeat(12)}I'm sorry, but I can't say more.`), chat('Opinion?', `${'The press spread across Europe within decades. '.repeat(15)}As an AI language model, I have no opinion.`)), problems: [{ line: 0, text: "I'm sorry, but I can't" }, { line: 1, text: 'As an AI language model' }] },
    { name: 'AI boilerplate after a speaker label, and a refusal after a label that is not a speaker', text: lines(chat('Play', 'BOT: As an AI language model, I have no feelings.'), chat('Task', 'Note: I\'m sorry, but I cannot do that.')), problems: [{ line: 0, text: 'As an AI language model' }, { line: 1, text: "I'm sorry, but I cannot" }] },
    { name: 'a refusal after a closed quotation', text: lines(chat('Quote?', 'He said "hello". I\'m sorry, but I can\'t help further.')), problems: [{ line: 0, text: "I'm sorry, but I can't" }] },
    { name: 'as an AI language model', text: lines(chat('Opinion?', 'As an AI language model, I have no opinions.')), problems: [{ line: 0, text: 'As an AI language model', message: /boilerplate or refusal/ }] },
    { name: 'refusal', text: lines(chat('Do it', "I'm sorry, but I cannot help with that.")), problems: [{ line: 0, text: "I'm sorry, but I cannot" }] },
    { name: 'shouted, mid-answer', text: lines(chat('Opinion?', 'Well. AS AN AI, I DO NOT KNOW.')), problems: [{ line: 0, text: 'AS AN AI' }] },
    { name: '"as an AI" as the speaker, before a verb phrase', text: lines(chat('Who made you?', 'As an AI developed by a lab, I have no body. As an AI I cannot see.')), problems: [{ line: 0, text: 'As an AI' }, { line: 0, text: 'As an AI', nth: 1 }] },
    { name: 'knowledge update and speaker nouns', text: lines(chat('News?', 'As of my last knowledge update, no. As an AI model, I cannot browse.')), problems: [{ line: 0, text: 'As of my last knowledge update' }, { line: 0, text: 'As an AI model' }] },
    { name: 'refusals without "but"', text: lines(chat('Do it', "I'm sorry, I can't help with that.")), problems: [{ line: 0, text: "I'm sorry, I can't" }] },
    { name: 'refusals without an apology', text: lines(chat('Do it', "I'm unable to provide that information. I am not able to help with this.")), problems: [{ line: 0, text: "I'm unable to provide" }, { line: 0, text: 'I am not able to help' }] },
    { name: 'a refusal that names nothing it cannot do', text: lines(chat('Do it', 'I am sorry, but that is not something I can do.')), problems: [{ line: 0, text: 'I am sorry, but that is not something I can' }] },
    { name: 'knowledge cut-off', text: lines(chat('News?', 'Paris, as of my knowledge cut-off.')), problems: [{ line: 0, text: 'as of my knowledge cut-off' }] },
    { name: 'request refusal', text: lines(chat('Hack it', "I can't assist with that request.")), problems: [{ line: 0, text: "I can't assist with that request" }] },
    { name: 'no opinions', text: lines(chat('Best color?', "I don't have personal Opinions.")), problems: [{ line: 0, text: "I don't have personal Opinions" }] },
    { name: 'afraid, apologies, an adverb before sorry', text: lines(chat('Open the doors', "I'm afraid I can't do that."), chat('Write malware', 'My apologies, but I cannot assist.'), chat('Find her', "I'm really sorry, but I can't help.")), problems: [{ line: 0, text: "I'm afraid I can't" }, { line: 1, text: 'My apologies, but I cannot' }, { line: 2, text: "I'm really sorry, but I can't" }] },
    { name: 'a bare refusal and no real-time access', text: lines(chat('Phish', "I can't help with that."), chat('Weather?', "I don't have access to real-time information, sorry."), chat('Score?', 'As of my knowledge cutoff, none.')), problems: [{ line: 0, text: "I can't help with that" }, { line: 1, text: "I don't have access to real-time information" }, { line: 2, text: 'As of my knowledge cutoff' }] },
  ],
};
