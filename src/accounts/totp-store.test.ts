import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AccountStore } from './account-store.js';
import { TotpStore } from './totp-store.js';

let database: Database;
let store: TotpStore;
let accounts: AccountStore;
const at = new Date('2031-06-01T08:00:05Z');

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  store = new TotpStore(database.db);
  accounts = new AccountStore(database.db);
});
afterAll(() => database?.close());

const newAccount = async () =>
  (
    await accounts.insert({
      id: randomUUID(),
      email: `${randomUUID()}@example.com`,
      email_verified: true,
      phone: null,
      phone_verified: false,
      updated_at: at,
    })
  ).id;
const enrolment = (secret: string, hashes: string[]) => ({ encryptedSecret: secret, step: 100, recoveryHashes: hashes, at });

describe('TotpStore', () => {
  it('enables once: a second enrolment changes neither the secret nor the recovery codes', async () => {
    const id = await newAccount();
    expect(await store.enable(id, enrolment('first', ['a', 'b']))).toBe('enabled');
    expect(await store.enable(id, enrolment('second', ['c']))).toBe('already_enabled');
    expect(await store.secretOf(id)).toEqual({ totp_secret: 'first', totp_enabled_at: at });
    expect(await store.remainingRecoveryCodes(id)).toBe(2);
    expect(await store.enable(randomUUID(), enrolment('x', ['d']))).toBe('unknown_account');
  });

  it('accepts each step once, only newer steps, and only for the secret that was checked', async () => {
    const id = await newAccount();
    await store.enable(id, enrolment('secret', ['code']));
    expect(await store.acceptStep(id, 'secret', 100)).toBe(false);
    expect(await store.acceptStep(id, 'secret', 101)).toBe(true);
    expect(await store.acceptStep(id, 'secret', 101)).toBe(false);
    expect(await store.acceptStep(id, 'replaced', 102)).toBe(false);
    expect(await store.acceptStep(id, 'secret', 102)).toBe(true);
  });

  it('replaces recovery codes only while 2FA is on, and spends each once', async () => {
    const id = await newAccount();
    expect(await store.replaceRecoveryCodes(id, ['a'], at)).toBe('not_enabled');
    expect(await store.replaceRecoveryCodes(randomUUID(), ['a'], at)).toBe('unknown_account');
    await store.enable(id, enrolment('secret', ['old']));
    expect(await store.replaceRecoveryCodes(id, ['new-1', 'new-2'], at)).toBe('replaced');
    expect(await store.spendRecoveryCode(id, 'old', at)).toBe(false);
    expect(await store.spendRecoveryCode(id, 'new-1', at)).toBe(true);
    expect(await store.spendRecoveryCode(id, 'new-1', at)).toBe(false);
    expect(await store.remainingRecoveryCodes(id)).toBe(1);
    await store.disable(id);
    expect(await store.secretOf(id)).toEqual({ totp_secret: null, totp_enabled_at: null });
    expect(await store.remainingRecoveryCodes(id)).toBe(0);
  });
});
