/**
 * The caches of clients and access tokens never outlive a change: on one node a revocation
 * is seen at once, and on two nodes sharing one PostgreSQL database a revocation, a
 * suspension or a secret rotation made on one is seen on the other (by LISTEN/NOTIFY).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import type { PostgresInvalidations } from '../../src/db/invalidations.js';
import { testDbKind, throwawayDatabase } from '../support/database.js';
import { admin, createClient, introspect, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

type TestClient = Awaited<ReturnType<typeof createClient>>;

/** Retries `check` until it passes or the deadline (a NOTIFY is asynchronous) has gone. */
async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

const clientCredentials = (t: TestGatehouse, client: { client_id: string }, secret: string) =>
  token(t, { grant_type: 'client_credentials', scope: 'Email' }, { basic: [client.client_id, secret] });

const revoke = (t: TestGatehouse, client: TestClient, tokenValue: string) =>
  t.publicApp.inject({
    method: 'POST',
    url: '/oauth2/revoke',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      token: tokenValue,
      client_id: client.client_id,
      client_secret: client.client_secret,
    }).toString(),
  });

const serviceClient = (t: TestGatehouse) =>
  createClient(t, { grant_types: ['client_credentials'], scope: 'Email', redirect_uris: [] });

async function accessToken(t: TestGatehouse, client: TestClient): Promise<string> {
  const response = await clientCredentials(t, client, client.client_secret);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().access_token as string;
}

describe('one node', () => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startGatehouse();
    if (testDbKind() === 'postgres') await listening(t);
  });
  afterAll(() => t?.close());

  it('sees a revocation of a cached access token at once', async () => {
    const client = await serviceClient(t);
    const at = await accessToken(t, client);
    expect((await introspect(t, at)).active).toBe(true);
    expect((await introspect(t, at)).active).toBe(true);
    expect((await revoke(t, client, at)).statusCode).toBe(200);
    expect((await introspect(t, at)).active).toBe(false);
  });
});

/** Caches serve only while a node listens; without waiting the tests would not reach them. */
const listening = (t: TestGatehouse) => (t.gh.database.invalidations as PostgresInvalidations).ready();

/** A harness node on the shared database (same default issuer, so tokens and keys agree). */
const startNode = async (url: string) => startGatehouse({ database: await openDatabase({ kind: 'postgres', url, poolSize: 4 }) });

describe.skipIf(testDbKind() !== 'postgres')('two nodes on one PostgreSQL database', () => {
  let drop: (() => Promise<void>) | undefined;
  let a: TestGatehouse;
  let b: TestGatehouse;

  beforeAll(async () => {
    const serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) throw new Error('GATEHOUSE_TEST_DB=postgres needs DATABASE_URL');
    const throwaway = await throwawayDatabase(serverUrl, 'gatehouse_cache');
    drop = throwaway.drop;
    // One after the other: the first creates the schema and the keys.
    a = await startNode(throwaway.url);
    b = await startNode(throwaway.url);
    await Promise.all([listening(a), listening(b)]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('sees on B a token revoked on A that B had cached', async () => {
    const client = await serviceClient(a);
    const at = await accessToken(a, client);
    expect((await introspect(b, at)).active).toBe(true);
    expect((await introspect(b, at)).active).toBe(true);
    expect((await revoke(a, client, at)).statusCode).toBe(200);
    await eventually(async () => expect((await introspect(b, at)).active).toBe(false));
  });

  it('refuses on B a client suspended on A, and its cached token', async () => {
    const client = await serviceClient(a);
    // B reads the client (and caches it) and caches the token.
    const at = await accessToken(b, client);
    expect((await introspect(b, at)).active).toBe(true);
    expect((await introspect(b, at)).active).toBe(true);

    const suspended = await admin(a, 'PUT', `/admin/clients/${client.client_id}/status`, {
      status: 'suspended',
      reason: 'cache test',
    });
    expect(suspended.statusCode, suspended.body).toBe(200);

    await eventually(async () => {
      const refused = await clientCredentials(b, client, client.client_secret);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toBe('invalid_client');
    });
    await eventually(async () => expect((await introspect(b, at)).active).toBe(false));
  });

  it('refuses on B the old secret of a client whose secret was rotated on A', async () => {
    const client = await serviceClient(a);
    // B has the client, with its old secret hash, in its cache.
    expect((await clientCredentials(b, client, client.client_secret)).statusCode).toBe(200);
    expect((await clientCredentials(b, client, client.client_secret)).statusCode).toBe(200);

    const rotated = await admin(a, 'POST', `/admin/clients/${client.client_id}/secret`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const newSecret = rotated.json().client_secret as string;
    expect(newSecret).not.toBe(client.client_secret);

    await eventually(async () => {
      const refused = await clientCredentials(b, client, client.client_secret);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toBe('invalid_client');
    });
    expect((await clientCredentials(b, client, newSecret)).statusCode).toBe(200);
  });
});
