/**
 * openid-client v6's dynamicClientRegistration (RFC 7591) against a listening Gatehouse:
 * it discovers registration_endpoint, registers with the initial access token, and the
 * Configuration it returns works once an operator approves the client.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

const insecure = { execute: [client.allowInsecureRequests] };
let t: TestGatehouse;

beforeAll(async () => {
  t = await startGatehouse({ listen: true });
});
afterAll(async () => {
  await t?.close();
});

async function initialAccessToken(body: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${t.adminUrl}/admin/registration-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

const metadata = {
  client_name: 'openid-client RP',
  redirect_uris: ['https://rp.example/callback'],
  grant_types: ['authorization_code', 'client_credentials'],
  scope: 'openid Email',
  token_endpoint_auth_method: 'client_secret_basic',
};

describe('openid-client dynamicClientRegistration', () => {
  it('registers with an initial access token; the client works once approved', async () => {
    const iat = await initialAccessToken({ uses: 1 });
    const config = await client.dynamicClientRegistration(new URL(t.issuer), metadata, undefined, {
      ...insecure,
      initialAccessToken: iat,
    });
    const registered = config.clientMetadata();
    expect(registered.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(registered.client_secret).toMatch(/^gh_cs_/);
    expect(registered.registration_access_token).toMatch(/^gh_rat_/);
    expect(registered.registration_client_uri).toBe(`${t.issuer}/oauth2/register/${registered.client_id}`);
    expect(registered.status).toBe('pending');
    expect(config.serverMetadata().registration_endpoint).toBe(`${t.issuer}/oauth2/register`);

    // Pending: the token endpoint refuses it.
    const refused = await client.clientCredentialsGrant(config, { scope: 'Email' }).catch((err: unknown) => err);
    expect(refused).toMatchObject({ error: 'invalid_client' });

    const approved = await fetch(`${t.adminUrl}/admin/clients/${registered.client_id}/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'approved' }),
    });
    expect(approved.status).toBe(200);

    // The secret openid-client kept from the registration response now authenticates.
    const tokens = await client.clientCredentialsGrant(config, { scope: 'Email' });
    expect(tokens.access_token).toMatch(/^gh_at_/);
    expect(tokens.scope).toBe('Email');

    // RFC 7592 read with the registration access token it was given.
    const read = await fetch(registered.registration_client_uri as string, {
      headers: { authorization: `Bearer ${registered.registration_access_token}` },
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { status: string }).status).toBe('approved');

    // The one-use token is spent.
    const again = await client
      .dynamicClientRegistration(new URL(t.issuer), metadata, undefined, { ...insecure, initialAccessToken: iat })
      .catch((err: unknown) => err);
    expect(again).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect((again as client.WWWAuthenticateChallengeError).status).toBe(401);
    expect((again as client.WWWAuthenticateChallengeError).cause[0]).toMatchObject({
      scheme: 'bearer',
      parameters: { error: 'invalid_token' },
    });
  });
});
