import type { ContentPart } from '../conversation';
import { hasDottedToken, mayHavePasswordKey, mayHavePhoneDigits, mayHaveSecret } from './prefilter';
import type { RecordRule, RecordRuleContext } from './rule';
import { allTurns, partTarget, reportMatchesInParts, textAndCallParts } from './util';

// Each alternative is one kind; the named group tells which.
const detector = new RegExp(
  [
    String.raw`(?<privateKey>-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----)`,
    String.raw`(?<openai>\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,})`,
    String.raw`(?<aws>\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)`,
    String.raw`(?<github>\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{30,})`,
    String.raw`(?<slack>\bxox[abprs]-[A-Za-z0-9-]{10,})`,
    String.raw`(?<google>\bAIza[0-9A-Za-z_-]{35}\b)`,
    String.raw`(?<huggingface>\bhf_[A-Za-z0-9]{30,}\b)`,
    String.raw`(?<gitlab>\bglpat-[A-Za-z0-9_-]{20,})`,
    String.raw`(?<npm>\bnpm_[A-Za-z0-9]{36}\b)`,
    String.raw`(?<stripe>\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})`,
    String.raw`(?<jwt>\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})`,
    String.raw`(?<email>\b[A-Za-z0-9._%+-]+@(?!example\.|test\.|domain\.|email\.|company\.|yourdomain\.|mydomain\.|xyz\.)[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b)`,
    String.raw`(?<phone>(?<![\w.+-])(?!\(?555\)?[ .-]?)(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-]))`,
    // French numbers: ten digits in pairs (06 12 34 56 78, 01.42.68.53.00).
    String.raw`(?<frenchPhone>(?<![\w.+-])0[1-9](?<pairSeparator>[ .])\d\d(?:\k<pairSeparator>\d\d){3}(?![\w-]|[.,]\d))`,
    // International numbers: a country code, then groups with separators (+44 20 7946 0958, +91 98765 43210).
    // A group in parentheses only when both are there: "(+34 612 345 678)" must not take the closing one.
    String.raw`(?<internationalPhone>(?<![\w+])(?:\+|\b00(?=[1-9]))\d{1,3}(?:[ .-](?:\(\d{1,6}\)\d{0,6}|\d{1,8})){2,5}(?![\w-]))`,
    // National numbers without a country code, written in groups: 3-4-4 (London 020 7946 0958, Bengaluru 080 2345 6789), UK
    // area codes (0161 496 0734, 01632 960123), UK mobiles (07700 900123), UK 03/08 numbers (0800 123 4567), German area code
    // and subscriber (030 12345678, 0171 2345678, 089/1234567), and Indian mobiles in two fives (98765 43210).
    // Also Australian mobiles (0412 345 678), Japanese and Korean numbers (090-1234-5678, 03-1234-5678, 010-1234-5678),
    // Chinese mobiles (138 0013 8000) and Brazilian numbers ((11) 91234-5678).
    String.raw`(?<nationalPhone>(?<![\w.+/-])(?:\(0\d{1,4}\) ?\d{3,4} ?\d{3,4}(?![\w-]|[.,]\d)|\(\d{2}\) ?\d{4,5}-\d{4}|04\d{2} \d{3} \d{3}|0\d{1,2}-\d{4}-\d{4}|1[3-9]\d(?<cnSeparator>[ -])\d{4}\k<cnSeparator>\d{4}|0(?:[1-9]\d \d{4} \d{4}|1\d{2,3} \d{3} ?\d{3,4}|7\d{3} \d{3} ?\d{3}|[38]\d{2} \d{3} \d{4})|0[1-9]\d{1,4}(?: ?\/ ?| |-)\d{5,8}|[6-9]\d{4} \d{5})(?![\w-]|[.,]\d))`,
    String.raw`(?<slackWebhook>https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{20,})`,
    String.raw`(?<sendgrid>\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,50}\b)`,
    String.raw`(?<googleOauth>\bGOCSPX-[A-Za-z0-9_-]{24,})`,
    String.raw`(?<llmProvider>\b(?:gsk_[A-Za-z0-9]{40,}|r8_[A-Za-z0-9]{30,}|xai-[A-Za-z0-9]{40,})\b)`,
    // Card numbers (checked with Luhn and an issuer prefix), IBANs (checked with mod 97).
    // Only written in groups: a run of 13-16 digits is as often a product or an id that passes Luhn by chance.
    String.raw`(?<card>(?<![\w.-])(?:\d{4}(?<cardSeparator>[ -])\d{4}\k<cardSeparator>\d{4}\k<cardSeparator>\d{1,4}|\d{4}[ -]\d{6}[ -]\d{5})(?![\w-]))`,
    String.raw`(?<iban>\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)`,
  ].join('|'),
  'g',
);

