/**
 * RFC 7515 compact serialisation, signing side only, for the ID tokens minted on every code
 * exchange and refresh. jose still generates, publishes and verifies the keys; this is the
 * one hot call. jose signs through WebCrypto, whose argument checks and algorithm
 * normalisation cost the event loop 76 µs per ES256 and 117 µs per RS256 signature on our
 * bench machine; node:crypto's sign costs less, and where the signature itself is cheap it
 * is made in place rather than handed to a thread:
 * - RS256 (280-330 µs of arithmetic per signature here) goes to libuv's thread pool with a
 *   callback: the event loop pays 40-85 µs to hand it over and get it back.
 * - ES256 is made synchronously: 32 µs in all, where the thread pool's hand-over and the
 *   thread's wake-up made 48-62 µs of process CPU out of it (8-24 µs of it on the loop).
 */
import { type KeyObject, sign } from 'node:crypto';
import type { ActiveKey, SigningAlgorithm } from './signing-keys.js';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** RS256: RSASSA-PKCS1-v1_5 (node's default RSA padding); ES256: ECDSA with r || s, not DER (RFC 7518 3.4). */
function signature(alg: SigningAlgorithm, input: Buffer, key: KeyObject): Buffer | Promise<Buffer> {
  if (alg === 'ES256') return sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
  return new Promise((resolve, reject) => {
    sign('sha256', input, key, (error, value) => (error ? reject(error) : resolve(value)));
  });
}

/** A signed JWT: `header.payload.signature`, each part base64url of its JSON or bytes. */
export async function signJwt(key: ActiveKey, payload: Record<string, unknown>): Promise<string> {
  const input = `${base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(await signature(key.alg, Buffer.from(input, 'ascii'), key.key))}`;
}
