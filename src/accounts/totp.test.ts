import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { SecretBox } from '../crypto/encryption.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AccountStore } from './account-store.js';
import { Accounts } from './accounts.js';
import { RECOVERY_CODE_COUNT, Totp, TotpError } from './totp.js';
import { TotpStore } from './totp-store.js';

let database: Database;
// Five seconds into a 30-second step, so ±1 step is unambiguous.
const start = Date.parse('2031-06-01T08:00:05Z');
let clock = start;
const now = () => clock;
const box = new SecretBox(['a-system-secret-of-at-least-32-characters']);
let totp: Totp;
let accounts: Accounts;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  totp = new Totp({ store: new TotpStore(database.db), box, now, issuer: 'Gatehouse Test' });
  accounts = new Accounts({ store: new AccountStore(database.db), now });
});
afterAll(() => database?.close());
beforeEach(() => {
  clock = start;
});

const newAccount = () => accounts.register({ email: `${randomUUID()}@example.com` });

/** What the person's authenticator app shows at `at`. */
const appCode = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });

/** An account with 2FA on; the enrolment used the code of the step before `start`. */
async function enrolled() {
  const account = await newAccount();
  const { secret } = await totp.startEnrolment(account.id, account.email as string);
  clock = start - 30_000;
  const recovery = await totp.confirmEnrolment(account.id, secret, appCode(secret, clock));
  clock = start;
  return { account, secret, recovery };
}

async function totpError(promise: Promise<unknown>): Promise<TotpError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TotpError);
    return err as TotpError;
  }
  throw new Error('expected a TotpError');
}

describe('Totp enrolment', () => {
  it('proposes a 160-bit secret, an otpauth URI and an inline-safe QR code, storing nothing', async () => {
    const account = await newAccount();
    const enrolment = await totp.startEnrolment(account.id, 'ann@example.com');
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(enrolment.otpauthUrl);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Gatehouse Test:ann@example.com');
    expect(uri.searchParams.get('secret')).toBe(enrolment.secret);
    expect(uri.searchParams.get('issuer')).toBe('Gatehouse Test');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(enrolment.qrSvg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>\s*$/s);
    expect(enrolment.qrSvg).not.toMatch(/<script|<foreignObject|\son\w+=|style=|href=/i);
    expect(enrolment.qrSvg).not.toContain('ann@example.com');
    expect(enrolment.qrSvg).not.toContain(enrolment.secret);
    const stored = await accounts.find(account.id);
    expect(stored).toMatchObject({ totp_secret: null, totp_enabled_at: null });
    expect(totp.isEnabled(stored!)).toBe(false);
    // Two enrolments never share a secret.
    expect((await totp.startEnrolment(account.id, 'ann@example.com')).secret).not.toBe(enrolment.secret);
  });

  it('turns on with a right code, keeps the secret encrypted, and returns ten recovery codes', async () => {
    const account = await newAccount();
    const { secret } = await totp.startEnrolment(account.id, 'label');
    const recovery = await totp.confirmEnrolment(account.id, secret, appCode(secret, clock));
    expect(recovery).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(recovery).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of recovery) expect(code).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);

    const row = await database.db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(totp.isEnabled(row)).toBe(true);
    expect(row.totp_enabled_at).toEqual(new Date(clock));
    const raw = JSON.stringify(row);
    expect(raw).not.toContain(secret);
    expect(raw.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(box.decrypt(row.totp_secret as string, `totp:${account.id}`)).toBe(secret);
    // Bound to the account: the ciphertext does not decrypt for another one.
    expect(() => box.decrypt(row.totp_secret as string, `totp:${randomUUID()}`)).toThrow();

    const stored = await database.db.selectFrom('recovery_codes').selectAll().where('account_id', '=', account.id).execute();
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT);
    const rawCodes = JSON.stringify(stored);
    for (const code of recovery) {
      expect(rawCodes).not.toContain(code);
      expect(rawCodes).not.toContain(code.replace(/-/g, ''));
    }
  });

  it('refuses a wrong code and a bad secret, and stays off', async () => {
    const account = await newAccount();
    const { secret } = await totp.startEnrolment(account.id, 'label');
    const wrong = String((Number(appCode(secret, clock)) + 1) % 1_000_000).padStart(6, '0');
    expect((await totpError(totp.confirmEnrolment(account.id, secret, wrong))).reason).toBe('wrong_code');
    expect((await totpError(totp.confirmEnrolment(account.id, secret, ''))).reason).toBe('wrong_code');
    expect((await totpError(totp.confirmEnrolment(account.id, 'ABC', '123456'))).reason).toBe('invalid_secret');
    expect((await totpError(totp.confirmEnrolment(account.id, `${secret.slice(1)}!`, '123456'))).reason).toBe('invalid_secret');
    // A secret the server did not make is fine only if it is long enough: 80 bits is not.
    const short = new Secret({ size: 10 }).base32;
    expect((await totpError(totp.confirmEnrolment(account.id, short, appCode(short, clock)))).reason).toBe('invalid_secret');
    expect(totp.isEnabled((await accounts.find(account.id))!)).toBe(false);
  });

  it('accepts the secret as people type it (spaces, lower case)', async () => {
    const account = await newAccount();
    const { secret } = await totp.startEnrolment(account.id, 'label');
    const typed = secret.toLowerCase().replace(/(.{4})/g, '$1 ');
    await expect(totp.confirmEnrolment(account.id, typed, appCode(secret, clock))).resolves.toHaveLength(10);
    expect(await totp.verify(account.id, appCode(secret, clock + 30_000))).toBe(true);
  });

  it('does not replace a live secret (that takes disable, which asks for a code)', async () => {
    const { account } = await enrolled();
    const other = await totp.startEnrolment(account.id, 'label');
    expect((await totpError(totp.confirmEnrolment(account.id, other.secret, appCode(other.secret, clock)))).reason).toBe(
      'already_enabled',
    );
    expect((await totpError(totp.confirmEnrolment(randomUUID(), other.secret, appCode(other.secret, clock)))).reason).toBe(
      'unknown_account',
    );
  });

  it('spends the enrolment code: it cannot be replayed to sign in', async () => {
    const account = await newAccount();
    const { secret } = await totp.startEnrolment(account.id, 'label');
    const code = appCode(secret, clock);
    await totp.confirmEnrolment(account.id, secret, code);
    expect(await totp.verify(account.id, code)).toBe(false);
  });
});

