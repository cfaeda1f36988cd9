/**
 * PostgreSQL goes away under load and comes back: Gatehouse says it is not ready, answers
 * with a clean JSON 503 (never a 500, never a crash), and resumes by itself. The database is
 * a cluster of the test's own on a free port; the shared server is never touched.
 */
import { afterAll, expect, it } from 'vitest';
import { inBatches, startLoad, waitFor } from './load.js';
import { authorizationCodeFlow, basic, createClient, introspect, type Node, oneNode, ownCluster, startNode } from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function ready(node: Node): Promise<{ status: number; body: unknown; contentType: string }> {
  const response = await fetch(`${node.publicUrl}/health/ready`);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.json() };
}

it('answers 503 while the database is down and resumes by itself when it is back', async () => {
  const cluster = await ownCluster();
  cleanups.push(() => cluster.remove());
  const node = await startNode({ databaseUrl: cluster.url });
  cleanups.push(() => node.kill('SIGKILL'));
  const client = await createClient(node);
  const refreshTokens: string[] = [];
  for (let i = 0; i < 2; i++) refreshTokens.push(String((await authorizationCodeFlow(client, oneNode(node))).body.refresh_token));

  const load = startLoad({ node: () => node, client, clientCredentialsLoops: 3, refreshTokens, persist: true });
  const { record } = load;
  expect(await waitFor(() => record.accessTokens.length >= 100, 60_000)).toBe(true);

  const stoppedAt = Date.now();
  cluster.stop();
  const downAt = Date.now();
  expect(await waitFor(() => record.unavailable >= 20, 60_000)).toBe(true);
  const notReady = await ready(node);
  expect(notReady.status).toBe(503);
  expect(notReady.contentType).toMatch(/^application\/json/);
  expect(notReady.body).toMatchObject({ status: 'unavailable' });
  const introspection = await introspect(node, record.accessTokens[0] as string);
  expect(introspection.status).toBe(503);
  expect(introspection.body).toMatchObject({ error: 'temporarily_unavailable' });
  // Every kind of endpoint fails the same clean way: JSON APIs with the RFC 6749 error,
  // browser pages with the HTML error page, both 503.
  const token = record.accessTokens[0] as string;
  for (const [path, init] of [
    ['/.well-known/jwks.json', {}],
    ['/userinfo', { headers: { authorization: `Bearer ${token}` } }],
    [
      '/oauth2/revoke',
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
        body: `token=${token}`,
      },
    ],
  ] as const) {
    const response = await fetch(`${node.publicUrl}${path}`, init);
    expect(response.status, path).toBe(503);
    expect(await response.json(), path).toMatchObject({ error: 'temporarily_unavailable' });
  }
  const page = await fetch(`${node.publicUrl}/oauth2/auth?client_id=${client.client_id}&response_type=code&scope=openid`, {
    redirect: 'manual',
  });
  expect(page.status).toBe(503);
  expect(node.child.exitCode).toBeNull();

  // Down long enough that pooled connections are all dead, not just the busy ones.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const before = record.accessTokens.length;
  cluster.start();
  const upAt = Date.now();
  let resumedAt = 0;
  expect(
    await waitFor(() => {
      if (record.accessTokens.length >= before + 100) resumedAt = Date.now();
      return resumedAt > 0;
    }, 120_000),
  ).toBe(true);
  expect((await ready(node)).status).toBe(200);
  await load.stop();

  expect(record.unexpected).toEqual([]);
  expect(record.noAnswer).toBe(0);
  expect(node.child.exitCode).toBeNull();
  // Nothing issued before, during or after the outage was lost.
  const inactive = (await inBatches(record.accessTokens, 16, (t) => introspect(node, t))).filter((a) => a.body.active !== true);
  expect(inactive).toEqual([]);
  console.log(
    `database restart: stopped in ${downAt - stoppedAt} ms; ${record.unavailable} clean 503s while down, 0 other errors; ` +
      `${record.accessTokens.length - before} tokens issued after the restart, the first 100 within ${resumedAt - upAt} ms of the database being up`,
  );
});
