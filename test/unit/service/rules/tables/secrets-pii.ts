import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'example addresses and fictional numbers', text: lines(chat('Email?', 'Write to jane@example.com or call (555) 123-4567.')) },
    { name: 'numbers that are not phones', text: lines(chat('Sum?', 'It is 1234567890123.')) },
  ],
  invalid: [
    { name: 'an API key', text: lines(chat('Key?', 'Use sk-abcdefghijklmnopqrstuvwxyz123456.')), problems: [{ line: 0, text: 'sk-abcdefghijklmnopqrstuvwxyz123456', message: /API key/ }] },
    { name: 'a private key header', text: lines(chat('-----BEGIN RSA PRIVATE KEY-----', 'ok')), problems: [{ line: 0, text: '-----BEGIN RSA PRIVATE KEY-----', message: /private key/ }] },
    { name: 'an email and a phone number', text: lines(chat('Contact', 'Mail john.smith@gmail.com or call 212-555-0199.')), problems: [{ line: 0, text: 'john.smith@gmail.com', message: /email/ }, { line: 0, text: '212-555-0199', message: /phone/ }] },
  ],
};
