/**
 * RFC 7515 compact serialisation, signing side only, for the ID tokens minted on every code
 * exchange and refresh. jose still generates, publishes and verifies the keys; this is the
 * one hot call. jose signs through WebCrypto, whose argument checks and algorithm
 * normalisation cost the event loop 76 µs per ES256 and 117 µs per RS256 signature on our
 * bench machine; node:crypto's sign with a callback costs it 27 and 52 µs and, like WebCrypto,
 * computes the signature on libuv's thread pool, off the event loop.
 */
import { type KeyObject, sign } from 'node:crypto';
import type { ActiveKey, SigningAlgorithm } from './signing-keys.js';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** RS256: RSASSA-PKCS1-v1_5 (node's default RSA padding); ES256: ECDSA with r || s, not DER (RFC 7518 3.4). */
function signature(alg: SigningAlgorithm, input: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, value: Buffer) => (error ? reject(error) : resolve(value));
    if (alg === 'ES256') sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, done);
    else sign('sha256', input, key, done);
  });
}

/** A signed JWT: `header.payload.signature`, each part base64url of its JSON or bytes. */
export async function signJwt(key: ActiveKey, payload: Record<string, unknown>): Promise<string> {
  const input = `${base64url(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(await signature(key.alg, Buffer.from(input, 'ascii'), key.key))}`;
}
