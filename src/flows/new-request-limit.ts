/**
 * How many new authorization requests one network may start. Each is a stored row until it
 * expires, so one address may only start so many (RATE_LIMIT_AUTHORIZATION_REQUESTS).
 */
import type { RateLimiter } from '../accounts/rate-limit.js';
import type { RatePolicy } from '../config/config.js';
import { OAuthError } from '../oauth/errors.js';

export interface NewRequestLimit {
  limiter: Pick<RateLimiter, 'hit'>;
  policy: RatePolicy;
}

/**
 * Counts a new request of `address` (addressBucket). Refused with RFC 6749 4.1.2.1's
 * temporarily_unavailable, sent back to the client: the client and redirect URI are trusted
 * by now, and the client is the one waiting for an answer it can act on (a "try again later"
 * in its own page); a 429 page here would strand the person on a page the client never hears of.
 */
export async function admitNewRequest(limit: NewRequestLimit, address: string): Promise<void> {
  const { limit: allowed, windowSeconds } = limit.policy;
  const result = await limit.limiter.hit(`authorize:${address}`, allowed, windowSeconds);
  if (!result.allowed) {
    throw new OAuthError(
      'temporarily_unavailable',
      `Too many sign-in requests from this network; try again in ${result.retryAfterSeconds} seconds.`,
      // Below 500, so it is redirected to the client like every other refusal of phase 2.
      { status: 429, debug: `new authorization request limit reached for ${address}` },
    );
  }
}
