/**
 * The short HTTP fuzz pass of the default run: ~1,500 malformed requests from a fixed seed
 * across every public and admin route. Zero 5xx, no internal detail in any body, and every
 * error of an OAuth endpoint in RFC 6749 form. The long pass with a fresh seed is
 * test/reliability/http-fuzz-long.test.ts (`npm run test:reliability`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { checkResponse, type FuzzRequest, type KnownValues, routeTable, runFuzz } from '../support/http-fuzz.js';

let t: TestGatehouse;
let known: KnownValues;
beforeAll(async () => {
  t = await startGatehouse();
  // A real confidential client, so that part of the traffic gets past client authentication.
  const client = await createClient(t, { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
  known = { clientId: client.client_id, clientSecret: client.client_secret, redirectUri: 'https://app.example/callback' };
});
afterAll(() => t?.close());

describe('HTTP fuzz pass (short, seeded)', () => {
  it('reads every route from the route table, public and admin', () => {
    const paths = [...routeTable(t.publicApp, 'public'), ...routeTable(t.adminApp, 'admin')].map((r) => r.path);
    for (const expected of [
      '/oauth2/token',
      '/oauth2/auth',
      '/userinfo',
      '/admin/clients/:id',
      '/admin/oauth2/introspect',
      '/admin/ui/*',
    ]) {
      expect(paths).toContain(expected);
    }
    expect(paths.length).toBeGreaterThan(60);
  });

  it('flags what it is meant to flag (the checker itself can fail)', () => {
    const request = {
      app: 'public',
      template: 'POST /oauth2/token',
      options: { method: 'POST', url: '/oauth2/token' },
    } as FuzzRequest;
    expect(checkResponse(request, 500, 'application/json', '{}')).toMatch(/status 500/);
    expect(checkResponse(request, 400, 'text/html', 'TypeError: x\n    at f (/work/main/src/a.ts:1:2)')).toMatch(/leaks/);
    expect(checkResponse(request, 400, 'application/json', '{"message":"bad"}')).toMatch(/without an RFC 6749/);
    expect(checkResponse(request, 400, 'application/json', '{"error":"bad_thing","error_description":"x"}')).toMatch(
      /not a registered/,
    );
    expect(
      checkResponse(request, 400, 'application/json', '{"error":"invalid_request","error_description":"x"}'),
    ).toBeUndefined();
  });

  it('answers 1,500 malformed requests without a 5xx, a leak, or a non-RFC 6749 error', async () => {
    const report = await runFuzz(t, { seed: 20261125, count: 1500, known });
    expect(report.failures).toEqual([]);
    expect(report.serverErrors).toBe(0);
    // Most requests must actually reach the server, or the pass proves nothing.
    expect(report.sent).toBeGreaterThan(1400);
  }, 120_000);
});
