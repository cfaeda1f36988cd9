/** Telegram widget data is spent once, and forgotten only once it would be refused as too old anyway. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { UsedTelegramLogins } from './used-telegram-logins.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
});
afterAll(async () => {
  await database?.close();
});

describe('used Telegram logins', () => {
  it('spend a signature once, whatever its case, and one of two concurrent spends wins', async () => {
    const used = new UsedTelegramLogins(database.db);
    const until = new Date(Date.now() + 86_400_000);
    expect(await used.spend('ab'.repeat(32), until)).toBe(true);
    expect(await used.spend('ab'.repeat(32), until)).toBe(false);
    expect(await used.spend('AB'.repeat(32), until)).toBe(false);
    const both = await Promise.all([used.spend('cd'.repeat(32), until), used.spend('cd'.repeat(32), until)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    // Kept hashed: the signature itself is not in the table.
    const rows = await database.db.selectFrom('used_telegram_logins').select('hash').execute();
    expect(rows.map((r) => r.hash)).not.toContain('ab'.repeat(32));
  });

  it('are deleted by the clean-up once expired, and not before', async () => {
    const used = new UsedTelegramLogins(database.db);
    const now = Date.now();
    await used.spend('01'.repeat(32), new Date(now - 1000));
    await used.spend('02'.repeat(32), new Date(now + 600_000));
    expect(await used.deleteExpired(new Date(now))).toBeGreaterThanOrEqual(1);
    expect(await used.spend('01'.repeat(32), new Date(now + 600_000))).toBe(true);
    expect(await used.spend('02'.repeat(32), new Date(now + 600_000))).toBe(false);
  });
});
