import { mayHaveSecret } from './prefilter';
import type { RecordRule } from './rule';
import { allTurns, reportMatches } from './util';

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
    String.raw`(?<phone>(?<![\w.+-])(?!\(?555\)?[ .-])(?:\+\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?![\w-]))`,
    // International numbers: a country code, then groups with separators (+44 20 7946 0958, +91 98765 43210).
    String.raw`(?<internationalPhone>(?<![\w+])\+\d{1,3}(?:[ .-]\(?\d{1,5}\)?){2,5}(?![\w-]))`,
  ].join('|'),
  'g',
);

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
  jwt: 'a JSON Web Token',
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

/** Mailboxes no person reads (noreply@github.com): not personal data. */
const automatedSenders = /^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster)$/i;

/**
 * Whether an email-shaped match is someone's address: not a Git SSH remote (`git@github.com:org/repo`) or a no-reply sender,
 * not a documentation domain (example-domain.com, mail.example.org, .test/.invalid), not code.
 */
function isPersonalEmail(match: RegExpExecArray, email: string): boolean {
  const at = email.indexOf('@');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).toLowerCase().split('.');
  const topLevel = labels[labels.length - 1] ?? '';
  if (local === 'git' || automatedSenders.test(local)) return false;
  if (match.input.charCodeAt(match.index + match[0].length) === 40 /* ( */) return false;
  if (labels.some((label) => label.startsWith('example')) || topLevel === 'test' || topLevel === 'invalid' || topLevel === 'localhost' || topLevel === 'local') return false;
  return topLevel.length === 2 || emailTopLevelDomains.has(topLevel);
}

/** Probable secrets and personal data: a tuned model can memorise and repeat them. */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'secrets-pii', description: 'Probable secrets and personal data (API keys, private keys, emails, phone numbers).', defaultSeverity: 'warning', fixable: false },
  check(context) {
    if (!mayHaveSecret(context.record.text)) return;
    reportMatches(context, allTurns(context), detector, (match) => {
      const kind = Object.entries(match.groups ?? {}).find(([, value]) => value !== undefined)?.[0] ?? 'email';
      if (kind === 'email' && !isPersonalEmail(match, match[0])) return undefined;
      // A phone number has 8 to 15 digits (E.164); fewer is arithmetic such as "+1 2 3".
      if (kind === 'internationalPhone' && !/^(?:\D*\d){8,15}\D*$/.test(match[0])) return undefined;
      const phone = kind === 'phone' || kind === 'internationalPhone';
      // The fictional 555 area code, also after the +1 country code ("+1 555-010-0000").
      if (phone && /^(?:\+?1[ .-]?)?\(?555\)?[ .-]/.test(match[0])) return undefined;
      const personal = kind === 'email' || phone;
      const what = kind === 'email' ? 'Replace it with a placeholder address such as jane@example.com.' : phone ? 'Replace it with a fictional number such as (555) 010-0000.' : 'Remove it and revoke the key.';
      return `This looks like ${kinds[kind] ?? 'a secret'}: ${personal ? 'personal data' : 'a secret'} in training data can be memorised and repeated by the model. ${what}`;
    });
  },
};
