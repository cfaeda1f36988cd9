/**
 * A bounded in-process cache of rows that are read on every request (clients at the token
 * endpoint, access tokens at introspection and userinfo) and change rarely. It is only as
 * good as its invalidation: every write of a cached row goes through its store, which evicts
 * here and, through `Invalidations`, on every other node. Two guards cover what that leaves:
 *
 * - a read that was already on its way to the database when an eviction happened does not
 *   put what it read into the cache (the eviction bumps a generation the read compares);
 * - every entry is dropped after `maxAgeMs`, so a change made behind Gatehouse's back (an
 *   operator's SQL) is seen within that time.
 *
 * While `enabled()` is false (the node cannot hear other nodes' evictions) nothing is cached
 * and every read goes to the database.
 */
import { performance } from 'node:perf_hooks';

export interface ReadCacheOptions {
  /** Most entries kept; the least recently used go first. */
  max: number;
  maxAgeMs: number;
  enabled: () => boolean;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

export class ReadCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private generation = 0;

  constructor(private readonly options: ReadCacheOptions) {}

  /** The cached value, or what `load` reads (cached when it is found). */
  async get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    if (!this.options.enabled()) return load();
    const entry = this.entries.get(key);
    if (entry) {
      if (performance.now() - entry.storedAt < this.options.maxAgeMs) {
        // Map order is insertion order: moving the entry to the end keeps it least evictable.
        this.entries.delete(key);
        this.entries.set(key, entry);
        return entry.value;
      }
      this.entries.delete(key);
    }
    const generation = this.generation;
    const value = await load();
    if (value !== undefined && generation === this.generation && this.options.enabled()) {
      const now = performance.now();
      this.dropExpired(now);
      this.entries.set(key, { value, storedAt: now });
      if (this.entries.size > this.options.max) this.entries.delete(this.entries.keys().next().value as K);
    }
    return value;
  }

  /**
   * Entries past their age leave from the front as new ones come in, so that a cache of rows
   * each read for a moment (the access tokens of a busy client) does not fill up to `max`
   * with rows it will never serve. The front holds the least recently used; an expired entry
   * further back, one used again shortly before it expired, reaches the front within another
   * `maxAgeMs`.
   */
  private dropExpired(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.storedAt < this.options.maxAgeMs) return;
      this.entries.delete(key);
    }
  }

  delete(key: K): void {
    this.generation++;
    this.entries.delete(key);
  }

  /** Evicts every entry whose value matches; a scan, which is fine for rare evictions. */
  deleteWhere(matches: (value: V) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
