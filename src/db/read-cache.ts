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
 *
 * Entries live in two generations of at most max/2 each, as in quick-lru: new entries go into
 * the recent one; an entry read while in the older one moves to the recent one; when the
 * recent one is full it becomes the older one and the older one is dropped whole. So what is
 * read at least once a generation stays, and a hit changes nothing at all. (A strict LRU in
 * one Map moves the entry on every hit, a delete and a set: V8 leaves each deleted entry in
 * its bucket's chain until the table is rehashed, so one key read over and over in a large
 * Map gets slower with every read, 90 µs a hit with 50,000 entries: bench/RESULTS.md.)
 */
import { performance } from 'node:perf_hooks';

export interface ReadCacheOptions {
  /** Most entries kept. */
  max: number;
  maxAgeMs: number;
  enabled: () => boolean;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

export class ReadCache<K, V> {
  private recent = new Map<K, Entry<V>>();
  private older = new Map<K, Entry<V>>();
  /** When the recent generation began. */
  private recentSince = performance.now();
  /** The newest storedAt of anything added since the cache was last emptied: nothing held is younger. */
  private newestStoredAt = Number.NEGATIVE_INFINITY;
  private readonly generationSize: number;
  /** Bumped by every eviction: a read in flight across one is not stored. */
  private evictions = 0;

  constructor(private readonly options: ReadCacheOptions) {
    this.generationSize = Math.max(1, Math.ceil(options.max / 2));
  }

  /**
   * The cached value while it is fresh, or undefined; never reads. Synchronous, so that a hit
   * costs no promise: the hottest routes (introspection, userinfo) answer from here.
   */
  peek(key: K): V | undefined {
    if (!this.options.enabled()) return undefined;
    const now = performance.now();
    this.age(now);
    const recent = this.recent.get(key);
    if (recent) {
      if (now - recent.storedAt < this.options.maxAgeMs) return recent.value;
      this.recent.delete(key);
      return undefined;
    }
    const older = this.older.get(key);
    if (!older) return undefined;
    if (now - older.storedAt >= this.options.maxAgeMs) {
      this.older.delete(key);
      return undefined;
    }
    this.add(key, older, now);
    return older.value;
  }

  /** The cached value, or what `load` reads (cached when it is found). */
  async get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    return this.peek(key) ?? this.load(key, load);
  }

  /** What `load` reads, cached when it is found and no eviction happened meanwhile: `get`'s miss. */
  async load(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const evictions = this.evictions;
    const value = await load();
    if (value !== undefined && evictions === this.evictions && this.options.enabled()) {
      const storedAt = performance.now();
      this.age(storedAt);
      this.add(key, { value, storedAt }, storedAt);
    }
    return value;
  }

  private add(key: K, entry: Entry<V>, now: number): void {
    // A key is in one generation only: an entry brought back from the older one leaves it, and a
    // load that raced another for the same key replaces it.
    this.older.delete(key);
    this.recent.set(key, entry);
    this.newestStoredAt = Math.max(this.newestStoredAt, entry.storedAt);
    if (this.recent.size >= this.generationSize) this.startGeneration(now);
  }

  /**
   * Lets entries past their age go as time passes, not only as new ones push them out, so that
   * a cache of rows each read for a moment does not hold them until it fills. Everything in
   * the older generation came before the recent one began; once that is maxAgeMs ago, all of
   * it has expired, and the recent generation becomes the older one.
   */
  private age(now: number): void {
    if (now - this.newestStoredAt >= this.options.maxAgeMs) {
      // Nothing in either generation is young enough to serve.
      if (this.recent.size > 0 || this.older.size > 0) this.drop();
      this.recentSince = now;
    } else if (now - this.recentSince >= this.options.maxAgeMs) {
      this.startGeneration(now);
    }
  }

  private startGeneration(now: number): void {
    this.older = this.recent;
    this.recent = new Map();
    this.recentSince = now;
  }

  private drop(): void {
    this.recent = new Map();
    this.older = new Map();
    this.newestStoredAt = Number.NEGATIVE_INFINITY;
  }

  delete(key: K): void {
    this.evictions++;
    this.recent.delete(key);
    this.older.delete(key);
  }

  /** Evicts every entry whose value matches; a scan, which is fine for rare evictions. */
  deleteWhere(matches: (value: V) => boolean): void {
    this.evictions++;
    for (const generation of [this.recent, this.older]) {
      for (const [key, entry] of generation) if (matches(entry.value)) generation.delete(key);
    }
  }

  clear(): void {
    this.evictions++;
    this.drop();
  }

  get size(): number {
    return this.recent.size + this.older.size;
  }
}
