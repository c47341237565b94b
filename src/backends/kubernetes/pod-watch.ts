// What the backend knows of its pods between refreshes: ONE watch on the namespace's pods that carry our
// instance label, seeded by a list (an informer), kept open while some pod is tracked and closed when none is.
// While it is live, reads come from its cache and waiters wake on each change of their pod. A watch that ends
// is resumed from the last resourceVersion (re-listed after 410 Gone), at once after a clean end and with a
// growing delay after a failure; until it is live again callers fall back to a list of their own. SDK-free: the
// list and the watch calls are passed in (pod-watch-source.ts binds them to client-node).

import { withTimeout } from '../ssh/agent/agent-refresh';

/** The fields of a pod the cache reads. */
export interface WatchedPod {
  metadata?: { name?: string; resourceVersion?: string };
}

/** A handle on an open watch. */
export interface WatchHandle {
  abort(): void;
}

/** The API calls the cache is built from. */
export interface PodWatchSource<P extends WatchedPod> {
  /** The pods now, and the list's resourceVersion (where a watch resumes). */
  list(): Promise<{ items: P[]; resourceVersion: string }>;
  /**
   * Opens a watch from `resourceVersion`: `onEvent` for each event (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR),
   * `onDone` once when it ends (null: the server closed it). Resolves once the server answered.
   */
  watch(resourceVersion: string, onEvent: (type: string, object: P) => void, onDone: (err: unknown) => void): Promise<WatchHandle>;
}

/** Tunables (tests shorten them). */
export interface PodWatchOptions {
  /** Bound of the list and of opening the watch (default 10 s). */
  connectTimeoutMs?: number;
  /** Delays before the 1st, 2nd, ... reconnection after a failure (the last one repeats). */
  retryDelaysMs?: readonly number[];
}

const RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/** A watch that ends cleanly sooner than this after opening counts as a failure (no tight reconnect loop). */
const MIN_CLEAN_LIFE_MS = 1_000;

/** The watched pods of one namespace and label selector. */
export class PodWatch<P extends WatchedPod> {
  private readonly cache = new Map<string, P>();
  private tracked = new Set<string>();
  private resourceVersion = '';
  private live = false;
  private openedAt = 0;
  /** Bumped whenever the current watch is given up: callbacks of an older one are ignored. */
  private generation = 0;
  private handle: WatchHandle | null = null;
  private starting: Promise<boolean> | null = null;
  private failures = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Watches opened so far (for tests and diagnostics). */
  opened = 0;

  constructor(private readonly source: PodWatchSource<P>, private readonly options: PodWatchOptions = {}) {}

  /** Whether the cache is current (the watch is open and seeded). */
  get isLive(): boolean {
    return this.live;
  }

  /** Replaces the pods the caller cares about; with none left the watch is closed. */
  track(names: Iterable<string>): void {
    this.tracked = new Set(names);
    if (this.tracked.size === 0) this.stop();
  }

  /** Adds one pod to the tracked ones. */
  add(name: string): void {
    this.tracked.add(name);
  }

  /** Stops tracking one pod; with none left the watch is closed. */
  untrack(name: string): void {
    this.tracked.delete(name);
    if (this.tracked.size === 0) this.stop();
  }

  /** True once the cache is current, opening the watch (bounded) when some pod is tracked and no retry delay runs. */
  async ready(): Promise<boolean> {
    if (this.live) return true;
    if (this.tracked.size === 0 || Date.now() < this.retryAt) return false;
    this.starting ??= this.start().finally(() => { this.starting = null; });
    return this.starting;
  }

  /** The cached pod (meaningful while `isLive`). */
  get(name: string): P | undefined {
    return this.cache.get(name);
  }

  /** Every cached pod (meaningful while `isLive`). */
  pods(): IterableIterator<P> {
    return this.cache.values();
  }

  /** Puts a pod the caller just created into the cache, unless the watch already told of it. */
  remember(pod: P): void {
    const name = pod.metadata?.name;
    if (this.live && name !== undefined && !this.cache.has(name)) this.cache.set(name, pod);
  }

