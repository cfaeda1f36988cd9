/**
 * One-time codes sent by email, SMS or WhatsApp to prove an address (DESIGN.md 6): six
 * digits, a short life (TTL_LOGIN_CODE), a few tries (LOGIN_CODE_MAX_ATTEMPTS), and send
 * limits that a stranger cannot turn against the owner of the address: counted per
 * destination and per requesting network, a captcha asked (step-up) where the old rule
 * refused, hard ceilings only where sends cost money or come from one network. The rules
 * and why are in code-limits.ts; this module counts.
 *
 * Storage. A six-digit code has 10^6 values: any unkeyed hash of it is reversed offline in
 * a millisecond, so the row holds HMAC-SHA256(codeKey, id || code), keyed by a server secret
 * that is not in the database and bound to the row id, so a hash copied to another row (or
 * a code sent for one row) proves nothing there.
 *
 * Guessing. Every try first spends an attempt in one conditional UPDATE, and only then is
 * the code compared (in constant time), so parallel tries cannot exceed the limit and at
 * most one of them can mark the code verified.
 *
 * Limits are counted from this table with the injected clock, so they hold across nodes.
 * A new row is inserted first and the limits checked afterwards, counting the others: of
 * two racing requests at least one sees the other, so a hard limit is never exceeded (at
 * worst both are refused), with plain SQL and no locks. Each row keeps the network that
 * asked (addressBucket of its IP, RATE_LIMIT_IPV6_PREFIX), so one IPv6 subscriber's many
 * addresses count as one.
 *
 * The rules are here; the SQL is OneTimeCodeStore's (one-time-code-store.ts).
 */
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import type { Config } from '../config/config.js';
import { newId, safeEqual } from '../crypto/tokens.js';
import type { CodeChannel, CodePurpose, OneTimeCode } from '../db/schema.js';
import { InternalError } from '../errors.js';
import { addressBucket } from '../net/address-bucket.js';
import { type CodeLimits, defaultCodeLimits, judge, type PastCode } from './code-limits.js';
import { CaptchaRequired, CodeError, RateLimited } from './code-refusals.js';
import type { OneTimeCodeStore } from './one-time-code-store.js';

export type { CodeChannel, CodeLimits, CodePurpose, OneTimeCode };
export { defaultCodeLimits };

export interface OneTimeCodesDeps {
  store: OneTimeCodeStore;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** HMAC key for code hashes: a server secret, never stored in the database (see codeKeyFrom). */
  codeKey: string;
  config: Pick<Config, 'otpTtl' | 'otpMaxAttempts' | 'otpResendCooldown'> & Partial<Pick<Config, 'rateLimitIpv6Prefix'>>;
  /** The send limits (code-limits.ts); the defaults where not given. */
  limits?: Partial<CodeLimits>;
}

export interface IssueRequest {
  purpose: CodePurpose;
  channel: CodeChannel;
  /** Already normalised (identifiers.ts): lower-case email or E.164 phone number. */
  destination: string;
  /** The login request the code belongs to (hashed), so it cannot finish another one. */
  loginChallengeHash?: string | null;
  /** The client's address: the limits count its network (addressBucket). */
  ip?: string | null;
  /** The browser proved this destination before (a signed cookie, or earlier in this flow). */
  proved?: boolean;
  /** A captcha was solved for this request; without one, a send that needs it throws CaptchaRequired. */
  captchaSolved?: boolean;
}

/** Who asks for a new code (resend): the same facts as for a first one. */
export type ResendRequest = Pick<IssueRequest, 'ip' | 'proved' | 'captchaSolved'>;

export interface IssuedCode {
  id: string;
  /** The code to deliver. It is not stored and cannot be read back. */
  code: string;
  expiresAt: Date;
  /** No other code goes to this destination before then. */
  resendAfter: Date;
}

export const CODE_DIGITS = 6;

/** Derives the code HMAC key from a SECRETS_SYSTEM secret, so that secret is used for one thing each. */
export function codeKeyFrom(systemSecret: string): string {
  return Buffer.from(hkdfSync('sha256', systemSecret, 'gatehouse', 'one-time-codes', 32)).toString('base64url');
}

export class OneTimeCodes {
  private readonly limits: CodeLimits;

  constructor(private readonly deps: OneTimeCodesDeps) {
    if (deps.codeKey.length < 16) throw new InternalError('OneTimeCodes needs a codeKey of at least 16 characters');
    this.limits = { ...defaultCodeLimits, ...deps.limits };
  }

