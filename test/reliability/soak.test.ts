/**
 * A steady-rate soak: tokens, rotations, introspection and userinfo at a fixed rate for
 * SOAK_SECONDS (default 600). No request may fail, and memory must settle: what the process
 * holds at the end is within 10% of what it held after warm-up. SOAK_RATE sets requests per
 * second (default 40).
 *
 * "What it holds" is every object alive in a heap snapshot of the child (Buffers' contents
 * included), taken after a memory-reducing collection (child.ts) with no request in flight
 * (the load pauses for the first reading): what a leak grows, and only that. Two other
 * readings are printed, not judged. RSS moves with the collector's sawtooth (teeth of
 * 25-35 MB lasting up to five minutes), with how much heap V8 keeps reserved (57 MB at one
 * reading, 86 MB at the next for the same 47 MB of live objects) and, after the first
 * snapshot, with the memory the snapshot writer took. heapUsed + external after the
 * collection rose 6-8% over passing runs whose live objects stayed within 1%: memory V8
 * still counts as used that the snapshot's collection finds dead (bench/RESULTS.md).
 */
import { afterAll, expect, it } from 'vitest';
import {
  type Answer,
  authorizationCodeFlow,
  type Client,
  createClient,
  introspect,
  type Memory,
  type Node,
  oneNode,
  sleep,
  startNode,
  throwawayDatabase,
  tokenRequest,
} from './support.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 40);
// The first minute, or a quarter of a short run, lets the JIT, pools and caches fill.
const WARM_UP_SECONDS = SECONDS >= 240 ? 60 : Math.max(20, Math.floor(SECONDS / 4));
const SAMPLE_SECONDS = 10;
const MAX_IN_FLIGHT = 64;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function userinfo(node: Node, token: string): Promise<Answer> {
  const response = await fetch(`${node.publicUrl}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, contentType: '' };
}

it(`holds ${RATE} requests/s for ${SECONDS} s with settled memory and no errors`, {
  timeout: (SECONDS + 300) * 1000,
}, async () => {
  const database = await throwawayDatabase();
  cleanups.push(() => database.drop());
  const node = await startNode({ databaseUrl: database.url });
  cleanups.push(() => node.kill('SIGKILL'));
  const client: Client = await createClient(node);
  const first = await authorizationCodeFlow(client, oneNode(node));
  expect(first.status).toBe(200);
  const chain = { refresh: String(first.body.refresh_token), access: String(first.body.access_token), busy: false };
  let lastClientToken = chain.access;

  const errors: { op: string; status: number; body: unknown }[] = [];
  const counts = { sent: 0, skipped: 0 };
  let inFlight = 0;
  const check = (op: string, answer: Answer, ok: (a: Answer) => boolean) => {
    if (!ok(answer)) errors.push({ op, status: answer.status, body: answer.body });
  };
  const operations: (() => Promise<void>)[] = [
    async () => {
      const a = await tokenRequest(node, client, { grant_type: 'client_credentials', scope: 'Email' });
      check('client_credentials', a, (x) => x.status === 200);
      if (a.status === 200) lastClientToken = String(a.body.access_token);
    },
    async () => check('introspect', await introspect(node, lastClientToken), (x) => x.status === 200 && x.body.active === true),
    async () => {
      // One rotation at a time on the chain: a second one in parallel would be a (detected) reuse.
      if (chain.busy) return check('introspect', await introspect(node, chain.access), (x) => x.body.active === true);
      chain.busy = true;
      try {
        const a = await tokenRequest(node, client, { grant_type: 'refresh_token', refresh_token: chain.refresh });
        check('refresh_token', a, (x) => x.status === 200);
        if (a.status === 200) {
          chain.refresh = String(a.body.refresh_token);
          chain.access = String(a.body.access_token);
        }
      } finally {
        chain.busy = false;
      }
    },
    async () => check('userinfo', await userinfo(node, chain.access), (x) => x.status === 200 && x.body.sub !== undefined),
  ];

  const samples: { at: number; rss: number }[] = [];
  let afterWarmUp: Memory | undefined;
  const started = Date.now();
  let next = started;
  let tick = 0;
  let nextSample = started + SAMPLE_SECONDS * 1000;
  const pending = new Set<Promise<void>>();
  while (Date.now() - started < SECONDS * 1000) {
    next += 1000 / RATE;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
    if (!afterWarmUp && Date.now() - started >= WARM_UP_SECONDS * 1000) {
      // Read as at the end: nothing in flight, so no request's objects are counted as held.
      await Promise.all(pending);
      afterWarmUp = await node.memoryAfterCollection();
      next = Date.now();
    }
    if (Date.now() >= nextSample) {
      samples.push({ at: Math.round((Date.now() - started) / 1000), rss: node.rss() });
      nextSample += SAMPLE_SECONDS * 1000;
    }
    if (inFlight >= MAX_IN_FLIGHT) {
      counts.skipped++;
      continue;
    }
    const op = operations[tick++ % operations.length] as () => Promise<void>;
    inFlight++;
    counts.sent++;
    const run = op()
      .catch((err: unknown) => {
        errors.push({ op: 'transport', status: 0, body: String(err) });
      })
      .finally(() => {
        inFlight--;
        pending.delete(run);
      });
    pending.add(run);
  }
  await Promise.all(pending);
  samples.push({ at: Math.round((Date.now() - started) / 1000), rss: node.rss() });

  if (!afterWarmUp) throw new Error('the run ended before its warm-up did');
  const [baseline, end] = [afterWarmUp, await node.memoryAfterCollection()];
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const change = (from: number, to: number) => `${(((to - from) / from) * 100).toFixed(1)}%`;
  const held = (m: Memory) => m.heapUsed + m.external;
  const growth = (end.live - baseline.live) / baseline.live;
  console.log(
    `soak: ${counts.sent} requests in ${SECONDS} s (${(counts.sent / SECONDS).toFixed(1)}/s target ${RATE}/s, ${counts.skipped} ticks skipped at ${MAX_IN_FLIGHT} in flight); ` +
      `${errors.length} errors; after a full collection at ${WARM_UP_SECONDS} s and at the end: live objects ` +
      `${mb(baseline.live)} → ${mb(end.live)} MB (${change(baseline.live, end.live)}), heap used + external ` +
      `${mb(held(baseline))} → ${mb(held(end))} MB (${change(held(baseline), held(end))}; heap ${mb(baseline.heapUsed)} → ${mb(end.heapUsed)}), ` +
      `RSS ${mb(baseline.rss)} → ${mb(end.rss)} MB (${change(baseline.rss, end.rss)}); ` +
      `RSS samples every ${SAMPLE_SECONDS} s, MB: ${samples.map((s) => mb(s.rss)).join(' ')}`,
  );
  expect(errors.slice(0, 5)).toEqual([]);
  expect(growth).toBeLessThanOrEqual(0.1);
  // Skipped ticks (the machine could not keep up) are reported, not failed on: the brief
  // for this suite rules out assertions that depend on the machine's speed.
});
