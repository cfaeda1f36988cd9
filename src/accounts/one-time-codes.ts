/**
 * One-time codes sent by email, SMS or WhatsApp to prove an address (DESIGN.md 6): six
 * digits, a short life (TTL_LOGIN_CODE), a few tries (LOGIN_CODE_MAX_ATTEMPTS), a cool-down
 * between sends (LOGIN_CODE_RESEND_COOLDOWN), and ceilings per address and per IP.
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
 * two racing requests at least one sees the other, so a limit is never exceeded (at worst
 * both are refused), with plain SQL and no locks.
 */
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import { newId, safeEqual } from '../crypto/tokens.js';
import { deleteInChunks } from '../db/chunked-delete.js';
import type { Db } from '../db/database.js';
import type { CodeChannel, CodePurpose, OneTimeCode } from '../db/schema.js';
import { GatehouseError } from '../errors.js';

export type { CodeChannel, CodePurpose, OneTimeCode };

/** Too many codes asked for; `retryAfterSeconds` says when the next one may be. */
export class RateLimited extends GatehouseError {
  override name = 'RateLimited';

  constructor(
    readonly retryAfterSeconds: number,
    /** Which limit: the cool-down between sends, or the hourly ceiling per address or IP. */
    readonly limit: 'cooldown' | 'destination' | 'ip',
  ) {
    super(`too many one-time codes (${limit}); retry after ${retryAfterSeconds} s`);
  }
}

export type CodeErrorReason = 'wrong' | 'expired' | 'too_many_attempts' | 'unknown' | 'used';

/** A code that did not verify. `attemptsLeft` is the tries still allowed on this code. */
export class CodeError extends GatehouseError {
  override name = 'CodeError';

  constructor(
    readonly reason: CodeErrorReason,
    readonly attemptsLeft: number,
  ) {
    super(`one-time code refused: ${reason}`);
  }
}

export interface CodeLimits {
  /** Codes per destination within `windowSeconds` (stops flooding one inbox or phone). */
  perDestination: number;
  /** Codes per client IP within `windowSeconds` (stops one sender spraying addresses). */
  perIp: number;
  windowSeconds: number;
}

export const defaultCodeLimits: CodeLimits = { perDestination: 5, perIp: 20, windowSeconds: 3600 };

export interface OneTimeCodesDeps {
  db: Db;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** HMAC key for code hashes: a server secret, never stored in the database (see codeKeyFrom). */
  codeKey: string;
  config: Pick<Config, 'otpTtl' | 'otpMaxAttempts' | 'otpResendCooldown'>;
  limits?: Partial<CodeLimits>;
}

