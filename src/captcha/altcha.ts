/**
 * ALTCHA: self-hosted proof of work, so the captcha works offline and sends nothing to a
 * third party. The challenge is ALTCHA's v2 format (what the altcha 3.x widget speaks) in
 * its deterministic mode: the server picks the counter the browser must reach and signs the
 * key it leads to, so a solution is checked with two HMACs and no key derivation.
 *
 * A solution is good once: its challenge signature goes into used_captchas, and a second
 * submission of it is refused until the challenge has expired anyway.
 */
import { createHmac, randomInt } from 'node:crypto';
import { type Challenge, createChallenge, type Payload, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { Captcha, CaptchaWidget } from './captcha.js';
import type { UsedCaptchaStore } from './used-captchas.js';

export const ALTCHA_ALGORITHM = 'PBKDF2/SHA-256';

export interface AltchaOptions {
  /** Master secret (SECRETS_SYSTEM); the HMAC keys are derived from it. */
  secret: string;
  store: UsedCaptchaStore;
  now: () => number;
  /** Challenge lifetime in seconds (default 600). */
  ttlSeconds?: number;
  /** PBKDF2 iterations per attempt (default 1000). */
  cost?: number;
  /**
   * The range the target counter is drawn from (ALTCHA v1's `maxnumber`, as a range). The
   * work is about cost × counter PBKDF2 rounds: with the defaults 1.5 million on average,
   * ~0.5 s on one laptop core and less with the widget's parallel workers.
   */
  counter?: { min: number; max: number };
}

/** The widget's payload: base64 of JSON `{ challenge: { parameters, signature }, solution }`. */
const MAX_PAYLOAD_LENGTH = 4096;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function decodePayload(raw: string | undefined): (Payload & { challenge: { signature: string } }) | undefined {
  if (!raw || raw.length > MAX_PAYLOAD_LENGTH) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (!isObject(value) || !isObject(value.challenge) || !isObject(value.solution)) return undefined;
  const { challenge } = value;
  if (!isObject(challenge.parameters) || typeof challenge.signature !== 'string') return undefined;
  return value as unknown as Payload & { challenge: { signature: string } };
}

/** A key for one purpose, so the master secret itself never signs anything here. */
const derive = (secret: string, purpose: string) =>
  createHmac('sha256', secret).update(`gatehouse/altcha/${purpose}`).digest('hex');

export class AltchaCaptcha implements Captcha {
  private readonly signatureSecret: string;
  private readonly keySignatureSecret: string;
  private nextPurge = 0;

  constructor(private readonly options: AltchaOptions) {
    this.signatureSecret = derive(options.secret, 'challenge');
    this.keySignatureSecret = derive(options.secret, 'key');
  }

  widget(): CaptchaWidget {
    return { kind: 'altcha', scriptUrl: '/ui/assets/altcha.js', challengeUrl: '/ui/captcha/challenge', field: 'altcha' };
  }

  async challenge(): Promise<Challenge> {
    const { min, max } = this.options.counter ?? { min: 1000, max: 2000 };
    return createChallenge({
      algorithm: ALTCHA_ALGORITHM,
      cost: this.options.cost ?? 1000,
      counter: randomInt(min, max + 1),
      deriveKey,
      expiresAt: Math.floor(this.options.now() / 1000) + (this.options.ttlSeconds ?? 600),
      hmacSignatureSecret: this.signatureSecret,
      hmacKeySignatureSecret: this.keySignatureSecret,
    });
  }

  async verify(solution: string | undefined): Promise<boolean> {
    const payload = decodePayload(solution);
    if (!payload) return false;
    const expiresAt = payload.challenge.parameters.expiresAt;
    // Every challenge issued here expires; one without expiresAt was not issued here. The
    // library checks expiry against the system clock, this against the injected one.
    if (typeof expiresAt !== 'number' || expiresAt * 1000 <= this.options.now()) return false;
    try {
      const result = await verifySolution({
        challenge: payload.challenge,
        solution: payload.solution,
        deriveKey,
        hmacSignatureSecret: this.signatureSecret,
        hmacKeySignatureSecret: this.keySignatureSecret,
      });
      if (!result.verified) return false;
    } catch {
      // Malformed parameters (a forged algorithm name, a non-hex nonce) make the library throw.
      return false;
    }
    // Recorded only after verification, so forged payloads cannot fill the table.
    const firstUse = await this.options.store.record(payload.challenge.signature, new Date(expiresAt * 1000));
    await this.purgeNowAndThen();
    return firstUse;
  }

  /** Expired rows go at most once a minute, on the back of a verification. */
  private async purgeNowAndThen(): Promise<void> {
    const now = this.options.now();
    if (now < this.nextPurge) return;
    this.nextPurge = now + 60_000;
    await this.options.store.deleteExpired(new Date(now)).catch(() => {
      // A failed clean-up is retried next time; the verification result stands.
      this.nextPurge = 0;
    });
  }
}
