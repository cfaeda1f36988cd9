/** Leases (src/db/leases.ts): one holder at a time, by the database's clock. */
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { migrateToLatest } from './database.js';
import { giveBackLease, takeLease } from './leases.js';

const database = await openTestDatabase();
await migrateToLatest(database.db);
afterAll(() => database.close());
const { db } = database;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a lease', () => {
  it('is held by one holder, who renews it, until given back', async () => {
    expect(await takeLease(db, 'job-a', 'first', 60)).toBe(true);
    expect(await takeLease(db, 'job-a', 'second', 60)).toBe(false);
    expect(await takeLease(db, 'job-a', 'first', 60)).toBe(true);
    await giveBackLease(db, 'job-a', 'second'); // not its to give
    expect(await takeLease(db, 'job-a', 'second', 60)).toBe(false);
    await giveBackLease(db, 'job-a', 'first');
    expect(await takeLease(db, 'job-a', 'second', 60)).toBe(true);
    expect(await takeLease(db, 'job-a', 'first', 60)).toBe(false);
  });

  it('lapses: a holder that stopped renewing loses it', async () => {
    expect(await takeLease(db, 'job-b', 'gone', 0.2)).toBe(true);
    expect(await takeLease(db, 'job-b', 'waiting', 60)).toBe(false);
    await sleep(300);
    expect(await takeLease(db, 'job-b', 'waiting', 60)).toBe(true);
  });

  it('is won by one of many asking at once', async () => {
    const asked = await Promise.all(Array.from({ length: 12 }, (_, i) => takeLease(db, 'job-c', `node-${i}`, 60)));
    expect(asked.filter(Boolean)).toHaveLength(1);
  });

  it('is separate per name', async () => {
    expect(await takeLease(db, 'job-d', 'first', 60)).toBe(true);
    expect(await takeLease(db, 'job-e', 'second', 60)).toBe(true);
  });
});