/**
 * A name that ends in a password word, and the quote and spaces before its = or colon: password, passwd, passphrase with any
 * prefix (PGPASSWORD, userPassword); pass and pwd only after a non-letter (SMTP_PASS, MYSQL_PWD; not bypass or compass).
 */
const passwordKey = String.raw`(?:(?<![A-Za-z])(?:pass|pwd)|pass(?:word|wd|phrase))["']?[^\S\n]*`;

/**
 * Secrets found by what precedes them; only the value is underlined. Each runs only on the few records
 * whose text has its marker (a lookbehind in the main expression would be tried at every character).
 */
const valueDetectors: { kind: string; marker: (text: string) => boolean; pattern: RegExp }[] = [
  // aws_secret_access_key = wJalr... (a credentials file, an env var)
  { kind: 'awsSecret', marker: (text) => text.includes('ecret_access_key') || text.includes('ECRET_ACCESS_KEY'), pattern: /\b(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY)["']?\s*[=:]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/dg },
  // scheme://user:password@host, also with no user (redis://:password@host)
  { kind: 'urlPassword', marker: (text) => text.includes('://'), pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@'"]{0,64}:([^\s:/@'"]{3,128})@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d+)?(?=[/?#\s'"]|$)/dg },
  // Shopify admin tokens, PyPI upload tokens, Telegram bot tokens: fixed prefixes the main expression need not try everywhere.
  { kind: 'shopify', marker: (text) => text.includes('shp'), pattern: /\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b/dg },
  { kind: 'pypi', marker: (text) => text.includes('pypi-AgE'), pattern: /\b(pypi-AgE[A-Za-z0-9_-]{50,})/dg },
  { kind: 'telegram', marker: (text) => text.includes(':AA'), pattern: /(?<![\w:])(\d{8,10}:AA[A-Za-z0-9_-]{33})(?![\w-])/dg },
  // Mailgun API keys, DigitalOcean tokens.
  { kind: 'mailgun', marker: (text) => text.includes('key-'), pattern: /\b(key-[0-9a-z]{32})\b/dg },
  { kind: 'digitalocean', marker: (text) => text.includes('_v1_'), pattern: /\b(do[opr]_v1_[a-f0-9]{64})\b/dg },
  // Discord bot tokens: the base64 user id (M, N or O), a 6-character timestamp and a 27-40 character HMAC, dot-separated.
  { kind: 'discord', marker: hasDottedToken, pattern: /(?<![\w.-])([MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40})(?![\w.-])/dg },
  { kind: 'discordWebhook', marker: (text) => text.includes('/webhooks/'), pattern: /(https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/[A-Za-z\d_-]{60,90})(?![\w-])/dg },
  // Mailchimp API keys (32 hex digits and the data centre, -us21), and a Twilio auth token passed after the account SID.
  // Google OAuth access tokens (ya29.), sent as a Bearer token.
  { kind: 'googleAccessToken', marker: (text) => text.includes('ya29.'), pattern: /\b(ya29\.[A-Za-z\d_-]{30,})/dg },
  { kind: 'mailchimp', marker: (text) => text.includes('-us'), pattern: /\b([0-9a-f]{32}-us\d{1,2})\b/dg },
  { kind: 'twilioAuth', marker: (text) => text.includes('AC'), pattern: /\bAC[0-9a-f]{32}["']?\s*,\s*["']([0-9a-f]{32})["']/dg },
  // A number after a word that says it is one, in any shape a country writes it ("Call Ravi on 9876543210", "Llama a Lucía al
  // 612 345 678", "Bel Daan op 06 12345678", "Звоните по телефону 8 (912) 345-67-89", "Tel.: 0301234567"): right after the
  // word, or after a few words that end in one that introduces the number (on, at, is, al, el, au, op, unter, pod numer...).
  // Not "the API call returned 1700000000" or "WhatsApp tiene más de 2 000 000 000 usuarios": nothing introduces them.
  {
    kind: 'labelledPhone',
    marker: mayHavePhoneDigits,
    pattern: new RegExp(
      String.raw`(?<![A-Za-zÀ-ÿА-яЁё])(?:call|calling|called|phone|mobile|cell|tel|telephone|contact|ring|text|fax|whatsapp|sms|dial|landline|llam[a-zá]*|llám[a-z]*|tel[eé]f[a-zó]*|m[oó]vil|celular|escr[ií]be[a-z]*|appel[a-z-]*|t[ée]l[ée]phone|portable|joindre|ruf|rufen|anruf[a-z]*|handy[a-z]*|mobil[a-z]*|erreich[a-z]*|chiam[a-z]*|cellulare|lig(?:a|ue|ar)(?:-me)?|telem[oó]vel|bel|bellen|telefoon|mobiel|(?:za)?dzwo[nń][a-z]*|kom[oó]rk[a-z]*|(?:по)?звон[а-я]*|телефон[а-я]*|тел|моб[а-я]*|电话|手机|致电|拨打|電話|携帯)(?![A-Za-zÀ-ÿА-яЁё])` +
        String.raw`(?:[^\S\n]*[.:：#-]?[^\S\n]*|[^\d\n!?;]{0,40}?(?<![A-Za-zÀ-ÿА-яЁё])(?:on|at|is|number|no|nr|al|el|es|au|est|unter|ist|op|pod|numer|o|é|è|il|per|по|номер|номеру|телефону)(?![A-Za-zÀ-ÿА-яЁё])[^\S\n]*[.:：]?[^\S\n]*)` +
        String.raw`(?<![\w+])(\+?(?:\(\d{1,4}\)|\d{1,15})(?:(?:[ .\/-]|[ ]?(?=\())(?:\(\d{1,4}\)|\d{1,8})){0,6})(?![\w-]|[.,:]\d)`,
      'dgi',
    ),
  },
  // A password assigned in a config or code line, under any name that ends in a password word: DB_PASSWORD=Summer2024!x,
  // password = 'Tr0ub4dor&3', PGPASSWORD=..., SMTP_PASS=..., MYSQL_PWD=..., ;Password=...; in an ADO.NET connection string,
  // spring.datasource.password=.... After a colon only where the name is written as a key: at the start of a line (YAML's
  // password: ..., ADMIN_PASSWORD: ...), after {, ( or a comma (JSON, a JS object); not "your new password: aB3#..."
  // (a password generator's answer in prose). Also a password glued to mysql's -p flag (mysql -u etl -pS3cret99).
  {
    kind: 'password',
    marker: mayHavePasswordKey,
    pattern: new RegExp(
      String.raw`(?:${passwordKey}(?:=|:(?<=(?:^|[\n{,(])[^\S\n]*(?:-[^\S\n]+)?["']?[\w.-]*${passwordKey}:))[^\S\n]*["']?` +
        String.raw`|\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*?[^\S\n]-p(?=[^\s-]))([^\s"'\x60,;)]{7,63}[^\s"'\x60,;).!?])`,
      'dgi',
    ),
  },
  // A long random value assigned to a name that says it is secret: auth_token = '9f8e...', AccountKey=q8R2...==, "client_secret": "...".
  {
    kind: 'namedSecret',
    marker: (text) => text.includes('ecret') || text.includes('ECRET') || text.includes('_token') || text.includes('_TOKEN') || text.includes('Token') || text.includes('pi_key') || text.includes('PI_KEY') || text.includes('piKey') || text.includes('pi-key') || text.includes('pi-Key') || text.includes('PI-KEY') || text.includes('ion-Key') || text.includes('ion_key') || text.includes('ccountKey'),
    pattern: /\b[A-Za-z0-9_]*?(?:secret(?:_?key)?|api[_-]?key|subscription[_-]?key|auth_?token|access_?token|refresh_?token|bot_?token|accountkey)["']?\s*[:=]\s*["']?([A-Za-z0-9+/_.=-]{20,})/dgi,
  },
  // A US Social Security number written next to its name ("SSN: 536-22-8104", "social security number 536-22-8104").
  { kind: 'ssn', marker: (text) => /\d{3}-\d\d-\d{4}/.test(text), pattern: /\b(?:SSN#?|SS#|[Ss]ocial [Ss]ecurity(?: [Nn]umber| [Nn]o\.?| #)?)\b[^\d\n]{0,20}((?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4})\b/dg },
];

/**
 * Runs the value detectors over the record's text parts and reports the captured value of each match; `message` is told
 * whether the part is in `toolLists` (tool results and tool-call arguments).
 */
function reportValues(context: RecordRuleContext, partLists: readonly (readonly ContentPart[])[], toolLists: ReadonlySet<readonly ContentPart[]>, message: (kind: string, value: string, match: RegExpExecArray, fromTool: boolean) => string | undefined): void {
  let reported = 0;
  for (const detector of valueDetectors) {
    if (!detector.marker(context.record.text)) continue;
    for (const parts of partLists) {
      const fromTool = toolLists.has(parts);
      for (const part of parts) {
        detector.pattern.lastIndex = 0;
        let match: RegExpExecArray | null;
        while ((match = detector.pattern.exec(part.text)) !== null) {
          const span = match.indices?.[1];
          const value = match[1];
          if (span === undefined || value === undefined) continue;
          const text = message(detector.kind, value, match, fromTool);
          if (text === undefined) continue;
          context.report(text, partTarget(part, span[0], span[1]));
          if (++reported >= 5) return;
        }
      }
    }
  }
}

const kinds: Record<string, string> = {
  privateKey: 'a private key',
  openai: 'an API key (OpenAI/Anthropic style)',
  aws: 'an AWS access key id',
  github: 'a GitHub token',
  slack: 'a Slack token',
  google: 'a Google API key',
  huggingface: 'a Hugging Face token',
  stripe: 'a Stripe secret key',
  gitlab: 'a GitLab token',
  npm: 'an npm token',
  internationalPhone: 'a phone number',
  frenchPhone: 'a phone number',
  awsSecret: 'an AWS secret access key',
  urlPassword: 'a password in a connection URL',
  slackWebhook: 'a Slack webhook URL',
  sendgrid: 'a SendGrid API key',
  googleOauth: 'a Google OAuth client secret',
  llmProvider: 'an API key (Groq, Replicate or xAI)',
  card: 'a payment card number',
  iban: 'a bank account number (IBAN)',
  ssn: 'a US Social Security number',
  jwt: 'a JSON Web Token',
  shopify: 'a Shopify access token',
  pypi: 'a PyPI upload token',
  telegram: 'a Telegram bot token',
  namedSecret: 'a secret (a long random value assigned to a key, token or secret)',
  mailgun: 'a Mailgun API key',
  nationalPhone: 'a phone number',
  labelledPhone: 'a phone number',
  twilioAuth: 'a Twilio auth token',
  discord: 'a Discord bot token',
  discordWebhook: 'a Discord webhook URL',
  mailchimp: 'a Mailchimp API key',
  googleAccessToken: 'a Google OAuth access token',
  digitalocean: 'a DigitalOcean token',
  password: 'a password',
  email: 'an email address',
  phone: 'a phone number',
};

// Generic top-level domains people have addresses at (any two-letter country code counts too). A
// "domain" ending in anything else is code: `x@self.weight`, `q@k.transpose(...)` (matrix products).
const emailTopLevelDomains = new Set(
  ('com net org edu gov mil int info biz name pro io co ai dev app me tv cc fm ly gg so sh xyz tech online site email mail club shop store blog ' +
    'cloud page live news today world life space website one top vip work agency studio design digital media group team solutions services ' +
    'systems network global company academy center health law finance capital consulting software social science education university school ' +
    'institute foundation family art travel jobs mobi asia museum coop aero').split(' '),
);

/**
 * Mailboxes no person reads (noreply@github.com, notifications@github.com) and an organisation's published role
 * mailboxes (security@python.org, support@..., press@..., and in other languages contacto@rae.es, kontakt@duden.de):
 * public contacts, not personal data.
 */
const automatedSenders = /^(?:no[-_]?reply|do-?not-?reply|mailer-daemon|postmaster|notifications?|alerts?|bounces?|security|support|help|info|contact|sales|press|media|privacy|abuse|webmaster|hostmaster|legal|billing|feedback|careers|jobs|enquiries|inquiries|contacto|contato|contatto|kontakt|soporte|suporte|supporto|prensa|presse|ventas|vertrieb|assistance)$/i;

/** The format of an organisation's addresses (firstname.lastname@..., first.last@..., name.surname@...), no one's own. */
const addressPattern = /^(?:(?:first|first_?name|fname|f|given_?name|name|initial)[._-]?(?:last|last_?name|lname|surname|family_?name)|first_?name|last_?name|surname|full_?name)$/i;

/**
 * Whether an email-shaped match is someone's address: not a Git SSH remote (`git@github.com:org/repo`) or a no-reply sender,
 * not a documentation domain (example-domain.com, mail.example.org, .test/.invalid), not code.
 */
function isPersonalEmail(match: RegExpExecArray, email: string): boolean {
  const at = email.indexOf('@');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).toLowerCase().split('.');
  const topLevel = labels[labels.length - 1] ?? '';
  if (local === 'git' || automatedSenders.test(local) || addressPattern.test(local)) return false;
  // A fediverse handle (@Gargron@mastodon.social): the @ before the name makes it an account, not an address.
  if (match.input.charCodeAt(match.index - 1) === 64 /* @ */) return false;
  // user@host after ssh, scp or rsync is a login on a machine, not an address.
  const lineStart = match.input.lastIndexOf('\n', match.index) + 1;
  if (/\b(?:ssh|scp|sftp|rsync|mosh|telnet)\b/.test(match.input.slice(lineStart, match.index)) || labels.includes('amazonaws')) return false;
  // user:password@host inside a URL is a credential (reported as such), not an address.
  const tokenStart = Math.max(match.input.lastIndexOf(' ', match.index), match.input.lastIndexOf('\n', match.index)) + 1;
  if (match.input.slice(tokenStart, match.index).includes('://')) return false;
  if (match.input.charCodeAt(match.index + match[0].length) === 40 /* ( */) return false;
  if (labels.some((label) => label.startsWith('example')) || topLevel === 'test' || topLevel === 'invalid' || topLevel === 'localhost' || topLevel === 'local') return false;
  return topLevel.length === 2 || emailTopLevelDomains.has(topLevel);
}

/** Luhn checksum of a card number's digits. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Card numbers payment providers publish for tests (Stripe's 4242..., 4111...): documentation, not a card. */
const testCardNumbers = new Set(['4242424242424242', '4111111111111111', '5555555555554444', '5105105105105100', '378282246310005', '371449635398431', '6011111111111117', '4012888888881881', '4000056655665556', '2223003122003222', '5200828282828210']);

/**
 * A payment card: 13 to 16 digits with an issuer prefix (Visa, Mastercard, Amex, Discover) that pass Luhn, and not a published
 * test number. Providers' other test cards are mostly zeros (Stripe's decline card 4000 0000 0000 0002); issued numbers are not.
 */
function isCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 16 || testCardNumbers.has(digits)) return false;
  if (digits.replace(/[^0]/g, '').length >= 8) return false;
  if (!/^(?:4|5[1-5]|2[2-7]|3[47]|6011|65)/.test(digits)) return false;
  return passesLuhn(digits);
}

