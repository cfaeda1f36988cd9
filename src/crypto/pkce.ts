/** RFC 7636: Proof Key for Code Exchange. */
import { hash } from 'node:crypto';
import { safeEqual } from './tokens.js';

export type PkceMethod = 'S256' | 'plain';

/** Section 4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~]; the challenge has the same form. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export const isValidVerifier = (value: string): boolean => VERIFIER.test(value);
export const isValidChallenge = (value: string): boolean => VERIFIER.test(value);

export function challengeFor(verifier: string, method: PkceMethod): string {
  return method === 'S256' ? hash('sha256', verifier, 'base64url') : verifier;
}

/** Section 4.6. */
export function verifyPkce(verifier: string, challenge: string, method: PkceMethod): boolean {
  return isValidVerifier(verifier) && safeEqual(challengeFor(verifier, method), challenge);
}
