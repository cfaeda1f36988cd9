/** Properties of reading client credentials (RFC 6749 2.3.1): Basic, form post, or none. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readClientCredentials } from './client-authentication.js';
import { AuthenticationFailed, OAuthError } from './errors.js';
import { readParams } from './params.js';

// RFC 6749 2.3.1 / appendix B: each part is application/x-www-form-urlencoded, then base64.
const formEncode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
const basic = (id: string, secret: string, scheme = 'Basic') =>
  `${scheme} ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`, 'utf8').toString('base64')}`;

const text = fc.string({ unit: 'binary', maxLength: 30 });
const clientId = text.filter((s) => s.length > 0 && !/\p{Cc}/u.test(s));
const noParams = readParams({});

const numRuns = 300;

describe('readClientCredentials (property)', () => {
  it('round-trips any client id and secret through form-urlencoded Basic, whatever the scheme case', () => {
    fc.assert(
      fc.property(clientId, text, fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc'), (id, secret, scheme) => {
        expect(readClientCredentials(basic(id, secret, scheme), noParams)).toEqual({
          method: 'client_secret_basic',
          clientId: id,
          secret,
        });
      }),
      { numRuns },
    );
  });

  it('refuses a client id with a control character as malformed Basic (401 with the challenge)', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 0x1f }), text, text, (before, code, after, secret) => {
        const header = basic(`${before}${String.fromCharCode(code)}${after}`, secret);
        const error = (() => {
          try {
            readClientCredentials(header, noParams);
          } catch (err) {
            return err;
          }
        })();
        expect(error).toBeInstanceOf(AuthenticationFailed);
        expect((error as AuthenticationFailed).usedBasic).toBe(true);
        expect((error as AuthenticationFailed).status).toBe(401);
      }),
      { numRuns },
    );
  });

  it('throws nothing but an OAuth error for any Authorization header and body', () => {
    const header = fc.oneof(
      fc.constant(undefined),
      text,
      text.map((s) => `Basic ${s}`),
      fc.string({ unit: fc.constantFrom('A', 'b', '=', '+', '/', '%', ':', '-'), maxLength: 20 }).map((s) => `Basic ${s}`),
      fc.tuple(text, text).map(([a, b]) => `Basic ${Buffer.from(`${a}:${b}`).toString('base64')}`),
      fc.uint8Array({ maxLength: 24 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
    );
    const body = fc.record({
      client_id: fc.option(text, { nil: undefined }),
      client_secret: fc.option(text, { nil: undefined }),
    });
    fc.assert(
      fc.property(header, body, (authorization, raw) => {
        try {
          const result = readClientCredentials(authorization, readParams(raw));
          expect(['client_secret_basic', 'client_secret_post', 'none']).toContain(result.method);
          expect(typeof result.clientId).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(OAuthError);
          expect(['invalid_request', 'invalid_client']).toContain((err as OAuthError).error);
        }
      }),
      { numRuns },
    );
  });

  it('uses exactly one method: Basic with a body secret is refused, a differing body client_id too', () => {
    fc.assert(
      fc.property(clientId, text, clientId, text, (id, secret, otherId, bodySecret) => {
        fc.pre(bodySecret !== '' && otherId !== id);
        const both = () => readClientCredentials(basic(id, secret), readParams({ client_secret: bodySecret }));
        expect(both).toThrow(expect.objectContaining({ error: 'invalid_request' }));
        const mismatch = () => readClientCredentials(basic(id, secret), readParams({ client_id: otherId }));
        expect(mismatch).toThrow(expect.objectContaining({ error: 'invalid_request' }));
        expect(readClientCredentials(basic(id, secret), readParams({ client_id: id })).clientId).toBe(id);
      }),
      { numRuns },
    );
  });

  it('reads the body: a secret means client_secret_post, none means a public client, no id means 401', () => {
    fc.assert(
      fc.property(clientId, fc.option(text, { nil: undefined }), (id, secret) => {
        const got = readClientCredentials(undefined, readParams({ client_id: id, client_secret: secret }));
        if (secret) expect(got).toEqual({ method: 'client_secret_post', clientId: id, secret });
        else expect(got).toEqual({ method: 'none', clientId: id });
        expect(() => readClientCredentials(undefined, readParams({ client_secret: secret }))).toThrow(
          expect.objectContaining({ error: 'invalid_client', status: 401 }),
        );
      }),
      { numRuns },
    );
  });
});
