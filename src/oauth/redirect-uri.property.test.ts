/** Properties of redirect URI registration and matching (RFC 9700 4.1.3, RFC 8252 7.3). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ApplicationType, matchRedirectUri, redirectUriProblem } from './redirect-uri.js';

const appType = fc.constantFrom<ApplicationType>('web', 'native');
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
// The last label starts with a letter: WHATWG URL reads a host ending in a number as IPv4.
const tld = fc.stringMatching(/^[a-z][a-z0-9]{1,5}$/);
const host = fc.tuple(fc.array(label, { minLength: 1, maxLength: 2 }), tld).map(([l, t]) => [...l, t].join('.'));
const segment = fc.stringMatching(/^[A-Za-z0-9._~!$&'()+,;=:@-]{0,10}$/);
const path = fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`);
const query = fc.option(fc.stringMatching(/^[A-Za-z0-9=&._-]{0,12}$/), { nil: undefined }).map((q) => (q ? `?${q}` : ''));
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }).map((p) => (p ? `:${p}` : ''));
const httpsUri = fc.tuple(host, port, path, query).map(([h, p, pa, q]) => `https://${h}${p}${pa}${q}`);
const loopback = fc.constantFrom('127.0.0.1', '[::1]', 'localhost');
const loopbackUri = fc.tuple(loopback, port, path, query).map(([h, p, pa, q]) => `http://${h}${p}${pa}${q}`);
// Everything a hostile or careless registration might send.
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.tuple(httpsUri, fc.constantFrom('#', '#x', '*', ' ', '<', '"', '\t', '\n')).map(([u, s]) => u + s),
  fc
    .tuple(fc.constantFrom('javascript', 'data', 'file', 'vbscript', 'blob', 'about', 'JavaScript'), path)
    .map(([s, p]) => `${s}:${p}`),
  fc
    .tuple(fc.constantFrom('http', 'https'), fc.constantFrom('user@', 'user:pw@', ':pw@'), host, path)
    .map(([s, c, h, p]) => `${s}://${c}${h}${p}`),
  fc.tuple(host, path).map(([h, p]) => `http://${h}${p}`),
);

const numRuns = 300;

describe('redirectUriProblem (property)', () => {
  it('accepts every https URI and every loopback http URI, for either kind of application', () => {
    fc.assert(
      fc.property(fc.oneof(httpsUri, loopbackUri), appType, (uri, type) => {
        expect(redirectUriProblem(uri, type)).toBeUndefined();
      }),
      { numRuns },
    );
  });

  it('never throws, and accepts nothing with a fragment, wildcard, credentials, blank or unsafe scheme', () => {
    fc.assert(
      fc.property(hostile, appType, (uri, type) => {
        const problem = redirectUriProblem(uri, type);
        if (problem !== undefined) {
          expect(typeof problem).toBe('string');
          return;
        }
        const url = new URL(uri);
        expect(uri).not.toMatch(/[#*\s<>"]/);
        expect(url.username + url.password).toBe('');
        expect(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']).not.toContain(url.protocol);
        if (url.protocol === 'http:') expect(['127.0.0.1', '[::1]', 'localhost']).toContain(url.hostname);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          // Only a native app's private-use scheme (RFC 8252 7.1).
          expect(type).toBe('native');
          expect(url.protocol).toContain('.');
        }
      }),
      { numRuns },
    );
  });

  it('gives web applications no private-use schemes, and native ones only reverse-domain ones', () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^\/[a-z]{0,8}$/), (parts, p) => {
        const scheme = parts.map((x) => (/^[a-z]/.test(x) ? x : `a${x}`)).join('.');
        const uri = `${scheme}:${p}`;
        expect(redirectUriProblem(uri, 'web')).toBeTypeOf('string');
        expect(redirectUriProblem(uri, 'native') === undefined).toBe(scheme.includes('.'));
      }),
      { numRuns },
    );
  });
});

describe('matchRedirectUri (property)', () => {
  it('is exact string matching for web applications', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(httpsUri, loopbackUri), { maxLength: 4 }),
        fc.oneof(httpsUri, loopbackUri, hostile),
        (registered, asked) => {
          expect(matchRedirectUri(asked, registered, 'web')).toBe(registered.includes(asked) ? asked : undefined);
        },
      ),
      { numRuns },
    );
  });

  it('lets a native loopback redirect change only its port (RFC 8252 7.3), never throwing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(httpsUri, loopbackUri), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.oneof(httpsUri, loopbackUri, hostile),
        (registered, newPort, other) => {
          for (const uri of registered) {
            const moved = new URL(uri);
            if (moved.protocol === 'http:' && moved.hostname !== 'localhost') {
              moved.port = String(newPort);
              expect(matchRedirectUri(moved.href, registered, 'native')).toBe(moved.href);
            }
          }
          const result = matchRedirectUri(other, registered, 'native');
          if (result !== undefined && !registered.includes(other)) {
            const asked = new URL(other);
            expect(asked.protocol).toBe('http:');
            expect(['127.0.0.1', '[::1]']).toContain(asked.hostname);
            expect(
              registered.some((r) => {
                const u = new URL(r);
                return (
                  u.protocol === 'http:' &&
                  u.hostname === asked.hostname &&
                  u.pathname === asked.pathname &&
                  u.search === asked.search
                );
              }),
            ).toBe(true);
          }
        },
      ),
      { numRuns },
    );
  });
});
