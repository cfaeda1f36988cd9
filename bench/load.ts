/**
 * The load generator, run as its own process so that it never shares an event loop with a
 * server under test. Reads one job (JSON) from argv, prints one result (JSON) on stdout.
 *
 * Rows driven by autocannon: fixed requests (client_credentials, introspection, userinfo) and
 * refresh-token rotation, where every request spends a refresh token from a shared pool and
 * the response's rotated token goes back into it (autocannon resets a connection's context
 * after each request, so the pool lives here, one token in flight per connection).
 * The flow row uses its own driver: N workers each running whole authorization-code flows.
 */
import autocannon from 'autocannon';
import { authorizationCodeFlow, type Target } from './flow.js';

export interface LoadJob {
  mode: 'fixed' | 'refresh' | 'cycle' | 'flow';
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  /** refresh: the seed pool of refresh tokens. */
  refreshTokens?: string[];
  /** cycle: bodies `template` with `{i}` replaced by 0 … count-1, in turn, round and round. */
  cycle?: { template: string; count: number };
  /** flow: the server to drive. */
  target?: Target;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

async function runAutocannon(job: LoadJob): Promise<LoadResult> {
  const pool = [...(job.refreshTokens ?? [])];
  const options: autocannon.Options = {
    url: job.url,
    method: job.method ?? 'GET',
    headers: job.headers ?? {},
    connections: job.connections,
    duration: job.duration,
  };
  if (job.body !== undefined) options.body = job.body;
  if (job.mode === 'refresh') {
    options.requests = [
      {
        setupRequest: (request) => ({
          ...request,
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: pool.shift() ?? 'pool-empty' }).toString(),
        }),
        onResponse: (status, body) => {
          if (status !== 200) return;
          const next = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
          if (next) pool.push(next);
        },
      },
    ];
  }
  if (job.mode === 'cycle') {
    const { template, count } = job.cycle ?? { template: '', count: 1 };
    let next = 0;
    options.requests = [
      {
        setupRequest: (request) => ({ ...request, body: template.replace('{i}', String(next++ % count)) }),
      },
    ];
  }
  const result = await autocannon(options);
  // The rate of answers that did the work: a refusal (a forgotten refresh token, say) is quick
  // and would flatter the server that gives it. Refusals still show in the non-2xx column.
  const done = result.requests.total > 0 ? result['2xx'] / result.requests.total : 0;
  return {
    rps: result.requests.average * done,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function runFlows(job: LoadJob): Promise<LoadResult> {
  const target = job.target as Target;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const end = performance.now() + job.duration * 1000;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < end) {
      const begin = performance.now();
      try {
        await authorizationCodeFlow(target);
        latencies.push(performance.now() - begin);
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: job.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (firstError) process.stderr.write(`flow error (first of ${errors}): ${String(firstError)}\n`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), requests: latencies.length, errors, non2xx: 0 };
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const result = job.mode === 'flow' ? await runFlows(job) : await runAutocannon(job);
process.stdout.write(`${JSON.stringify(result)}\n`);
