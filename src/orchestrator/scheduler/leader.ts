// The leader loop: whichever process holds the lease (renewed every ~4 s, 12 s to live) runs the
// scheduler; when it dies another process takes over within seconds (at its next attempt: a lease whose
// process is gone is free at once, an unreachable one when it expires). Each renewal is an atomic rename,
// the idle leader's largest cost, hence not more often. While an instance can't be reached (a network outage)
// passes come every few seconds, so the first one after the heal is not a whole steady interval away. Time here is real (the lease
// is shared between processes); the scheduler itself takes the injectable clock. A process that does not
// lead follows the store: what the leader changed comes out of its own event bus as the same events.

import { randomBytes } from 'node:crypto';
import { eventsBetween } from '../state-events';
import type { OrchestratorState } from '../store/state';
import { LeaseLostError, type Store } from '../store/store';
import type { Scheduler } from './scheduler';

/** Lease tunables (ms). */
export interface LeaderOptions {
  leaseTtlMs?: number;
  renewEveryMs?: number;
  /** Pass interval while something is moving (submitted, provisioning, terminating, retrying). */
  busyTickMs?: number;
  /** The shortest pass interval while a run provisions: passes then come every tenth of the time it has provisioned,
   *  between this and busyTickMs, so an environment that is ready in a second is seen within ~0.1 s, and one that
   *  boots for minutes is not polled faster than busy. */
  readyPollMinMs?: number;
  /** Pass interval while everything is steady (running or idle). dstack re-checks running jobs every ~5 s; 10 s keeps an idle
   *  leader cheap, and a write by another process (apply, stop) still gets a pass at once. */
  steadyTickMs?: number;
  /** Pass interval while the last pass could not reach an instance (a network outage): the first pass after the
   *  network heals comes within seconds rather than a steady interval after the last failed one. */
  recheckTickMs?: number;
  /** Orphan sweep interval. */
  reconcileEveryMs?: number;
}

