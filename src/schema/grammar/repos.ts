// `repos` entries (configurations.py::RepoSpec): `"local_or_url[:path]"` or an object with `local_path` xor `url`.
import type { RepoSpec } from '../model';
import { GrammarError } from './grammar-error';

const REPO_KEYS = ['local_path', 'url', 'branch', 'hash', 'path', 'if_exists'];

function checkRepoPath(path: string): string {
  if (/^~[^/]/.test(path)) throw new GrammarError(`\`~username\` paths are not supported: ${path}`);
  return path;
}

/** Parses one `repos` entry; the container `path` defaults to `.` (the working dir). */
export function parseRepoSpec(v: unknown): RepoSpec {
  if (typeof v === 'string') {
    const parts = v.split(':');
    let source: { local_path: string | null; url: string | null };
    let rest: string[];
    if ((parts[0] ?? '').includes('@') || (parts[1] ?? '').startsWith('//')) {
      source = { local_path: null, url: `${parts[0]}:${parts[1] ?? ''}` };
      rest = parts.slice(2);
    } else if (parts.length >= 2 && /^[A-Za-z]$/.test(parts[0] ?? '') && /^[\\/]/.test(parts[1] ?? '')) {
      source = { local_path: `${parts[0]}:${parts[1]}`, url: null };
      rest = parts.slice(2);
    } else {
      source = { local_path: parts[0] ?? '', url: null };
      rest = parts.slice(1);
    }
    if (rest.length > 1 || (source.local_path === '' && source.url === null)) throw new GrammarError(`Invalid repo: ${v}`);
    return { ...source, branch: null, hash: null, path: checkRepoPath(rest[0] ?? '.'), if_exists: 'error' };
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!REPO_KEYS.includes(key)) throw new GrammarError(`Unknown repo field \`${key}\`; allowed: ${REPO_KEYS.map((k) => `\`${k}\``).join(', ')}`);
    }
    const str = (key: string): string | null => {
      const x = o[key];
      if (x == null) return null;
      if (typeof x === 'string') return x;
      if (typeof x === 'number') return String(x);
      throw new GrammarError(`repo \`${key}\` must be a string`);
    };
    const local = str('local_path');
    const url = str('url');
    if (local !== null && url !== null) throw new GrammarError('`local_path` and `url` are mutually exclusive');
    if (local === null && url === null) throw new GrammarError('Either `local_path` or `url` must be specified');
    const ifExists = o['if_exists'] ?? 'error';
    if (ifExists !== 'error' && ifExists !== 'skip') throw new GrammarError(`\`if_exists\` must be \`error\` or \`skip\`, found ${JSON.stringify(ifExists)}`);
    return { local_path: local, url, branch: str('branch'), hash: str('hash'), path: checkRepoPath(str('path') ?? '.'), if_exists: ifExists };
  }
  throw new GrammarError('A repo must be `path_or_url[:container_path]` or a mapping with `local_path` or `url`');
}
