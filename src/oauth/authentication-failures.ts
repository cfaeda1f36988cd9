/**
 * Failed client authentication, counted per client and client address (RATE_LIMIT_CLIENT_AUTH_FAILURES):
 * at the token and revocation endpoints (RFC 6749 2.3), RFC 7591's initial access token and
 * RFC 7592's registration access token. Only failures count, so a client that authenticates
 * correctly is never slowed, and a stranger failing from another address cannot lock it out.
 * Beyond the limit a failure is answered with Retry-After; each endpoint picks the shape its RFC asks.
 */
import type { RateLimiter } from '../accounts/rate-limit.js';
import type { RatePolicy } from '../config/config.js';

/** Who failed: a known client by id; anything unknown (an id nobody registered) counts under one name per address, so a guesser cannot mint keys. */
export type FailedCredential = { client: string } | { unknown: 'client' | 'initial_access_token' };

export class AuthenticationFailures {
  constructor(
    private readonly limiter: Pick<RateLimiter, 'hit'>,
    private readonly policy: RatePolicy,
  ) {}

  /** Counts one failure; the seconds until its window ends when the limit is passed, undefined within it. */
  async count(who: FailedCredential, address: string): Promise<number | undefined> {
    const name = 'client' in who ? `client:${who.client}` : `unknown:${who.unknown}`;
    const result = await this.limiter.hit(`auth-failure:${name}:${address}`, this.policy.limit, this.policy.windowSeconds);
    return result.allowed ? undefined : result.retryAfterSeconds;
  }
}

export const tooManyFailures = (retryAfterSeconds: number) =>
  `Too many failed authentications from this address; try again in ${retryAfterSeconds} seconds.`;
