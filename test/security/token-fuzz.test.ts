/**
 * Stateful, model-based fuzz of the token endpoint, past client authentication: real codes
 * minted through whole login/consent flows, refresh-token chains, client_credentials tokens,
 * access tokens, revocation, introspection, userinfo and consent revocation, driven by
 * generated operation sequences with valid and mutated parameters (wrong client or secret,
 * Basic and post mixed, wrong redirect_uri or verifier, duplicated parameters, scope
 * widening/narrowing, truncated/extended tokens, wrong grant_type, concurrent double use),
 * sent to /oauth2/token or its Galxe alias, while the server's clock is moved across the
 * lifetimes of codes and tokens, to the millisecond of their expiry. The model
 * (test/support/token-fuzz-model.ts) says what must happen; after every step the tokens it
 * touched are introspected and compared.
 *
 * Guards: code replay revokes what the code issued (RFC 6749 4.1.2); refresh-token rotation
 * and reuse detection revoke the whole family (RFC 9700 4.14.2); RFC 7009 revocation; RFC 6750
 * userinfo answers; no 5xx; RFC 6749 5.2 error bodies and the Basic challenge on 401; expiry
 * of codes, access and refresh tokens at exactly their end; ID tokens that verify against the
 * published JWKS with the right claims (OIDC Core 3.1.3.7, 12.2); Hydra's consent revocation
 * ending the tokens issued under it.
 *
 * Seeded: FUZZ_SEED=<n> replays (or explores) another seed, FUZZ_RUNS=<n> runs longer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
    // The harness clock is Date.now plus what the model adds: frozen, it lands on an expiry to the millisecond.
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now());
    try {
      await fc.assert(
        fc.asyncProperty(opsArb(45), (ops) => runOps(t, ops, { maxMints: 5, stats })),
        { seed: SEED, numRuns: RUNS, endOnFailure: false },
      );
    } catch (err) {
      // fast-check's report has the seed, the path and the shrunk sequence; the transcript follows.
      console.error(`token fuzz failed; replay with FUZZ_SEED=${SEED}`);
      throw err;
    } finally {
      clock.mockRestore();
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
    // The clock: expiry of each kind, where it is used, and both sides of its last millisecond.
    expect(count('check: expired code refused')).toBeGreaterThan(0);
    expect(count('check: edge: code over at its expiry')).toBeGreaterThan(0);
    expect(count('check: edge: code redeemed 1 ms before its expiry')).toBeGreaterThan(0);
    expect(count('check: expired access token refused at introspection')).toBeGreaterThan(0);
    expect(count('check: expired access token refused at userinfo')).toBeGreaterThan(0);
    expect(count('check: edge: access token over at its expiry, at userinfo')).toBeGreaterThan(0);
    expect(count('check: edge: access token live 1 ms before its expiry, at userinfo')).toBeGreaterThan(0);
    expect(count('check: expired refresh token refused at the token endpoint')).toBeGreaterThan(0);
    expect(count('check: edge: refresh token over at its expiry, at the token endpoint')).toBeGreaterThan(0);
    expect(count('check: edge: refresh token live 1 ms before its expiry, at the token endpoint')).toBeGreaterThan(0);
    // client_credentials: issued with and without scope, refused beyond the client's or to a public client, revoked.
    expect(count('clientCredentials: issued, no scope')).toBeGreaterThan(0);
    expect(
      count('clientCredentials: issued, an allowed scope') + count('clientCredentials: issued, allowed scopes'),
    ).toBeGreaterThan(0);
    expect(count('clientCredentials: refused: ')).toBeGreaterThan(0);
    expect(count('clientCredentials: unauthorized_client')).toBeGreaterThan(0);
    expect(count('revoke: client_credentials token revoked')).toBeGreaterThan(0);
    expect(count('check: suspension ended a live client_credentials token')).toBeGreaterThan(0);
    // The Galxe alias, including its one difference: a redirect_uri it may leave out.
    expect(count('alias: code exchanged without redirect_uri')).toBeGreaterThan(0);
    expect(count('alias: redirect_uri left out, two registered: refused')).toBeGreaterThan(0);
    expect(count('alias: refresh token rotated')).toBeGreaterThan(0);
    expect(count('alias: client_credentials token issued')).toBeGreaterThan(0);
    // ID tokens, with both signing algorithms, on exchange and on refresh.
    expect(count('check: id_token verified on exchange, RS256')).toBeGreaterThan(0);
    expect(count('check: id_token verified on exchange, ES256')).toBeGreaterThan(0);
    expect(count('check: id_token verified on refresh')).toBeGreaterThan(0);
    expect(count('check: id_token nonce on exchange')).toBeGreaterThan(0);
    expect(count('check: id_token at_hash on exchange')).toBeGreaterThan(0);
    // Consent revocation that ended something alive, and one for another client that spared it.
    expect(count('check: consent revocation ended live tokens')).toBeGreaterThan(0);
    expect(count('check: consent revocation for one client spared a live grant of the subject')).toBeGreaterThan(0);
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
