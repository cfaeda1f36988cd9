import { describe, expect, it } from 'vitest';
import { DecryptionError, SecretBox } from './encryption.js';
import { challengeFor, isValidVerifier, verifyPkce } from './pkce.js';
import { hashesMatch, hashSecret, newSecret, safeEqual } from './tokens.js';

describe('PKCE (RFC 7636)', () => {
  it('computes S256 as in RFC 7636 appendix B', () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(challengeFor(verifier, 'S256')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(verifyPkce(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'S256')).toBe(true);
    expect(verifyPkce(verifier, verifier, 'plain')).toBe(true);
    expect(verifyPkce(`${verifier}x`, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'S256')).toBe(false);
  });

  it('accepts only 43 to 128 unreserved characters', () => {
    expect(isValidVerifier('a'.repeat(42))).toBe(false);
    expect(isValidVerifier('a'.repeat(43))).toBe(true);
    expect(isValidVerifier('a'.repeat(129))).toBe(false);
    expect(isValidVerifier(`${'a'.repeat(43)}+`)).toBe(false);
  });
});

describe('secrets', () => {
  it('are prefixed, random and stored as SHA-256', () => {
    const a = newSecret('accessToken');
    expect(a).toMatch(/^gh_at_[A-Za-z0-9_-]{43}$/);
    expect(newSecret('accessToken')).not.toBe(a);
    expect(hashSecret(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashSecret(a)).not.toContain(a.slice(6));
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(hashesMatch(hashSecret(a), hashSecret(a))).toBe(true);
    expect(hashesMatch(hashSecret(a), hashSecret(`${a}x`))).toBe(false);
    expect(hashesMatch(hashSecret(a), '')).toBe(false);
  });

  it('never hand out the same random bytes twice, across refills of the random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(newSecret('challenge'));
    expect(seen.size).toBe(1000);
    // Every secret is 32 random bytes, and the bytes look random (no run of zeros from an unfilled pool).
    for (const secret of [...seen].slice(0, 200)) {
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
      expect(Buffer.from(secret, 'base64url').equals(Buffer.alloc(32))).toBe(false);
    }
  });
});

describe('SecretBox (encryption at rest)', () => {
  const one = 'first-secret-of-at-least-32-characters!!';
  const two = 'second-secret-of-at-least-32-characters!';

  it('round-trips, and the context is authenticated', () => {
    const box = new SecretBox([one]);
    const sealed = box.encrypt('private key', 'signing-key:1');
    expect(sealed).not.toContain('private key');
    expect(box.decrypt(sealed, 'signing-key:1')).toBe('private key');
    expect(() => box.decrypt(sealed, 'signing-key:2')).toThrow(DecryptionError);
  });

  it('decrypts with an older secret after rotation, and not with a stranger', () => {
    const sealed = new SecretBox([one]).encrypt('x', 'c');
    expect(new SecretBox([two, one]).decrypt(sealed, 'c')).toBe('x');
    expect(() => new SecretBox([two]).decrypt(sealed, 'c')).toThrow(DecryptionError);
  });

  it('detects tampering', () => {
    const box = new SecretBox([one]);
    const parts = box.encrypt('secret value', 'c').split('.');
    parts[3] = Buffer.from('other value!').toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'c')).toThrow(DecryptionError);
  });
});
