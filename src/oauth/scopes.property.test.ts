/** Properties of the RFC 6749 section 3.3 scope parser, checked against the grammar itself. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OAuthError } from './errors.js';
import { formatScope, parseScope } from './scopes.js';

// The grammar written out independently of the parser: scope-token characters and the
// separating space, nothing else.
const TOKEN_CHARS = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const WHOLE_SCOPE = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

const tokenChar = fc.constantFrom(
  ...Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '"' && c !== '\\'),
);
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 });
// Anything at all, with the interesting characters made likely.
const anyScope = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '\t', '\n', '\x00', '\x7f', 'é', '\u00a0'), maxLength: 20 }),
  fc.array(token, { maxLength: 5 }).map((t) => t.join(' ')),
);

const numRuns = 300;

describe('parseScope (property)', () => {
  it('accepts exactly the strings of the grammar, and throws only invalid_scope otherwise', () => {
    fc.assert(
      fc.property(anyScope, (raw) => {
        let parsed: string[] | undefined;
        try {
          parsed = parseScope(raw);
        } catch (err) {
          expect(err).toBeInstanceOf(OAuthError);
          expect((err as OAuthError).error).toBe('invalid_scope');
        }
        expect(parsed !== undefined).toBe(WHOLE_SCOPE.test(raw));
      }),
      { numRuns },
    );
  });

  it('round-trips a list of tokens through formatScope, removing duplicates and keeping first order', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (tokens) => {
        expect(parseScope(formatScope(tokens))).toEqual([...new Set(tokens)]);
      }),
      { numRuns },
    );
  });

  it('is idempotent: what it returns parses to itself, with only well-formed, distinct tokens', () => {
    fc.assert(
      fc.property(anyScope, (raw) => {
        fc.pre(WHOLE_SCOPE.test(raw));
        const once = parseScope(raw);
        expect(parseScope(formatScope(once))).toEqual(once);
        expect(new Set(once).size).toBe(once.length);
        for (const t of once) expect(t).toMatch(TOKEN_CHARS);
      }),
      { numRuns },
    );
  });

  it('refuses any token with a character outside the grammar, wherever it sits', () => {
    const outside = fc.constantFrom('"', '\\', '\t', '\n', '\r', '\x00', '\x7f', 'é', '\u2028', '\u00a0', '😀');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 3 }), outside, fc.array(token, { maxLength: 3 }), (before, bad, after) => {
        expect(() => parseScope([...before, bad, ...after].join(' '))).toThrow(OAuthError);
        expect(() => parseScope(`${before.join(' ')}${bad}${after.join(' ')}`)).toThrow(OAuthError);
      }),
      { numRuns },
    );
  });

  it('treats runs of spaces as one separator and an absent scope as none', () => {
    expect(parseScope(undefined)).toEqual([]);
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (tokens, spaces) => {
        const sep = ' '.repeat(spaces);
        expect(parseScope(`${sep}${tokens.join(sep)}${sep}`)).toEqual([...new Set(tokens)]);
      }),
      { numRuns },
    );
  });
});
