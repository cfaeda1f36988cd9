/**
 * Signing in to the admin console: the admin token (compared in constant time) and a name for
 * the audit log, every attempt counted per address and from all addresses together, so the
 * token cannot be found by trying faster, nor by trying from many addresses.
 */
import type { RateLimiter } from '../accounts/rate-limit.js';
import { safeEqual } from '../crypto/tokens.js';
import { type Actor, identify } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import { type ConsoleSessions, operatorNameProblem } from './operator-sessions.js';

/** Sign-in attempts per address and window. Every attempt counts, so the token cannot be found by trying faster. */
export const LOGIN_ATTEMPTS = 10;
/**
 * And from all addresses together: the per-address limit alone does not bound a guesser who
 * has many addresses (or a TRUST_PROXY set wider than the proxies in front of Gatehouse).
 */
export const LOGIN_ATTEMPTS_ALL = 120;
export const LOGIN_WINDOW_SECONDS = 15 * 60;

export interface SignInErrors {
  operator?: string | undefined;
  token?: string | undefined;
  form?: string | undefined;
}

/** A session cookie value to set, or what to show next to the form's fields. */
export type SignInOutcome = { session: string } | { status: number; errors: SignInErrors; retryAfterSeconds?: number };

export interface ConsoleSignInDeps {
  sessions: ConsoleSessions;
  limiter: Pick<RateLimiter, 'hit'>;
  events: EventSink;
  /** Undefined when ADMIN_TOKEN=none: the name alone signs in. */
  adminToken: string | undefined;
}

export class ConsoleSignIn {
  constructor(private readonly deps: ConsoleSignInDeps) {}

  async attempt(actor: Actor, typed: { operator: string; token: string; address: string }): Promise<SignInOutcome> {
    const { operator, token } = typed;
    const nameProblem = operatorNameProblem(operator);
    const adminToken = this.deps.adminToken;
    if (adminToken !== undefined) {
      const limits = [
        await this.deps.limiter.hit(`console-login:${typed.address}`, LOGIN_ATTEMPTS, LOGIN_WINDOW_SECONDS),
        await this.deps.limiter.hit('console-login:*', LOGIN_ATTEMPTS_ALL, LOGIN_WINDOW_SECONDS),
      ];
      const refused = limits.find((limit) => !limit.allowed);
      if (refused) {
        const minutes = Math.ceil(refused.retryAfterSeconds / 60);
        const form = `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or use the admin API with the token.`;
        return { status: 429, errors: { form }, retryAfterSeconds: refused.retryAfterSeconds };
      }
      if (!safeEqual(token, adminToken)) {
        // The typed name is unproven here: recorded as a claim, not as the actor.
        if (token) {
          identify(actor, 'anonymous');
          await this.deps.events.emit({ type: 'console.sign_in_failed', claimed: operator.slice(0, 100) }, actor);
        }
        const errors = { token: token ? 'That is not the admin token.' : 'Enter the admin token.', operator: nameProblem };
        return { status: 401, errors };
      }
    }
    if (nameProblem) return { status: 400, errors: { operator: nameProblem } };
    identify(actor, 'operator', operator);
    await this.deps.events.emit({ type: 'console.signed_in', operator }, actor);
    return { session: await this.deps.sessions.issue(operator) };
  }
}
