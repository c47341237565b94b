// What counts as activity in an environment, as dstack's runner counts it (spec 6.1): an SSH connection to the
// environment's sshd counts only once it has been open for more than 10 s; shorter ones are probes (the
// orchestrator's own calls, a port check), which must not keep an idle environment alive.

/** A connection counts as activity once open longer than this many seconds (dstack's runner). */
export const ACTIVE_CONNECTION_SECS = 10;

/** The connections of one sshd, by an identity of the caller's choosing; answers when the environment was last active. */
export class ConnectionActivity<K> {
  private readonly openedAt = new Map<K, number>();
  private lastLongClosedAt: number | null = null;

  constructor(private readonly minOpenMs = ACTIVE_CONNECTION_SECS * 1000) {}

  /** A connection was accepted at `at` (ms). */
  opened(key: K, at: number): void {
    this.openedAt.set(key, at);
  }

  /** A connection ended at `at` (ms): one that had qualified was activity up to its end. */
  closed(key: K, at: number): void {
    const since = this.openedAt.get(key);
    this.openedAt.delete(key);
    if (since !== undefined && at - since > this.minOpenMs) this.lastLongClosedAt = Math.max(this.lastLongClosedAt ?? 0, at);
  }

  /** Open connections, qualifying or not. */
  get open(): number {
    return this.openedAt.size;
  }

  /** `now` while a connection open longer than the threshold exists, else the end of the last one that qualified, else null. */
  lastActiveAt(now: number): number | null {
    for (const since of this.openedAt.values()) if (now - since > this.minOpenMs) return now;
    return this.lastLongClosedAt;
  }
}
