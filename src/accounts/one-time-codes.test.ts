import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { GatehouseError } from '../errors.js';
import { CaptchaRequired, CodeError, RateLimited } from './code-refusals.js';
import { OneTimeCodeStore } from './one-time-code-store.js';
import { codeKeyFrom, OneTimeCodes } from './one-time-codes.js';

let database: Database;
const start = Date.parse('2031-05-01T12:00:00Z');
let clock = start;
const now = () => clock;
const config = { otpTtl: 600, otpMaxAttempts: 5, otpResendCooldown: 60 };
const codeKey = codeKeyFrom('a-system-secret-of-at-least-32-characters');
let codes: OneTimeCodes;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  codes = new OneTimeCodes({ store: new OneTimeCodeStore(database.db), now, codeKey, config });
});
afterAll(() => database?.close());
beforeEach(() => {
  clock = start;
});

// Letters only, so a six-digit code cannot appear in the address by chance.
const letters = () => randomUUID().replace(/[^a-f]/g, '');
const email = () => `${letters()}@example.com`;
const ip = () => `203.0.113.${letters()}`;

async function codeError(promise: Promise<unknown>): Promise<CodeError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CodeError);
    return err as CodeError;
  }
  throw new Error('expected a CodeError');
}

async function captchaRequired(promise: Promise<unknown>): Promise<CaptchaRequired> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CaptchaRequired);
    return err as CaptchaRequired;
  }
  throw new Error('expected CaptchaRequired');
}

