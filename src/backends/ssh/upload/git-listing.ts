// Asks the real git which files of a work tree the user sees: tracked (with uncommitted changes) plus
// untracked files that no .gitignore, .git/info/exclude or global excludes file ignores.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { UploadError } from './types';

/** Runs git with `args` in `cwd` and returns stdout; rejects with stderr on a non-zero exit. */
function git(cwd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new UploadError('git_failed', `git ${args.join(' ')} failed in ${cwd}: ${Buffer.concat(err).toString().trim()}`));
    });
  });
}

function splitZ(buf: Buffer): string[] {
  return buf.toString('utf8').split('\0').filter((s) => s !== '');
}

/** Whether `dir` is inside a git work tree (false when git is missing). */
export async function isGitWorkTree(dir: string): Promise<boolean> {
  try {
    return (await git(dir, ['rev-parse', '--is-inside-work-tree'])).toString().trim() === 'true';
  } catch {
    return false;
  }
}

/** Whether the git work tree around `dir` ignores `dir` itself (a scratch or build folder); false outside git. */
export async function isGitIgnored(dir: string): Promise<boolean> {
  try {
    await git(dir, ['check-ignore', '-q', `${path.resolve(dir)}${path.sep}`]);
    return true;
  } catch {
    return false;
  }
}

/** Paths (relative to `dir`) git lists as the work tree: tracked + untracked non-ignored. */
export async function gitVisibleFiles(dir: string): Promise<string[]> {
  return splitZ(await git(dir, ['-c', 'core.quotePath=false', 'ls-files', '-co', '--exclude-standard', '-z', '--', '.']));
}

/** Untracked paths git ignores, directories collapsed with a trailing `/` (for the preview). */
export async function gitIgnoredPaths(dir: string): Promise<string[]> {
  return splitZ(await git(dir, ['ls-files', '-o', '-i', '--exclude-standard', '--directory', '-z', '--', '.']));
}
