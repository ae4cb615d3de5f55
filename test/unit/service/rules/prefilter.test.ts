/** The prefilters must never hide a real finding: whatever the exact detector matches, the prefilter lets through. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayHaveDialogueMarker, mayHavePlaceholder, mayHaveSecret } from '../../../../server/src/service/rules/prefilter';

test('secret prefilter passes every kind of secret the rule detects', () => {
  const secrets = ['sk-proj-abcdefghijklmnopqrstuvwx', 'xoxb-1234567890-abcdef', 'AKIAABCDEFGHIJKLMNOP', 'ASIAABCDEFGHIJKLMNOP', 'AIzaSyA1234567890abcdefghijklmnopqrstu', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'hf_abcdefghijklmnopqrstuvwxyz0123456', 'eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.abcdefghijklmnop', '-----BEGIN RSA PRIVATE KEY-----', 'jane.doe@corp.org', '(415) 555-0134 or 415-867-5309', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', '+33 1 23 45 67 89', 'glpat-abcdefghij1234567890', 'npm_abcdefghijklmnopqrstuvwxyz0123456789'];
  for (const secret of secrets) {
    assert.equal(mayHaveSecret(`{"messages":[{"role":"user","content":"key ${secret} here"}]}`), true, secret);
  }
  assert.equal(mayHaveSecret('{"messages":[{"role":"user","content":"What is the capital of France?"},{"role":"assistant","content":"Paris."}]}'), false);
});

test('secret prefilter passes a password assigned under any password name, and mysql -p', () => {
  for (const line of ['password = \\"Kq8vZ2mT7pLx\\"', 'PASSWORD=Kq8vZ2mT7pLx', 'SMTP_PASS=Kq8vZ2mT7pLx', 'MYSQL_PWD=Kq8vZ2mT7pLx', '\\"password\\": \\"Summer2024!x\\"', 'password: Kq8vZ2mT7pLx', 'ADMIN_PASSWORD : Kq8vZ2mT7pLx', 'mysql -u etl -pSummer2024!x prod']) {
    assert.equal(mayHaveSecret(`{"messages":[{"role":"user","content":"${line}"}]}`), true, line);
  }
  assert.equal(mayHaveSecret('{"messages":[{"role":"user","content":"Pass the salt: the password is case-sensitive, bypass = compass."}]}'), false);
});

test('dialogue prefilter passes a label with a space, a no-break space or an escaped one before the colon', () => {
  for (const label of ['Utilisateur : Et', 'Utilisateur\u00a0: Et', 'Utilisateur\u202f: Et', 'Utilisateur\\u00a0: Et', 'Utilisateur\\u202F : Et', 'Human: hi']) {
    assert.equal(mayHaveDialogueMarker(`{"messages":[{"role":"assistant","content":"Six.\\n\\n${label}"}]}`), true, label);
  }
  assert.equal(mayHaveDialogueMarker('{"messages": [{"role" : "assistant", "content": "Note : il est 10:00, voir page 3 : fin."}]}'), false);
});

test('placeholder prefilter passes brackets and braces around words of other scripts', () => {
  for (const text of ['[дата]', '[会议日期]', '[اسمك]', '{имя}', '{prénom}', '{{姓名}}']) assert.equal(mayHavePlaceholder(`{"text":"a ${text} b"}`), true, text);
  assert.equal(mayHavePlaceholder('{"text":"[1] and {\\"a\\": 1}"}'), false);
});
