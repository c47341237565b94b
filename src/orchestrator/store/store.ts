// The state store: one JSON file in the state dir, read without a lock (writes are atomic renames) and
// updated under a cross-process lock with a revision compare-and-swap, plus the scheduler leader lease.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFileIfExists, writeFileAtomic } from './atomic-file';
import { isProcessAlive, withFileLock } from './lock';
import { emptyState, parseState, StateFileError, type OrchestratorState } from './state';

/** The state dir: `$DSTACK_VSC_STATE_DIR`, else `$XDG_STATE_HOME/vscode-dstack`, else `~/.local/state/vscode-dstack`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DSTACK_VSC_STATE_DIR']) return path.resolve(env['DSTACK_VSC_STATE_DIR']);
  const base = env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'vscode-dstack');
}

/** Who holds the scheduler lease and until when (epoch ms). */
export interface Lease {
  owner: string;
  pid: number;
  expiresAt: number;
}

/** The caller no longer holds the scheduler lease; it must stop acting on backends. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** Options of `Store.update`. */
export interface UpdateOptions {
  /** Fence: fail with LeaseLostError unless this owner holds the lease at write time. */
  leaseOwner?: string;
}

/** The persistent state of one installation. Safe to use from several processes at once. */
export class Store {
  readonly stateFile: string;
  readonly lockFile: string;
  readonly leaseFile: string;
  /** Conflicts retried so far (a lock taken over as stale while its owner was still writing). */
  casRetries = 0;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.stateFile = path.join(dir, 'state.json');
    this.lockFile = path.join(dir, 'state.lock');
    this.leaseFile = path.join(dir, 'leader.json');
  }

  private cache: { key: string; state: OrchestratorState } | null = null;

  /**
   * The current state (a consistent snapshot; creating the file on first use). Treat it as read-only:
   * it is cached until the file changes (every write is a rename, so a new inode), and shared.
   */
  async read(): Promise<OrchestratorState> {
    let key: string;
    try {
      const st = fs.statSync(this.stateFile);
      key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      key = '';
    }
    if (key !== '' && this.cache?.key === key) return this.cache.state;
    const text = readFileIfExists(this.stateFile);
    if (text === null) return this.update(() => undefined).then(() => this.read());
    const state = this.parse(text);
    if (key !== '') this.cache = { key, state };
    return state;
  }

  /**
   * Applies `mutate` to the latest state and writes it with revision + 1, under the lock. If the file's
   * revision changed between read and write (a lock wrongly taken over), the whole update is retried.
   */
  async update<T>(mutate: (state: OrchestratorState) => T, options: UpdateOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await withFileLock(this.lockFile, () => {
        if (options.leaseOwner !== undefined) this.checkLease(options.leaseOwner);
        const text = readFileIfExists(this.stateFile);
        const state = text === null ? emptyState() : this.parse(text);
        const base = state.revision;
        const result = mutate(state);
        // Nothing changed: skip the write (and the revision bump) entirely.
        if (text !== null && JSON.stringify(state) === text) return { conflict: false as const, result };
        const now = readFileIfExists(this.stateFile);
        // The same text has the same revision: no second parse on every scheduler pass.
        const currentRevision = now === null ? (text === null ? base : -1) : now === text ? base : this.parse(now).revision;
        if (currentRevision !== base) return { conflict: true as const };
        state.revision = base + 1;
        writeFileAtomic(this.stateFile, JSON.stringify(state));
        return { conflict: false as const, result };
      });
      if (!outcome.conflict) return outcome.result;
      this.casRetries++;
      if (attempt > 20) throw new Error(`${this.stateFile}: gave up after ${attempt} conflicting writes`);
    }
  }

  /** Takes or renews the scheduler lease for `owner` if free, expired, held by a dead process, or ours. */
  async acquireLease(owner: string, nowMs: number, ttlMs: number): Promise<boolean> {
    return withFileLock(this.lockFile, () => {
      const lease = this.readLease();
      const free = !lease || lease.owner === owner || lease.expiresAt <= nowMs || !isProcessAlive(lease.pid);
      if (!free) return false;
      writeFileAtomic(this.leaseFile, JSON.stringify({ owner, pid: process.pid, expiresAt: nowMs + ttlMs } satisfies Lease), 0o600, false);
      return true;
    });
  }

  /** Gives the lease up (only if `owner` holds it), so another process takes over at once. */
  async releaseLease(owner: string): Promise<void> {
    await withFileLock(this.lockFile, () => {
      if (this.readLease()?.owner === owner) fs.rmSync(this.leaseFile, { force: true });
    });
  }

  /** The current lease, if any (expired or not). */
  readLease(): Lease | null {
    const text = readFileIfExists(this.leaseFile);
    if (!text) return null;
    try {
      return JSON.parse(text) as Lease;
    } catch {
      return null;
    }
  }

  /** Whether a live process holds an unexpired lease. */
  hasLiveLeader(nowMs: number): boolean {
    const lease = this.readLease();
    return !!lease && lease.expiresAt > nowMs && isProcessAlive(lease.pid);
  }

  private checkLease(owner: string): void {
    const lease = this.readLease();
    if (lease?.owner !== owner) throw new LeaseLostError(`scheduler lease lost to ${lease ? `pid ${lease.pid}` : 'nobody'}`);
  }

  private parse(text: string): OrchestratorState {
    try {
      return parseState(text, this.stateFile);
    } catch (err) {
      if (!(err instanceof StateFileError)) throw err;
      const backup = this.backupCorrupt(text);
      throw new StateFileError(`${err.message}. A copy is kept at ${backup}. Repair the file, or move it away to start with an empty state (running instances are then found again by the orphan sweep).`);
    }
  }

  /** Keeps a copy of a corrupted state file (once per distinct content) and returns its path. */
  private backupCorrupt(text: string): string {
    const prefix = `${path.basename(this.stateFile)}.corrupt-`;
    for (const name of fs.readdirSync(this.dir).filter((n) => n.startsWith(prefix)).sort().reverse()) {
      if (readFileIfExists(path.join(this.dir, name)) === text) return path.join(this.dir, name);
    }
    const backup = path.join(this.dir, `${prefix}${new Date().toISOString().replace(/[:.]/g, '-')}`);
    writeFileAtomic(backup, text);
    return backup;
  }
}
