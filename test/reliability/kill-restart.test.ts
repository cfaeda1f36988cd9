/**
 * kill -9 during token load, then restart: nothing a client was given is lost, and nothing
 * half-written is usable. On PostgreSQL (a throwaway database on the shared server) and on
 * the embedded database (its own DATA_DIR).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/crypto/tokens.js';
import { NO_VIOLATIONS, type Query, violations, withPglite, withPostgres } from './consistency.js';
import { inBatches, startLoad, waitFor } from './load.js';
import {
  authorizationCodeFlow,
  type Client,
  createClient,
  introspect,
  type Node,
  type NodeOptions,
  oneNode,
  startNode,
  throwawayDatabase,
  tokenRequest,
} from './support.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Every access token a client received introspects as active. */
async function expectAllActive(node: Node, tokens: readonly string[]): Promise<void> {
  const inactive = (await inBatches(tokens, 16, async (token) => ({ token, answer: await introspect(node, token) }))).filter(
    ({ answer }) => answer.status !== 200 || answer.body.active !== true,
  );
  expect(inactive.map((i) => i.answer)).toEqual([]);
}

/**
 * The refresh token each loop holds is the last one it received. Either it still works (its
 * rotation never committed) or its rotation committed whole and only the answer was lost to
 * the kill; returns the hashes of those, which the store must show rotated.
 */
async function spendHeldRefreshTokens(
  node: Node,
  client: Client,
  chains: readonly { refreshToken: string }[],
): Promise<string[]> {
  const lostAnswers: string[] = [];
  for (const chain of chains) {
    const next = await tokenRequest(node, client, { grant_type: 'refresh_token', refresh_token: chain.refreshToken });
    if (next.status === 200) {
      expect((await introspect(node, String(next.body.access_token))).body.active).toBe(true);
    } else {
      expect(next.body.error).toBe('invalid_grant');
      lostAnswers.push(hashSecret(chain.refreshToken));
    }
  }
  return lostAnswers;
}

/** No grant half-written, and each rotation whose answer was lost stored whole, with its successor. */
async function expectNothingHalfWritten(query: Query, lostAnswers: readonly string[]): Promise<void> {
  expect(await violations(query)).toEqual(NO_VIOLATIONS);
  for (const hash of lostAnswers) {
    const [row] = await query('select rotated_at from tokens where hash = $1', [hash]);
    expect(row?.rotated_at).not.toBeNull();
  }
}

interface Store {
  options: NodeOptions;
  withQuery<T>(run: (query: Query) => Promise<T>): Promise<T>;
}

async function postgresStore(): Promise<Store> {
  const database = await throwawayDatabase();
  cleanups.push(() => database.drop());
  return { options: { databaseUrl: database.url }, withQuery: (run) => withPostgres(database.url, run) };
}

function embeddedStore(): Store {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-kill-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  return { options: { dataDir }, withQuery: (run) => withPglite(join(dataDir, 'pglite'), run) };
}

