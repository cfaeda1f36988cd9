/**
 * Opaque secrets: tokens, codes, challenges and client secrets. 256 random bits, base64url,
 * behind a prefix that says what the secret is (so a leaked one is recognisable in logs and
 * by secret scanners). Only the SHA-256 of a secret is stored; with 256 bits of entropy a
 * fast hash is as safe as a slow one and keeps lookups to one index probe.
 */
import { hash, randomFillSync, randomUUID, timingSafeEqual } from 'node:crypto';

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

const SECRET_BYTES = 32;

/**
 * Random bytes drawn from the CSPRNG 128 secrets at a time (as Node does for randomUUID): one
 * call into the kernel per 128 tokens instead of one per token, measurable on the token
 * endpoint. Every byte is handed out once.
 */
const pool = Buffer.alloc(SECRET_BYTES * 128);
let poolOffset = pool.length;

function randomSecretBytes(): Buffer {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + SECRET_BYTES);
  poolOffset += SECRET_BYTES;
  return bytes;
}

export function newSecret(kind: SecretKind): string {
  return prefixes[kind] + randomSecretBytes().toString('base64url');
}

// One-shot `hash` (Node 20.12): a third of createHash().update().digest()'s cost, which makes
// no Hash object per call; every request to the token, introspection and userinfo routes hashes.
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'base64url');
}

/** Whether a presented secret's hash is a stored one, in constant time (both are SHA-256, so one length). */
export function hashesMatch(presentedHash: string, storedHash: string): boolean {
  const a = Buffer.from(presentedHash);
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newId(): string {
  return randomUUID();
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  return matchesSecret(b)(a);
}

/**
 * safeEqual against one fixed secret, its hash taken once: for a check on every request
 * (the admin token), which then hashes only what was presented.
 */
export function matchesSecret(secret: string): (presented: string) => boolean {
  const expected = hash('sha256', secret, 'buffer');
  return (presented) => timingSafeEqual(hash('sha256', presented, 'buffer'), expected);
}