async function rateLimited(promise: Promise<unknown>): Promise<RateLimited> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RateLimited);
    expect(err).toBeInstanceOf(GatehouseError);
    return err as RateLimited;
  }
  throw new Error('expected RateLimited');
}

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('OneTimeCodes.issue', () => {
  it('makes a six-digit code with the configured expiry and cool-down', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: ip() });
    expect(issued.code).toMatch(/^\d{6}$/);
    expect(issued.expiresAt).toEqual(new Date(start + 600_000));
    expect(issued.resendAfter).toEqual(new Date(start + 60_000));
    const row = await codes.find(issued.id);
    expect(row).toMatchObject({
      purpose: 'login',
      channel: 'email',
      attempts: 0,
      max_attempts: 5,
      verified_at: null,
      consumed_at: null,
    });
    expect(row?.created_at).toEqual(new Date(start));
  });

  it('stores no raw code, nor a plain hash of it', async () => {
    const destination = email();
    const issued = await codes.issue({
      purpose: 'register',
      channel: 'email',
      destination,
      loginChallengeHash: 'challenge-hash',
    });
    const row = await database.db.selectFrom('one_time_codes').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(issued.code);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      expect(stored).not.toContain(createHash('sha256').update(issued.code).digest(encoding));
      expect(stored).not.toContain(createHash('sha256').update(`${issued.id}:${issued.code}`).digest(encoding));
    }
    expect(row.login_challenge_hash).toBe('challenge-hash');
  });

  it('draws a different code each time', async () => {
    // 100 draws from 10^6 values: a constant or narrow generator shows as repeats.
    const drawn = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const { code } = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
      expect(code).toMatch(/^\d{6}$/);
      drawn.add(code);
    }
    expect(drawn.size).toBeGreaterThan(95);
  });

  it('waits for the cool-down before another code goes to the same address', async () => {
    const destination = email();
    await codes.issue({ purpose: 'login', channel: 'email', destination });
    clock += 20_000;
    const err = await rateLimited(codes.issue({ purpose: 'login', channel: 'email', destination }));
    expect(err.limit).toBe('cooldown');
    expect(err.retryAfterSeconds).toBe(40);
    // The refused request left nothing behind.
    expect(
      await database.db.selectFrom('one_time_codes').select('id').where('destination', '=', destination).execute(),
    ).toHaveLength(1);
    clock += 40_000;
    await expect(codes.issue({ purpose: 'login', channel: 'email', destination })).resolves.toMatchObject({
      code: expect.any(String),
    });
  });

  it('has no cool-down after the previous code was used (sign in again at once)', async () => {
    const destination = email();
    const first = await codes.issue({ purpose: 'register', channel: 'email', destination });
    await codes.verify(first.id, first.code);
    expect(await codes.consume(first.id)).toBe(true);
    await expect(codes.issue({ purpose: 'login', channel: 'email', destination })).resolves.toBeDefined();
  });

  it('sends at most five SMS or WhatsApp codes an hour to one number, captcha or not', async () => {
    const destination = '+447911123456';
    await database.db.deleteFrom('one_time_codes').where('destination', '=', destination).execute();
    const sms = { purpose: 'login', channel: 'sms', destination, captchaSolved: true } as const;
    for (let i = 0; i < 5; i++) {
      await codes.issue({ ...sms, ip: ip() });
      clock += 61_000;
    }
    // Minute 5:05; the first code leaves the hour at 60:00.
    const err = await rateLimited(codes.issue({ ...sms, channel: 'whatsapp', ip: ip() }));
    expect(err.limit).toBe('destination');
    expect(err.retryAfterSeconds).toBe(3600 - 5 * 61);
    clock = start + 3600_000 + 1;
    await expect(codes.issue(sms)).resolves.toBeDefined();
    // ...and a sixth within the hour that began with the second code is refused again.
    clock += 60_500;
    await rateLimited(codes.issue(sms));
  });

  it('counts SMS codes towards the ceilings even once they were entered (the owner of a premium number can enter them)', async () => {
    const destination = '+447911123457';
    for (let i = 0; i < 5; i++) {
      const issued = await codes.issue({ purpose: 'login', channel: 'sms', destination, ip: ip(), captchaSolved: true });
      await codes.verify(issued.id, issued.code);
    }
    expect(
      (await rateLimited(codes.issue({ purpose: 'login', channel: 'sms', destination, ip: ip(), captchaSolved: true }))).limit,
    ).toBe('destination');
  });

  it('sends no SMS or WhatsApp code without a captcha', async () => {
    for (const channel of ['sms', 'whatsapp'] as const) {
      const destination = '+447911123458';
      const err = await captchaRequired(codes.issue({ purpose: 'login', channel, destination, ip: ip(), proved: true }));
      expect(err.reason).toBe('channel');
    }
    expect(
      await database.db.selectFrom('one_time_codes').select('id').where('destination', '=', '+447911123458').execute(),
    ).toEqual([]);
  });

  it('keeps a budget of SMS codes for browsers that proved the number, so strangers cannot use it up', async () => {
    const destination = '+447911123459';
    const sms = { purpose: 'login', channel: 'sms', destination, captchaSolved: true } as const;
    for (let i = 0; i < 5; i++) await codes.issue({ ...sms, ip: ip() });
    expect((await rateLimited(codes.issue({ ...sms, ip: ip() }))).limit).toBe('destination');
    // The owner's browser has its own five; the total stays bounded at ten.
    for (let i = 0; i < 5; i++) await codes.issue({ ...sms, ip: ip(), proved: true });
    expect((await rateLimited(codes.issue({ ...sms, ip: ip(), proved: true }))).limit).toBe('destination');
  });

  it('sends at most twenty codes an hour from one network, captcha or not', async () => {
    const from = ip();
    for (let i = 0; i < 20; i++) {
      await codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true });
    }
    clock += 10_000;
    const err = await rateLimited(
      codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true }),
    );
    expect(err.limit).toBe('network');
    expect(err.retryAfterSeconds).toBe(3590);
    // Another IP is not affected.
    await expect(codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: ip() })).resolves.toBeDefined();
  });

  it('asks for the captcha from a network with five codes waiting', async () => {
    const from = ip();
    for (let i = 0; i < 5; i++) await codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from });
    const err = await captchaRequired(codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from }));
    expect(err.reason).toBe('network');
    await expect(
      codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true }),
    ).resolves.toBeDefined();
  });

  it('does not exceed the limit under parallel requests', async () => {
    const destination = email();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => codes.issue({ purpose: 'login', channel: 'email', destination })),
    );
    const issued = results.filter((r) => r.status === 'fulfilled');
    expect(issued.length).toBeLessThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RateLimited);
    const rows = await database.db.selectFrom('one_time_codes').select('id').where('destination', '=', destination).execute();
    expect(rows).toHaveLength(issued.length);
  });

  it('takes its limits from the options', async () => {
    const strict = new OneTimeCodes({
      store: new OneTimeCodeStore(database.db),
      now,
      codeKey,
      config: { ...config, otpResendCooldown: 1 },
      limits: { captchaPerDestination: 2, maxSmsPerDestination: 1, maxPerNetwork: 3 },
    });
    const destination = email();
    await strict.issue({ purpose: 'login', channel: 'email', destination });
    clock += 2000;
    await strict.issue({ purpose: 'login', channel: 'email', destination });
    clock += 2000;
    expect((await captchaRequired(strict.issue({ purpose: 'login', channel: 'email', destination }))).reason).toBe('destination');
    const phone = '+447911123460';
    await strict.issue({ purpose: 'login', channel: 'sms', destination: phone, captchaSolved: true });
    clock += 2000;
    expect(
      (await rateLimited(strict.issue({ purpose: 'login', channel: 'sms', destination: phone, captchaSolved: true }))).limit,
    ).toBe('destination');
    const from = ip();
    for (let i = 0; i < 3; i++) await strict.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from });
    expect((await rateLimited(strict.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from }))).limit).toBe(
      'network',
    );
  });

  it('refuses a short HMAC key', () => {
    expect(() => new OneTimeCodes({ store: new OneTimeCodeStore(database.db), now, codeKey: 'short', config })).toThrow(
      GatehouseError,
    );
  });
});