describe.each([
  ['PostgreSQL', postgresStore],
  ['the embedded database', async () => embeddedStore()],
])('kill -9 under token load on %s', (name, makeStore) => {
  it('keeps every token a client received, and no half-written grant is usable', async () => {
    const store = await makeStore();
    let node: Node = await startNode(store.options);
    cleanups.push(() => node.kill('SIGKILL'));
    const client = await createClient(node);
    const refreshTokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const first = await authorizationCodeFlow(client, oneNode(node));
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      refreshTokens.push(String(first.body.refresh_token));
    }

    const load = startLoad({ node: () => node, client, clientCredentialsLoops: 3, refreshTokens });
    const { record } = load;
    // And whole authorization-code flows, so the kill can also land between a code being
    // spent and its tokens being stored.
    let flows = 0;
    const flowLoop = (async () => {
      for (;;) {
        let answer: Awaited<ReturnType<typeof authorizationCodeFlow>>;
        try {
          answer = await authorizationCodeFlow(client, oneNode(node));
        } catch (err) {
          // After the kill a step gets no answer; before it, any failure is a finding.
          if (!node.child.killed) record.unexpected.push({ status: 0, body: { flow: String(err) }, contentType: '' });
          return;
        }
        if (answer.status !== 200) return void record.unexpected.push(answer);
        record.accessTokens.push(String(answer.body.access_token));
        flows++;
      }
    })();
    // Enough traffic that the kill lands among requests in flight, whatever the machine's speed.
    await waitFor(() => record.accessTokens.length >= 300, 60_000);
    await node.kill('SIGKILL');
    await Promise.all([load.done, flowLoop]);
    expect(record.unexpected).toEqual([]);
    expect(record.accessTokens.length).toBeGreaterThan(50);
    expect(record.chains.every((c) => c.rotations > 0)).toBe(true);

    node = await startNode({ ...store.options, ports: node.ports });

    await expectAllActive(node, record.accessTokens);
    const lostAnswers = await spendHeldRefreshTokens(node, client, record.chains);
    await node.kill('SIGTERM');

    await store.withQuery(async (query) => {
      await expectNothingHalfWritten(query, lostAnswers);
      // The checks can fail: lose one access token of a refreshed grant and they see it.
      await query(
        `delete from tokens where hash = (select hash from tokens where kind = 'access' and grant_id is not null limit 1)`,
      );
      expect((await violations(query)).brokenGrants).toHaveLength(1);
    });
    console.log(
      `kill -9 on ${name}: ${record.accessTokens.length} tokens received before the kill, all active after restart; ` +
        `${flows} complete code flows; ${record.noAnswer} requests in flight lost their answer; ${record.chains.reduce((n, c) => n + c.rotations, 0)} rotations; ` +
        `${lostAnswers.length} rotation(s) committed whose answer was lost; no half-written grant`,
    );
  });
});

describe('kill -9 of one worker under token load (WORKERS=2, PostgreSQL)', () => {
  it('keeps every token a client received; the other worker serves on, and the dead one is replaced', async () => {
    const store = await postgresStore();
    const node = await startNode({ ...store.options, workers: 2 });
    cleanups.push(() => node.kill('SIGKILL'));
    const client = await createClient(node);
    const refreshTokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const first = await authorizationCodeFlow(client, oneNode(node));
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      refreshTokens.push(String(first.body.refresh_token));
    }
    // The token loops go on after a request lost to the kill (the service is still up); a
    // rotation whose answer was lost ends its chain, as in the test above.
    const tokens = startLoad({ node: () => node, client, clientCredentialsLoops: 3, refreshTokens: [], persist: true });
    const chains = startLoad({ node: () => node, client, clientCredentialsLoops: 0, refreshTokens });
    await waitFor(() => tokens.record.accessTokens.length >= 300, 60_000);
    const before = node.workers();
    expect(before).toHaveLength(2);
    const victim = before[0] as number;
    process.kill(victim, 'SIGKILL');
    const atKill = tokens.record.accessTokens.length;
    expect(await waitFor(() => tokens.record.accessTokens.length >= atKill + 300, 60_000)).toBe(true);
    expect(await waitFor(() => node.workers().length === 2 && !node.workers().includes(victim), 60_000)).toBe(true);
    await Promise.all([tokens.stop(), chains.stop()]);
    expect([...tokens.record.unexpected, ...chains.record.unexpected]).toEqual([]);

    const received = [...tokens.record.accessTokens, ...chains.record.accessTokens];
    await expectAllActive(node, received);
    const lostAnswers = await spendHeldRefreshTokens(node, client, chains.record.chains);
    await node.kill('SIGTERM');
    await store.withQuery((query) => expectNothingHalfWritten(query, lostAnswers));
    console.log(
      `kill -9 of one of two workers: ${received.length} tokens received, all active; ${tokens.record.accessTokens.length - atKill} issued after the kill ` +
        `without a restart; ${tokens.record.noAnswer + chains.record.noAnswer} requests in flight lost their answer; ` +
        `${lostAnswers.length} rotation(s) committed whose answer was lost; the worker was replaced; no half-written grant`,
    );
  });
});
