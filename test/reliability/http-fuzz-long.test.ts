/**
 * The long HTTP fuzz pass (`npm run test:reliability`): 50,000 malformed requests from a fresh
 * seed through `inject()` across every public and admin route, then raw bytes over real
 * sockets for what `inject()` cannot send (broken request lines, bad header names, conflicting
 * lengths, oversized headers). Prints the seed; writes the result to the "## Fuzzing" section of
 * bench/RESULTS.md. Replay a run with FUZZ_SEED=<seed>; change its size with FUZZ_REQUESTS.
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import type { KnownValues } from '../support/http-fuzz.js';
import { type FuzzReport, runFuzz } from '../support/http-fuzz.js';

const seed = Number(process.env.FUZZ_SEED ?? randomInt(1, 2 ** 31 - 1));
const requests = Number(process.env.FUZZ_REQUESTS ?? 50_000);
const root = new URL('../..', import.meta.url).pathname;

let t: TestGatehouse;
let known: KnownValues;
beforeAll(async () => {
  console.log(`http fuzz: seed ${seed} (replay with FUZZ_SEED=${seed}), ${requests} requests`);
  t = await startGatehouse({ listen: true });
  // A real confidential client, so that part of the traffic gets past client authentication.
  const client = await createClient(t, { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
  known = { clientId: client.client_id, clientSecret: client.client_secret, redirectUri: 'https://app.example/callback' };
});
afterAll(() => t?.close());

/** What the raw-socket pass sends: requests no well-behaved client library can produce. */
function rawRequests(host: string): string[] {
  const long = (n: number) => 'a'.repeat(n);
  return [
    'GET / HTTP/1.1\r\n\r\n',
    `GET /oauth2/auth?client_id=%zz HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /ui/\x00login HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /oauth2/auth?\x01\x7f=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /\xff\xfe HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET http://evil.example/oauth2/auth HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET * HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /oauth2/auth HTTP/9.9\r\nHost: ${host}\r\n\r\n`,
    `FOO /oauth2/token HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -1\r\n\r\n`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x00\x00`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\n\r\n${long(70_000)}`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nBad Header: x\r\n\r\n`,
    `POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nX-A: \x00\r\n\r\n`,
    `GET /oauth2/auth HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${long(20_000)}\r\n\r\n`,
    `GET /oauth2/auth HTTP/1.1\r\nHost: ${host}\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`,
    `GET /oauth2/auth HTTP/1.1\r\nHost: ${host}\r\nHost: other.example\r\n\r\n`,
    `GET /${long(100_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    `GET /userinfo HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${long(10_000)}\r\nAuthorization: Basic Og==\r\n\r\n`,
    `GET /oauth2/auth HTTP/1.1\nHost: ${host}\n\n`,
    `GET /oauth2/auth HTTP/1.1\r\nHost: ${host}\r\n folded: header\r\n\r\n`,
    '\r\n\r\n\r\n',
    '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03', // a TLS ClientHello on the plain port
  ];
}

/** Sends raw bytes and returns the status code of the first response line (0: no answer). */
function sendRaw(port: number, bytes: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = '';
    const done = () => {
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve(status ? Number(status[1]) : 0);
    };
    socket.setTimeout(15_000, done);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (/\r\n\r\n/.test(received)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(Buffer.from(bytes, 'latin1'));
  });
}

const rawStatuses = (statuses: number[]) => {
  const counts = new Map<string, number>();
  for (const s of statuses)
    counts.set(s === 0 ? 'connection closed' : String(s), (counts.get(s === 0 ? 'connection closed' : String(s)) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k} ×${v}`).join(', ');
};

function writeResults(report: FuzzReport, raw: { sent: number; serverErrors: number; statuses: number[] }, seconds: number) {
  const file = join(root, 'bench/RESULTS.md');
  const byStatus = Object.entries(report.byStatus)
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const section = [
    '## Fuzzing',
    '',
    `Last long run (\`npm run test:reliability -- test/reliability/http-fuzz-long.test.ts\`), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, embedded database:`,
    '',
    '| pass | requests | seed | 5xx | other contract breaches |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| malformed requests through \`inject()\`, every public and admin route | ${report.sent} | ${report.seed} | ${report.serverErrors} | ${report.failures.length - report.serverErrors} |`,
    `| raw bytes over a socket (broken request lines, headers, lengths) | ${raw.sent} | — | ${raw.serverErrors} | — |`,
    '',
    `Responses by class: ${byStatus}. Raw-socket answers: ${rawStatuses(raw.statuses)}. ${report.unsendable} generated requests could not be built by \`inject()\` and were not sent. Took ${Math.round(seconds)} s.`,
    'Each response is checked for: no 5xx; no stack frame, source path, driver or framework error code in the body; every JSON error with an RFC 6749 `error` code and a string `error_description`, and on OAuth endpoints a registered code. The default `npm test` runs the same pass with 1,500 requests and a fixed seed (test/security/http-fuzz.test.ts), and fast-check properties of every parser (`src/**/*.property.test.ts`).',
    '',
  ].join('\n');
  mkdirSync(join(root, 'bench'), { recursive: true });
  // Another suite writes the benchmark part of this file: replace only this section.
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Results\n';
  const start = current.indexOf('## Fuzzing');
  if (start < 0) {
    writeFileSync(file, `${current.trimEnd()}\n\n${section}`);
  } else {
    const next = current.indexOf('\n## ', start + 1);
    writeFileSync(file, `${current.slice(0, start)}${section}${next < 0 ? '' : current.slice(next + 1)}`);
  }
}

describe('HTTP fuzz pass (long, fresh seed)', () => {
  it(`answers ${requests} malformed requests and the raw-socket set without a 5xx or a contract breach`, async () => {
    const started = performance.now();
    const report = await runFuzz(t, {
      seed,
      count: requests,
      known,
      batch: 1000,
      onProgress: (sent) => {
        if (sent % 10_000 === 0) console.log(`http fuzz: ${sent} sent`);
      },
    });
    const port = Number(new URL(t.issuer).port);
    const adminPort = Number(new URL(t.adminUrl).port);
    const raw = { sent: 0, serverErrors: 0, statuses: [] as number[] };
    for (const target of [port, adminPort]) {
      for (const bytes of rawRequests(`127.0.0.1:${target}`)) {
        const status = await sendRaw(target, bytes);
        raw.sent += 1;
        raw.statuses.push(status);
        if (status >= 500) raw.serverErrors += 1;
      }
    }
    writeResults(report, raw, (performance.now() - started) / 1000);
    console.log(`http fuzz: seed ${seed}, ${report.sent} sent, ${report.serverErrors} 5xx, ${report.failures.length} breaches`);
    expect(report.failures).toEqual([]);
    expect(report.serverErrors).toBe(0);
    expect(raw.serverErrors).toBe(0);
    // The server is still there and healthy after all of it.
    const health = await fetch(`${t.issuer}/health/ready`);
    expect(health.status).toBe(200);
  });
});