describe('Totp.verify', () => {
  it('accepts the current code, once', async () => {
    const { account, secret } = await enrolled();
    const code = appCode(secret, clock);
    expect(await totp.verify(account.id, code)).toBe(true);
    expect(await totp.verify(account.id, code)).toBe(false);
    const row = await accounts.find(account.id);
    expect(Number(row?.totp_last_step)).toBe(Math.floor(start / 30_000));
  });

  it('accepts codes one step either side of now, and no further', async () => {
    const { account, secret } = await enrolled();
    // enrolled() spent step -1; +1 works, and then nothing at or before it.
    expect(await totp.verify(account.id, appCode(secret, clock - 60_000))).toBe(false);
    expect(await totp.verify(account.id, appCode(secret, clock + 60_000))).toBe(false);
    expect(await totp.verify(account.id, appCode(secret, clock + 30_000))).toBe(true);
    expect(await totp.verify(account.id, appCode(secret, clock))).toBe(false);

    const fresh = await enrolled();
    expect(await totp.verify(fresh.account.id, appCode(fresh.secret, clock))).toBe(true);
    // Two steps later, an app whose clock runs 30 s slow shows the previous step's code:
    // inside the window, and newer than the step last accepted.
    clock += 60_000;
    expect(await totp.verify(fresh.account.id, appCode(fresh.secret, clock - 30_000))).toBe(true);
  });

  it('refuses a replay of an older code even inside the window', async () => {
    const { account, secret } = await enrolled();
    const older = appCode(secret, clock);
    const newer = appCode(secret, clock + 30_000);
    clock += 30_000;
    expect(await totp.verify(account.id, newer)).toBe(true);
    expect(await totp.verify(account.id, older)).toBe(false);
  });

  it('refuses wrong and malformed codes', async () => {
    const { account, secret } = await enrolled();
    const right = appCode(secret, clock);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    for (const code of [wrong, '', '12345', '1234567', 'abcdef', `${right}0`])
      expect(await totp.verify(account.id, code)).toBe(false);
    expect(await totp.verify(account.id, `${right.slice(0, 3)} ${right.slice(3)}`)).toBe(true);
  });

  it('accepts one of many parallel uses of one code', async () => {
    const { account, secret } = await enrolled();
    const code = appCode(secret, clock);
    const results = await Promise.all(Array.from({ length: 10 }, () => totp.verify(account.id, code)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('is false for an account without 2FA or no account', async () => {
    const account = await newAccount();
    expect(await totp.verify(account.id, '123456')).toBe(false);
    expect(await totp.verify(randomUUID(), '123456')).toBe(false);
  });
});

describe('Recovery codes', () => {
  it('each works once, in any case and with or without dashes', async () => {
    const { account, recovery } = await enrolled();
    const [first, second, third] = recovery as [string, string, string];
    expect(await totp.remainingRecoveryCodes(account.id)).toBe(10);
    expect(await totp.useRecoveryCode(account.id, first)).toBe(true);
    expect(await totp.useRecoveryCode(account.id, first)).toBe(false);
    expect(await totp.useRecoveryCode(account.id, ` ${second.toUpperCase()} `)).toBe(true);
    expect(await totp.useRecoveryCode(account.id, third.replace(/-/g, ''))).toBe(true);
    expect(await totp.remainingRecoveryCodes(account.id)).toBe(7);
  });

  it('refuses codes that are wrong or belong to another account', async () => {
    const a = await enrolled();
    const b = await enrolled();
    expect(await totp.useRecoveryCode(a.account.id, b.recovery[0] as string)).toBe(false);
    expect(await totp.useRecoveryCode(a.account.id, 'abcd-efgh-jkmn')).toBe(false);
    expect(await totp.useRecoveryCode(a.account.id, '')).toBe(false);
    expect(await totp.useRecoveryCode(a.account.id, `${a.recovery[0]}x`)).toBe(false);
    expect(await totp.remainingRecoveryCodes(a.account.id)).toBe(10);
  });

  it('lets one of many parallel uses of a code through', async () => {
    const { account, recovery } = await enrolled();
    const results = await Promise.all(Array.from({ length: 8 }, () => totp.useRecoveryCode(account.id, recovery[0] as string)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('regenerates: the old codes stop working', async () => {
    const { account, recovery } = await enrolled();
    await totp.useRecoveryCode(account.id, recovery[0] as string);
    const fresh = await totp.regenerateRecoveryCodes(account.id);
    expect(fresh).toHaveLength(10);
    expect(await totp.remainingRecoveryCodes(account.id)).toBe(10);
    expect(await totp.useRecoveryCode(account.id, recovery[1] as string)).toBe(false);
    expect(await totp.useRecoveryCode(account.id, fresh[0] as string)).toBe(true);
    expect((await totpError(totp.regenerateRecoveryCodes((await newAccount()).id))).reason).toBe('not_enabled');
  });
});

describe('Totp.disable', () => {
  it('forgets the secret, the last step and the recovery codes', async () => {
    const { account, secret, recovery } = await enrolled();
    await totp.disable(account.id);
    const row = await accounts.find(account.id);
    expect(row).toMatchObject({ totp_secret: null, totp_enabled_at: null, totp_last_step: null });
    expect(totp.isEnabled(row!)).toBe(false);
    expect(await totp.verify(account.id, appCode(secret, clock))).toBe(false);
    expect(await totp.useRecoveryCode(account.id, recovery[0] as string)).toBe(false);
    expect(await totp.remainingRecoveryCodes(account.id)).toBe(0);
    // And 2FA can be set up again with a new secret.
    const again = await totp.startEnrolment(account.id, 'label');
    await expect(totp.confirmEnrolment(account.id, again.secret, appCode(again.secret, clock))).resolves.toHaveLength(10);
  });
});