/** A fresh lease owner id for this process. */
export function newOwnerId(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** When the most recent of the state's provisioning runs started provisioning (null when none provisions). */
export function provisioningSince(state: OrchestratorState): number | null {
  let since: number | null = null;
  for (const r of state.runs) if (r.status === 'provisioning' && (since === null || r.statusChangedAt > since)) since = r.statusChangedAt;
  return since;
}

/** Whether a state has work that needs quick passes. */
export function isBusy(state: OrchestratorState): boolean {
  return state.runs.some((r) => ['submitted', 'provisioning', 'terminating', 'pending'].includes(r.status) || (r.stopRequest !== null && r.status === 'running'))
    || state.instances.some((i) => i.status === 'pending' || i.status === 'terminating');
}

/** Runs the scheduler while this process holds the lease. */
export class Leader {
  private timer: NodeJS.Timeout | null = null;
  private leading = false;
  private lastRenew = 0;
  private lastTick = 0;
  private lastReconcile = 0;
  private busy = true;
  private provisioningSince: number | null = null;
  private unreachable = false;
  private lastRevision = -1;
  private running: Promise<void> | null = null;
  /** The last state this process saw: what changed since then came from another process. */
  private seen: OrchestratorState | null = null;
  private readonly o: Required<LeaderOptions>;

  constructor(private readonly store: Store, private readonly scheduler: Scheduler, readonly owner: string, options: LeaderOptions = {}) {
    this.o = {
      leaseTtlMs: options.leaseTtlMs ?? 12_000, renewEveryMs: options.renewEveryMs ?? 4000, busyTickMs: options.busyTickMs ?? 500,
      readyPollMinMs: options.readyPollMinMs ?? 100,
      steadyTickMs: options.steadyTickMs ?? 10_000, recheckTickMs: options.recheckTickMs ?? 2000, reconcileEveryMs: options.reconcileEveryMs ?? 60_000,
    };
  }

  /** Whether this process led the scheduler on its last step. */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * One step: renew or take the lease when due; as leader, sweep orphans when due (always right after
   * taking over) and run a pass when due. Returns the state when a pass ran.
   */
  async step(force = false): Promise<OrchestratorState | null> {
    const now = Date.now();
    if (force || !this.leading || now - this.lastRenew >= this.o.renewEveryMs) {
      const was = this.leading;
      this.leading = await this.store.acquireLease(this.owner, now, this.o.leaseTtlMs);
      this.lastRenew = now;
      if (this.leading && !was) this.lastReconcile = 0;
    }
    // Before leading too: what the previous leader did since this process last looked is told first.
    const observed = await this.store.read();
    this.observe(observed);
    if (!this.leading) return null;
    try {
      if (now - this.lastReconcile >= this.o.reconcileEveryMs) {
        await this.scheduler.reconcile();
        this.lastReconcile = now;
      }
      // Another process wrote (a CLI apply or stop): act on it now rather than at the next steady pass.
      const changedElsewhere = observed.revision !== this.lastRevision;
      if (!force && !changedElsewhere && now - this.lastTick < this.tickMs()) return null;
      const state = await this.scheduler.tick();
      this.lastTick = Date.now();
      this.lastRevision = state.revision;
      this.busy = isBusy(state);
      this.provisioningSince = provisioningSince(state);
      this.unreachable = this.scheduler.sawUnreachable;
      return state;
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.leading = false;
        return null;
      }
      throw err;
    } finally {
      // The scheduler emitted its own changes; others only write intents (submit, stop), which have no events.
      this.seen = await this.store.read();
    }
  }

  /**
   * Takes `state` as seen by this process: emits on the scheduler's bus the events of what changed since the
   * state it saw last (nothing for the first). Call it with a state read before submitting, so that a run
   * another process provisions at once still has all its events told here.
   */
  observe(state: OrchestratorState): void {
    const seen = this.seen;
    this.seen = state;
    if (seen === null || seen === state || seen.revision === state.revision) return;
    for (const event of eventsBetween(seen, state)) this.scheduler.events.emit(event);
  }

  /** Runs steps in the background until `stop` (for the extension host and long-lived CLI commands). */
  start(onError: (err: unknown) => void = () => undefined): void {
    if (this.timer) return;
    const loop = (): void => {
      this.running = this.step().then(() => undefined, onError).finally(() => {
        if (this.timer) this.timer = setTimeout(loop, this.nextDelay());
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops the background loop and gives the lease up so another process takes over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (this.leading) await this.store.releaseLease(this.owner);
    this.leading = false;
  }

  /** Marks the state as busy so the next pass comes soon (after a submit or a stop). */
  poke(): void {
    this.busy = true;
    this.lastTick = 0;
  }

  /** While this leader's last pass saw a run provisioning: the pass interval until it is ready (a tenth of the time it has
   *  provisioned, between readyPollMinMs and busyTickMs); null otherwise. */
  readyPollMs(): number | null {
    if (!this.leading || this.provisioningSince === null) return null;
    const tenth = (Date.now() - this.provisioningSince) / 10;
    return Math.min(this.o.busyTickMs, Math.max(this.o.readyPollMinMs, tenth));
  }

  /** The pass interval now: waiting for a provisioning run to be ready, busy, rechecking an unreachable instance, or steady. */
  private tickMs(): number {
    return this.readyPollMs() ?? (this.busy ? this.o.busyTickMs : this.unreachable ? this.o.recheckTickMs : this.o.steadyTickMs);
  }

  /** Sleeps until the next pass or lease renewal is due, whichever comes first; a follower until its next try at the lease. */
  private nextDelay(): number {
    const now = Date.now();
    if (!this.leading) return Math.max(50, this.lastRenew + this.o.renewEveryMs - now);
    return Math.max(50, Math.min(this.lastTick + this.tickMs() - now, this.lastRenew + this.o.renewEveryMs - now));
  }
}
