/**
 * Why a one-time code was not sent or not accepted: each refusal says, in a sentence a person
 * can act on, which limit or which fault, and when to try again.
 */
import { GatehouseError } from '../errors.js';
import type { HardLimit } from './code-limits.js';

/** Too many codes asked for; `retryAfterSeconds` says when the next one may be. */
export class RateLimited extends GatehouseError {
  override name = 'RateLimited';

  constructor(
    override readonly retryAfterSeconds: number,
    /**
     * Which limit: the cool-down between sends from one network, the ceiling per network, or
     * the SMS / WhatsApp ceiling per phone number (the latest to lift, when several hold).
     */
    readonly limit: HardLimit,
  ) {
    super('too_many_requests', refusalText(limit, retryAfterSeconds), { status: 429, retryAfterSeconds });
  }
}

/** What a refusal says: which limit, and when a new code can be had (the latest of the broken limits). */
function refusalText(limit: HardLimit, retryAfterSeconds: number): string {
  const wait = waitText(retryAfterSeconds);
  switch (limit) {
    case 'cooldown':
      return `A code was sent a moment ago. You can ask for another in ${wait}.`;
    case 'network':
      return `Too many codes were asked for from your network. Try again in ${wait}.`;
    case 'destination':
      return `Too many codes were sent to this number. Try again in ${wait}, or sign in with your email address.`;
  }
}

/** "42 seconds" or "3 minutes": how long until a limit lifts, as the pages say it. */
export function waitText(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** The code may go out once a captcha is solved for the request (step-up); nothing was sent. */
export class CaptchaRequired extends GatehouseError {
  override name = 'CaptchaRequired';

  constructor(
    /** Why: every SMS / WhatsApp send, or many codes waiting for the address or from the network. */
    readonly reason: 'channel' | 'destination' | 'network',
  ) {
    super('captcha_required', 'Please complete the check that you are a person, then ask again.', {
      debug: `a captcha is required before this one-time code (${reason})`,
    });
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
    super(`${reason === 'wrong' ? 'wrong' : 'invalid'}_code`, codeRefusalText(reason, attemptsLeft));
  }
}

function codeRefusalText(reason: CodeErrorReason, attemptsLeft: number): string {
  switch (reason) {
    case 'wrong':
      return attemptsLeft > 0
        ? `That code is not right. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left.`
        : 'That code is not right, and that was the last try. Send a new code.';
    case 'expired':
      return 'This code has expired. Send a new one.';
    case 'too_many_attempts':
      return 'Too many wrong tries. Send a new code.';
    case 'used':
      return 'This code was already used. Send a new one.';
    case 'unknown':
      return 'This code is no longer valid. Send a new one.';
  }
}
