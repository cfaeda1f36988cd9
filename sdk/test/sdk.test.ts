import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startGatehouse, type TestGatehouse } from '../../test/support/harness.js';
import { CheckError, GatehouseClient, type GatehouseError, OAuthError, type TokenSet } from '../src/index.js';
import { declineConsent, POST_LOGOUT_URI, REDIRECT_URI, registerClient, sdkFor, signIn, type TestClient } from './support.js';

let t: TestGatehouse;
let confidential: TestClient;
let sdk: GatehouseClient;
let personId: string;
const email = `sdk.${Date.now()}@example.com`;

beforeAll(async () => {
  t = await startGatehouse({ listen: true });
  confidential = await registerClient(t);
  sdk = await sdkFor(t, confidential);
  // Accounts are only created by the registration pages; a test may make one directly.
  personId = (await t.gh.login.accounts.register({ email })).id;
});
afterAll(() => t?.close());

/** A whole sign-in: the URL, the person's answers, the callback. */
async function signedIn(client: GatehouseClient = sdk, testClient: TestClient = confidential): Promise<TokenSet> {
  const request = await client.signInUrl();
  return client.handleCallback(await signIn(t, testClient, request, personId), request);
}

/** The rejection of `promise`, which must be a GatehouseError. */
async function failure(promise: Promise<unknown>): Promise<GatehouseError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeDefined();
  expect(err).toBeInstanceOf(Error);
  expect((err as GatehouseError).name).toMatch(/^(OAuthError|CheckError)$/);
  return err as GatehouseError;
}

