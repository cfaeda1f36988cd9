/** Properties of RFC 7636 PKCE: the verifier grammar, and S256 / plain verification. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { challengeFor, isValidChallenge, isValidVerifier, type PkceMethod, verifyPkce } from './pkce.js';

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const unreserved = fc.constantFrom(...UNRESERVED.split(''));
const verifier = fc.string({ unit: unreserved, minLength: 43, maxLength: 128 });
const method = fc.constantFrom<PkceMethod>('S256', 'plain');
// A reference reading of section 4.1, without a regular expression.
const reference = (v: string) => v.length >= 43 && v.length <= 128 && [...v].every((c) => UNRESERVED.includes(c));

const numRuns = 300;

describe('PKCE (property)', () => {
  it('accepts as a verifier exactly the 43 to 128 unreserved characters of section 4.1', () => {
    const near = fc.oneof(
      verifier,
      fc.string({ unit: unreserved, minLength: 0, maxLength: 140 }),
      fc.string({ unit: fc.constantFrom('a', '+', '/', '=', ' ', '%', '\n', 'é', '\x00'), minLength: 40, maxLength: 130 }),
      fc.tuple(verifier, fc.constantFrom('\n', ' ', '=', '\x00')).map(([v, end]) => v.slice(0, 127) + end),
    );
    fc.assert(
      fc.property(near, (v) => {
        expect(isValidVerifier(v)).toBe(reference(v));
        expect(isValidChallenge(v)).toBe(reference(v));
      }),
      { numRuns },
    );
  });

  it('verifies a verifier against its own challenge, by either method', () => {
    fc.assert(
      fc.property(verifier, method, (v, m) => {
        const challenge = challengeFor(v, m);
        expect(isValidChallenge(challenge)).toBe(true);
        expect(verifyPkce(v, challenge, m)).toBe(true);
      }),
      { numRuns },
    );
  });

  it('computes S256 as BASE64URL(SHA256(ASCII(verifier))) without padding (section 4.2)', () => {
    fc.assert(
      fc.property(verifier, (v) => {
        const expected = createHash('sha256').update(Buffer.from(v, 'ascii')).digest('base64').replace(/=+$/, '');
        expect(challengeFor(v, 'S256')).toBe(expected.replaceAll('+', '-').replaceAll('/', '_'));
        expect(challengeFor(v, 'S256')).toHaveLength(43);
      }),
      { numRuns },
    );
  });

  it('refuses another verifier, the challenge itself under S256, and any malformed verifier', () => {
    fc.assert(
      fc.property(verifier, verifier, method, fc.string({ maxLength: 130 }), (v, other, m, junk) => {
        const challenge = challengeFor(v, m);
        if (other !== v) expect(verifyPkce(other, challenge, m)).toBe(false);
        // Sending the S256 challenge as the verifier must not pass (it is what an eavesdropper saw).
        if (m === 'S256') expect(verifyPkce(challenge, challenge, 'S256')).toBe(false);
        if (!reference(junk)) expect(verifyPkce(junk, junk, 'plain')).toBe(false);
      }),
      { numRuns },
    );
  });
});
