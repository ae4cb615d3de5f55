/** JSON.stringify recurses: a value nested thousands deep overflows the stack. Never throws. */
export function safeStringify(value: unknown, indent?: number | string): string {
  try {
    return JSON.stringify(value, null, indent) ?? '';
  } catch {
    return '"<too deeply nested to display>"';
  }
}

/** The value a JSON text holds, or the text itself when it is not valid JSON. */
export function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
