import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AccountStore } from './account-store.js';

let database: Database;
let store: AccountStore;
const at = new Date('2031-07-01T09:30:00Z');

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  store = new AccountStore(database.db);
});
afterAll(() => database?.close());

const row = (email: string | null, phone: string | null = null) => ({
  id: randomUUID(),
  email,
  email_verified: false,
  phone,
  phone_verified: phone !== null,
  created_at: at,
  updated_at: at,
});

describe('AccountStore', () => {
  it('inserts a row as given and finds it by id, email and phone', async () => {
    const account = await store.insert(row(`${randomUUID()}@example.com`, '+447911123456'));
    expect(account).toMatchObject({ email_verified: false, phone_verified: true, totp_secret: null });
    expect(await store.find(account.id)).toEqual(account);
    expect(await store.findByEmail(account.email as string)).toEqual(account);
    expect(await store.findByPhone('+447911123456')).toEqual(account);
  });

  it('inserts nothing, and throws nothing, for an address already taken', async () => {
    const email = `${randomUUID()}@example.com`;
    const first = await store.insertUnlessTaken(row(email));
    expect(first?.email).toBe(email);
    expect(await store.insertUnlessTaken(row(email))).toBeUndefined();
    expect((await store.findByEmail(email))?.id).toBe(first?.id);
  });

  it('leaves a transaction usable after a taken address (no unique violation aborts it)', async () => {
    const email = `${randomUUID()}@example.com`;
    await store.insert(row(email));
    const other = `${randomUUID()}@example.com`;
    await database.db.transaction().execute(async (trx) => {
      const inside = new AccountStore(trx);
      expect(await inside.insertUnlessTaken(row(email))).toBeUndefined();
      expect(await inside.insertUnlessTaken(row(other))).toBeDefined();
    });
    expect(await store.findByEmail(other)).toBeDefined();
  });
});
