/** OpenID Connect Core 2 and 3.1.3.6: ID tokens, and reading an id_token_hint back. */
import { hash } from 'node:crypto';
import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { signJwt } from '../crypto/jws.js';
import type { SigningAlgorithm, SigningKeys } from '../crypto/signing-keys.js';
import { newId } from '../crypto/tokens.js';

/** Claims a consent app may not override through session.id_token. */
const RESERVED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'at_hash',
  'c_hash',
  'acr',
  'amr',
  'azp',
  'sid',
]);

export interface IdTokenInput {
  issuer: string;
  subject: string;
  clientId: string;
  audience?: string[];
  ttl: number;
  now: number;
  nonce?: string | null | undefined;
  accessToken?: string | undefined;
  authTime?: Date | null | undefined;
  acr?: string | null | undefined;
  amr?: string[] | undefined;
  sid?: string | null | undefined;
  extra?: Record<string, unknown> | undefined;
  alg: SigningAlgorithm;
}

/** at_hash: the left half of the SHA-256 of the access token (both RS256 and ES256 use SHA-256). */
export function atHash(accessToken: string): string {
  const digest = hash('sha256', accessToken, 'buffer');
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export async function signIdToken(keys: SigningKeys, input: IdTokenInput): Promise<string> {
  const key = await keys.active(input.alg);
  const extra = Object.fromEntries(Object.entries(input.extra ?? {}).filter(([name]) => !RESERVED.has(name)));
  const iat = Math.floor(input.now / 1000);
  const audience = [input.clientId, ...(input.audience ?? []).filter((a) => a !== input.clientId)];
  const payload: JWTPayload = {
    ...extra,
    iss: input.issuer,
    sub: input.subject,
    aud: audience.length === 1 ? input.clientId : audience,
    iat,
    exp: iat + input.ttl,
    jti: newId(),
    ...(input.authTime ? { auth_time: Math.floor(input.authTime.getTime() / 1000) } : {}),
    ...(input.nonce ? { nonce: input.nonce } : {}),
    ...(input.accessToken ? { at_hash: atHash(input.accessToken) } : {}),
    ...(input.acr ? { acr: input.acr } : {}),
    ...(input.amr && input.amr.length > 0 ? { amr: input.amr } : {}),
    ...(input.sid ? { sid: input.sid } : {}),
  };
  if (audience.length > 1) payload.azp = input.clientId;
  return signJwt(key, payload);
}

/**
 * Verifies an ID token this server issued, ignoring expiry (an id_token_hint is usually
 * expired: OIDC Core 3.1.2.1). Undefined when it is not one of ours.
 */
export async function readIdTokenHint(keys: SigningKeys, issuer: string, token: string): Promise<JWTPayload | undefined> {
  try {
    const jwks = createLocalJWKSet(await keys.jwks());
    const { payload } = await jwtVerify(token, jwks, {
      issuer,
      algorithms: ['RS256', 'ES256'],
      // Checked as of 1970, so that an expired hint still reads: the signature is what counts.
      currentDate: new Date(0),
    });
    return payload;
  } catch (err) {
    // Not a token of ours (malformed, another issuer, an unknown key, a bad signature); a
    // failure to read our own keys is not an answer about the token, and goes on.
    if (!(err instanceof errors.JOSEError)) throw err;
    return undefined;
  }
}
