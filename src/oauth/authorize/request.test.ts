/**
 * Validating an authorization request (RFC 6749 4.1.1, RFC 7636 4.3, OIDC Core 3.1.2.1):
 * the client and redirect URI first (phase 1, never redirected), then the rest.
 */
import { describe, expect, it } from 'vitest';
import { challengeFor } from '../../crypto/pkce.js';
import type { Client } from '../../db/schema.js';
import { readParams } from '../params.js';
import { ScopeCatalogue } from '../scopes.js';
import { testClient } from '../test-support.js';
import { redirectWith, resolveTarget, type TrustedTarget, validateRequest } from './request.js';

const CHALLENGE = challengeFor('a-verifier-of-forty-three-characters-or-more-0123456789', 'S256');
const scopes = new ScopeCatalogue('GatehouseID');

/** The client registry, as a lookup of the clients given. */
const registry =
  (...clients: Client[]) =>
  async (id: string) =>
    clients.find((c) => c.id === id);

describe('resolveTarget (phase 1)', () => {
  it('finds an approved client and its exact redirect URI', async () => {
    const target = await resolveTarget(
      readParams({ client_id: 'client-1', redirect_uri: 'https://app.example/callback' }),
      registry(testClient()),
    );
    expect(target).toMatchObject({ redirectUri: 'https://app.example/callback', redirectUriSent: true });
  });

  it('takes the one registered redirect URI when none is sent, and refuses to guess among several', async () => {
    const one = await resolveTarget(readParams({ client_id: 'client-1' }), registry(testClient()));
    expect(one).toMatchObject({ redirectUri: 'https://app.example/callback', redirectUriSent: false });
    const several = testClient({ redirect_uris: ['https://app.example/a', 'https://app.example/b'] });
    await expect(resolveTarget(readParams({ client_id: 'client-1' }), registry(several))).rejects.toMatchObject({
      error: 'invalid_request',
    });
  });

  it('refuses an unknown client, an unapproved one, and a redirect URI not registered', async () => {
    const params = (more: Record<string, string> = {}) => readParams({ client_id: 'client-1', ...more });
    await expect(resolveTarget(params(), registry())).rejects.toMatchObject({ error: 'invalid_client' });
    await expect(resolveTarget(params(), registry(testClient({ status: 'pending' })))).rejects.toMatchObject({
      error: 'unauthorized_client',
      status: 403,
    });
    await expect(
      resolveTarget(params({ redirect_uri: 'https://app.example/callback/more' }), registry(testClient())),
    ).rejects.toMatchObject({ error: 'invalid_request' });
  });
});

describe('validateRequest (phase 2)', () => {
  const target = (overrides: Partial<Client> = {}): TrustedTarget => ({
    client: testClient(overrides),
    redirectUri: 'https://app.example/callback',
    redirectUriSent: true,
  });
  const valid = {
    response_type: 'code',
    state: 's',
    scope: 'openid email',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  };
  const validate = (params: Record<string, string>, overrides: Partial<Client> = {}, implied = false) =>
    validateRequest(readParams(params), target(overrides), scopes, implied);

  it('reads a valid request into what is stored', () => {
    expect(validate({ ...valid, nonce: 'n', prompt: 'login', max_age: '60' })).toMatchObject({
      response_type: 'code',
      redirect_uri: 'https://app.example/callback',
      state: 's',
      scope: ['openid', 'email'],
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
      nonce: 'n',
      prompt: ['login'],
      max_age: 60,
    });
  });

  it('implies response_type=code only on the Galxe alias', () => {
    const { response_type: _, ...without } = valid;
    expect(() => validate(without)).toThrow(expect.objectContaining({ error: 'invalid_request' }));
    expect(validate(without, {}, true).response_type).toBe('code');
  });

  it.each([
    ['no state', { state: '' }, 'invalid_request'],
    ['a response type other than code', { response_type: 'token' }, 'unsupported_response_type'],
    ['a scope the client may not ask for', { scope: 'openid phone' }, 'invalid_scope'],
    ['an unknown scope', { scope: 'openid nonsense' }, 'invalid_scope'],
    ['prompt=none with another value', { prompt: 'none login' }, 'invalid_request'],
    ['a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['a request object', { request: 'eyJ' }, 'request_not_supported'],
  ])('refuses %s', (_, change, error) => {
    expect(() => validate({ ...valid, ...change })).toThrow(expect.objectContaining({ error }));
  });

  it('demands PKCE with S256 of a public client (RFC 9700 2.1.1), and lets a confidential one use plain', () => {
    const publicClient = { token_endpoint_auth_method: 'none' };
    const { code_challenge: _c, code_challenge_method: _m, ...noPkce } = valid;
    expect(() => validate(noPkce, publicClient)).toThrow(expect.objectContaining({ error: 'invalid_request' }));
    const plain = { ...valid, code_challenge_method: 'plain' };
    expect(() => validate(plain, publicClient)).toThrow(expect.objectContaining({ error: 'invalid_request' }));
    expect(validate(plain).code_challenge_method).toBe('plain');
  });
});

describe('redirectWith', () => {
  it("appends the response to the redirect URI's own query, leaving out what is undefined", () => {
    expect(redirectWith('https://app.example/cb?tab=1', { code: 'c', state: undefined, iss: 'https://id.example' })).toBe(
      'https://app.example/cb?tab=1&code=c&iss=https%3A%2F%2Fid.example',
    );
  });
});