export interface IssueRequest {
  purpose: CodePurpose;
  channel: CodeChannel;
  /** Already normalised (identifiers.ts): lower-case email or E.164 phone number. */
  destination: string;
  /** The login request the code belongs to (hashed), so it cannot finish another one. */
  loginChallengeHash?: string | null;
  /** The client's address, for the per-IP limit. */
  ip?: string | null;
}

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
    if (deps.codeKey.length < 16) throw new GatehouseError('OneTimeCodes needs a codeKey of at least 16 characters');
    this.limits = { ...defaultCodeLimits, ...deps.limits };
  }

  /** Creates a code for `destination`, or throws RateLimited. */
  async issue(request: IssueRequest): Promise<IssuedCode> {
    const { db, config } = this.deps;
    const now = this.deps.now();
    const id = newId();
    // randomInt draws uniformly (rejection sampling), unlike randomBytes % 10^6.
    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    const expiresAt = new Date(now + config.otpTtl * 1000);
    const resendAfter = new Date(now + config.otpResendCooldown * 1000);
    await db
      .insertInto('one_time_codes')
      .values({
        id,
        purpose: request.purpose,
        channel: request.channel,
        destination: request.destination,
        code_hash: this.hash(id, code),
        login_challenge_hash: request.loginChallengeHash ?? null,
        max_attempts: config.otpMaxAttempts,
        ip: request.ip ?? null,
        created_at: new Date(now),
        expires_at: expiresAt,
        resend_after: resendAfter,
      })
      .execute();
    const refusal = await this.checkLimits(id, request.destination, request.ip ?? null, now);
    if (refusal) {
      await db.deleteFrom('one_time_codes').where('id', '=', id).execute();
      throw refusal;
    }
    return { id, code, expiresAt, resendAfter };
  }

  /**
   * Checks `code` against code `id`: returns the row, now verified, or throws CodeError.
   * Every call spends one attempt, right or wrong, before anything is compared.
   */
  async verify(id: string, code: string): Promise<OneTimeCode> {
    const { db } = this.deps;
    const now = new Date(this.deps.now());
    const row = await db
      .updateTable('one_time_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('verified_at', 'is', null)
      .where('expires_at', '>', now)
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .returningAll()
      .executeTakeFirst();
    if (!row) throw await this.whyNot(id, now);
    if (!safeEqual(this.hash(id, code), row.code_hash)) {
      throw new CodeError('wrong', Math.max(0, row.max_attempts - row.attempts));
    }
    // Several right answers may have got this far at once; one of them marks the code.
    const verified = await db
      .updateTable('one_time_codes')
      .set({ verified_at: now })
      .where('id', '=', id)
      .where('verified_at', 'is', null)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!verified) throw new CodeError('used', 0);
    return verified;
  }

  /**
   * A new code for the same destination, purpose and login request; the old one stops
   * working once the new one exists (a refused resend leaves it usable).
   */
  async resend(id: string, ip?: string): Promise<IssuedCode> {
    const old = await this.find(id);
    if (!old) throw new CodeError('unknown', 0);
    if (old.verified_at || old.consumed_at) throw new CodeError('used', 0);
    const issued = await this.issue({
      purpose: old.purpose,
      channel: old.channel,
      destination: old.destination,
      loginChallengeHash: old.login_challenge_hash,
      ip: ip ?? old.ip,
    });
    const now = new Date(this.deps.now());
    await this.deps.db
      .updateTable('one_time_codes')
      .set({ expires_at: now })
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .where('verified_at', 'is', null)
      .execute();
    return issued;
  }

  /** Spends a verified, unexpired code; true for exactly one caller. */
  async consume(id: string): Promise<boolean> {
    const now = new Date(this.deps.now());
    const row = await this.deps.db
      .updateTable('one_time_codes')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('verified_at', 'is not', null)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  find(id: string): Promise<OneTimeCode | undefined> {
    return this.deps.db.selectFrom('one_time_codes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Removes expired codes once they no longer count towards the hourly limits (a code
   * outlives its expiry by the limit window, or deleting it would reset the count).
   */
  deleteExpired(now: Date = new Date(this.deps.now()), signal?: AbortSignal): Promise<number> {
    const counted = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    return deleteInChunks(this.deps.db, {
      table: 'one_time_codes',
      key: 'id',
      where: sql`expires_at <= ${now} and created_at <= ${counted}`,
      signal,
    });
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

  /** The first limit the just-inserted code `self` breaks, counting every other code. */
  private async checkLimits(self: string, destination: string, ip: string | null, now: number): Promise<RateLimited | undefined> {
    const { db } = this.deps;
    const { perDestination, perIp, windowSeconds } = this.limits;
    const windowMs = windowSeconds * 1000;
    const retry = (at: number) => Math.max(1, Math.ceil((at - now) / 1000));

    // The cool-down is for codes still waiting to be typed in: once a code has been used,
    // the person evidently got it, and signing in again at once is not flooding.
    const pending = await db
      .selectFrom('one_time_codes')
      .select((eb) => eb.fn.max('resend_after').as('until'))
      .where('destination', '=', destination)
      .where('id', '<>', self)
      .where('resend_after', '>', new Date(now))
      .where('verified_at', 'is', null)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (pending?.until) return new RateLimited(retry(new Date(pending.until).getTime()), 'cooldown');

    const since = new Date(now - windowMs);
    const byDestination = await db
      .selectFrom('one_time_codes')
      .select('created_at')
      .where('destination', '=', destination)
      .where('id', '<>', self)
      .where('created_at', '>', since)
      .orderBy('created_at')
      .execute();
    if (byDestination.length >= perDestination) {
      // Allowed again when enough of the oldest codes have left the window.
      const oldest = byDestination[byDestination.length - perDestination] as { created_at: Date };
      return new RateLimited(retry(oldest.created_at.getTime() + windowMs), 'destination');
    }

    if (ip !== null) {
      const byIp = await db
        .selectFrom('one_time_codes')
        .select('created_at')
        .where('ip', '=', ip)
        .where('id', '<>', self)
        .where('created_at', '>', since)
        .orderBy('created_at')
        .execute();
      if (byIp.length >= perIp) {
        const oldest = byIp[byIp.length - perIp] as { created_at: Date };
        return new RateLimited(retry(oldest.created_at.getTime() + windowMs), 'ip');
      }
    }
    return undefined;
  }
}
