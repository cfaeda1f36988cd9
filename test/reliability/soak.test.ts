/**
 * A steady-rate soak: tokens, rotations, introspection and userinfo at a fixed rate for
 * SOAK_SECONDS (default 600), on two Gatehouse nodes side by side, each with its own database
 * and its own load. No request may fail, and memory must settle on both: what each holds at the
 * end is at most 10% above what it held after the first minute (warm-up); less is memory
 * handed back, not a failure to settle. SOAK_RATE sets requests
 * per second on each node (default 40).
 *
 * Both readings are taken with no request in flight (the load pauses for the first), right
 * after a full, memory-reducing collection in the child (child.ts). The two nodes are judged
 * by two measures, since one cannot serve both:
 * - RSS, as the issue words it, on a node never asked for a heap snapshot: writing one leaves
 *   the snapshot writer's 100-150 MB in the process's RSS for the rest of its life. Read after
 *   the collection, RSS is off the collector's sawtooth (teeth of 25-35 MB lasting minutes).
 *   This node's young generation is pinned at V8's default maximum (two semi-spaces of 16 MB):
 *   left to itself, V8 shrinks it when allocation slows and regrows it over minutes at this
 *   rate, and a 600 s soak read 148 MB at 60 s with 8 MB of it, then 170-176 MB from 150 s to
 *   the end with 28 MB, while old space, code and native memory stayed flat (+11.9% and +12.5%
 *   failures of that shape, bench/RESULTS.md). Pinned, the same soak read 172 → 178 MB. The
 *   size it is pinned at is one the unpinned process reaches anyway; what a leak grows is
 *   still all in RSS.
 * - Live objects, on the other node: every object alive in a heap snapshot (Buffers' contents
 *   included), what a leak grows and only that. heapUsed + external after the collection is
 *   printed, not judged: it rose 6-8% over soaks whose live objects stayed within 1%, memory V8
 *   still counts as used that the snapshot's collection finds dead (bench/RESULTS.md).
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
const PINNED_YOUNG_GENERATION = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function userinfo(node: Node, token: string): Promise<Answer> {
  const response = await fetch(`${node.publicUrl}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, contentType: '' };
}

interface Soaked {
  sent: number;
  skipped: number;
  errors: { op: string; status: number; body: unknown }[];
  afterWarmUp: Memory;
  end: Memory;
  /** RSS every SAMPLE_SECONDS, as it is (not after a collection). */
  samples: number[];
}

/** Runs the soak's load against one node and reads its memory after warm-up and at the end. */
async function soak(node: Node): Promise<Soaked> {
  const client: Client = await createClient(node);
  const first = await authorizationCodeFlow(client, oneNode(node));
  expect(first.status).toBe(200);
  const chain = { refresh: String(first.body.refresh_token), access: String(first.body.access_token), busy: false };
  let lastClientToken = chain.access;

  const errors: Soaked['errors'] = [];
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

  const samples: number[] = [];
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
      samples.push(node.rss());
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
  samples.push(node.rss());
  if (!afterWarmUp) throw new Error('the run ended before its warm-up did');
  return { ...counts, errors, afterWarmUp, end: await node.memoryAfterCollection(), samples };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const growth = (from: number, to: number) => (to - from) / from;
const percent = (from: number, to: number) => `${(growth(from, to) * 100).toFixed(1)}%`;

function report(name: string, run: Soaked): string {
  const { afterWarmUp: a, end: e } = run;
  const held = (m: Memory) => m.heapUsed + m.external;
  const live =
    a.live !== undefined && e.live !== undefined
      ? `live objects ${mb(a.live)} → ${mb(e.live)} MB (${percent(a.live, e.live)}), `
      : '';
  return (
    `${name}: ${run.sent} requests (${(run.sent / SECONDS).toFixed(1)}/s, ${run.skipped} ticks skipped at ${MAX_IN_FLIGHT} in flight), ` +
    `${run.errors.length} errors; after a full collection at ${WARM_UP_SECONDS} s and at the end: ${live}` +
    `RSS ${mb(a.rss)} → ${mb(e.rss)} MB (${percent(a.rss, e.rss)}; young generation ${mb(a.youngGeneration)} → ${mb(e.youngGeneration)} MB), heap used + external ${mb(held(a))} → ${mb(held(e))} MB ` +
    `(${percent(held(a), held(e))}); RSS as it was every ${SAMPLE_SECONDS} s, MB: ${run.samples.map(mb).join(' ')}`
  );
}

it(`holds ${RATE} requests/s on each of two nodes for ${SECONDS} s with settled memory and no errors`, {
  timeout: (SECONDS + 300) * 1000,
}, async () => {
  const rssDatabase = await throwawayDatabase();
  cleanups.push(() => rssDatabase.drop());
  const liveDatabase = await throwawayDatabase();
  cleanups.push(() => liveDatabase.drop());
  const byRss = await startNode({
    databaseUrl: rssDatabase.url,
    heapSnapshots: false,
    v8Flags: PINNED_YOUNG_GENERATION,
  });
  cleanups.push(() => byRss.kill('SIGKILL'));
  const byLive = await startNode({ databaseUrl: liveDatabase.url });
  cleanups.push(() => byLive.kill('SIGKILL'));

  const [rssRun, liveRun] = await Promise.all([soak(byRss), soak(byLive)]);
  console.log(
    `soak, ${SECONDS} s at ${RATE} requests/s on each node\n${report('judged by RSS', rssRun)}\n${report('judged by live objects', liveRun)}`,
  );

  expect(rssRun.errors.slice(0, 5)).toEqual([]);
  expect(liveRun.errors.slice(0, 5)).toEqual([]);
  expect(growth(rssRun.afterWarmUp.rss, rssRun.end.rss)).toBeLessThanOrEqual(0.1);
  expect(growth(liveRun.afterWarmUp.live as number, liveRun.end.live as number)).toBeLessThanOrEqual(0.1);
  // Skipped ticks (the machine could not keep up) are reported, not failed on: the brief
  // for this suite rules out assertions that depend on the machine's speed.
});
