// A cross-process lock: an O_EXCL lock file holding the owner's pid. A lock whose owner process is dead
// (or that is older than `staleMs`) is stale and taken over. Same-machine processes only.

import * as fs from 'node:fs';

/** Options of `withFileLock`. */
export interface LockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** A lock held longer than this is considered abandoned even if its pid is alive (pid reuse). */
  staleMs?: number;
}

/** The lock could not be taken in time. */
export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/** Runs `fn` while holding the lock file `lockFile`; the lock is released even when `fn` throws. */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const token = acquire(lockFile, options.staleMs ?? 30_000) ?? (await acquireSlow(lockFile, options));
  try {
    return await fn();
  } finally {
    release(lockFile, token);
  }
}

async function acquireSlow(lockFile: string, options: LockOptions): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let wait = 2;
  for (;;) {
    await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    const token = acquire(lockFile, options.staleMs ?? 30_000);
    if (token) return token;
    if (Date.now() > deadline) {
      throw new LockTimeoutError(`could not lock ${lockFile} within ${options.timeoutMs ?? 20_000} ms: held by ${describeOwner(lockFile)}; if no dstack-vsc process is running, delete that file`);
    }
    wait = Math.min(wait * 2, 50);
  }
}

function acquire(lockFile: string, staleMs: number): string | null {
  const token = `${process.pid} ${Date.now()} ${Math.random().toString(36).slice(2)}`;
  try {
    fs.writeFileSync(lockFile, token, { flag: 'wx', mode: 0o600 });
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = readOwner(lockFile);
  if (owner && isStale(owner, staleMs)) {
    // Re-read just before removing, so a lock re-taken by a live process in between is left alone.
    const again = readOwner(lockFile);
    if (again && again.raw === owner.raw) fs.rmSync(lockFile, { force: true });
  }
  return null;
}

function release(lockFile: string, token: string): void {
  const owner = readOwner(lockFile);
  if (owner?.raw === token) fs.rmSync(lockFile, { force: true });
}

interface Owner {
  raw: string;
  pid: number;
  since: number;
}

function readOwner(lockFile: string): Owner | null {
  let raw: string;
  try {
    raw = fs.readFileSync(lockFile, 'utf8');
  } catch {
    return null;
  }
  const [pid, since] = raw.split(' ').map(Number);
  if (!raw) {
    // Created but not yet written: its owner is either writing right now or was killed in between.
    const mtime = statMtime(lockFile);
    return { raw, pid: Date.now() - mtime > 1000 ? 0 : -1, since: mtime };
  }
  return { raw, pid: Number.isFinite(pid) ? (pid as number) : 0, since: Number.isFinite(since) ? (since as number) : 0 };
}

function statMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}

function isStale(owner: Owner, staleMs: number): boolean {
  if (owner.pid === -1) return false;
  if (owner.pid === 0 || Date.now() - owner.since > staleMs) return true;
  return !isProcessAlive(owner.pid);
}

/** Whether a process with this pid exists on this machine. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(lockFile: string): string {
  const owner = readOwner(lockFile);
  return owner ? `pid ${owner.pid}` : 'nobody';
}