describe('OneTimeCodes limits against a stranger (issue 22)', () => {
  const attackers = (n: number) => Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}`);

  it('does not refuse the owner after strangers asked for many codes for their address', async () => {
    const victim = email();
    // Ten networks ask for the victim's address, each solving the captcha when asked.
    for (const from of attackers(10)) {
      await codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: from, captchaSolved: true });
    }
    // The owner, from their own network: a captcha, not "try again in 55 minutes"...
    const home = '192.0.2.10';
    const err = await captchaRequired(codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: home }));
    expect(err.reason).toBe('destination');
    // ...and with it, the code goes out.
    await expect(
      codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: home, captchaSolved: true }),
    ).resolves.toBeDefined();
  });

  it('lets a browser that proved the address through without a captcha', async () => {
    const victim = email();
    for (const from of attackers(8)) {
      await codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: from, captchaSolved: true });
    }
    await expect(
      codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: '192.0.2.11', proved: true }),
    ).resolves.toBeDefined();
  });

  it("does not hold the owner's request back with a stranger's cool-down", async () => {
    const victim = email();
    await codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: '198.51.100.200' });
    clock += 5_000;
    await expect(
      codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: '192.0.2.12' }),
    ).resolves.toBeDefined();
    // The stranger's own network still waits.
    expect(
      (await rateLimited(codes.issue({ purpose: 'login', channel: 'email', destination: victim, ip: '198.51.100.200' }))).limit,
    ).toBe('cooldown');
  });

  it('does not lock out a developer signing in again and again from one machine', async () => {
    const me = email();
    for (let i = 0; i < 40; i++) {
      const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: me, ip: '127.0.0.1' });
      await codes.verify(issued.id, issued.code);
      expect(await codes.consume(issued.id)).toBe(true);
      clock += 5_000;
    }
  });

  it('says when the send is allowed again: the latest of the limits it breaks', async () => {
    const from = '192.0.2.13';
    const destination = email();
    // The network's first code at 0:00, nineteen more at 30:00; one to `destination` waits.
    await codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true });
    clock += 1800_000;
    for (let i = 0; i < 18; i++) {
      await codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true });
    }
    await codes.issue({ purpose: 'login', channel: 'email', destination, ip: from, captchaSolved: true });
    clock += 10_000;
    // Both the cool-down (50 s) and the network ceiling (until 60:00, 1790 s) hold: the later counts.
    const err = await rateLimited(
      codes.issue({ purpose: 'login', channel: 'email', destination, ip: from, captchaSolved: true }),
    );
    expect(err).toMatchObject({ limit: 'network', retryAfterSeconds: 1790 });
    clock += 1790_000;
    await expect(
      codes.issue({ purpose: 'login', channel: 'email', destination, ip: from, captchaSolved: true }),
    ).resolves.toBeDefined();
  });
});

describe('OneTimeCodes per-network counting of IPv6 (issue 22)', () => {
  const net = () => {
    const hex = () => randomUUID().slice(0, 4);
    return `2001:db8:${hex()}:${hex()}`;
  };

  it('counts the addresses of one /64 as one client, and two /64s apart', async () => {
    const prefix = net();
    const send = (from: string) =>
      codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true });
    for (let i = 1; i <= 20; i++) await send(`${prefix}::${i.toString(16)}`);
    const err = await rateLimited(send(`${prefix}:ffff:ffff:ffff:ffff`));
    expect(err.limit).toBe('network');
    // The next /64 over has its own budget.
    await expect(send(`${net()}::1`)).resolves.toBeDefined();
  });

  it('counts an IPv4-mapped address as its IPv4 address', async () => {
    const send = (from: string) =>
      codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true });
    for (let i = 0; i < 10; i++) await send('192.0.2.77');
    for (let i = 0; i < 10; i++) await send('::ffff:192.0.2.77');
    expect((await rateLimited(send('192.0.2.77'))).limit).toBe('network');
  });

  it('takes the prefix from RATE_LIMIT_IPV6_PREFIX', async () => {
    const wide = new OneTimeCodes({
      store: new OneTimeCodeStore(database.db),
      now,
      codeKey,
      config: { ...config, rateLimitIpv6Prefix: 48 },
    });
    const site = `2001:db8:${randomUUID().slice(0, 4)}`;
    const send = (from: string) =>
      wide.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from, captchaSolved: true });
    // Twenty /64s of one /48 are one client under a /48 prefix.
    for (let i = 1; i <= 20; i++) await send(`${site}:${i.toString(16)}::1`);
    expect((await rateLimited(send(`${site}:ffff::1`))).limit).toBe('network');
  });

  it('stores the network beside the address as it connected', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: '2001:db8:1:2:3:4:5:6' });
    expect(await codes.find(issued.id)).toMatchObject({ ip: '2001:db8:1:2:3:4:5:6', network: '2001:db8:1:2:0:0:0:0/64' });
  });
});

describe('OneTimeCodes.verify', () => {
  it('accepts the right code once', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    clock += 30_000;
    const verified = await codes.verify(issued.id, issued.code);
    expect(verified.id).toBe(issued.id);
    expect(verified.verified_at).toEqual(new Date(clock));
    expect(verified.attempts).toBe(1);
    expect((await codeError(codes.verify(issued.id, issued.code))).reason).toBe('used');
  });

  it('counts down wrong tries, then refuses even the right code', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    const wrong = wrongCode(issued.code);
    for (const left of [4, 3, 2, 1, 0]) {
      const err = await codeError(codes.verify(issued.id, wrong));
      expect(err.reason).toBe('wrong');
      expect(err.attemptsLeft).toBe(left);
    }
    const sixth = await codeError(codes.verify(issued.id, issued.code));
    expect(sixth.reason).toBe('too_many_attempts');
    expect(sixth.attemptsLeft).toBe(0);
    expect((await codes.find(issued.id))?.attempts).toBe(5);
  });

  it('accepts the right code on the last try', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    for (let i = 0; i < 4; i++) await codeError(codes.verify(issued.id, wrongCode(issued.code)));
    await expect(codes.verify(issued.id, issued.code)).resolves.toMatchObject({ attempts: 5 });
  });

  it('counts malformed input as a try', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    for (const junk of ['', 'abcdef', `${issued.code}0`, ` ${issued.code}`]) {
      expect((await codeError(codes.verify(issued.id, junk))).reason).toBe('wrong');
    }
    expect((await codes.find(issued.id))?.attempts).toBe(4);
  });

  it('expires', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    clock += 599_000;
    await expect(codes.verify(issued.id, wrongCode(issued.code))).rejects.toMatchObject({ reason: 'wrong' });
    clock += 2000; // 601 s after issue
    const err = await codeError(codes.verify(issued.id, issued.code));
    expect(err.reason).toBe('expired');
    // An expired code does not spend tries.
    expect((await codes.find(issued.id))?.attempts).toBe(1);
  });

  it('knows no code it did not issue', async () => {
    expect((await codeError(codes.verify(randomUUID(), '123456'))).reason).toBe('unknown');
    expect((await codeError(codes.verify('not-a-uuid', '123456'))).reason).toBe('unknown');
  });

  it('lets exactly one of many parallel right answers through', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => codes.verify(issued.id, issued.code)));
    const passed = results.filter((r) => r.status === 'fulfilled');
    expect(passed).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(['used', 'too_many_attempts']).toContain((r.reason as CodeError).reason);
    }
    expect((await codes.find(issued.id))?.attempts).toBeLessThanOrEqual(5);
  });

  it('binds a code to its row: the same hash on another row does not verify', async () => {
    const a = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    const b = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    const { code_hash } = await database.db
      .selectFrom('one_time_codes')
      .select('code_hash')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    await database.db.updateTable('one_time_codes').set({ code_hash }).where('id', '=', b.id).execute();
    expect((await codeError(codes.verify(b.id, a.code))).reason).toBe('wrong');
    await expect(codes.verify(a.id, a.code)).resolves.toBeDefined();
  });

  it('depends on the HMAC key', async () => {
    const other = new OneTimeCodes({
      store: new OneTimeCodeStore(database.db),
      now,
      codeKey: codeKeyFrom('another-system-secret-of-32-characters!'),
      config,
    });
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    expect((await codeError(other.verify(issued.id, issued.code))).reason).toBe('wrong');
  });
});

describe('OneTimeCodes.resend', () => {
  it('sends a new code after the cool-down and voids the old one', async () => {
    const destination = email();
    const from = ip();
    const first = await codes.issue({ purpose: 'register', channel: 'email', destination, loginChallengeHash: 'h1', ip: from });
    clock += 10_000;
    const early = await rateLimited(codes.resend(first.id));
    expect(early.retryAfterSeconds).toBe(50);
    // A refused resend leaves the first code working.
    expect((await codes.find(first.id))?.expires_at).toEqual(first.expiresAt);

    clock += 50_000;
    const second = await codes.resend(first.id, { ip: ip() });
    expect(second.id).not.toBe(first.id);
    expect(second.expiresAt).toEqual(new Date(clock + 600_000));
    expect(await codes.find(second.id)).toMatchObject({
      purpose: 'register',
      channel: 'email',
      destination,
      login_challenge_hash: 'h1',
    });
    expect((await codeError(codes.verify(first.id, first.code))).reason).toBe('expired');
    await expect(codes.verify(second.id, second.code)).resolves.toBeDefined();
  });

  it('keeps the IP of the first request when none is given', async () => {
    const from = ip();
    const first = await codes.issue({ purpose: 'login', channel: 'email', destination: email(), ip: from });
    clock += 60_000;
    const second = await codes.resend(first.id);
    expect((await codes.find(second.id))?.ip).toBe(from);
  });

  it('does not resend a used or unknown code', async () => {
    const first = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    await codes.verify(first.id, first.code);
    clock += 60_000;
    expect((await codeError(codes.resend(first.id))).reason).toBe('used');
    expect((await codeError(codes.resend(randomUUID()))).reason).toBe('unknown');
  });

  it('counts towards the limits: a fourth waiting code needs the captcha', async () => {
    let current = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    for (let i = 0; i < 2; i++) {
      clock += 60_000;
      current = await codes.resend(current.id);
    }
    clock += 60_000;
    expect((await captchaRequired(codes.resend(current.id))).reason).toBe('destination');
    await expect(codes.resend(current.id, { captchaSolved: true })).resolves.toBeDefined();
  });

  it('asks for the captcha before resending an SMS code', async () => {
    const first = await codes.issue({ purpose: 'login', channel: 'sms', destination: '+447911123461', captchaSolved: true });
    clock += 60_000;
    expect((await captchaRequired(codes.resend(first.id))).reason).toBe('channel');
    await expect(codes.resend(first.id, { captchaSolved: true })).resolves.toBeDefined();
  });
});

describe('OneTimeCodes.consume', () => {
  it('spends a verified code once', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    expect(await codes.consume(issued.id)).toBe(false); // not verified yet
    await codes.verify(issued.id, issued.code);
    const results = await Promise.all(Array.from({ length: 5 }, () => codes.consume(issued.id)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await codes.find(issued.id))?.consumed_at).toEqual(new Date(clock));
    expect((await codeError(codes.verify(issued.id, issued.code))).reason).toBe('used');
  });

  it('does not spend a verified code after it expired', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    await codes.verify(issued.id, issued.code);
    clock += 601_000;
    expect(await codes.consume(issued.id)).toBe(false);
  });
});

describe('OneTimeCodes.deleteExpired', () => {
  it('deletes codes once expired and out of the limit window', async () => {
    const issued = await codes.issue({ purpose: 'login', channel: 'email', destination: email() });
    await codes.deleteExpired(new Date(start + 1800_000));
    // Expired, but still counted towards the hour.
    expect(await codes.find(issued.id)).toBeDefined();
    expect(await codes.deleteExpired(new Date(start + 3600_000))).toBeGreaterThanOrEqual(1);
    expect(await codes.find(issued.id)).toBeUndefined();
  });
});
