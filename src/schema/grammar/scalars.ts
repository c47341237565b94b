// Small scalar grammars: Python version, unix user, shell, IDE version, entity references, tags.
import { GrammarError } from './grammar-error';

/** Python versions dstack accepts for `python`. */
export const PYTHON_VERSIONS = ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14'] as const;

/** `python`: a string or a YAML float (`3.10` is read as 3.1 and means `"3.10"`). */
export function parsePythonVersion(v: unknown): string {
  let text: string;
  if (typeof v === 'number') text = v === 3.1 ? '3.10' : Number.isInteger(v) ? `${v}.0` : String(v);
  else if (typeof v === 'string') text = v;
  else throw new GrammarError(`${String(v)} is not a valid PythonVersion`);
  if (!(PYTHON_VERSIONS as readonly string[]).includes(text)) {
    throw new GrammarError(`'${text}' is not a valid PythonVersion; allowed: ${PYTHON_VERSIONS.map((p) => `"${p}"`).join(', ')}`);
  }
  return text;
}

/** `user`: `name_or_id[:group_name_or_id]`, no empty parts, at most one `:`. */
export function checkUnixUser(v: string): void {
  const parts = v.split(':');
  if (parts.length > 2 || parts.some((p) => p === '')) throw new GrammarError(`Invalid user \`${v}\`: expected \`user\`, \`user:group\`, \`uid\` or \`uid:gid\``);
  for (const p of parts) if (/^-\d+$/.test(p)) throw new GrammarError(`Invalid user \`${v}\`: ids must be >= 0`);
}

/** `shell`: `sh`, `bash` or an absolute path. */
export function checkShell(v: string): void {
  if (v !== 'sh' && v !== 'bash' && !v.startsWith('/')) throw new GrammarError('The value must be `sh`, `bash`, or an absolute path');
}

/** Windsurf's `version@commit` form. */
export function checkWindsurfVersion(v: string): void {
  if (!/^.+@[a-f0-9]+$/.test(v)) {
    throw new GrammarError(`Invalid Windsurf version format: \`${v}\`. Expected format: \`version@commit\` (e.g., \`1.106.0@8951cd3ad688e789573d7f51750d67ae4a0bea7d\`)`);
  }
}

/** A fleet/project reference: `name` or `project/name`. */
export interface EntityReference {
  project: string | null;
  name: string;
}

/** Parses `name` / `project/name` (or `{project?, name}`) into an EntityReference. */
export function parseEntityReference(v: unknown): EntityReference {
  if (typeof v === 'string') {
    const parts = v.split('/');
    if (parts.length > 2 || parts.some((p) => p === '')) throw new GrammarError('Invalid entity reference. Only `<name>` or `<project>/<name>` formats are allowed');
    return parts.length === 2 ? { project: parts[0] as string, name: parts[1] as string } : { project: null, name: v };
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o['name'] !== 'string') throw new GrammarError('A reference needs `name`');
    return { project: typeof o['project'] === 'string' ? o['project'] : null, name: o['name'] };
  }
  throw new GrammarError('Invalid entity reference. Only `<name>` or `<project>/<name>` formats are allowed');
}

const TAG_KEY_RE = /^[_\-a-zA-Z0-9]{1,60}$/;
const TAG_VALUE_RE = /^[a-zA-Z0-9 .:/=_\-+@]{0,256}$/;

/** Checks one tag key and value against dstack's tag rules. */
export function checkTag(key: string, value: string): void {
  if (!TAG_KEY_RE.test(key)) throw new GrammarError(`Invalid tag key \`${key}\`: 1-60 characters of letters, digits, \`_\` and \`-\``);
  if (!TAG_VALUE_RE.test(value)) throw new GrammarError(`Invalid tag value for \`${key}\`: up to 256 characters of letters, digits, spaces and \`.:/=_-+@\``);
}
