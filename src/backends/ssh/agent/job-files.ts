// The configuration's `files` mappings for an SSH-host run (dstack's FilePathMapping): the local path
// resolves against the configuration file's directory (`~` against the user's home) and must exist; the
// remote path is relative to the working dir, `~`-prefixed (the environment's home) or absolute. Each
// entry is its own upload (limit checked per archive, as dstack does); the agent puts it in place before init.

import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkUploadLimit, uploadLimitFromEnv } from '../upload/limit';
import { planUpload } from '../upload/plan';
import { archiveSize } from '../upload/tar-writer';
import type { UploadPlan } from '../upload/types';
import { shellQuote } from '../shell-quote';

/** One `files` entry ready to upload: what goes up, and where it lands in the environment. */
export interface HostFile {
  plan: UploadPlan;
  /** The remote path as configured (relative to the working dir, `~/...` or absolute). */
  path: string;
  /** A folder (its content replaces the destination folder), else one file (`plan` holds just it). */
  isDir: boolean;
}

/** The `files` entries of a normalized configuration, planned for upload. Throws with the file, field and fix. */
export async function planJobFiles(configuration: Readonly<Record<string, unknown>> | undefined, configurationPath: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<HostFile[]> {
  const raw = configuration?.['files'];
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const where = configurationPath ?? 'the configuration';
  if (configurationPath === undefined) throw new Error(`${where}: files: relative local paths need the configuration file's path; apply the run from a file.`);
  const base = path.dirname(path.resolve(configurationPath));
  const limit = uploadLimitFromEnv(env);
  const out: HostFile[] = [];
  for (const [i, item] of raw.entries()) {
    const m = item as { local_path?: unknown; path?: unknown };
    if (typeof m.local_path !== 'string' || typeof m.path !== 'string') throw new Error(`${where}: files[${i}]: expected {local_path, path}; write "local[:remote]".`);
    const local = m.local_path === '~' || m.local_path.startsWith('~/') ? path.join(os.homedir(), m.local_path.slice(1)) : path.resolve(base, m.local_path);
    const st = await fsp.stat(local).catch(() => null);
    if (!st) throw new Error(`${where}: files[${i}]: local path ${local} does not exist; fix local_path (relative paths start at ${base}).`);
    let plan: UploadPlan;
    if (st.isDirectory()) {
      plan = await planUpload(local);
    } else {
      const entries = [{ kind: 'file' as const, path: path.basename(local), mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), size: st.size, absPath: local }];
      plan = { root: path.dirname(local), source: 'folder', entries, excluded: [], archiveSize: archiveSize(entries) };
    }
    checkUploadLimit(plan, limit);
    out.push({ plan, path: m.path, isDir: st.isDirectory() });
  }
  return out;
}

/** The shell word of a remote `files` path: `~` → "$HOME", relative → under `workdir`, absolute as is. */
export function remoteFileTarget(remote: string, workdir: string): string {
  if (remote === '~') return '"$HOME"';
  if (remote.startsWith('~/')) return `"$HOME"/${shellQuote(remote.slice(2))}`;
  return shellQuote(remote.startsWith('/') ? remote : path.posix.join(workdir, remote));
}

/** Shell lines that replace each destination with its staged copy (dstack deletes the destination first). */
export function placeFilesScript(files: ReadonlyArray<{ path: string; staged: string; isDir: boolean }>, workdir: string): string[] {
  return files.map((f) => {
    const dest = remoteFileTarget(f.path, workdir);
    const src = f.isDir ? `${shellQuote(f.staged)}/.` : shellQuote(f.staged);
    const copy = f.isDir ? `mkdir -p -- ${dest} && cp -pR -- ${src} ${dest}/` : `cp -p -- ${src} ${dest}`;
    return `rm -rf -- ${dest} && mkdir -p -- "$(dirname -- ${dest})" && ${copy}`;
  });
}
