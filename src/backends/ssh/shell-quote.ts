// POSIX shell quoting for commands sent over SSH: every value travels inside single quotes, so quotes,
// `$(...)`, backticks and newlines arrive verbatim and execute nothing.

/** Quotes one word for a POSIX shell. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('A shell argument cannot contain a NUL byte.');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export K='v' ...; ` for `env` (names validated), or '' when empty. */
export function exportPrefix(env: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) throw new Error(`Environment variable name ${JSON.stringify(k)} is invalid: use letters, digits and underscores, not starting with a digit.`);
    parts.push(`${k}=${shellQuote(v)}`);
  }
  return parts.length === 0 ? '' : `export ${parts.join(' ')}; `;
}
