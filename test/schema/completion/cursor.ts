// Test helper: a text with a `|` marking the cursor → the text without it and the cursor offset.

/** Splits `a|b` into `{ text: 'ab', offset: 1 }`; the text must hold exactly one `|`. */
export function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  if (offset === -1 || marked.indexOf('|', offset + 1) !== -1) throw new Error(`mark exactly one cursor: ${JSON.stringify(marked)}`);
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}
