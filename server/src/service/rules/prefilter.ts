/**
 * Cheap tests on a record's raw text that rule out most clean records before the exact regular
 * expressions run over the decoded content. Each needle starts with a rare character, which
 * String.prototype.includes scans for at memory speed. A `\u` escape in the raw text means the
 * content may hide anything, so it always passes.
 */

function hasEscapes(text: string): boolean {
  return text.includes('\\u');
}

/** '[' followed by a letter or '/': [INSERT ...], [Your Name], [INST], [/INST], [TOOL_CALLS]. */
function hasBracketWord(text: string): boolean {
  let index = text.indexOf('[');
  while (index >= 0) {
    const code = text.charCodeAt(index + 1);
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 47) return true;
    index = text.indexOf('[', index + 1);
  }
  return false;
}

export function mayHavePlaceholder(text: string): boolean {
  return text.includes('{{') || text.includes('<') || hasBracketWord(text) || hasEscapes(text);
}

export function mayHaveSpecialToken(text: string): boolean {
  return text.includes('<') || hasBracketWord(text) || hasEscapes(text);
}

export function mayHaveBrokenText(text: string): boolean {
  return text.includes('\uFFFD') || text.includes('Ã') || text.includes('â') || text.includes('Â') || text.includes('\\f') || text.includes('\\b') || hasEscapes(text);
}

export function mayHaveSecret(text: string): boolean {
  // Emails need '@'; every token kind has a rare marker ('_' in hf_/ghp_/github_pat_, '-' after sk/xox, fixed prefixes).
  return (
    text.indexOf('@') >= 0 ||
    text.indexOf('_') >= 0 ||
    text.indexOf('-----BEGIN') >= 0 ||
    text.indexOf('sk-') >= 0 ||
    text.indexOf('xox') >= 0 ||
    text.indexOf('AKIA') >= 0 ||
    text.indexOf('ASIA') >= 0 ||
    text.indexOf('AIza') >= 0 ||
    text.indexOf('eyJ') >= 0 ||
    /\d{3}\)?[ .-]\d{3}/.test(text) ||
    hasEscapes(text)
  );
}
