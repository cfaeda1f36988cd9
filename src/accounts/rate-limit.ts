/**
 * A fixed-window counter in the database (`rate_limits`), so every node behind a load
 * balancer counts against the same limit and a restart forgets nothing. One upsert per hit:
 * PostgreSQL serialises concurrent `on conflict do update`s on the same row, so N parallel
 * hits always count N, with no read-then-write race.
 *
 * Fixed windows allow up to twice the limit across a window boundary; for form-post and
 * guessing limits that is an acceptable price for one row and one statement per hit.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets; 0 when allowed. */
  retryAfterSeconds: number;
}

/** Windows longer than this are not supported: their rows may be cleaned up early. */
export const MAX_WINDOW_SECONDS = 24 * 3600;

/** When the fixed window of `windowSeconds` holding `now` began, in ms. Aligned to the epoch, so every node computes the same one. */
export function windowStartOf(now: number, windowSeconds: number): number {
  const windowMs = windowSeconds * 1000;
  return Math.floor(now / windowMs) * windowMs;
}

export class RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Counts one hit on `key`; allowed while the window holds at most `limit` hits. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    if (!(windowSeconds > 0 && windowSeconds <= MAX_WINDOW_SECONDS)) {
      throw new RangeError(`rate limit window must be 1 to ${MAX_WINDOW_SECONDS} seconds`);
    }
    const now = this.now();
    const windowMs = windowSeconds * 1000;
    const windowStart = new Date(windowStartOf(now, windowSeconds));
    const row = await this.db
      .insertInto('rate_limits')
      .values({ key, window_start: windowStart, count: 1 })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
      .returning('count')
      .executeTakeFirstOrThrow();
    const count = Number(row.count);
    if (count <= limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now) / 1000)) };
  }

  /** Removes windows that have ended (assuming none is longer than MAX_WINDOW_SECONDS). */
  async deleteExpired(now: Date = new Date(this.now())): Promise<number> {
    const result = await this.db
      .deleteFrom('rate_limits')
      .where('window_start', '<=', new Date(now.getTime() - MAX_WINDOW_SECONDS * 1000))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