/**
 * An IBAN whose check digits are right (ISO 13616: mod 97 of the rearranged number is 1). The examples standards print
 * (GB82 WEST 1234 5698 7654 32) count too: they are what test data plants as a leaked account, and a warning is cheap.
 */
function isIban(text: string): boolean {
  const compact = text.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    const value = code <= 57 ? code - 48 : code - 55;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** A value read from the environment or a settings object, not written out: `process.env.API_KEY_V2`, `settings.SECRET_KEY_2`. */
const environmentReference = /^(?:process\.env|os\.environ|import\.meta\.env|env|settings|config|secrets|vars|self|this)\./i;

/** Tokens another value detector names (a Mailgun, PyPI, Shopify, DigitalOcean, Telegram, Mailchimp or Discord token): reported once, as that. */
const knownTokenPrefix = /^(?:key-|pypi-|shp(?:at|ca|pa|ss)_|do[opr]_v1_|\d{8,10}:AA|[0-9a-f]{32}-us\d|[MNO][\w-]{23,27}\.[\w-]{6}\.)/;

/** Tokens that standards print as examples: RFC 6749's OAuth access and refresh tokens. */
const documentationTokens = new Set(['2YotnFZFEjr1zCsicMWpAA', 'tGzv3JOkF0XG5Qx2TlKWIA']);

/**
 * Whether a value assigned to a secret-sounding name looks like a real secret: letters and digits mixed (not
 * `process.env.API_KEY` or `settings.SECRET_KEY`), not a documentation placeholder, and not a key the main
 * expression already reports (`api_key = "sk-..."`).
 */
function isNamedSecretValue(value: string): boolean {
  if (knownTokenPrefix.test(value) || !/\d/.test(value) || !/[A-Za-z]/.test(value) || isPlaceholderKey(value) || documentationTokens.has(value) || environmentReference.test(value)) return false;
  detector.lastIndex = 0;
  return !detector.test(value);
}

/** Words of tutorial and default passwords (password1, P@ssw0rd!, changeme1, test1234, admin2024, letmein99): an example, not a leak. */
const tutorialPasswordWords = /p[a@4][s$5]{2}|pwd|your|example|sample|demo|test|dummy|fake|changeme|change_me|placeholder|secret|admin|root|qwerty|letmein|welcome|hunter|1234|xxx|\*\*/i;

/**
 * Whether a value after a password name is a written-out password: 8 or more characters (the pattern's bar), a letter and a
 * digit or a symbol, not a tutorial or template value (`password123`, `changeme1`, `${DB_PASSWORD}`, `<your-password>`) and
 * not code: a call or an index (`getpass()`, `os.environ["PW"]`), a path, or an unquoted variable (`args.db_pw2`, `db_pw_2`).
 * A base64 value that decodes to text (a Kubernetes Secret's `password: cGFzc3dvcmQ=`) is judged by that text.
 */
function isWrittenPassword(value: string, quoted: boolean): boolean {
  const decoded = value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64').toString('latin1') : '';
  if (/^[\x20-\x7e]{6,}$/.test(decoded)) return isWrittenPassword(decoded, true);
  if (!/[A-Za-z]/.test(value) || !/[\d!#&*+?@^~]/.test(value) || tutorialPasswordWords.test(value) || /[${}<>()[\]%\\]/.test(value) || /^[/~.]/.test(value)) return false;
  if (!quoted && /^[A-Za-z_]\w*(?:\.\w+)+$|^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(value)) return false;
  detector.lastIndex = 0;
  return !knownTokenPrefix.test(value) && !detector.test(value) && !placeholderPasswords.test(value) && !environmentReference.test(value);
}

/** The machine itself: a server there is a development one. */
const localHost = /^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|host\.docker\.internal)$/i;

/**
 * Whether the password of a connection URL is someone's: not a tutorial value (user:password@, ${DB_PASSWORD}), not the user
 * name again (postgres:postgres@, app:app@: a local server's default login), and on the machine itself (localhost, 127.0.0.1)
 * only one that looks written out (a development database's password is rarely anyone's secret).
 */
function isUrlPassword(value: string, match: RegExpExecArray): boolean {
  const url = match[0];
  const userStart = url.indexOf('://') + 3;
  const user = url.slice(userStart, url.indexOf(':', userStart));
  const host = url.slice(url.lastIndexOf('@') + 1).replace(/:\d+$/, '');
  if (placeholderPasswords.test(value) || value === user) return false;
  return !localHost.test(host) || isWrittenPassword(value, true);
}

/**
 * Whether a password the pattern found is reported: written out, and not a JSON or YAML key's value in a tool result or
 * tool-call arguments, where it is the conversation's own (a password a user picks for an account, which the model passes
 * on; one a password generator returns).
 */
function isReportedPassword(value: string, match: RegExpExecArray, fromTool: boolean): boolean {
  const joint = match[0].slice(0, match[0].length - value.length);
  if (fromTool && /:[^\S\n]*["']?$/.test(joint)) return false;
  return isWrittenPassword(value, /["']$/.test(joint));
}

/**
 * A labelled number the main expression did not already report, with a phone number's 9 to 15 digits (a date such as
 * 12/03/2024 has fewer), groups of two or more digits after the first, and not a fictional 555 number.
 */
function isLabelledPhone(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 9 || digits.length > 15 || /^(?:\+?1)?[ (]?555/.test(value) || isPublicOrPlaceholderNumber(value)) return false;
  // A quantity, not a line: five zeros in a row, or groups of 000 ("100000000 elements", "3 400 000 000 calls").
  if (/0{5}|(?:[ .,]000){2}/.test(value)) return false;
  if (/[ .\/-]\d(?!\d)/.test(value)) return false;
  // Reported once: skipped when the main expression finds the number, unless it is a national number with more digits than
  // an unlabelled one may have (0151 23456789: the label says it is a phone number, not a measure).
  detector.lastIndex = 0;
  const match = detector.exec(value);
  if (match === null) return true;
  return match[0] === value && match.groups?.nationalPhone !== undefined && detectorMessage(match) === undefined;
}

/**
 * A North American toll-free number (1-800-273-8255; 800, 888, 877, 866, 855, 844, 833), a business's or a helpline's public
 * line, or a number whose last seven digits are zeros (090-0000-0000), a placeholder.
 */
function isPublicOrPlaceholderNumber(text: string): boolean {
  return /^(?:\+?1[ .-]?)?\(?8(?:00|88|77|66|55|44|33)\)?[ .-]?\d{3}[ .-]?\d{4}$/.test(text) || /0{7}$/.test(text.replace(/\D/g, ''));
}

/** Whether a group of four or five digits stands next to the match on its line: a row of a digit table (random digits, a cipher, pi in fives). */
function inDigitTable(match: RegExpExecArray): boolean {
  const end = match.index + match[0].length;
  return /(?:^|[^\d.,])\d{4,5}[ \t]+$/.test(match.input.slice(Math.max(0, match.index - 8), match.index)) || /^[ \t]+\d{4,5}(?!\d)/.test(match.input.slice(end, end + 8));
}

/** A key written as a placeholder in documentation: sk-xxxxxxxx..., sk-your-key-here, sk-...EXAMPLE. */
function isPlaceholderKey(text: string): boolean {
  return /(.)\1{7}/.test(text) || /your|here|example|placeholder/i.test(text);
}

/** Passwords in tutorials' connection URLs (postgres://user:password@localhost/db) and template variables. */
// Also the default credentials of local development servers (RabbitMQ's guest:guest, the postgres image's postgres:postgres).
const placeholderPasswords = /^(?:password|passwd|pass|pwd|secret|changeme|admin|root|user|test|example|mypassword|yourpassword|your_password|guest|postgres|mysql|mariadb|mongo|redis|rabbitmq|minioadmin|dev|local|docker|default|pa\$\$word|\*+|x+|\$\{[^}]*\}|\$[A-Z_]+|<[^>]*>|\{[^}]*\}|\[[^\]]*\])$/i;

function messageFor(kind: string): string {
  const phone = kind === 'phone' || kind === 'internationalPhone' || kind === 'frenchPhone' || kind === 'nationalPhone' || kind === 'labelledPhone';
  const personal = kind === 'email' || phone || kind === 'card' || kind === 'iban' || kind === 'ssn';
  if (kind === 'password') return 'This looks like a password: a secret in training data can be memorised and repeated by the model. Replace it with a placeholder such as ${DB_PASSWORD} and change the password.';
  const what =
    kind === 'email'
      ? 'Replace it with a placeholder address such as jane@example.com.'
      : phone
        ? 'Replace it with a fictional number such as (555) 010-0000.'
        : kind === 'card'
          ? 'Replace it with a published test number such as 4242 4242 4242 4242.'
          : kind === 'iban' || kind === 'ssn'
            ? 'Remove it or replace it with an obviously fake value.'
            : kind === 'urlPassword'
              ? 'Replace it with a placeholder such as ${DB_PASSWORD} and change the password.'
              : 'Remove it and revoke the key.';
  return `This looks like ${kinds[kind] ?? 'a secret'}: ${personal ? 'personal data' : 'a secret'} in training data can be memorised and repeated by the model. ${what}`;
}

/** The message for a match of the main expression, or undefined when it is not a secret after all (a test card, a 555 number...). */
function detectorMessage(match: RegExpExecArray): string | undefined {
  const kind = Object.entries(match.groups ?? {}).find(([name, value]) => value !== undefined && name !== 'cardSeparator' && name !== 'pairSeparator' && name !== 'cnSeparator')?.[0] ?? 'email';
  if (kind === 'email' && !isPersonalEmail(match, match[0])) return undefined;
  if (kind === 'card' && !isCardNumber(match[0])) return undefined;
  if (kind === 'iban' && !isIban(match[0])) return undefined;
  if ((kind === 'openai' || kind === 'llmProvider' || kind === 'sendgrid' || kind === 'googleOauth' || kind === 'slack' || kind === 'slackWebhook' || kind === 'huggingface' || kind === 'github' || kind === 'stripe') && isPlaceholderKey(match[0])) return undefined;
  // The header named in prose ("begins with the line -----BEGIN OPENSSH PRIVATE KEY-----."): a sentence goes on after it, no key.
  if (kind === 'privateKey' && /^(?:[^\S\n]*[.,;:!?)"'”]|[^\S\n]+[a-z])/.test(match.input.slice(match.index + match[0].length, match.index + match[0].length + 8))) return undefined;
  // A phone number has 8 to 15 digits (E.164); fewer is arithmetic such as "+1 2 3".
  if (kind === 'internationalPhone' && !/^(?:\D*\d){8,15}\D*$/.test(match[0].startsWith('00') ? match[0].slice(2) : match[0])) return undefined;
  // An ISO 6709 position ("+40.7128-074.0060/"): a latitude with a decimal point, then the longitude's sign. A phone number's
  // groups are digits only, whatever separates them ("+1.212.555.0147" keeps one separator).
  if (kind === 'internationalPhone' && /^\+\d{1,3}\.\d+-\d{1,3}\.\d/.test(match[0])) return undefined;
  // A national number has ten or eleven digits with its leading 0 (fewer is a part number or a measure: "0600 12000 mm").
  if (kind === 'nationalPhone' && !/^(?:\D*\d){10,11}\D*$/.test(match[0])) return undefined;
  // ARCEP reserves blocks such as 01 99 00 xx xx and 06 39 98 xx xx for fiction.
  if (kind === 'frenchPhone' && /^0[1-9].(?:99.00|61.91|53.01|65.71|36.49|39.98)/.test(match[0])) return undefined;
  // The fictional 555 area code, also after the +1 country code ("+1 555-010-0000"). A 555-01xx line in another area
  // code ("(212) 555-0147") is still reported: it is what test data plants as a real-looking number.
  if ((kind === 'phone' || kind === 'internationalPhone') && /^(?:\+?1[ .-]?)?\(?555\)?[ .-]/.test(match[0])) return undefined;
  if ((kind === 'phone' || kind === 'internationalPhone' || kind === 'nationalPhone' || kind === 'frenchPhone') && isPublicOrPlaceholderNumber(match[0])) return undefined;
  // Two groups in a run of three or more ("37542 04805 64894 74296"): a table of digits, not a number.
  if (kind === 'nationalPhone' && inDigitTable(match)) return undefined;
  // The 555-01xx lines are fiction's in any area code, but test data plants them as real numbers: still reported, with a message
  // that does not offer another fictional number in its place.
  if ((kind === 'phone' || kind === 'internationalPhone') && /555[ .-]01\d\d$/.test(match[0])) {
    return 'This looks like a phone number: personal data in training data can be memorised and repeated by the model. Its line, 555-0100 to 555-0199, is reserved for fiction in every North American area code: if it is meant as a fictional number, dismiss this warning; if it belongs to someone, replace it.';
  }
  return messageFor(kind);
}

/** Probable secrets and personal data: a tuned model can memorise and repeat them. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'secrets-pii', description: 'Probable secrets and personal data (API keys, private keys, emails, phone numbers).', defaultSeverity: 'warning', fixable: false },
  check(context) {
    if (!mayHaveSecret(context.record.text)) return;
    const turns = allTurns(context);
    // Tool-call arguments are trained text too: an email or a key the model learns to send.
    const partLists = textAndCallParts(context, turns);
    reportMatchesInParts(context, partLists, detector, detectorMessage);
    // Tool results, and the lists after the turns' own that are not reasoning: tool-call arguments.
    const toolLists = new Set(partLists.filter((parts, index) => (index < turns.length ? turns[index]?.role === 'tool' : !/^(?:reasoning_content|thinking)$/.test(String(parts[0]?.path.at(-1))))));
    reportValues(context, partLists, toolLists, (kind, value, match, fromTool) => ((kind === 'labelledPhone' && !isLabelledPhone(value)) || (kind === 'urlPassword' && !isUrlPassword(value, match)) || (kind === 'namedSecret' && !isNamedSecretValue(value)) || (kind === 'password' && !isReportedPassword(value, match, fromTool)) ? undefined : messageFor(kind)));
  },
};