describe('a confidential client (server side, with a secret)', () => {
  it('builds a sign-in URL with state, nonce and a PKCE S256 challenge, and keeps the secrets out of it', async () => {
    const request = await sdk.signInUrl({ scope: ['openid', 'Email'], prompt: 'consent', loginHint: email });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(`${t.issuer}/oauth2/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: confidential.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid Email',
      state: request.state,
      nonce: request.nonce,
      code_challenge_method: 'S256',
      prompt: 'consent',
      login_hint: email,
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.url).not.toContain(request.codeVerifier);
    expect(request.state).not.toBe((await sdk.signInUrl()).state);
    // Without openid there is no ID token, so no nonce.
    expect((await sdk.signInUrl({ scope: 'Email GatehouseID' })).nonce).toBeUndefined();
  });

  it('signs in: the code redeems, the ID token is validated, and the user API answers per scope', async () => {
    const tokens = await signedIn();
    expect(tokens.accessToken).toMatch(/^gh_at_/);
    expect(tokens.refreshToken).toMatch(/^gh_rt_/);
    expect(tokens.tokenType).toBe('bearer');
    expect(tokens.scope).toEqual(['openid', 'offline_access', 'email', 'Email', 'GatehouseID', 'Twitter']);
    expect(tokens.claims).toMatchObject({ iss: t.issuer, sub: personId, aud: confidential.client_id });
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() / 1000 + 86_000);
    // Plain data: it goes into a session store and back unchanged.
    expect(JSON.parse(JSON.stringify(tokens))).toEqual(tokens);

    const user = await sdk.getUser(tokens.accessToken, ['Email', 'GatehouseID']);
    expectTypeOf(user).toEqualTypeOf<{ Email?: string; GatehouseID: string }>();
    expect(user).toEqual({ Email: email, GatehouseID: personId });
    // Without scopes: every granted scope's fields (no Twitter account is linked, so none).
    expect(await sdk.getUser(tokens.accessToken)).toEqual({ Email: email, GatehouseID: personId });

    const detail = await sdk.tokenDetail(tokens.accessToken);
    expect(detail.clientId).toBe(confidential.client_id);
    expect(detail.scope).toEqual(tokens.scope);
    expect(Math.abs(detail.expiresAt.getTime() / 1000 - (tokens.expiresAt ?? 0))).toBeLessThan(5);

    const info = await sdk.userInfo(tokens.accessToken, personId);
    expect(info).toMatchObject({ sub: personId, email, email_verified: true });
  });

  it('refreshes: new tokens, and the old refresh token is spent', async () => {
    const tokens = await signedIn();
    const refreshed = await sdk.refresh(tokens.refreshToken as string);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toMatch(/^gh_rt_/);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(refreshed.scope).toEqual(tokens.scope);
    if (refreshed.claims) expect(refreshed.claims.sub).toBe(personId);
    expect((await sdk.getUser(refreshed.accessToken, ['GatehouseID'])).GatehouseID).toBe(personId);
  });

  it('a revoked refresh token gives invalid_grant, and its access token stops working', async () => {
    const tokens = await signedIn();
    await sdk.revoke(tokens.refreshToken as string, 'refresh_token');
    const err = await failure(sdk.refresh(tokens.refreshToken as string));
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.code).toBe('invalid_grant');
    expect((err as OAuthError).status).toBe(400);
    const user = await failure(sdk.getUser(tokens.accessToken));
    expect(user).toMatchObject({ code: 'invalid_token', status: 401 });
    // Revoking what is already revoked is not an error (RFC 7009 section 2.2).
    await expect(sdk.revoke(tokens.refreshToken as string)).resolves.toBeUndefined();
  });

  it('a scope the token was not granted gives insufficient_scope', async () => {
    const request = await sdk.signInUrl({ scope: 'openid Email' });
    const tokens = await sdk.handleCallback(await signIn(t, confidential, request, personId), request);
    const err = await failure(sdk.getUser(tokens.accessToken, ['Email', 'Twitter']));
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ code: 'insufficient_scope', status: 403 });
  });

  it('builds the RP-initiated logout URL', async () => {
    const tokens = await signedIn();
    const url = new URL(sdk.logoutUrl({ idTokenHint: tokens.idToken as string, state: 'bye' }));
    expect(url.origin + url.pathname).toBe(`${t.issuer}/oauth2/sessions/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: confidential.client_id,
      id_token_hint: tokens.idToken,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'bye',
    });
    // Gatehouse accepts it: nobody is signed in in this browser, so it goes straight back.
    const response = await t.publicApp.inject(url.pathname + url.search);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`${POST_LOGOUT_URI}?state=bye`);
  });

  it('a wrong client secret gives invalid_client', async () => {
    const wrong = await sdkFor(t, confidential, { clientSecret: 'x'.repeat(40), tokenEndpointAuthMethod: 'client_secret_post' });
    const request = await wrong.signInUrl();
    const err = await failure(wrong.handleCallback(await signIn(t, confidential, request, personId), request));
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.code).toBe('invalid_client');
  });
});

describe('a public client (browser, PKCE only)', () => {
  it('signs in and refreshes without a secret', async () => {
    const spa = await registerClient(t, { token_endpoint_auth_method: 'none', client_name: 'SPA' });
    expect(spa.client_secret).toBeUndefined();
    const client = await sdkFor(t, spa);
    const tokens = await signedIn(client, spa);
    expect(tokens.claims?.aud).toBe(spa.client_id);
    const refreshed = await client.refresh(tokens.refreshToken as string);
    expect((await client.tokenDetail(refreshed.accessToken)).clientId).toBe(spa.client_id);
    await client.revoke(refreshed.refreshToken as string);
    expect((await failure(client.refresh(refreshed.refreshToken as string))).code).toBe('invalid_grant');
  });
});

