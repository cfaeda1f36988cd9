/**
 * Request ids: one id finds one request in logs gathered from both ports, every worker and
 * every node; a caller's X-Request-Id is kept only when it is a bounded token.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedLogs } from '../../test/support/captured-logs.js';
import { startGatehouse } from '../../test/support/harness.js';
import { requestIds } from './request-ids.js';
import { buildAdminApp, buildPublicApp } from './server.js';

const withHeader = (value?: string | string[]) =>
  ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as unknown as IncomingMessage;

describe('request ids', () => {
  it('differ between processes and within one', () => {
    // Two processes: each draws its own prefix, as two workers or two nodes do.
    const first = requestIds();
    const second = requestIds();
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      ids.add(first(withHeader()));
      ids.add(second(withHeader()));
    }
    expect(ids.size).toBe(2000);
  });

  it('keep a well-formed X-Request-Id, so a proxy’s id names the request end to end', () => {
    const ids = requestIds('p');
    for (const given of [
      '7f3c2a10-1b2c-4d5e-8f90-0123456789ab',
      'Root=1-67891233-abcdef012345678912345678',
      'a',
      'x'.repeat(128),
    ]) {
      expect(ids(withHeader(given))).toBe(given);
    }
  });

  it('replace one that is too long, empty, repeated or not a plain token', () => {
    const ids = requestIds('p');
    for (const given of ['x'.repeat(129), '', 'two words', 'a"b', '{"level":60}', 'ä', ['a', 'b']]) {
      expect(ids(withHeader(given))).toMatch(/^p-[0-9a-z]+$/);
    }
  });
});

describe('request ids in the logs', () => {
  const { logger, lines } = capturedLogs();
  const started = startGatehouse();
  afterAll(async () => (await started).close());

  it('are not repeated by the public and the admin port', async () => {
    const t = await started;
    const publicApp = await buildPublicApp(t.gh, { logger });
    const adminApp = await buildAdminApp(t.gh, { logger });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await publicApp.inject({ url: '/health/alive' })).statusCode).toBe(200);
        expect((await adminApp.inject({ url: '/health/alive' })).statusCode).toBe(200);
      }
      expect((await publicApp.inject({ url: '/health/alive', headers: { 'x-request-id': 'from-the-proxy' } })).statusCode).toBe(
        200,
      );
    } finally {
      await Promise.all([publicApp.close(), adminApp.close()]);
    }
    const completed = lines.filter((line) => line.msg === 'request completed').map((line) => line.reqId);
    expect(completed).toHaveLength(7);
    expect(new Set(completed).size).toBe(7);
    expect(completed.at(-1)).toBe('from-the-proxy');
  });
});
