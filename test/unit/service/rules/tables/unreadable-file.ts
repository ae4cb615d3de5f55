import { chat, lines, type RuleTable } from '../table';

/** What a UTF-16 LE file without a byte order mark reads as when decoded as UTF-8: a NUL after each ASCII character. */
const utf16WithoutMark = [...lines(chat('Name a colour', 'Blue.'))].map((character) => `${character}\u0000`).join('');

export const table: RuleTable = {
  valid: [
    { name: 'text', text: lines(chat('a', 'b')) },
    // invalid-json reports it at its place, as Python's json module does; the rest of the file is linted.
    { name: 'one stray NUL in a text file is not a binary file', text: lines(chat('a', 'b'), '{"messages": [{"role": "user", "content": "c\u0000d"}, {"role": "assistant", "content": "e"}]}') },
  ],
  invalid: [
    { name: 'binary content', text: 'PK\u0003\u0004\u0000\u0000binary', problems: [{ line: 0, column: 0, endColumn: 0, message: /looks binary/ }] },
    // Compressed data has NULs in under 1% of its bytes, among many control characters and bytes that are not UTF-8.
    { name: 'gzip data (few NULs, many undecodable bytes)', text: `\u001f\ufffd\b\u0000${'\ufffd\u0003x\ufffd\u0012ab\ufffd\u0007'.repeat(40)}\u0000`, problems: [{ line: 0, column: 0, endColumn: 0, message: /looks binary/ }] },
    { name: 'UTF-16 text without a byte order mark', text: utf16WithoutMark, problems: [{ line: 0, column: 0, endColumn: 0, message: /^This file looks like UTF-16 text without a byte order mark .* Save it as UTF-8\.$/ }] },
  ],
};
