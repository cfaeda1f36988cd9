import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signJwt } from './jws.js';

describe.each(['RS256', 'ES256'] as const)('signJwt with %s', (alg) => {
  async function keyPair() {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
    const jwk = await exportJWK(privateKey);
    return { publicKey, signing: { alg, kid: `kid-${alg}`, key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }) } };
  }

  it('makes a compact JWS that jose verifies, with the header and claims given', async () => {
    const { publicKey, signing } = await keyPair();
    const payload = {
      iss: 'https://id.example',
      sub: 'acc_1',
      aud: ['a', 'b'],
      iat: 1_700_000_000,
      exp: 4_000_000_000,
      név: 'ünïcode',
    };
    const token = await signJwt(signing, payload);

    expect(token.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: `kid-${alg}`, typ: 'JWT' });
    const verified = await jwtVerify(token, publicKey, { algorithms: [alg], issuer: 'https://id.example', audience: 'b' });
    expect(verified.payload).toEqual(payload);
    if (alg === 'ES256') {
      // RFC 7518 3.4: r || s, 64 bytes, not the DER that OpenSSL produces by default.
      expect(Buffer.from(token.split('.')[2] as string, 'base64url')).toHaveLength(64);
    }
  });

  it('makes a signature that fails for any other payload or key', async () => {
    const { signing } = await keyPair();
    const other = await keyPair();
    const token = await signJwt(signing, { sub: 'acc_1' });
    const [header, , sig] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'acc_2' })).toString('base64url')}.${sig}`;
    const own = createPublicKey(signing.key);
    await expect(compactVerify(forged, own)).rejects.toThrow(/signature verification failed/);
    await expect(compactVerify(token, other.publicKey)).rejects.toThrow(/signature verification failed/);
    await expect(compactVerify(token, own)).resolves.toBeDefined();
  });
});