describe('a callback that must be refused gives a typed error, not a crash', () => {
  it('state mismatch: refused before the code is redeemed', async () => {
    const request = await sdk.signInUrl();
    const callback = await signIn(t, confidential, request, personId);
    const err = await failure(sdk.handleCallback(callback, { ...request, state: 'another-browser' }));
    expect(err).toBeInstanceOf(CheckError);
    expect(err.code).toBe('state_mismatch');
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    expect((await failure(sdk.handleCallback(noState, request))).code).toBe('state_mismatch');
    // The code was not spent: the right browser can still finish.
    await expect(sdk.handleCallback(callback, request)).resolves.toMatchObject({ claims: { sub: personId } });
  });

  it('iss mismatch or missing iss (RFC 9207): refused before the code is redeemed', async () => {
    const request = await sdk.signInUrl();
    const callback = await signIn(t, confidential, request, personId);
    const forged = new URL(callback);
    forged.searchParams.set('iss', 'https://evil.example');
    const err = await failure(sdk.handleCallback(forged, request));
    expect(err).toBeInstanceOf(CheckError);
    expect(err.code).toBe('iss_mismatch');
    expect(err.description).toContain('https://evil.example');
    const missing = new URL(callback);
    missing.searchParams.delete('iss');
    expect((await failure(sdk.handleCallback(missing, request))).code).toBe('iss_mismatch');
    await expect(sdk.handleCallback(callback.pathname + callback.search, request)).resolves.toHaveProperty('accessToken');
  });

  it('nonce mismatch: the ID token of another sign-in is refused', async () => {
    const request = await sdk.signInUrl();
    const callback = await signIn(t, confidential, request, personId);
    const err = await failure(sdk.handleCallback(callback, { ...request, nonce: 'nonce-of-another-sign-in' }));
    expect(err).toBeInstanceOf(CheckError);
    expect(err.code).toBe('nonce_mismatch');
  });

  it('expired code: invalid_grant', async () => {
    const request = await sdk.signInUrl();
    const callback = await signIn(t, confidential, request, personId);
    t.advance(11 * 60); // codes live 10 minutes
    try {
      const err = await failure(sdk.handleCallback(callback, request));
      expect(err).toBeInstanceOf(OAuthError);
      expect(err).toMatchObject({ code: 'invalid_grant', status: 400 });
    } finally {
      t.advance(-11 * 60);
    }
  });

  it('a code redeemed twice: invalid_grant the second time', async () => {
    const request = await sdk.signInUrl();
    const callback = await signIn(t, confidential, request, personId);
    await sdk.handleCallback(callback, request);
    expect((await failure(sdk.handleCallback(callback, request))).code).toBe('invalid_grant');
  });

  it('the person declined: access_denied with Gatehouse’s description', async () => {
    const request = await sdk.signInUrl();
    const callback = await declineConsent(t, request, personId);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const err = await failure(sdk.handleCallback(callback, request));
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ code: 'access_denied', description: 'The person declined.' });
  });

  it('an ID token whose signature does not verify is refused', async () => {
    // A fetch that hands back the token response with the ID token's signature altered.
    const tampering: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/oauth2/token')) return response;
      const body = await response.json();
      const [header, payload, signature] = (body.id_token as string).split('.');
      const flipped = (signature as string).startsWith('A') ? `B${signature?.slice(1)}` : `A${signature?.slice(1)}`;
      return Response.json({ ...body, id_token: `${header}.${payload}.${flipped}` }, { headers: response.headers });
    };
    const client = await sdkFor(t, confidential, { fetch: tampering });
    const request = await client.signInUrl();
    const err = await failure(client.handleCallback(await signIn(t, confidential, request, personId), request));
    expect(err).toBeInstanceOf(CheckError);
    expect(err.code).toBe('invalid_id_token');
  });
});

describe('configuration and network', () => {
  it('an unreachable Gatehouse gives network_error', async () => {
    const err = await failure(
      GatehouseClient.discover({ issuer: 'http://127.0.0.1:9', clientId: 'x', redirectUri: REDIRECT_URI, timeoutMs: 5000 }),
    );
    expect(err.code).toBe('network_error');
  });

  it('refuses a plain-http issuer that is not on this machine unless told', async () => {
    await expect(
      GatehouseClient.discover({ issuer: 'http://id.example', clientId: 'x', redirectUri: REDIRECT_URI }),
    ).rejects.toThrow(/allowInsecureRequests/);
  });

  it('an issuer whose discovery document names another issuer is refused', async () => {
    const err = await failure(
      GatehouseClient.discover({ issuer: t.issuer.replace('127.0.0.1', 'localhost'), clientId: 'x', redirectUri: REDIRECT_URI }),
    );
    expect(err.code).toBe('invalid_response');
  });
});