  /** Resolves on the next change of the pod (or when the watch fails), or after `ms`. */
  changed(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(name) ?? new Set<() => void>();
      this.waiters.set(name, set);
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(name) === set) this.waiters.delete(name);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      set.add(wake);
    });
  }

  /** Closes the watch and empties the cache (the next `ready` lists again). */
  stop(): void {
    this.generation += 1;
    this.live = false;
    this.handle?.abort();
    this.handle = null;
    this.cache.clear();
    this.resourceVersion = '';
    this.failures = 0;
    this.retryAt = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.wakeAll();
  }

  private async start(): Promise<boolean> {
    const gen = ++this.generation;
    const bound = this.options.connectTimeoutMs ?? 10_000;
    try {
      if (this.resourceVersion === '') {
        const list = await withTimeout(this.source.list(), bound, 'Listing the pods');
        if (gen !== this.generation) return false;
        this.cache.clear();
        for (const pod of list.items) if (pod.metadata?.name !== undefined) this.cache.set(pod.metadata.name, pod);
        this.resourceVersion = list.resourceVersion;
      }
      let ended = false;
      const opening = this.source.watch(this.resourceVersion, (type, obj) => this.onEvent(gen, type, obj), (err) => { ended = true; this.onDone(gen, err); });
      // A watch that opens after we gave up on it (timeout, stop) is closed at once.
      void opening.then((h) => { if (gen === this.generation && !ended) this.handle = h; else h.abort(); }, () => undefined);
      await withTimeout(opening, bound, 'Opening the pod watch');
      if (gen !== this.generation || ended) return false;
      this.live = true;
      this.openedAt = Date.now();
      this.retryAt = 0;
      this.opened += 1;
      this.wakeAll();
      return true;
    } catch (err) {
      if (gen === this.generation) this.fail(err);
      return false;
    }
  }

  private onEvent(gen: number, type: string, obj: P): void {
    if (gen !== this.generation) return;
    const name = obj.metadata?.name;
    if (type === 'ERROR') {
      // 410 Gone: the version is too old to resume from; the server ends the watch, and the reconnect re-lists.
      if ((obj as { code?: unknown }).code === 410) this.resourceVersion = '';
      return;
    }
    if (type === 'ADDED' || type === 'MODIFIED') { if (name !== undefined) this.cache.set(name, obj); }
    else if (type === 'DELETED') { if (name !== undefined) this.cache.delete(name); }
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
    if (name !== undefined) this.wake(name);
  }

  private onDone(gen: number, err: unknown): void {
    if (gen !== this.generation) return;
    const wasLive = this.live;
    if ((err as { statusCode?: unknown; code?: unknown } | null)?.statusCode === 410) this.resourceVersion = '';
    if (err === null && wasLive && Date.now() - this.openedAt >= MIN_CLEAN_LIFE_MS) {
      // The server ended it (its timeout): resume from where it was, at once.
      this.generation += 1;
      this.live = false;
      this.handle = null;
      this.failures = 0;
      this.reconnectIn(0);
      return;
    }
    this.fail(err ?? new Error('the pod watch ended at once'));
  }

  /** The watch failed: the cache is not current until it is open again, after a growing delay. */
  private fail(_err: unknown): void {
    // A watch that had been open a while starts the delays over; one that keeps failing at once backs off.
    if (this.live && Date.now() - this.openedAt >= MIN_CLEAN_LIFE_MS) this.failures = 0;
    this.generation += 1;
    this.live = false;
    this.handle?.abort();
    this.handle = null;
    const delays = this.options.retryDelaysMs ?? RETRY_DELAYS_MS;
    const delay = delays[Math.min(this.failures, delays.length - 1)] ?? 1_000;
    this.failures += 1;
    this.retryAt = Date.now() + delay;
    this.wakeAll();
    this.reconnectIn(delay);
  }

  /** Reopens the watch in the background (while some pod is tracked), without waiting for the next reader. */
  private reconnectIn(ms: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      // The delay is over (a timer may fire a millisecond before Date.now() reaches retryAt).
      this.retryAt = 0;
      if (this.tracked.size > 0) void this.ready();
    }, ms);
    // A one-shot CLI must be able to exit; a long-lived process reads again on its own.
    this.retryTimer.unref();
  }

  private wake(name: string): void {
    for (const w of [...(this.waiters.get(name) ?? [])]) w();
  }

  private wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w();
  }
}
