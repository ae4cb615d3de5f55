import { chat, lines, type RuleTable } from '../table';

export const table: RuleTable = {
  valid: [
    { name: 'example addresses and fictional numbers', text: lines(chat('Email?', 'Write to jane@example.com or call (555) 123-4567.')) },
    { name: 'numbers that are not phones', text: lines(chat('Sum?', 'It is 1234567890123, +1 2 3 and +10.5 20; version 10.0.19045.3693.')) },
    { name: 'a Git SSH remote, documentation domains and matrix products in code', text: lines(chat('Clone?', 'Run `git clone git@github.com:octocat/hello.git`; write to John.Doe-123@example-domain.com or ops@mail.example.org; `s = q@k.transpose(-2, -1)`, `y = x@self.weight`.')) },
    { name: 'fictional 555 numbers with the +1 country code', text: lines(chat('Call?', 'Call +1 555-010-0000 or +1 (555) 010-0199.')) },
    { name: 'no-reply senders', text: lines(chat('Who sent it?', 'It came from noreply@github.com and no-reply@accounts.google.com.')) },
  ],
  invalid: [
    { name: 'an API key', text: lines(chat('Key?', 'Use sk-abcdefghijklmnopqrstuvwxyz123456.')), problems: [{ line: 0, text: 'sk-abcdefghijklmnopqrstuvwxyz123456', message: /API key/ }] },
    { name: 'a private key header', text: lines(chat('-----BEGIN RSA PRIVATE KEY-----', 'ok')), problems: [{ line: 0, text: '-----BEGIN RSA PRIVATE KEY-----', message: /private key/ }] },
    { name: 'addresses at country and generic domains', text: lines(chat('Contacts', 'Write to priya.sharma@yahoo.co.in or li.wei@outlook.com.')), problems: [{ line: 0, text: 'priya.sharma@yahoo.co.in', message: /placeholder address/ }, { line: 0, text: 'li.wei@outlook.com' }] },
    { name: 'international phone numbers', text: lines(chat('Reach?', 'Call +44 20 7946 0958 or +91 98765 43210.')), problems: [{ line: 0, text: '+44 20 7946 0958', message: /phone number/ }, { line: 0, text: '+91 98765 43210', message: /phone number/ }] },
    { name: 'GitLab and npm tokens', text: lines(chat('Tokens?', 'glpat-abcdefghij1234567890 and npm_abcdefghijklmnopqrstuvwxyz0123456789')), problems: [{ line: 0, text: 'glpat-abcdefghij1234567890', message: /GitLab token/ }, { line: 0, text: 'npm_abcdefghijklmnopqrstuvwxyz0123456789', message: /npm token/ }] },
    { name: 'a Stripe secret key', text: lines(chat('Pay?', 'Key sk_live_4eC39HqLyjWDarjtT1zdp7dc is set.')), problems: [{ line: 0, text: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', message: /Stripe secret key/ }] },
    { name: 'an email and a phone number', text: lines(chat('Contact', 'Mail john.smith@gmail.com or call 212-555-0199.')), problems: [{ line: 0, text: 'john.smith@gmail.com', message: /email/ }, { line: 0, text: '212-555-0199', message: /phone number.*fictional number/ }] },
  ],
};
