import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'answer within the limit', settings: { maxTokens: 200 }, text: lines(chat('short prompt', 'answer')) },
    { name: 'long, but the answer starts before the limit', settings: { maxTokens: 40 }, text: lines(chat('short prompt', 'word '.repeat(80))) },
  ],
  invalid: [
    { name: 'the answer within the limit is not trained (weight 0), the trained one lies past it', settings: { maxTokens: 30 }, text: lines({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.', weight: 0 }, { role: 'user', content: 'word '.repeat(200) }, { role: 'assistant', content: 'answer' }] }), problems: [{ line: 0, text: '"messages"', message: /every trained answer lies past the limit \(answers with weight 0 or train false are not trained\), so the loss is 0/ }] },
    { name: 'prompt fills the whole budget', settings: { maxTokens: 30 }, text: lines(chat('word '.repeat(200), 'answer')), problems: [{ line: 0, text: '"messages"', message: /nothing trainable is left.* Shorten the prompt or raise maxTokens \(tunesmith\.maxTokens, tunesmith\.json or --max-tokens\)\.$/ }] },
  ],
};
