/** The checks on a browser coming back with a verifier: its flow, its CSRF cookie, its client. */
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../crypto/tokens.js';
import type { Client, Flow } from '../db/schema.js';
import { flowCsrfCookie } from './context.js';
import { trustedTarget, verifiedFlow } from './returning-browser.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const flow = (overrides: Partial<Flow> = {}) =>
  ({
    id: 'flow-1234567890',
    client_id: 'client-1',
    state: 'login_accepted',
    csrf_hash: hashSecret('csrf'),
    expires_at: new Date(NOW + 60_000),
    request: { redirect_uri: 'https://app.example/callback' },
    ...overrides,
  }) as Flow;
const cookies = { [flowCsrfCookie('flow-1234567890')]: 'csrf' };
const invalidRequest = expect.objectContaining({ error: 'invalid_request' });

describe('verifiedFlow', () => {
  it('is the flow when it is live and this browser holds its CSRF cookie', () => {
    expect(verifiedFlow(flow(), cookies, NOW).id).toBe('flow-1234567890');
  });

  it('refuses a missing, expired or finished flow, and a browser without the right cookie', () => {
    expect(() => verifiedFlow(undefined, cookies, NOW)).toThrow(invalidRequest);
    expect(() => verifiedFlow(flow({ expires_at: new Date(NOW) }), cookies, NOW)).toThrow(invalidRequest);
    expect(() => verifiedFlow(flow({ state: 'done' }), cookies, NOW)).toThrow(invalidRequest);
    expect(() => verifiedFlow(flow(), {}, NOW)).toThrow(invalidRequest);
    expect(() => verifiedFlow(flow(), { [flowCsrfCookie('flow-1234567890')]: 'other' }, NOW)).toThrow(invalidRequest);
  });
});

describe('trustedTarget', () => {
  const registry = (client: Partial<Client> | undefined) => ({
    findCached: async () =>
      client &&
      ({ status: 'approved', redirect_uris: ['https://app.example/callback'], application_type: 'web', ...client } as Client),
  });

  it('is the client while it is approved and the redirect URI still registered', async () => {
    await expect(trustedTarget(registry({}), flow())).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses a client suspended or deleted since, and a redirect URI removed since', async () => {
    await expect(trustedTarget(registry({ status: 'suspended' }), flow())).rejects.toMatchObject({
      error: 'unauthorized_client',
    });
    await expect(trustedTarget(registry(undefined), flow())).rejects.toMatchObject({ error: 'unauthorized_client' });
    await expect(trustedTarget(registry({ redirect_uris: [] }), flow())).rejects.toMatchObject({ error: 'invalid_request' });
  });
});
