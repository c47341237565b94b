// Offer lists per request, listed in the background and reused: the Apply lens asks on every edit, but the backends
// (SSH probes, cloud APIs) are asked again only when the request changes, the offers may have changed, or the lists
// are older than a maximum age. A stale entry keeps answering with its last lists while it is listed again.
import type { Requirements } from '../../backends/backend';
import type { Offer } from '../../backends/offer';

/** What the cache knows for one request now. */
export interface CachedOfferLists {
  /** The latest lists (undefined until a listing succeeded). */
  lists?: readonly (readonly Offer[])[];
  /** The message of the latest listing when it failed (and no later one succeeded). */
  error?: string;
  /** Whether a listing is running for this request. */
  listing: boolean;
}

/** Options of an OfferListCache. */
export interface OfferListCacheOptions {
  /** Lists older than this are listed again on the next lookup. */
  maxAgeMs: number;
  /** How many requests are kept (the least recently used go first). */
  maxEntries?: number;
  /** Called when a listing settled (its result is now what lookup returns). */
  onSettled?: () => void;
  now?: () => number;
}

interface Entry {
  lists?: Offer[][];
  error?: string;
  listedAt: number;
  /** The invalidation generation the value was listed in. */
  generation: number;
  inFlight: boolean;
}

/** Offer lists by request key (see `applyLensRequest`), listed by `list` at most once at a time per key. */
export class OfferListCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly list: (requirements: Requirements) => Promise<Offer[][]>, private readonly options: OfferListCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** What is known for `key` now; starts a listing when there is none, or it is invalidated or too old. */
  lookup(key: string, requirements: Requirements): CachedOfferLists {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = { listedAt: -Infinity, generation: -1, inFlight: false };
      this.entries.set(key, entry);
      this.evict();
    }
    const stale = entry.generation !== this.generation || this.now() - entry.listedAt >= this.options.maxAgeMs;
    if (stale && !entry.inFlight) this.start(key, entry, requirements);
    return { ...(entry.lists ? { lists: entry.lists } : {}), ...(entry.error !== undefined ? { error: entry.error } : {}), listing: entry.inFlight };
  }

  /** The offers may have changed (a run started or ended, the backends' settings changed): every entry is listed again on its next lookup. */
  invalidate(): void {
    this.generation++;
  }

  private start(key: string, entry: Entry, requirements: Requirements): void {
    const generation = this.generation;
    entry.inFlight = true;
    const settle = (value: { lists: Offer[][] } | { error: string }): void => {
      entry.inFlight = false;
      entry.listedAt = this.now();
      entry.generation = generation;
      if ('lists' in value) {
        entry.lists = value.lists;
        delete entry.error;
      } else {
        entry.error = value.error;
        delete entry.lists;
      }
      if (this.entries.get(key) === entry) this.options.onSettled?.();
    };
    let listing: Promise<Offer[][]>;
    try {
      listing = this.list(requirements);
    } catch (err) {
      listing = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    listing.then((lists) => settle({ lists }), (err: unknown) => settle({ error: err instanceof Error ? err.message : String(err) }));
  }

  private evict(): void {
    const max = this.options.maxEntries ?? 32;
    for (const key of this.entries.keys()) {
      if (this.entries.size <= max) return;
      this.entries.delete(key);
    }
  }
}
