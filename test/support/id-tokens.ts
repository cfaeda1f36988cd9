/**
 * ID tokens checked the way a relying party checks them: the key set found through discovery,
 * the signature verified with jose, and at_hash recomputed from the access token.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, type JWTVerifyResult, jwtVerify } from 'jose';
import type { TestGatehouse } from './harness.js';

export type KeySet = ReturnType<typeof createLocalJWKSet>;

/** The JWKS at the jwks_uri that discovery names; throws when discovery and issuer disagree. */
export async function publishedKeys(t: TestGatehouse): Promise<KeySet> {
  const discovery = await t.publicApp.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
  if (discovery.statusCode !== 200) throw new Error(`discovery answered ${discovery.statusCode}`);
  const { issuer, jwks_uri } = discovery.json() as { issuer: string; jwks_uri: string };
  if (issuer !== t.issuer) throw new Error(`discovery names issuer ${issuer}, expected ${t.issuer}`);
  const where = new URL(jwks_uri);
  if (where.origin !== new URL(t.issuer).origin) throw new Error(`jwks_uri ${jwks_uri} is not on the issuer`);
  const jwks = await t.publicApp.inject({ method: 'GET', url: where.pathname });
  if (jwks.statusCode !== 200) throw new Error(`${where.pathname} answered ${jwks.statusCode}`);
  return createLocalJWKSet(jwks.json());
}

/**
 * Verifies signature, iss, aud and exp as of `now` (the server's clock, which the tests move);
 * the error says which check failed.
 */
export async function verifyIdToken(
  keys: KeySet,
  token: string,
  expected: { issuer: string; audience: string; now: number },
): Promise<JWTVerifyResult | Error> {
  try {
    return await jwtVerify(token, keys, {
      issuer: expected.issuer,
      audience: expected.audience,
      algorithms: ['RS256', 'ES256'],
      currentDate: new Date(expected.now),
    });
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** OIDC Core 3.1.3.6: base64url of the left half of the access token's hash, the hash of the JWS alg. */
export function atHashFor(accessToken: string, alg: string): string {
  const bits = /^(?:RS|ES|PS)(256|384|512)$/.exec(alg)?.[1];
  if (!bits) throw new Error(`no at_hash rule for alg ${alg}`);
  const digest = createHash(`sha${bits}`).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
