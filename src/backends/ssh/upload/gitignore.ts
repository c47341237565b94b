// A gitignore matcher with git's semantics, used for `.dstackignore` everywhere and for `.gitignore` in
// folders that are not git repositories (inside a repo, git itself decides via `git ls-files`).

/** One parsed line of an ignore file. */
interface Rule {
  /** Directory of the ignore file, relative to the root ('' = the root), without a trailing slash. */
  base: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
  /** Matched against the path relative to `base` (true) or against the basename only (false). */
  anchored: boolean;
  /** The line as written, for explanations in the upload preview. */
  source: string;
}

/** The rule that decided a path, or null when no rule matched. */
export interface IgnoreVerdict {
  ignored: boolean;
  /** `<ignore file>: <pattern>` of the deciding rule (or of the ignored parent directory). */
  because: string;
}

/** Converts one gitignore glob (already stripped of `!`, anchoring slash and trailing slash) to a regex body. */
function globToRegex(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const next = glob[i + 2];
        if (atStart && next === '/') { out += '(?:.*/)?'; i += 3; continue; }
        if (atStart && next === undefined) { out += '.*'; i += 2; continue; }
        // Any other run of stars is a plain `*` (git's rule).
        while (glob[i] === '*') i++;
        out += '[^/]*';
        continue;
      }
      out += '[^/]*'; i++; continue;
    }
    if (c === '?') { out += '[^/]'; i++; continue; }
    if (c === '\\') {
      const next = glob[i + 1];
      if (next !== undefined) { out += escapeRegex(next); i += 2; continue; }
      out += '\\\\'; i++; continue;
    }
    if (c === '[') {
      const end = classEnd(glob, i);
      if (end < 0) { out += '\\['; i++; continue; }
      let body = glob.slice(i + 1, end);
      let negated = false;
      if (body.startsWith('!') || body.startsWith('^')) { negated = true; body = body.slice(1); }
      const cls = body.replace(/\\(.)/g, '$1').replace(/[\]\\^]/g, (m) => `\\${m}`);
      out += negated ? `(?!/)[^${cls}]` : `(?!/)[${cls}]`;
      i = end + 1;
      continue;
    }
    out += escapeRegex(c);
    i++;
  }
  return out;
}

/** Index of the `]` closing a bracket expression that starts at `start`, or -1. */
function classEnd(glob: string, start: number): number {
  let j = start + 1;
  if (glob[j] === '!' || glob[j] === '^') j++;
  if (glob[j] === ']') j++; // a leading ] is literal
  for (; j < glob.length; j++) {
    if (glob[j] === '\\') { j++; continue; }
    if (glob[j] === ']') return j;
  }
  return -1;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Drops trailing spaces that are not escaped with a backslash (`foo\\ ` keeps its space). */
function stripTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ') {
    let slashes = 0;
    for (let k = end - 2; k >= 0 && line[k] === '\\'; k--) slashes++;
    if (slashes % 2 === 1) break;
    end--;
  }
  return line.slice(0, end);
}

/** Parses the text of one ignore file found in directory `base` (relative to the root, '' for the root). */
export function parseIgnoreFile(text: string, base: string, fileLabel: string): Rule[] {
  const rules: Rule[] = [];
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || line.startsWith('#')) continue;
    // Trailing spaces are dropped unless escaped with a backslash.
    line = stripTrailingSpaces(line);
    if (line === '') continue;
    const source = `${fileLabel}: ${line}`;
    let negate = false;
    if (line.startsWith('!')) { negate = true; line = line.slice(1); } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
    let dirOnly = false;
    if (line.endsWith('/') && !line.endsWith('\\/')) { dirOnly = true; line = line.replace(/\/+$/, ''); }
    if (line === '') continue;
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    rules.push({ base, regex: new RegExp(`^${globToRegex(line)}$`, 's'), negate, dirOnly, anchored, source });
  }
  return rules;
}

/** A set of ignore rules from ignore files at several depths of one tree. */
export class IgnoreMatcher {
  private readonly rules: Rule[] = [];

  /** Adds the rules of one ignore file; files must be added parents first (the deepest rule wins). */
  add(text: string, base: string, fileLabel: string): void {
    this.rules.push(...parseIgnoreFile(text, base, fileLabel));
  }

  get size(): number {
    return this.rules.length;
  }

  /** The decision for `relPath` alone (its parents not considered). */
  private decide(relPath: string, isDir: boolean): IgnoreVerdict | null {
    let verdict: IgnoreVerdict | null = null;
    for (const rule of this.rules) {
      if (rule.dirOnly && !isDir) continue;
      let subject: string;
      if (rule.base === '') subject = relPath;
      else if (relPath.startsWith(`${rule.base}/`)) subject = relPath.slice(rule.base.length + 1);
      else continue;
      if (!rule.anchored) subject = subject.slice(subject.lastIndexOf('/') + 1);
      if (rule.regex.test(subject)) verdict = { ignored: !rule.negate, because: rule.source };
    }
    return verdict;
  }

  /**
   * Whether `relPath` (POSIX, relative to the root) is ignored. As in git, a path inside an ignored
   * directory stays ignored whatever a later `!` pattern says.
   */
  check(relPath: string, isDir: boolean): IgnoreVerdict {
    const parts = relPath.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const v = this.decide(parent, true);
      if (v?.ignored) return { ignored: true, because: `${v.because} (parent directory ${parent}/)` };
    }
    return this.decide(relPath, isDir) ?? { ignored: false, because: '' };
  }

  /** Shorthand for `check(...).ignored`. */
  ignores(relPath: string, isDir: boolean): boolean {
    return this.check(relPath, isDir).ignored;
  }
}
