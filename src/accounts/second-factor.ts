/**
 * Every check of an account's enrolled second factor (a TOTP code or a recovery code),
 * whatever it is for: signing in, turning 2FA off, replacing the recovery codes. They share
 * one guess limit per account and one audit event, here, so that no route can check a code
 * without counting it: a six-digit code falls to about a million guesses, and a limit that
 * one page keeps and another forgets is no limit.
 */

import { GatehouseError } from '../errors.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import { waitText } from './code-refusals.js';
import type { RateLimiter } from './rate-limit.js';
import type { Totp } from './totp.js';

/** Wrong or refused codes per account per window, across every purpose. */
export const SECOND_FACTOR_ATTEMPTS = 10;
export const SECOND_FACTOR_WINDOW_SECONDS = 15 * 60;

export type SecondFactorKind = 'totp' | 'recovery';
export type SecondFactorPurpose = 'sign_in' | 'disable' | 'regenerate_recovery_codes';

export interface SecondFactorCode {
  kind: SecondFactorKind;
  /** As typed: spaces, dashes and case are forgiven. */
  code: string;
}

/** A code of the second factor refused: wrong (400), or past the account's guess limit (429). */
export class SecondFactorRefused extends GatehouseError {
  override name = 'SecondFactorRefused';
}

/** What a wrong code is told: signing in only failed; turning 2FA off or new codes changed nothing. */
const WRONG_CODE: Record<SecondFactorPurpose, string> = {
  sign_in: 'That code is not right.',
  disable: 'That code is not right; two-factor authentication is unchanged.',
  regenerate_recovery_codes: 'That code is not right; two-factor authentication is unchanged.',
};

export interface SecondFactorDeps {
  totp: Totp;
  limiter: RateLimiter;
  events: EventSink;
}

export class SecondFactor {
  constructor(private readonly deps: SecondFactorDeps) {}

  /**
   * Checks (and spends: a TOTP step or a recovery code is good once) a code of the account's
   * second factor. Each try counts against the account's limit before the code is looked at;
   * past the limit no code is checked, right or wrong. A wrong code is audited with its purpose;
   * either refusal is a SecondFactorRefused.
   */
  async check(actor: Actor, accountId: string, entered: SecondFactorCode, purpose: SecondFactorPurpose): Promise<void> {
    const { totp, limiter, events } = this.deps;
    const limited = await limiter.hit(`2fa:${accountId}`, SECOND_FACTOR_ATTEMPTS, SECOND_FACTOR_WINDOW_SECONDS);
    if (!limited.allowed) {
      const wait = limited.retryAfterSeconds;
      throw new SecondFactorRefused('too_many_requests', `Too many tries. Wait ${waitText(wait)} and try again.`, {
        status: 429,
        retryAfterSeconds: wait,
        debug: `second-factor guesses (${purpose})`,
      });
    }
    const code = entered.code.trim();
    const ok =
      entered.kind === 'recovery'
        ? await totp.useRecoveryCode(accountId, code.toLowerCase())
        : await totp.verify(accountId, code.replace(/\s+/g, ''));
    if (!ok) {
      await events.emit({ type: 'account.two_factor_failed', accountId, purpose }, actor);
      throw new SecondFactorRefused('wrong_code', WRONG_CODE[purpose]);
    }
    if (entered.kind === 'recovery') {
      const left = await totp.remainingRecoveryCodes(accountId);
      await events.emit({ type: 'account.recovery_code_used', accountId, left, purpose }, actor);
    }
  }

  /** Turns 2FA off, only for a code of the factor being turned off; refused as check() refuses. */
  async disable(actor: Actor, accountId: string, entered: SecondFactorCode): Promise<void> {
    await this.check(actor, accountId, entered, 'disable');
    await this.deps.totp.disable(accountId);
    await this.deps.events.emit({ type: 'account.two_factor_disabled', accountId }, actor);
  }

  /** New recovery codes (returned once) for a code of the factor; the old ones stop working. */
  async regenerateRecoveryCodes(actor: Actor, accountId: string, entered: SecondFactorCode): Promise<string[]> {
    await this.check(actor, accountId, entered, 'regenerate_recovery_codes');
    const codes = await this.deps.totp.regenerateRecoveryCodes(accountId);
    await this.deps.events.emit({ type: 'account.recovery_codes_regenerated', accountId }, actor);
    return codes;
  }
}
