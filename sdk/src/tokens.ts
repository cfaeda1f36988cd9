/** What a sign-in or a refresh gives back, in a shape that survives JSON (for a session store). */
import type * as oauth from 'oauth4webapi';
import { scopeList } from './scopes.js';

/**
 * The claims of a validated ID token (OpenID Connect Core 2), with the ones Gatehouse adds
 * for the `email` and `phone` scopes.
 */
export interface IdTokenClaims {
  /** The issuer: Gatehouse's URL. */
  iss: string;
  /** The person's account id at Gatehouse. */
  sub: string;
  aud: string | string[];
  /** Expiry, in seconds since the epoch. */
  exp: number;
  /** Issued at, in seconds since the epoch. */
  iat: number;
  /** When the person last authenticated, in seconds since the epoch. */
  auth_time?: number;
  nonce?: string;
  /** The Gatehouse login session. */
  sid?: string;
  amr?: string[];
  acr?: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  [claim: string]: unknown;
}

/** Tokens from the token endpoint. Plain data: `JSON.stringify` it into a session as it is. */
export interface TokenSet {
  /** The bearer token for `getUser`, `tokenDetail` and `userInfo`. Opaque. */
  accessToken: string;
  /** `bearer`. */
  tokenType: string;
  /** When the access token expires, in seconds since the epoch (absent if Gatehouse did not say). */
  expiresAt?: number;
  /** Present when the client has the refresh_token grant and, with `openid`, `offline_access` was granted. */
  refreshToken?: string;
  /** The ID token (a JWT), for `logoutUrl({ idTokenHint })`. Present when `openid` was granted. */
  idToken?: string;
  /** The scopes granted: the person may have granted fewer than were asked. */
  scope: string[];
  /** The ID token's claims, validated (signature, issuer, audience, times, nonce). */
  claims?: IdTokenClaims;
}

export function toTokenSet(
  response: oauth.TokenEndpointResponse,
  claims: oauth.IDToken | undefined,
  now: number,
  requestedScope: readonly string[] = [],
): TokenSet {
  return {
    accessToken: response.access_token,
    tokenType: response.token_type,
    ...(response.expires_in !== undefined ? { expiresAt: Math.floor(now / 1000) + response.expires_in } : {}),
    ...(response.refresh_token !== undefined ? { refreshToken: response.refresh_token } : {}),
    ...(response.id_token !== undefined ? { idToken: response.id_token } : {}),
    // RFC 6749 section 5.1: an absent scope means the scope that was asked for.
    scope: response.scope !== undefined ? scopeList(response.scope) : [...requestedScope],
    ...(claims ? { claims: { ...claims } as IdTokenClaims } : {}),
  };
}
