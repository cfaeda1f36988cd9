/**
 * Opaque secrets: tokens, codes, challenges and client secrets. 256 random bits, base64url,
 * behind a prefix that says what the secret is (so a leaked one is recognisable in logs and
 * by secret scanners). Only the SHA-256 of a secret is stored; with 256 bits of entropy a
 * fast hash is as safe as a slow one and keeps lookups to one index probe.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export const prefixes = {
  accessToken: 'gh_at_',
  refreshToken: 'gh_rt_',
  authorizationCode: 'gh_ac_',
  clientSecret: 'gh_cs_',
  initialAccessToken: 'gh_iat_',
  registrationAccessToken: 'gh_rat_',
  challenge: '',
} as const;

export type SecretKind = keyof typeof prefixes;

export function newSecret(kind: SecretKind): string {
  return prefixes[kind] + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function newId(): string {
  return randomUUID();
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
