/**
 * How many clients may be registered, by whom: per credential (an initial access token at
 * RFC 7591's endpoint, or a developer account in the portal) and per client address, whichever
 * way. Each registration is a pending client that stays until an operator acts on it, so an
 * unlimited token (or a script in the portal) could otherwise bury the review queue.
 */
import type { RateLimiter } from '../accounts/rate-limit.js';
import type { RatePolicy } from '../config/config.js';
import { tooManyRequests } from '../errors.js';

export type RegistrationCredential = { initialAccessToken: string } | { developerAccount: string };

export interface RegistrationLimitsDeps {
  limiter: Pick<RateLimiter, 'hit'>;
  /** RATE_LIMIT_REGISTRATIONS */
  perCredential: RatePolicy;
  /** RATE_LIMIT_REGISTRATIONS_PER_ADDRESS */
  perAddress: RatePolicy;
}

export class RegistrationLimits {
  constructor(private readonly deps: RegistrationLimitsDeps) {}

  /** Counts one registration attempt; throws 429 when the credential or the address has had its share. */
  async admit(credential: RegistrationCredential, address: string): Promise<void> {
    const key =
      'initialAccessToken' in credential
        ? `register:token:${credential.initialAccessToken}`
        : `register:developer:${credential.developerAccount}`;
    const { perCredential, perAddress } = this.deps;
    // The address first: an attempt it refuses does not spend the credential's budget, which
    // its holder may be using from elsewhere.
    const byAddress = await this.deps.limiter.hit(`register:address:${address}`, perAddress.limit, perAddress.windowSeconds);
    if (!byAddress.allowed) {
      throw tooManyRequests(
        `Too many clients registered from this network; try again in ${byAddress.retryAfterSeconds} seconds.`,
        byAddress.retryAfterSeconds,
      );
    }
    const byCredential = await this.deps.limiter.hit(key, perCredential.limit, perCredential.windowSeconds);
    if (!byCredential.allowed) {
      throw tooManyRequests(
        `Too many clients registered with this ${'initialAccessToken' in credential ? 'initial access token' : 'account'}; try again in ${byCredential.retryAfterSeconds} seconds.`,
        byCredential.retryAfterSeconds,
      );
    }
  }
}
