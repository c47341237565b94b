// Decides what the code upload contains: the working tree exactly as the user sees it, minus ignored
// files, with symlinks kept when they stay inside the root.

import { promises as fsp, type Stats } from 'node:fs';
import * as path from 'node:path';
import { IgnoreMatcher } from './gitignore';
import { gitIgnoredPaths, gitVisibleFiles, isGitIgnored, isGitWorkTree } from './git-listing';
import { archiveSize } from './tar-writer';
import { UploadError, type ExcludedPath, type UploadEntry, type UploadPlan } from './types';

/** Options of `planUpload`. */
export interface PlanOptions {
  /** `--no-repo`: upload nothing (an empty archive). */
  noRepo?: boolean;
  /** Symlinks that leave the root: replaced by the target file's content (default) or left out. */
  outsideSymlinks?: 'content' | 'exclude';
}

const DSTACKIGNORE = '.dstackignore';

/** Lists what would be uploaded from `root` and why everything else is left out. */
export async function planUpload(root: string, options: PlanOptions = {}): Promise<UploadPlan> {
  const absRoot = path.resolve(root);
  if (options.noRepo) return { root: absRoot, source: 'none', entries: [], excluded: [], archiveSize: archiveSize([]) };
  const st = await fsp.stat(absRoot).catch(() => null);
  if (!st?.isDirectory()) throw new UploadError('not_found', `Upload root ${absRoot} is not a directory. Point the configuration at an existing folder, or use --no-repo.`);
  const realRoot = await fsp.realpath(absRoot);
  const excluded: ExcludedPath[] = [];
  // A folder its work tree ignores is uploaded as a plain folder (git lists nothing in it).
  const git = (await isGitWorkTree(absRoot)) && !(await isGitIgnored(absRoot));
  const candidates = git ? await gitCandidates(absRoot, excluded) : await folderCandidates(absRoot, excluded);

  const dstackIgnore = await loadIgnoreFiles(absRoot, candidateDirs(candidates), [DSTACKIGNORE]);
  const files: UploadEntry[] = [];
  for (const rel of candidates) {
    if (rel === '.git' || rel.startsWith('.git/') || rel.includes('/.git/')) continue;
    const verdict = dstackIgnore.check(rel, false);
    if (verdict.ignored) { excluded.push({ path: rel, reason: 'dstackignore', detail: verdict.because }); continue; }
    const abs = path.join(absRoot, rel);
    const lst = await fsp.lstat(abs).catch(() => null);
    if (!lst) continue; // tracked but deleted in the work tree: the user doesn't see it
    const entry = await toEntry(rel, abs, lst, realRoot, options, excluded);
    if (entry) files.push(entry);
  }
  const entries = withParentDirs(files, absRoot, await dirStats(absRoot, files));
  return { root: absRoot, source: git ? 'git' : 'folder', entries, excluded: sortExcluded(excluded), archiveSize: archiveSize(entries) };
}

async function gitCandidates(root: string, excluded: ExcludedPath[]): Promise<string[]> {
  for (const p of await gitIgnoredPaths(root)) excluded.push({ path: p, reason: 'gitignore', detail: 'ignored by git' });
  return [...new Set(await gitVisibleFiles(root))].sort();
}

