import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AccountStore } from './account-store.js';
import { Accounts } from './accounts.js';
import { InputError } from './identifiers.js';

let database: Database;
const clock = Date.parse('2031-07-01T09:30:00Z');
let accounts: Accounts;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  accounts = new Accounts({ store: new AccountStore(database.db), now: () => clock });
});
afterAll(() => database?.close());

const email = () => `${randomUUID()}@example.com`;
let phoneSeq = 100000;
const phone = () => `+447911${++phoneSeq}`;

describe('Accounts', () => {
  it('registers an account by email, verified, with a UUID and the clock', async () => {
    const address = email();
    const account = await accounts.register({ email: address });
    expect(account.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(account).toMatchObject({
      email: address,
      email_verified: true,
      phone: null,
      phone_verified: false,
      totp_secret: null,
    });
    expect(account.created_at).toEqual(new Date(clock));
    expect(await accounts.findByEmail(address)).toEqual(account);
    expect(await accounts.find(account.id)).toEqual(account);
  });

  it('registers an account by phone', async () => {
    const number = phone();
    const account = await accounts.register({ phone: number });
    expect(account).toMatchObject({ email: null, email_verified: false, phone: number, phone_verified: true });
    expect(await accounts.findByPhone(number)).toEqual(account);
  });

  it('stores the normalised address', async () => {
    const address = email();
    const account = await accounts.register({ email: `  ${address.toUpperCase()} ` });
    expect(account.email).toBe(address);
    expect((await accounts.register({ email: address })).id).toBe(account.id);
  });

  it('returns the existing account when a registration races another', async () => {
    const address = email();
    const results = await Promise.all(Array.from({ length: 8 }, () => accounts.register({ email: address })));
    expect(new Set(results.map((a) => a.id)).size).toBe(1);
    const rows = await database.db.selectFrom('accounts').select('id').where('email', '=', address).execute();
    expect(rows).toHaveLength(1);
    const number = phone();
    const first = await accounts.register({ phone: number });
    expect((await accounts.register({ phone: number })).id).toBe(first.id);
  });

  it('needs a valid address', async () => {
    await expect(accounts.register({})).rejects.toThrow(/email address or a phone number/);
    await expect(accounts.register({ email: 'nope' })).rejects.toBeInstanceOf(InputError);
    await expect(accounts.register({ phone: '12345' })).rejects.toBeInstanceOf(InputError);
  });

  it('finds nothing for unknown identifiers', async () => {
    expect(await accounts.find(randomUUID())).toBeUndefined();
    expect(await accounts.findByEmail(email())).toBeUndefined();
    expect(await accounts.findByPhone('+447911000000')).toBeUndefined();
  });
});
