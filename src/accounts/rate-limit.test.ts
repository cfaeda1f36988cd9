import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { addressBucket } from '../net/address-bucket.js';
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

  it('answers hits that arrive together (one statement) as it would answer them one by one', async () => {
    const [a, b] = [key(), key()];
    const results = await Promise.all([a, b, a, a, b, a].map((k) => limiter.hit(k, 2, 60)));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, true, false]);
    const rows = await database.db.selectFrom('rate_limits').select(['key', 'count']).where('key', 'in', [a, b]).execute();
    expect(Object.fromEntries(rows.map((r) => [r.key, Number(r.count)]))).toEqual({ [a]: 4, [b]: 2 });
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

describe('addressBucket', () => {
  it('counts an IPv4 address alone', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('203.0.113.7', 48)).toBe('203.0.113.7');
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address, in either notation', () => {
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(addressBucket('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64', () => {
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(addressBucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2:0:0:0:0/64');
    expect(addressBucket('2001:db8:1:3::1')).toBe('2001:db8:1:3:0:0:0:0/64');
  });

  it('gives every spelling of one network the same bucket', () => {
    const spellings = [
      '2001:db8:0:0:0:0:0:1',
      '2001:db8::1',
      '2001:DB8::1',
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '2001:db8::0.0.0.1',
      '2001:db8::1%eth0',
      '2001:db8::1%25en0',
    ];
    for (const ip of spellings) expect(addressBucket(ip), ip).toBe('2001:db8:0:0:0:0:0:0/64');
    expect(addressBucket('::')).toBe('0:0:0:0:0:0:0:0/64');
    expect(addressBucket('::1')).toBe('0:0:0:0:0:0:0:0/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:0/64');
  });

  it.each([
    [48, '2001:db8:abcd:0:0:0:0:0/48'],
    [56, '2001:db8:abcd:1200:0:0:0:0/56'],
    [60, '2001:db8:abcd:1230:0:0:0:0/60'],
    [64, '2001:db8:abcd:1234:0:0:0:0/64'],
    [128, '2001:db8:abcd:1234:5:6:7:8/128'],
  ])('keeps the first %i bits', (bits, bucket) => {
    expect(addressBucket('2001:db8:abcd:1234:5:6:7:8', bits)).toBe(bucket);
  });

  it('puts two addresses in one bucket exactly when they share the prefix', () => {
    expect(addressBucket('2001:db8:abcd:12ff::1', 56)).toBe(addressBucket('2001:db8:abcd:1200::2', 56));
    expect(addressBucket('2001:db8:abcd:1300::1', 56)).not.toBe(addressBucket('2001:db8:abcd:1200::1', 56));
    expect(addressBucket('2001:db8:abcd:1234::1', 128)).not.toBe(addressBucket('2001:db8:abcd:1234::2', 128));
  });

  it('returns what is not an IP address unchanged', () => {
    expect(addressBucket('unknown')).toBe('unknown');
    expect(addressBucket('')).toBe('');
  });
});
