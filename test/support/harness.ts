/** A whole Gatehouse for a test: both apps, a controllable clock, real or injected HTTP. */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { windowStartOf } from '../../src/accounts/rate-limit.js';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import { createGatehouse, type Gatehouse } from '../../src/gatehouse.js';
import { buildAdminApp, buildPublicApp } from '../../src/http/server.js';
import { openTestDatabase } from './database.js';

export interface TestGatehouse {
  gh: Gatehouse;
  publicApp: FastifyInstance;
  adminApp: FastifyInstance;
  issuer: string;
  adminUrl: string;
  /** Moves the clock forward. */
  advance(seconds: number): void;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface HarnessOptions {
  /** Listen on real loopback ports (for clients that speak HTTP themselves). */
  listen?: boolean;
  env?: Record<string, string>;
  /** A database opened by the test (two nodes on one database); closed with the node. */
  database?: Database;
}

/**
 * Moves a Gatehouse's clock to a second after a rate-limit window of `seconds` starts. The
 * limits count in fixed windows (windowStartOf, src/accounts/rate-limit.ts), and a test's hits
 * must all fall in one: the clock runs in real time, and a run that crossed a boundary saw its
 * count start again.
 */
export function atStartOfWindow(t: TestGatehouse, seconds: number): void {
  const now = t.gh.now();
  t.advance((windowStartOf(now, seconds) + seconds * 1000 - now) / 1000 + 1);
}

export const TEST_SECRET = 'test-secret-of-at-least-thirty-two-characters';

export async function startGatehouse(options: HarnessOptions = {}): Promise<TestGatehouse> {
  const port = options.listen ? await freePort() : 4444;
  const adminPort = options.listen ? await freePort() : 4445;
  const config = loadConfig({
    PORT: String(port),
    ADMIN_PORT: String(adminPort),
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  let offset = 0;
  const now = () => Date.now() + offset;
  const database = options.database ?? (await openTestDatabase());
  const gh = await createGatehouse({ config, database, secrets: [TEST_SECRET], now });
  const publicApp = await buildPublicApp(gh);
  // ADMIN_TOKEN as given; unset here means no token (the generated one is serve()'s, tested there).
  const adminApp = await buildAdminApp(gh, { adminToken: config.adminToken || undefined });
  if (options.listen) {
    await publicApp.listen({ port, host: '127.0.0.1' });
    await adminApp.listen({ port: adminPort, host: '127.0.0.1' });
  } else {
    await publicApp.ready();
    await adminApp.ready();
  }
  return {
    gh,
    publicApp,
    adminApp,
    issuer: config.issuer,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    advance: (seconds) => {
      offset += seconds * 1000;
    },
    close: async () => {
      await publicApp.close();
      await adminApp.close();
      await database.close();
    },
  };
}
