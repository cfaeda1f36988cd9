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
import { isIPv6 } from 'node:net';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
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

/**
 * The network a per-address limit counts: an IPv4 address alone, an IPv6 address by its
 * prefix (a /64 by default; RATE_LIMIT_IPV6_PREFIX, see clientNetwork in
 * src/http/ui/ui-support.ts for the configured one), since one subscriber is routinely
 * given a whole /64 and would otherwise be as many clients as it has addresses. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d, in either notation) counts as its IPv4 address;
 * a zone id is ignored. Anything that is not an IP address is returned unchanged.
 *
 * The result is `a:b:c:d:0:0:0:0/64` (lower-case hex, no `::`), so every spelling of one
 * network gives one string.
 */
export function addressBucket(ip: string, ipv6PrefixBits = 64): string {
  if (!isIPv6(ip)) return ip;
  const groups = expandIPv6(ip);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  const bits = Math.max(0, Math.min(128, Math.trunc(ipv6PrefixBits)));
  const kept: string[] = [];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
    kept.push(((groups[i] as number) & mask).toString(16));
  }
  return `${kept.join(':')}/${bits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (a zone id dropped, a trailing dotted quad read). */
function expandIPv6(ip: string): number[] {
  let text = ip.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

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
    const windows = new Map<string, { key: string; window_start: string; hits: number }>();
    const slot = (hit: Hit) => `${hit.windowStart} ${hit.key}`;
    const position = hits.map((hit) => {
      const id = slot(hit);
      const window = windows.get(id) ?? { key: hit.key, window_start: new Date(hit.windowStart).toISOString(), hits: 0 };
      windows.set(id, window);
      return window.hits++;
    });
    const rows = await sql<{ key: string; window_start: Date; count: number }>`
      insert into rate_limits (key, window_start, count)
      select key, window_start, hits from json_to_recordset(${JSON.stringify([...windows.values()])}::json)
        as v(key text, window_start timestamptz, hits int)
      on conflict (key, window_start) do update set count = rate_limits.count + excluded.count
      returning key, window_start, count`.execute(this.db);
    const totals = new Map(rows.rows.map((row) => [`${new Date(row.window_start).getTime()} ${row.key}`, Number(row.count)]));
    return hits.map((hit, i) => {
      const id = slot(hit);
      const window = windows.get(id) as { hits: number };
      return (totals.get(id) as number) - (window.hits - 1 - (position[i] as number));
    });
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
