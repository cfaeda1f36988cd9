/**
 * A fixed-window counter in the database (`rate_limits`), so every node behind a load
 * balancer counts against the same limit and a restart forgets nothing. Hits are upserts:
 * PostgreSQL serialises concurrent `on conflict do update`s on the same row, so N parallel
 * hits always count N, with no read-then-write race. The hits that arrive together go in one
 * statement (group commit, src/db/group-commit.ts): a new authorization request counts one,
 * and under load a round trip each was a tenth of the flow's queries.
 *
 * Fixed windows allow up to twice the limit across a window boundary; for form-post and
 * guessing limits that is an acceptable price for one row and one statement per hit.
 */
import { type Db, executeWithJson } from '../db/database.js';
import { GroupCommit } from '../db/group-commit.js';

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

const COUNT_HITS = `
  insert into rate_limits (key, window_start, count)
  select key, window_start, hits from json_to_recordset($1::json) as v(key text, window_start timestamptz, hits int)
  on conflict (key, window_start) do update set count = rate_limits.count + excluded.count
  returning key, window_start, count`;

const slotOf = (key: string, windowStart: number) => `${windowStart} ${key}`;

interface Hit {
  key: string;
  windowStart: number;
}

export class RateLimiter {
  private readonly hits: GroupCommit<Hit, number>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {
    this.hits = new GroupCommit({ run: (hits) => this.count(hits), concurrency: 4, maxBatch: 500 });
  }

  /** Counts one hit on `key`; allowed while the window holds at most `limit` hits. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    if (!(windowSeconds > 0 && windowSeconds <= MAX_WINDOW_SECONDS)) {
      throw new RangeError(`rate limit window must be 1 to ${MAX_WINDOW_SECONDS} seconds`);
    }
    const now = this.now();
    const windowStart = windowStartOf(now, windowSeconds);
    const count = await this.hits.submit({ key, windowStart });
    if (count <= limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowSeconds * 1000 - now) / 1000)) };
  }

  /**
   * One upsert for a batch: each window's row grows by its number of hits, and the hits of one
   * window get the counts they would have had one by one (the last gets the new total), so a
   * batch lets exactly as many through as the same hits in sequence.
   */
  private async count(hits: Hit[]): Promise<number[]> {
    const windows = new Map<string, { key: string; window_start: Date; hits: number }>();
    // Each hit's window, and how many hits of that window came before it in the batch.
    const placed = hits.map((hit) => {
      const slot = slotOf(hit.key, hit.windowStart);
      const window = windows.get(slot) ?? { key: hit.key, window_start: new Date(hit.windowStart), hits: 0 };
      windows.set(slot, window);
      return { slot, window, before: window.hits++ };
    });
    const { rows } = await executeWithJson<{ key: string; window_start: Date; count: number }>(this.db, COUNT_HITS, [
      [...windows.values()],
    ]);
    const totals = new Map(rows.map((row) => [slotOf(row.key, new Date(row.window_start).getTime()), Number(row.count)]));
    return placed.map(({ slot, window, before }) => (totals.get(slot) as number) - (window.hits - 1 - before));
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
