import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { RateLimiter } from './rate-limit.js';

let database: Database;
// A window-aligned start, so "the rest of the window" is exact.
let clock = Date.parse('2031-03-01T10:00:00Z');
const now = () => clock;
let limiter: RateLimiter;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  limiter = new RateLimiter(database.db, now);
});
afterAll(() => database?.close());

const key = () => `test:${randomUUID()}`;

describe('RateLimiter', () => {
  it('allows `limit` hits in a window, then says how long to wait', async () => {
    const k = key();
    clock = Date.parse('2031-03-01T10:00:00Z');
    for (let i = 0; i < 3; i++) expect(await limiter.hit(k, 3, 60)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    clock += 15_500;
    expect(await limiter.hit(k, 3, 60)).toEqual({ allowed: false, retryAfterSeconds: 45 });
    clock += 44_000;
    expect((await limiter.hit(k, 3, 60)).allowed).toBe(false);
    // The next window starts afresh.
    clock = Date.parse('2031-03-01T10:01:00Z');
    expect(await limiter.hit(k, 3, 60)).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });

  it('keeps keys apart', async () => {
    const a = key();
    const b = key();
    expect((await limiter.hit(a, 1, 60)).allowed).toBe(true);
    expect((await limiter.hit(a, 1, 60)).allowed).toBe(false);
    expect((await limiter.hit(b, 1, 60)).allowed).toBe(true);
  });

  it('counts every one of many parallel hits exactly once', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 30 }, () => limiter.hit(k, 10, 3600)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const rows = await database.db.selectFrom('rate_limits').select('count').where('key', '=', k).execute();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.count)).toBe(30);
  });

  it('shares the count between limiters on one database (two nodes)', async () => {
    const k = key();
    const other = new RateLimiter(database.db, now);
    expect((await limiter.hit(k, 2, 60)).allowed).toBe(true);
    expect((await other.hit(k, 2, 60)).allowed).toBe(true);
    expect((await limiter.hit(k, 2, 60)).allowed).toBe(false);
  });

  it('refuses windows it cannot clean up correctly', async () => {
    await expect(limiter.hit(key(), 1, 0)).rejects.toThrow(RangeError);
    await expect(limiter.hit(key(), 1, 2 * 86400)).rejects.toThrow(RangeError);
  });

  it('deletes windows that have ended', async () => {
    const k = key();
    clock = Date.parse('2031-03-02T00:00:00Z');
    await limiter.hit(k, 5, 60);
    clock += 3600_000;
    await limiter.hit(k, 5, 60);
    expect(await limiter.deleteExpired(new Date(clock + 86_400_000 - 1800_000))).toBeGreaterThanOrEqual(1);
    const left = await database.db.selectFrom('rate_limits').select('window_start').where('key', '=', k).execute();
    expect(left.map((r) => r.window_start.toISOString())).toEqual(['2031-03-02T01:00:00.000Z']);
  });
});
