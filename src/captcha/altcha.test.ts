import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { loadConfig } from '../config/config.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AltchaCaptcha } from './altcha.js';
import type { Captcha } from './captcha.js';
import { createCaptcha } from './create-captcha.js';
import { UsedCaptchaStore } from './used-captchas.js';

const SECRET = 'a-system-secret-of-at-least-32-characters';
// Cheap challenges for most tests; one test solves a challenge at the production difficulty.
const EASY = { cost: 10, counter: { min: 10, max: 50 } };

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
});
afterAll(() => database?.close());

function altcha(options: { now?: () => number; secret?: string; easy?: boolean } = {}): Captcha {
  return createCaptcha(loadConfig({ CAPTCHA: 'altcha' }), {
    db: database.db,
    secret: options.secret ?? SECRET,
    now: options.now ?? Date.now,
    ...(options.easy === false ? {} : { altcha: EASY }),
  });
}

/** What the widget does in the browser: solve the challenge, post base64 JSON. */
async function solve(challenge: unknown): Promise<{ payload: string; parts: { challenge: Challenge; solution: object } }> {
  const c = challenge as Challenge;
  const solution = await solveChallenge({ challenge: c, deriveKey });
  if (!solution) throw new Error('no solution found');
  const parts = { challenge: { parameters: c.parameters, signature: c.signature } as Challenge, solution };
  return { payload: Buffer.from(JSON.stringify(parts)).toString('base64'), parts };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('altcha', () => {
  it('describes its widget', () => {
    expect(altcha().widget()).toEqual({
      kind: 'altcha',
      scriptUrl: '/ui/assets/altcha.js',
      challengeUrl: '/ui/captcha/challenge',
      field: 'altcha',
    });
  });

  it('issues a signed PBKDF2 challenge that expires in 10 minutes, and a solved one verifies', async () => {
    const now = Date.now();
    const captcha = altcha({ now: () => now, easy: false });
    const challenge = (await captcha.challenge()) as Challenge;
    expect(challenge.parameters).toMatchObject({
      algorithm: 'PBKDF2/SHA-256',
      cost: 1000,
      expiresAt: Math.floor(now / 1000) + 600,
      keySignature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(challenge.signature).toMatch(/^[0-9a-f]{64}$/);

    // The difficulty is fixed by cost (above) and the counter range, not timed here: a timed
    // assertion measures the machine's load, not the code.
    const { payload } = await solve(challenge);
    expect(await captcha.verify(payload)).toBe(true);
  });

  it('accepts a solution once: the same one again is a replay', async () => {
    const captcha = altcha();
    const { payload } = await solve(await captcha.challenge());
    expect(await captcha.verify(payload, '203.0.113.9')).toBe(true);
    expect(await captcha.verify(payload, '203.0.113.9')).toBe(false);
    // Another node (another instance on the same database) refuses it too.
    expect(await altcha().verify(payload)).toBe(false);
  });

  it('lets only one of several concurrent submissions of the same solution through', async () => {
    const captcha = altcha();
    const { payload } = await solve(await captcha.challenge());
    const results = await Promise.all(Array.from({ length: 6 }, () => captcha.verify(payload)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a tampered solution or challenge', async () => {
    const captcha = altcha();
    const { parts } = await solve(await captcha.challenge());
    const solution = parts.solution as { counter: number; derivedKey: string };
    const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

    expect(await captcha.verify(encode({ ...parts, solution: { ...solution, derivedKey: flip(solution.derivedKey) } }))).toBe(
      false,
    );
    // Easier parameters under the original signature.
    const easier = { ...parts.challenge, parameters: { ...parts.challenge.parameters, cost: 1 } };
    expect(await captcha.verify(encode({ ...parts, challenge: easier }))).toBe(false);
    // A longer life under the original signature.
    const longer = { ...parts.challenge, parameters: { ...parts.challenge.parameters, expiresAt: 4102444800 } };
    expect(await captcha.verify(encode({ ...parts, challenge: longer }))).toBe(false);
    // The signature itself.
    expect(
      await captcha.verify(
        encode({ ...parts, challenge: { ...parts.challenge, signature: flip(parts.challenge.signature ?? '') } }),
      ),
    ).toBe(false);

    // Untouched, it still passes: the refusals above were about the tampering.
    expect(await captcha.verify(encode(parts))).toBe(true);
  });

  it('refuses a challenge signed with another secret', async () => {
    const { payload } = await solve(await altcha({ secret: 'another-system-secret-of-32-characters-x' }).challenge());
    expect(await altcha().verify(payload)).toBe(false);
  });

  it('refuses an expired challenge, by the injected clock and by the system clock', async () => {
    let clock = Date.now();
    const captcha = altcha({ now: () => clock });
    const { payload } = await solve(await captcha.challenge());
    clock += 601_000;
    expect(await captcha.verify(payload)).toBe(false);
    clock -= 2_000; // back within its life: the refusal above was the expiry
    expect(await captcha.verify(payload)).toBe(true);

    // Issued a day ago by a clock that has not moved since: altcha-lib's own check refuses it.
    const yesterday = Date.now() - 86_400_000;
    const stale = altcha({ now: () => yesterday });
    const old = await solve(await stale.challenge());
    expect(await stale.verify(old.payload)).toBe(false);
  });

  it("refuses what is not a solution, including the widget's test-mode payload", async () => {
    const captcha = altcha();
    for (const bad of [
      undefined,
      '',
      'not base64 at all!',
      encode('a string'),
      encode({ challenge: null, solution: null, test: true }),
      encode({ challenge: { parameters: {} }, solution: {} }),
      encode({
        challenge: { parameters: { algorithm: 'MD5', expiresAt: 4102444800 }, signature: 'x' },
        solution: { counter: 1, derivedKey: 'ab' },
      }),
      'A'.repeat(10_000),
    ]) {
      expect(await captcha.verify(bad)).toBe(false);
    }
  });

  it('removes expired replay records on the back of a verification', async () => {
    const store = new UsedCaptchaStore(database.db);
    const now = Date.now();
    expect(await store.record('expired-signature', new Date(now - 1000))).toBe(true);
    expect(await store.record('expired-signature', new Date(now - 1000))).toBe(false);
    expect(await store.record('live-signature', new Date(now + 600_000))).toBe(true);

    const captcha = new AltchaCaptcha({ ...EASY, secret: SECRET, store, now: () => now });
    const { payload } = await solve(await captcha.challenge());
    expect(await captcha.verify(payload)).toBe(true);

    const rows = await database.db.selectFrom('used_captchas').select('signature').execute();
    const signatures = rows.map((r) => r.signature);
    expect(signatures).not.toContain('expired-signature');
    expect(signatures).toContain('live-signature');
  });
});
