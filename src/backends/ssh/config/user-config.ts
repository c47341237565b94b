// The marked `Include` block at the top of the user's ssh config. Only the block's own bytes are ever
// added or removed; every other byte of the user's file stays as it was.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { resolveSymlinks, writeFileAtomic } from './atomic-write';
import { withFileLock } from './file-lock';

/** First line of our block. */
export const BLOCK_BEGIN = '# >>> vscode-dstack >>>';
/** Last line of our block. */
export const BLOCK_END = '# <<< vscode-dstack <<<';

/** The user's file has our markers in a state we won't guess about. */
export class SshUserConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshUserConfigError';
  }
}

/** Where our block sits in the text, or null. Throws on duplicated or unbalanced markers. */
export function findBlock(text: string, file: string): { start: number; end: number } | null {
  const starts = [...text.matchAll(/^# >>> vscode-dstack >>>\r?$/gm)];
  const ends = [...text.matchAll(/^# <<< vscode-dstack <<<\r?$/gm)];
  if (starts.length === 0 && ends.length === 0) return null;
  const s = starts[0];
  const e = ends[0];
  if (starts.length !== 1 || ends.length !== 1 || s === undefined || e === undefined || e.index < s.index) {
    throw new SshUserConfigError(`${file} has ${starts.length} '${BLOCK_BEGIN}' and ${ends.length} '${BLOCK_END}' lines. ` +
      'Delete the vscode-dstack lines (keep your own) so that it can be written again.');
  }
  let end = e.index + e[0].length;
  if (text[end] === '\n') end++;
  return { start: s.index, end };
}

function includeLine(includePath: string): string {
  if (!path.isAbsolute(includePath) || /["*?[\x00-\x1f]/.test(includePath)) {
    throw new SshUserConfigError(`Cannot include ${JSON.stringify(includePath)} from the ssh config: it must be an absolute path without quotes, glob characters or control characters.`);
  }
  return `Include "${includePath}"`;
}

/** The block text in the file's own line-ending style. */
export function renderBlock(includePath: string, eol: '\n' | '\r\n'): string {
  return [BLOCK_BEGIN, '# Added by the vscode-dstack extension so that `ssh <run-name>` works. It must stay first.', includeLine(includePath), BLOCK_END].join(eol) + eol;
}

// ssh config is bytes: latin1 maps every byte to one char and back, so the round trip is exact.
const ENCODING = 'latin1';

/** What `ensureInclude` did. */
export type IncludeChange = 'created' | 'added' | 'updated' | 'unchanged';

/** Puts our `Include` block at the very top of `userConfig` (creating the file and ~/.ssh if needed). */
export async function ensureInclude(userConfig: string, includePath: string, lockPath: string): Promise<IncludeChange> {
  return withFileLock(lockPath, async () => {
    const target = await resolveSymlinks(userConfig);
    const raw = await fsp.readFile(target).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw e; });
    const text = raw === null ? '' : raw.toString(ENCODING);
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const block = renderBlock(includePath, eol);
    const found = findBlock(text, userConfig);
    let next: string;
    let change: IncludeChange;
    if (found === null) {
      next = block + text;
      change = raw === null ? 'created' : 'added';
    } else {
      const rest = text.slice(0, found.start) + text.slice(found.end);
      next = block + rest;
      if (next === text) return 'unchanged';
      change = 'updated';
    }
    if (raw === null) await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await writeFileAtomic(target, Buffer.from(next, ENCODING), 0o600);
    return change;
  });
}

/** Removes our block (and only it) from `userConfig`; returns whether anything changed. */
export async function removeInclude(userConfig: string, lockPath: string): Promise<boolean> {
  return withFileLock(lockPath, async () => {
    const target = await resolveSymlinks(userConfig);
    const raw = await fsp.readFile(target).catch(() => null);
    if (raw === null) return false;
    const text = raw.toString(ENCODING);
    const found = findBlock(text, userConfig);
    if (found === null) return false;
    await writeFileAtomic(target, Buffer.from(text.slice(0, found.start) + text.slice(found.end), ENCODING));
    return true;
  });
}

/** 1-based line number where our block starts, or null; used by the doctor. */
export function blockLine(text: string, file: string): number | null {
  const found = findBlock(text, file);
  return found === null ? null : text.slice(0, found.start).split('\n').length;
}
