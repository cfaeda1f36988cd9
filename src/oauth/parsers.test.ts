import { describe, expect, it } from 'vitest';
import { OAuthError } from './errors.js';
import { parseForm, readParams } from './params.js';
import { matchRedirectUri, redirectUriProblem } from './redirect-uri.js';
import { parseScope, ScopeCatalogue } from './scopes.js';

describe('readParams (RFC 6749 3.1)', () => {
  it('treats empty values as omitted and refuses repeated parameters', () => {
    const params = readParams(parseForm('a=1&b=&c=3'));
    expect(params.get('a')).toBe('1');
    expect(params.has('b')).toBe(false);
    expect(() => readParams(parseForm('grant_type=a&grant_type=b'))).toThrow(/more than once/);
    // A repeated empty value is still one value.
    expect(readParams(parseForm('x=&x=1')).get('x')).toBe('1');
  });

  it('refuses oversized values', () => {
    expect(() => readParams({ state: 'x'.repeat(5000) })).toThrow(OAuthError);
  });

  it('keeps __proto__ as a plain parameter name', () => {
    const raw = parseForm('__proto__=x&a=1');
    expect(Object.getPrototypeOf(raw)).toBeNull();
    expect(readParams(raw).get('__proto__')).toBe('x');
  });
});

describe('scopes (RFC 6749 3.3)', () => {
  it('splits on spaces, dedupes, and refuses characters outside scope-token', () => {
    expect(parseScope('openid  Email openid')).toEqual(['openid', 'Email']);
    expect(parseScope(undefined)).toEqual([]);
    expect(() => parseScope('a"b')).toThrow(/malformed/);
    expect(() => parseScope('a\\b')).toThrow(/malformed/);
    expect(() => parseScope('é')).toThrow(/malformed/);
  });

  it('knows the catalogue, with the account-id scope renamed by configuration', () => {
    const catalogue = new ScopeCatalogue('GalxeID');
    expect(catalogue.has('GalxeID')).toBe(true);
    expect(catalogue.has('GatehouseID')).toBe(false);
    expect(catalogue.get('Twitter')?.fields).toEqual(['TwitterUsername', 'TwitterUserID']);
    expect(() => catalogue.assertKnown(['openid', 'Nope'])).toThrow(/"Nope" is not supported/);
  });
});

describe('redirect URIs', () => {
  it.each([
    ['https://app.example/cb', 'web', undefined],
    ['http://127.0.0.1:8080/cb', 'web', undefined],
    ['http://localhost/cb', 'web', undefined],
    ['http://app.example/cb', 'web', 'must use https'],
    ['https://app.example/cb#x', 'web', 'fragment'],
    ['https://*.example/cb', 'web', 'wildcard'],
    ['javascript:alert(1)', 'web', 'javascript'],
    ['com.example.app:/cb', 'native', undefined],
    ['com.example.app:/cb', 'web', 'must use https'],
    ['relative/path', 'web', 'absolute'],
    ['https://user:pw@app.example/cb', 'web', 'credentials'],
  ] as const)('%s for a %s client', (uri, type, problem) => {
    const found = redirectUriProblem(uri, type);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('matches exactly, with any loopback port for native clients only (RFC 8252 7.3)', () => {
    const registered = ['https://app.example/cb', 'http://127.0.0.1/cb'];
    expect(matchRedirectUri('https://app.example/cb', registered, 'web')).toBe('https://app.example/cb');
    expect(matchRedirectUri('https://app.example/cb/', registered, 'web')).toBeUndefined();
    expect(matchRedirectUri('https://app.example/CB', registered, 'web')).toBeUndefined();
    expect(matchRedirectUri('http://127.0.0.1:51234/cb', registered, 'web')).toBeUndefined();
    expect(matchRedirectUri('http://127.0.0.1:51234/cb', registered, 'native')).toBe('http://127.0.0.1:51234/cb');
    expect(matchRedirectUri('http://127.0.0.1:51234/other', registered, 'native')).toBeUndefined();
    expect(matchRedirectUri('https://app.example:444/cb', registered, 'native')).toBeUndefined();
  });
});
