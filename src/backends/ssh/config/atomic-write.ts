// Atomic file replacement for config files: temp file in the same directory + rename, keeping the mode,
// and writing through a symlinked config to its target (so dotfile managers keep their link).

import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** The file a path finally names, following symlinks (also when the last target doesn't exist yet). */
export async function resolveSymlinks(p: string): Promise<string> {
  let current = path.resolve(p);
  for (let hops = 0; hops < 40; hops++) {
    const st = await fsp.lstat(current).catch(() => null);
    if (!st?.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await fsp.readlink(current));
  }
  throw new Error(`Too many levels of symlinks at ${p}`);
}

/** Replaces `file` with `data` atomically. New files get `newMode`; existing ones keep theirs. */
export async function writeFileAtomic(file: string, data: Buffer | string, newMode = 0o600): Promise<void> {
  const target = await resolveSymlinks(file);
  const dir = path.dirname(target);
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await fsp.stat(target).catch(() => null);
  const mode = existing ? existing.mode & 0o7777 : newMode;
  // A dot-prefixed temp name: a glob `Include dir/*` never reads a half-written file.
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await fsp.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}
