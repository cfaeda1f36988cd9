/**
 * How long things live and how often they may happen: tokens, codes, challenges, sessions and
 * audit entries; the per-client and per-address rate limits; the ID token's algorithm and the
 * account id scope's name.
 */
import { oneOf, rate, scopeName, seconds, secondsUpTo, setting } from './parsers.js';

export const protocolSettings = {
  accessTokenTtl: setting({
    env: 'TTL_ACCESS_TOKEN',
    default: '24h',
    description: 'Access token lifetime.',
    parse: seconds,
  }),
  refreshTokenTtl: setting({
    env: 'TTL_REFRESH_TOKEN',
    default: '30d',
    description: 'Refresh token lifetime.',
    parse: seconds,
  }),
  authorizationCodeTtl: setting({
    env: 'TTL_AUTH_CODE',
    default: '10m',
    description: 'Authorization code lifetime.',
    parse: seconds,
  }),
  idTokenTtl: setting({ env: 'TTL_ID_TOKEN', default: '1h', description: 'ID token lifetime.', parse: seconds }),
  flowTtl: setting({
    env: 'TTL_LOGIN_CONSENT_REQUEST',
    default: '30m',
    description: 'How long a login, consent or logout challenge stays usable.',
    parse: seconds,
  }),
  loginSessionTtl: setting({
    env: 'TTL_LOGIN_SESSION',
    default: '30d',
    description: 'Upper bound of a remembered login session (`remember_for: 0` means this long).',
    parse: seconds,
  }),
  auditRetention: setting({
    env: 'AUDIT_RETENTION',
    default: '400d',
    description: 'How long audit log entries are kept before the background clean-up removes them.',
    parse: seconds,
  }),
  auditFoldWindow: setting({
    env: 'AUDIT_FOLD_WINDOW',
    default: '10m',
    description:
      'Repeated failures (a client failing to authenticate, a wrong second factor, a failed console sign-in) are written as one audit entry per failure kind, target and window of this length, with a `count` and the `last_at` of the latest (at most `1d`).',
    parse: secondsUpTo(86_400),
  }),
  rateLimitAuthorizationRequests: setting({
    env: 'RATE_LIMIT_AUTHORIZATION_REQUESTS',
    default: '60/10m',
    description:
      'New authorization requests (each one a login request kept for `TTL_LOGIN_CONSENT_REQUEST`) one client address may start (an IPv6 address counts by its /64); beyond it the browser goes back to the client with `temporarily_unavailable`. Raise it when many people share one address (a campus or carrier NAT).',
    parse: rate,
  }),
  rateLimitClientAuthFailures: setting({
    env: 'RATE_LIMIT_CLIENT_AUTH_FAILURES',
    default: '10/10m',
    description:
      'Failed client authentications (token, revocation, RFC 7592 client configuration endpoints) counted per client and address; beyond it the failures are answered 429 with `Retry-After` (401 with Basic, as RFC 6749 5.2 requires).',
    parse: rate,
  }),
  rateLimitRegistrations: setting({
    env: 'RATE_LIMIT_REGISTRATIONS',
    default: '20/1h',
    description:
      'Clients that one initial access token (RFC 7591 `/oauth2/register`) or one developer account (the developer portal) may register; beyond it 429.',
    parse: rate,
  }),
  rateLimitRegistrationsPerAddress: setting({
    env: 'RATE_LIMIT_REGISTRATIONS_PER_ADDRESS',
    default: '20/1h',
    description: 'Clients that one client address may register, by either way, whatever credential it holds; beyond it 429.',
    parse: rate,
  }),
  cleanupInterval: setting({
    env: 'CLEANUP_INTERVAL',
    default: '10m',
    description:
      'How often the background clean-up removes expired codes, challenges, tokens, sessions and one-time codes (at most `1d`).',
    // A timer cannot wait longer than 2^31 - 1 ms (about 24.8 days); a day is plenty.
    parse: secondsUpTo(86_400),
  }),
  idTokenAlgorithm: setting({
    env: 'ID_TOKEN_ALG',
    default: 'RS256',
    description: 'Default ID token signing algorithm (a client may ask for the other one).',
    parse: oneOf('RS256', 'ES256'),
  }),
  accountIdScope: setting({
    env: 'ACCOUNT_ID_SCOPE',
    default: 'GatehouseID',
    description: 'Name of the scope (and the field) that shares the account id.',
    parse: scopeName,
  }),
};
