/**
 * Stateful, model-based fuzz of the token endpoint, past client authentication: real codes
 * minted through whole login/consent flows, refresh-token chains, access tokens, revocation,
 * introspection and userinfo, driven by generated operation sequences with valid and mutated
 * parameters (wrong client or secret, Basic and post mixed, wrong redirect_uri or verifier,
 * duplicated parameters, scope widening/narrowing, truncated/extended tokens, wrong
 * grant_type, concurrent double use). The model (test/support/token-fuzz-model.ts) says what
 * must happen; after every step the tokens it touched are introspected and compared.
 *
 * Guards: code replay revokes what the code issued (RFC 6749 4.1.2); refresh-token rotation
 * and reuse detection revoke the whole family (RFC 9700 4.14.2); RFC 7009 revocation; RFC 6750
 * userinfo answers; no 5xx; RFC 6749 5.2 error bodies and the Basic challenge on 401.
 *
 * Seeded: FUZZ_SEED=<n> replays (or explores) another seed, FUZZ_RUNS=<n> runs longer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { opsArb, runOps } from '../support/token-fuzz-model.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261125;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 30;

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse();
});
afterAll(() => t?.close());

const stats = new Map<string, number>();
const count = (prefix: string) => [...stats].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);

describe('token endpoint, model-based fuzz (seeded)', () => {
  it(`agrees with the model over ${RUNS} generated sequences (seed ${SEED})`, async () => {
    try {
      await fc.assert(
        fc.asyncProperty(opsArb(25), (ops) => runOps(t, ops, { maxMints: 5, stats })),
        { seed: SEED, numRuns: RUNS, endOnFailure: false },
      );
    } catch (err) {
      // fast-check's report has the seed, the path and the shrunk sequence; the transcript follows.
      console.error(`token fuzz failed; replay with FUZZ_SEED=${SEED}`);
      throw err;
    }
    if (process.env.FUZZ_STATS)
      console.log(
        [...stats]
          .sort()
          .map(([k, v]) => `${String(v).padStart(5)}  ${k}`)
          .join('\n'),
      );
    // The fuzz proves little unless it gets deep: real exchanges, rotations, reuse and replays.
    expect(count('exchange: exchanged')).toBeGreaterThan(RUNS / 2);
    expect(count('refresh: rotated:')).toBeGreaterThan(RUNS / 2);
    expect(count('refresh: rotated refresh token reused')).toBeGreaterThan(0);
    expect(count('exchange: replayed code')).toBeGreaterThan(0);
    expect(count('revoke: refresh token revoked')).toBeGreaterThan(0);
  }, 120_000);

  // Found by the fuzz: the status check threw a plain invalid_client, without the challenge.
  it('answers a suspended client that used Basic with 401 invalid_client and the Basic challenge (RFC 6749 5.2)', async () => {
    const client = await createClient(t, { token_endpoint_auth_method: 'client_secret_basic' });
    const suspended = await t.adminApp.inject({
      method: 'PUT',
      url: `/admin/clients/${client.client_id}/status`,
      payload: { status: 'suspended', reason: 'token fuzz' },
    });
    expect(suspended.statusCode).toBe(200);
    const response = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`,
      },
      payload: 'grant_type=refresh_token&refresh_token=gh_rt_x',
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
  });
});
