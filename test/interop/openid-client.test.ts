/**
 * openid-client v6 (panva), a certified relying-party library nobody here wrote, against a
 * listening Gatehouse: discovery, PKCE, state, nonce, RFC 9207 `iss`, ID token validation
 * (signature included), userinfo, refresh rotation, revocation, and the three ways a client
 * authenticates (client_secret_basic, client_secret_post, none).
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import {
  authorizeThroughAdmin,
  type ClientRegistration,
  FetchBrowser,
  introspectOverHttp,
  registerClient,
  seeOther,
} from './support.js';

const REDIRECT = 'https://rp.example/callback';
const POST_LOGOUT = 'https://rp.example/signed-out';
const SCOPE = 'openid offline_access email';
const insecure = { execute: [client.allowInsecureRequests] };

let t: TestGatehouse;
let confidential: ClientRegistration;
let config: client.Configuration;

beforeAll(async () => {
  t = await startGatehouse({ listen: true });
  confidential = await registerClient(t, {
    redirect_uris: [REDIRECT],
    post_logout_redirect_uris: [POST_LOGOUT],
    scope: 'openid offline_access email profile',
    token_endpoint_auth_method: 'client_secret_basic',
  });
  config = await client.discovery(
    new URL(t.issuer),
    confidential.client_id,
    undefined,
    client.ClientSecretBasic(confidential.client_secret),
    insecure,
  );
  // Verify ID token signatures against the JWKS too (optional for the code flow in OIDC Core).
  client.enableNonRepudiationChecks(config);
  await t.gh.accounts.insert({
    id: 'oc-alice',
    email: 'alice@example.com',
    email_verified: true,
    phone: null,
    phone_verified: false,
    updated_at: new Date(),
  });
});

afterAll(async () => {
  await t?.close();
});

const atHash = (accessToken: string) => createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function startAuthorization(
  cfg: client.Configuration,
  extra: Record<string, string> = {},
  pkce = true,
  redirectUri = REDIRECT,
): Promise<Started> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(cfg, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    state,
    nonce,
    ...(pkce ? { code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } : {}),
    ...extra,
  });
  return { url, verifier, state, nonce };
}

async function codeCallback(cfg: client.Configuration, subject = 'oc-alice', redirectUri = REDIRECT) {
  const started = await startAuthorization(cfg, {}, true, redirectUri);
  const callback = await authorizeThroughAdmin(t, new FetchBrowser(), started.url.href, {
    subject,
    session: { id_token: { department: 'research' } },
  });
  return { ...started, callback };
}

/** openid-client wraps what oauth4webapi found; the precise reason is the cause's message. */
const reason = (err: Record<string, unknown>) => String((err.cause as Error | undefined)?.message ?? err.message);

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describe('openid-client v6 against Gatehouse', () => {
  it('discovers the provider metadata', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(t.issuer);
    expect(metadata.authorization_endpoint).toBe(`${t.issuer}/oauth2/auth`);
    expect(metadata.token_endpoint).toBe(`${t.issuer}/oauth2/token`);
    expect(metadata.userinfo_endpoint).toBe(`${t.issuer}/userinfo`);
    expect(metadata.revocation_endpoint).toBe(`${t.issuer}/oauth2/revoke`);
    expect(metadata.end_session_endpoint).toBe(`${t.issuer}/oauth2/sessions/logout`);
    expect(metadata.jwks_uri).toBe(`${t.issuer}/.well-known/jwks.json`);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(config.serverMetadata().supportsPKCE()).toBe(true);
  });

  it('runs the authorization code flow with PKCE S256, state and nonce, and validates the ID token', async () => {
    const { url, verifier, state, nonce } = await startAuthorization(config);
    expect(url.origin + url.pathname).toBe(`${t.issuer}/oauth2/auth`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(confidential.client_id);

    const callback = await authorizeThroughAdmin(t, new FetchBrowser(), url.href, {
      subject: 'oc-alice',
      session: { id_token: { department: 'research' } },
    });
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(t.issuer);
    expect(callback.searchParams.get('code')).toMatch(/^gh_ac_/);

    const before = Math.floor(Date.now() / 1000);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.access_token).toMatch(/^gh_at_/);
    expect(tokens.refresh_token).toMatch(/^gh_rt_/);
    expect(tokens.scope).toBe(SCOPE);
    expect(tokens.expires_in).toBe(86400);

    const claims = tokens.claims();
    expect(claims).toBeDefined();
    expect(claims?.iss).toBe(t.issuer);
    expect(claims?.sub).toBe('oc-alice');
    expect(claims?.aud).toBe(confidential.client_id);
    expect(claims?.nonce).toBe(nonce);
    expect(claims?.at_hash).toBe(atHash(tokens.access_token));
    expect(claims?.auth_time).toBeGreaterThanOrEqual(before - 5);
    expect(claims?.auth_time).toBeLessThanOrEqual(before + 5);
    expect(claims?.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims?.department).toBe('research');
    expect(claims?.exp).toBe((claims?.iat as number) + 3600);

    // The signature was checked against the published JWKS (enableNonRepudiationChecks).
    const header = JSON.parse(Buffer.from((tokens.id_token as string).split('.')[0] as string, 'base64url').toString());
    const jwks = (await (await fetch(`${t.issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(header.alg).toBe('RS256');
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'oc-alice');
    expect(userinfo).toMatchObject({ sub: 'oc-alice', email: 'alice@example.com', email_verified: true, department: 'research' });

    const info = await introspectOverHttp(t, tokens.access_token);
    expect(info).toMatchObject({
      active: true,
      scope: SCOPE,
      client_id: confidential.client_id,
      sub: 'oc-alice',
      token_use: 'access_token',
      token_type: 'Bearer',
      iss: t.issuer,
    });
    expect(info.exp).toBeGreaterThanOrEqual(before + 86400 - 5);
    expect(info.exp).toBeLessThanOrEqual(before + 86400 + 5);
    const refreshInfo = await introspectOverHttp(t, tokens.refresh_token as string);
    expect(refreshInfo).toMatchObject({ active: true, token_use: 'refresh_token', sub: 'oc-alice' });
  });

  it('refuses a wrong PKCE verifier at the token endpoint (invalid_grant)', async () => {
    const { callback, state, nonce } = await codeCallback(config);
    const err = await rejection(
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: state,
        expectedNonce: nonce,
      }),
    );
    expect(err).toBeInstanceOf(client.ResponseBodyError);
    expect(err.error).toBe('invalid_grant');
    expect(err.status).toBe(400);
  });

  it('lets openid-client catch a state or a nonce that is not the one it sent', async () => {
    const { callback, verifier, state, nonce } = await codeCallback(config);
    const stateErr = await rejection(
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: `${state}x`,
        expectedNonce: nonce,
      }),
    );
    expect(stateErr).toBeInstanceOf(client.ClientError);
    expect(stateErr.code).toBe('OAUTH_INVALID_RESPONSE');
    expect(reason(stateErr)).toContain('"state"');

    // The code was not spent by the refused callback; the nonce check happens on the ID token.
    const nonceErr = await rejection(
      client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: `${nonce}x`,
      }),
    );
    expect(nonceErr).toBeInstanceOf(client.ClientError);
    expect(reason(nonceErr)).toContain('"nonce"');
  });

  it('sends iss (RFC 9207) and openid-client refuses a callback with a wrong or missing iss', async () => {
    const { callback, verifier, state, nonce } = await codeCallback(config);
    const checks = { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce };

    const forged = new URL(callback);
    forged.searchParams.set('iss', 'https://evil.example');
    const wrong = await rejection(client.authorizationCodeGrant(config, forged, checks));
    expect(wrong).toBeInstanceOf(client.ClientError);
    expect(wrong.code).toBe('OAUTH_INVALID_RESPONSE');
    expect(reason(wrong)).toContain('"iss"');

    const stripped = new URL(callback);
    stripped.searchParams.delete('iss');
    const missing = await rejection(client.authorizationCodeGrant(config, stripped, checks));
    expect(missing).toBeInstanceOf(client.ClientError);
    expect(reason(missing)).toContain('"iss"');

    // Both were refused before the token request: the genuine callback still redeems.
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    expect(tokens.claims()?.sub).toBe('oc-alice');
  });

  it('rotates refresh tokens; the old one then fails with invalid_grant and ends the family', async () => {
    const { callback, verifier, state, nonce } = await codeCallback(config);
    const first = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const firstClaims = first.claims();

    const second = await client.refreshTokenGrant(config, first.refresh_token as string);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).toMatch(/^gh_rt_/);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.scope).toBe(SCOPE);
    // OIDC Core 12.2: the refreshed ID token names the same person and authentication.
    const refreshedClaims = second.claims();
    expect(refreshedClaims?.sub).toBe(firstClaims?.sub);
    expect(refreshedClaims?.auth_time).toBe(firstClaims?.auth_time);
    expect(refreshedClaims?.at_hash).toBe(atHash(second.access_token));
    expect(refreshedClaims?.nonce).toBeUndefined();
    expect((await introspectOverHttp(t, first.refresh_token as string)).active).toBe(false);

    const reuse = await rejection(client.refreshTokenGrant(config, first.refresh_token as string));
    expect(reuse).toBeInstanceOf(client.ResponseBodyError);
    expect(reuse.error).toBe('invalid_grant');
    // Reuse of a rotated token revokes the whole family (RFC 9700 4.14.2).
    expect((await introspectOverHttp(t, second.access_token)).active).toBe(false);
    expect((await introspectOverHttp(t, second.refresh_token as string)).active).toBe(false);
  });

  it('narrows the scope of a refreshed access token without losing the grant', async () => {
    const { callback, verifier, state, nonce } = await codeCallback(config);
    const first = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const narrow = await client.refreshTokenGrant(config, first.refresh_token as string, { scope: 'openid offline_access' });
    expect(narrow.scope).toBe('openid offline_access');
    const wide = await client.refreshTokenGrant(config, narrow.refresh_token as string);
    expect(wide.scope).toBe(SCOPE);
    const tooWide = await rejection(
      client.refreshTokenGrant(config, wide.refresh_token as string, { scope: `${SCOPE} profile` }),
    );
    expect(tooWide).toBeInstanceOf(client.ResponseBodyError);
    expect(tooWide.error).toBe('invalid_scope');
  });

  it('revokes tokens (RFC 7009) through tokenRevocation', async () => {
    const { callback, verifier, state, nonce } = await codeCallback(config);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    await client.tokenRevocation(config, tokens.access_token);
    expect(await introspectOverHttp(t, tokens.access_token)).toEqual({ active: false });
    // The refresh token of the grant lives on after only the access token was revoked.
    expect((await introspectOverHttp(t, tokens.refresh_token as string)).active).toBe(true);
    const userinfo = await rejection(client.fetchUserInfo(config, tokens.access_token, 'oc-alice'));
    expect(userinfo).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect((userinfo as unknown as client.WWWAuthenticateChallengeError).cause[0]?.parameters.error).toBe('invalid_token');

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    await client.tokenRevocation(config, refreshed.refresh_token as string, { token_type_hint: 'refresh_token' });
    // Revoking a refresh token ends the access tokens of its grant too (RFC 7009 2.1).
    expect((await introspectOverHttp(t, refreshed.refresh_token as string)).active).toBe(false);
    expect((await introspectOverHttp(t, refreshed.access_token)).active).toBe(false);
    // An unknown token is not an error (RFC 7009 2.2).
    await expect(client.tokenRevocation(config, 'gh_at_not-a-real-token')).resolves.toBeUndefined();
  });

  it('builds an end-session URL that Gatehouse accepts (RP-initiated logout)', async () => {
    const browser = new FetchBrowser();
    const started = await startAuthorization(config);
    const callback = await authorizeThroughAdmin(t, browser, started.url.href, { subject: 'oc-alice', remember: true });
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: POST_LOGOUT,
      state: 'bye-1',
    });
    const toLogout = seeOther(await browser.get(endSession.href));
    const challenge = toLogout.searchParams.get('logout_challenge') as string;
    expect(challenge).toBeTruthy();
    const accept = await fetch(`${t.adminUrl}/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`, {
      method: 'PUT',
    });
    expect(accept.status).toBe(200);
    const { redirect_to } = (await accept.json()) as { redirect_to: string };
    const back = seeOther(await browser.get(redirect_to));
    expect(back.origin + back.pathname).toBe(POST_LOGOUT);
    expect(back.searchParams.get('state')).toBe('bye-1');
    expect(browser.cookie('gatehouse_session')).toBeUndefined();
  });

  it('verifies an ES256-signed ID token for a client that registered id_token_signed_response_alg ES256', async () => {
    const es = await registerClient(t, {
      redirect_uris: [REDIRECT],
      scope: SCOPE,
      id_token_signed_response_alg: 'ES256',
    });
    const esConfig = await client.discovery(
      new URL(t.issuer),
      es.client_id,
      { id_token_signed_response_alg: 'ES256' },
      client.ClientSecretBasic(es.client_secret),
      insecure,
    );
    client.enableNonRepudiationChecks(esConfig);
    const { callback, verifier, state, nonce } = await codeCallback(esConfig);
    const tokens = await client.authorizationCodeGrant(esConfig, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const header = JSON.parse(Buffer.from((tokens.id_token as string).split('.')[0] as string, 'base64url').toString());
    expect(header.alg).toBe('ES256');
    expect(tokens.claims()?.aud).toBe(es.client_id);
  });

  it('decodes client_secret_basic credentials that openid-client form-urlencodes (RFC 6749 2.3.1)', async () => {
    const secret = "a+b/c=d:e%f g~h.i-j_k!l*m(n)o'p&q?r#s0123456789";
    const odd = await registerClient(t, {
      client_id: 'odd.client~id-1_x',
      client_secret: secret,
      redirect_uris: [REDIRECT],
      scope: SCOPE,
    });
    expect(odd.client_secret).toBe(secret);
    const oddConfig = await client.discovery(
      new URL(t.issuer),
      odd.client_id,
      undefined,
      client.ClientSecretBasic(secret),
      insecure,
    );
    const { callback, verifier, state, nonce } = await codeCallback(oddConfig);
    const tokens = await client.authorizationCodeGrant(oddConfig, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()?.aud).toBe('odd.client~id-1_x');
    const refreshed = await client.refreshTokenGrant(oddConfig, tokens.refresh_token as string);
    expect(refreshed.access_token).toMatch(/^gh_at_/);
  });

  describe('a public client (token_endpoint_auth_method none)', () => {
    let pub: ClientRegistration;
    let pubConfig: client.Configuration;

    beforeAll(async () => {
      pub = await registerClient(t, {
        redirect_uris: ['https://spa.example/callback'],
        scope: 'openid offline_access email',
        token_endpoint_auth_method: 'none',
      });
      expect(pub.client_secret).toBeUndefined();
      pubConfig = await client.discovery(new URL(t.issuer), pub.client_id, undefined, client.None(), insecure);
    });

    it('must use PKCE: without it the authorization ends in invalid_request at the redirect URI', async () => {
      const started = await startAuthorization(pubConfig, {}, false, 'https://spa.example/callback');
      const callback = seeOther(await new FetchBrowser().get(started.url.href));
      expect(callback.origin + callback.pathname).toBe('https://spa.example/callback');
      expect(callback.searchParams.get('error')).toBe('invalid_request');
      expect(callback.searchParams.get('state')).toBe(started.state);
      expect(callback.searchParams.get('iss')).toBe(t.issuer);
      const err = await rejection(client.authorizationCodeGrant(pubConfig, callback, { expectedState: started.state }));
      expect(err).toBeInstanceOf(client.AuthorizationResponseError);
      expect(err.error).toBe('invalid_request');
    });

    it('runs end to end with PKCE and no client secret, refresh included', async () => {
      const { callback, verifier, state, nonce } = await codeCallback(pubConfig, 'oc-alice', 'https://spa.example/callback');
      const tokens = await client.authorizationCodeGrant(pubConfig, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      expect(tokens.claims()).toMatchObject({ sub: 'oc-alice', aud: pub.client_id, nonce });
      expect(tokens.refresh_token).toMatch(/^gh_rt_/);
      expect((await introspectOverHttp(t, tokens.access_token)).client_id).toBe(pub.client_id);
      const refreshed = await client.refreshTokenGrant(pubConfig, tokens.refresh_token as string);
      expect(refreshed.access_token).toMatch(/^gh_at_/);
      await client.tokenRevocation(pubConfig, refreshed.refresh_token as string);
      expect((await introspectOverHttp(t, refreshed.access_token)).active).toBe(false);
    });

    it('cannot redeem its code with a secret it does not have', async () => {
      const { callback, verifier, state, nonce } = await codeCallback(pubConfig, 'oc-alice', 'https://spa.example/callback');
      const liar = await client.discovery(
        new URL(t.issuer),
        pub.client_id,
        undefined,
        client.ClientSecretPost('gh_cs_made-up-secret-of-sufficient-length'),
        insecure,
      );
      const err = await rejection(
        client.authorizationCodeGrant(liar, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
      );
      expect(err).toBeInstanceOf(client.ResponseBodyError);
      expect(err.error).toBe('invalid_client');
      expect(err.status).toBe(401);
    });
  });

  describe('client_secret_post', () => {
    it('authenticates with the secret in the body for the code, refresh and revocation requests', async () => {
      const post = await registerClient(t, {
        redirect_uris: [REDIRECT],
        scope: SCOPE,
        token_endpoint_auth_method: 'client_secret_post',
      });
      const postConfig = await client.discovery(
        new URL(t.issuer),
        post.client_id,
        undefined,
        client.ClientSecretPost(post.client_secret),
        insecure,
      );
      const { callback, verifier, state, nonce } = await codeCallback(postConfig);
      const tokens = await client.authorizationCodeGrant(postConfig, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      expect(tokens.claims()).toMatchObject({ sub: 'oc-alice', aud: post.client_id });
      const refreshed = await client.refreshTokenGrant(postConfig, tokens.refresh_token as string);
      expect(refreshed.scope).toBe(SCOPE);
      await client.tokenRevocation(postConfig, refreshed.access_token);
      expect((await introspectOverHttp(t, refreshed.access_token)).active).toBe(false);

      const wrong = await client.discovery(
        new URL(t.issuer),
        post.client_id,
        undefined,
        client.ClientSecretPost(`${post.client_secret}x`),
        insecure,
      );
      const err = await rejection(client.refreshTokenGrant(wrong, refreshed.refresh_token as string));
      expect(err).toBeInstanceOf(client.ResponseBodyError);
      expect(err.error).toBe('invalid_client');
    });
  });
});
