/**
 * Two Gatehouse processes on one PostgreSQL database behind one issuer, as behind a load
 * balancer: every step of a flow may land on either node, and what an operator changes on
 * one node (a key rotation, a suspended client) holds on the other at once.
 */
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/harness.js';
import { adminAuthorization } from '../support/http-driver.js';
import {
  authorizationCodeFlow,
  type Client,
  createClient,
  introspect,
  type Node,
  startNode,
  throwawayDatabase,
  tokenRequest,
} from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
let a: Node;
let b: Node;

beforeAll(async () => {
  const database = await throwawayDatabase();
  cleanups.push(() => database.drop());
  // Both nodes are one issuer; the test plays the load balancer and picks the node per request.
  const issuer = `http://127.0.0.1:${await freePort()}`;
  // One after the other: the first creates the schema and the keys.
  a = await startNode({ databaseUrl: database.url, issuer });
  cleanups.push(() => a.kill('SIGKILL'));
  b = await startNode({ databaseUrl: database.url, issuer });
  cleanups.push(() => b.kill('SIGKILL'));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function jwksKids(node: Node): Promise<string[]> {
  const response = await fetch(`${node.publicUrl}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

describe('two nodes on one database', () => {
  let client: Client;
  beforeAll(async () => {
    client = await createClient(a);
  });

  it('completes a flow whose steps alternate between the nodes', async () => {
    const tokens = await authorizationCodeFlow(client, {
      authorize: a,
      loginAccept: b,
      afterLogin: b,
      consentAccept: a,
      afterConsent: a,
      token: b,
    });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect((await introspect(a, String(tokens.body.access_token))).body.active).toBe(true);

    // The refresh token rotates on A; the old one is then refused on B as a reuse.
    const refreshed = await tokenRequest(a, client, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refreshed.status).toBe(200);
    expect((await introspect(b, String(refreshed.body.access_token))).body.active).toBe(true);
    const replayed = await tokenRequest(b, client, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(replayed.body.error).toBe('invalid_grant');
    // Reuse revokes the whole family, on both nodes.
    expect((await introspect(a, String(refreshed.body.access_token))).body.active).toBe(false);
  });

  it('serves a key rotated on one node from both, and ID tokens of either verify against either', async () => {
    const rotated = await fetch(`${a.adminUrl}/admin/keys/gatehouse.openid.id-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminAuthorization },
      body: JSON.stringify({ alg: 'RS256', kid: 'rotated-on-a' }),
    });
    expect(rotated.status, await rotated.clone().text()).toBeLessThan(300);
    expect(await jwksKids(a)).toContain('rotated-on-a');
    expect(await jwksKids(b)).toContain('rotated-on-a');

    // Whichever key B signs with (it may keep the old one for a few seconds), A publishes it.
    const tokens = await authorizationCodeFlow(client, {
      authorize: b,
      loginAccept: a,
      afterLogin: a,
      consentAccept: b,
      afterConsent: b,
      token: b,
    });
    expect(tokens.status).toBe(200);
    const { kid } = decodeProtectedHeader(String(tokens.body.id_token));
    expect(await jwksKids(a)).toContain(kid);
  });

  it('refuses on one node a client suspended on the other, and its tokens with it', async () => {
    const other = await createClient(b);
    const before = await tokenRequest(b, other, { grant_type: 'client_credentials', scope: 'Email' });
    expect(before.status).toBe(200);
    // Warm every read path on B first, so a cache there would be caught holding stale state.
    expect((await introspect(b, String(before.body.access_token))).body.active).toBe(true);

    const suspended = await fetch(`${a.adminUrl}/admin/clients/${other.client_id}/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...adminAuthorization },
      body: JSON.stringify({ status: 'suspended', reason: 'reliability test' }),
    });
    expect(suspended.status).toBe(200);

    const after = await tokenRequest(b, other, { grant_type: 'client_credentials', scope: 'Email' });
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('invalid_client');
    expect((await introspect(b, String(before.body.access_token))).body.active).toBe(false);
  });
});