  /** Creates a code for `destination`, or throws RateLimited or CaptchaRequired. */
  async issue(request: IssueRequest): Promise<IssuedCode> {
    const { store, config } = this.deps;
    const now = this.deps.now();
    const ip = request.ip ?? null;
    const network = ip === null ? null : addressBucket(ip, config.rateLimitIpv6Prefix ?? 64);
    const proved = request.proved ?? false;
    const id = newId();
    // randomInt draws uniformly (rejection sampling), unlike randomBytes % 10^6.
    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    const expiresAt = new Date(now + config.otpTtl * 1000);
    const resendAfter = new Date(now + config.otpResendCooldown * 1000);
    await store.insert({
      id,
      purpose: request.purpose,
      channel: request.channel,
      destination: request.destination,
      code_hash: this.hash(id, code),
      login_challenge_hash: request.loginChallengeHash ?? null,
      max_attempts: config.otpMaxAttempts,
      ip,
      network,
      proved,
      created_at: new Date(now),
      expires_at: expiresAt,
      resend_after: resendAfter,
    });
    const refusal = await this.checkLimits(
      id,
      { ...request, network, proved, captchaSolved: request.captchaSolved ?? false },
      now,
    );
    if (refusal) {
      await store.remove(id);
      throw refusal;
    }
    return { id, code, expiresAt, resendAfter };
  }

  /**
   * Checks `code` against code `id`: returns the row, now verified, or throws CodeError.
   * Every call spends one attempt, right or wrong, before anything is compared.
   */
  async verify(id: string, code: string): Promise<OneTimeCode> {
    const { store } = this.deps;
    const now = new Date(this.deps.now());
    const row = await store.spendAttempt(id, now);
    if (!row) throw await this.whyNot(id, now);
    if (!safeEqual(this.hash(id, code), row.code_hash)) {
      throw new CodeError('wrong', Math.max(0, row.max_attempts - row.attempts));
    }
    // Several right answers may have got this far at once; one of them marks the code.
    const verified = await store.markVerified(id, now);
    if (!verified) throw new CodeError('used', 0);
    return verified;
  }

  /**
   * A new code for the same destination, purpose and login request; the old one stops
   * working once the new one exists (a refused resend leaves it usable).
   */
  async resend(id: string, request: ResendRequest = {}): Promise<IssuedCode> {
    const old = await this.find(id);
    if (!old) throw new CodeError('unknown', 0);
    if (old.verified_at || old.consumed_at) throw new CodeError('used', 0);
    const issued = await this.issue({
      ...request,
      purpose: old.purpose,
      channel: old.channel,
      destination: old.destination,
      loginChallengeHash: old.login_challenge_hash,
      ip: request.ip ?? old.ip,
    });
    await this.deps.store.expire(id, new Date(this.deps.now()));
    return issued;
  }

  /** Spends a verified, unexpired code; true for exactly one caller. */
  consume(id: string): Promise<boolean> {
    return this.deps.store.consume(id, new Date(this.deps.now()));
  }

  find(id: string): Promise<OneTimeCode | undefined> {
    return this.deps.store.find(id);
  }

  /**
   * Removes expired codes once they no longer count towards the hourly limits (a code
   * outlives its expiry by the limit window, or deleting it would reset the count).
   */
  deleteExpired(now: Date = new Date(this.deps.now()), signal?: AbortSignal): Promise<number> {
    const counted = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    return this.deps.store.deleteExpired(now, counted, signal);
  }

  /**
   * A short keyed tag of `destination`, for a cookie that remembers which addresses a
   * browser proved: keyed, so a copied cookie does not reveal the address to a dictionary.
   */
  proofTag(destination: string): string {
    return createHmac('sha256', this.deps.codeKey).update(`proved:${destination}`).digest('base64url').slice(0, 22);
  }

  /** HMAC-SHA256 bound to the row id (the id is a fixed-length UUID, so `id:code` is unambiguous). */
  private hash(id: string, code: string): string {
    return createHmac('sha256', this.deps.codeKey).update(`${id}:${code}`).digest('base64url');
  }

  /** Why the attempt UPDATE matched nothing. */
  private async whyNot(id: string, now: Date): Promise<CodeError> {
    const row = await this.find(id);
    if (!row) return new CodeError('unknown', 0);
    if (row.verified_at || row.consumed_at) return new CodeError('used', 0);
    if (row.expires_at.getTime() <= now.getTime()) return new CodeError('expired', 0);
    return new CodeError('too_many_attempts', 0);
  }

  /**
   * What the limits say about the just-inserted code `self` (code-limits.ts), counting the
   * other codes of the window to its destination or from its network. Entered email codes
   * count towards nothing, so they are not even read.
   */
  private async checkLimits(
    self: string,
    send: { destination: string; channel: CodeChannel; network: string | null; proved: boolean; captchaSolved: boolean },
    now: number,
  ): Promise<RateLimited | CaptchaRequired | undefined> {
    const since = new Date(now - this.limits.windowSeconds * 1000);
    const rows = await this.deps.store.recentCodes(self, since, send);
    const past: PastCode[] = rows.map((r) => ({
      destination: r.destination,
      channel: r.channel,
      network: r.network,
      proved: r.proved,
      createdAt: r.created_at.getTime(),
      resendAfter: r.resend_after.getTime(),
      entered: r.verified_at !== null || r.consumed_at !== null,
    }));
    const verdict = judge(send, past, this.limits, now);
    if (verdict.kind === 'refuse') return new RateLimited(verdict.retryAfterSeconds, verdict.limit);
    if (verdict.kind === 'captcha') return new CaptchaRequired(verdict.reason);
    return undefined;
  }
}