/** Walks a plain folder honouring nested .gitignore files with git's semantics; `.git/` is always out. */
async function folderCandidates(root: string, excluded: ExcludedPath[]): Promise<string[]> {
  const matcher = new IgnoreMatcher();
  const out: string[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const absDir = path.join(root, relDir);
    const gi = await fsp.readFile(path.join(absDir, '.gitignore'), 'utf8').catch(() => null);
    if (gi !== null) matcher.add(gi, relDir, relDir === '' ? '.gitignore' : `${relDir}/.gitignore`);
    const names = (await fsp.readdir(absDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const d of names) {
      const rel = relDir === '' ? d.name : `${relDir}/${d.name}`;
      if (d.name === '.git') { excluded.push({ path: `${rel}/`, reason: 'git-dir', detail: 'git metadata is never uploaded' }); continue; }
      const isDir = d.isDirectory();
      const verdict = matcher.check(rel, isDir);
      if (verdict.ignored) { excluded.push({ path: isDir ? `${rel}/` : rel, reason: 'gitignore', detail: verdict.because }); continue; }
      if (isDir) await walk(rel);
      else out.push(rel);
    }
  };
  await walk('');
  return out;
}

/** Every directory (relative) that holds a candidate, parents first. */
function candidateDirs(files: string[]): string[] {
  const dirs = new Set<string>(['']);
  for (const f of files) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
}

async function loadIgnoreFiles(root: string, dirs: string[], names: string[]): Promise<IgnoreMatcher> {
  const matcher = new IgnoreMatcher();
  for (const dir of dirs) {
    for (const name of names) {
      const text = await fsp.readFile(path.join(root, dir, name), 'utf8').catch(() => null);
      if (text !== null) matcher.add(text, dir, dir === '' ? name : `${dir}/${name}`);
    }
  }
  return matcher;
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function toEntry(rel: string, abs: string, lst: Stats, realRoot: string, options: PlanOptions, excluded: ExcludedPath[]): Promise<UploadEntry | null> {
  const mtime = Math.floor(lst.mtimeMs / 1000);
  if (lst.isFile()) return { kind: 'file', path: rel, mode: lst.mode & 0o7777, mtime, size: lst.size, absPath: abs };
  if (lst.isDirectory()) { excluded.push({ path: `${rel}/`, reason: 'submodule', detail: 'git submodules are not uploaded' }); return null; }
  if (!lst.isSymbolicLink()) { excluded.push({ path: rel, reason: 'special-file', detail: 'not a regular file, directory or symlink' }); return null; }

  const linkText = await fsp.readlink(abs);
  const linkDirReal = path.join(realRoot, path.dirname(rel));
  const real = await fsp.realpath(abs).catch(() => null);
  if (real !== null && isInside(realRoot, real)) {
    return { kind: 'symlink', path: rel, mtime, target: path.relative(linkDirReal, real).split(path.sep).join('/') || '.' };
  }
  if (real === null) {
    // Dangling: keep it only when it would point inside the root.
    const lexical = path.resolve(linkDirReal, linkText);
    if (isInside(realRoot, lexical) && !path.isAbsolute(linkText)) return { kind: 'symlink', path: rel, mtime, target: linkText };
    excluded.push({ path: rel, reason: 'symlink-outside', detail: `-> ${linkText} (dangling, outside the folder)` });
    return null;
  }
  const target = await fsp.stat(real);
  if (options.outsideSymlinks !== 'exclude' && target.isFile()) {
    return { kind: 'file', path: rel, mode: target.mode & 0o7777, mtime: Math.floor(target.mtimeMs / 1000), size: target.size, absPath: real };
  }
  excluded.push({ path: rel, reason: 'symlink-outside', detail: `-> ${linkText} (outside the folder${target.isFile() ? '' : ', not a file'})` });
  return null;
}

async function dirStats(root: string, files: UploadEntry[]): Promise<Map<string, Stats>> {
  const stats = new Map<string, Stats>();
  for (const dir of candidateDirs(files.map((f) => f.path))) {
    if (dir === '') continue;
    const st = await fsp.stat(path.join(root, dir)).catch(() => null);
    if (st) stats.set(dir, st);
  }
  return stats;
}

/** Adds a directory entry before the first member of every directory, and sorts by path. */
function withParentDirs(files: UploadEntry[], _root: string, stats: Map<string, Stats>): UploadEntry[] {
  const out: UploadEntry[] = [];
  for (const [dir, st] of stats) out.push({ kind: 'dir', path: dir, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000) });
  out.push(...files);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function sortExcluded(list: ExcludedPath[]): ExcludedPath[] {
  return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
