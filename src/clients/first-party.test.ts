import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { SecretBox } from '../crypto/encryption.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { systemActor } from '../events/actor.js';
import { EventBus, type StampedEvent } from '../events/events.js';
import { ScopeCatalogue } from '../oauth/scopes.js';
import { TokenStore } from '../tokens/token-store.js';
import { Clients } from './clients.js';
import { developerPortalClient, ensureFirstPartyClient } from './first-party.js';
import { ClientStore } from './store.js';

let database: Database;
let clients: Clients;
const events: StampedEvent[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  const bus = new EventBus();
  bus.on((event) => {
    events.push(event);
  });
  clients = new Clients({
    store: new ClientStore(database.db),
    grants: new TokenStore(database.db),
    scopes: new ScopeCatalogue('GatehouseID'),
    events: bus,
    box: new SecretBox(['first-party-test-secret-of-32-characters-or-more']),
    now: Date.now,
  });
});
afterAll(() => database?.close());

describe('ensureFirstPartyClient', () => {
  it('creates the developer portal client approved, public, without consent, for the issuer', async () => {
    const client = await ensureFirstPartyClient(clients, developerPortalClient('https://id.example'));
    expect(client).toMatchObject({
      id: 'gatehouse-developer-portal',
      name: 'Gatehouse developer portal',
      status: 'approved',
      token_endpoint_auth_method: 'none',
      secret_hash: null,
      skip_consent: true,
      redirect_uris: ['https://id.example/ui/developers/callback'],
      grant_types: ['authorization_code'],
      scope: 'openid',
      metadata: { first_party: true },
    });
  });

  it('is idempotent: a second start changes nothing and emits nothing', async () => {
    const before = events.length;
    const again = await ensureFirstPartyClient(clients, developerPortalClient('https://id.example'));
    expect(again.redirect_uris).toEqual(['https://id.example/ui/developers/callback']);
    expect(events.length).toBe(before);
  });

  it('moves the redirect URI when ISSUER changes, and keeps a status an operator chose', async () => {
    await clients.setStatus(systemActor(), 'gatehouse-developer-portal', 'suspended', 'portal closed for maintenance');
    const moved = await ensureFirstPartyClient(clients, developerPortalClient('https://login.example'));
    expect(moved.redirect_uris).toEqual(['https://login.example/ui/developers/callback']);
    expect(moved.status).toBe('suspended');
    expect(moved.status_reason).toBe('portal closed for maintenance');
    expect(events.at(-1)).toMatchObject({ type: 'client.updated', clientId: 'gatehouse-developer-portal' });
  });

  it('puts back a definition an operator changed (a confidential method, consent, another scope)', async () => {
    await clients.patch(systemActor(), 'gatehouse-developer-portal', [
      { op: 'replace', path: '/skip_consent', value: false },
      { op: 'replace', path: '/scope', value: 'openid email' },
    ]);
    const fixed = await ensureFirstPartyClient(clients, developerPortalClient('https://login.example'));
    expect(fixed).toMatchObject({ skip_consent: true, scope: 'openid', token_endpoint_auth_method: 'none' });
  });

  it('survives several nodes starting at once: one client, every call answers it', async () => {
    const spec = { id: 'gatehouse-admin-console', name: 'Console', redirectUri: 'https://id.example/cb', scope: 'openid' };
    const results = await Promise.all([1, 2, 3].map(() => ensureFirstPartyClient(clients, spec)));
    expect(results.map((c) => c.id)).toEqual(['gatehouse-admin-console', 'gatehouse-admin-console', 'gatehouse-admin-console']);
    expect(events.filter((e) => e.type === 'client.created' && e.clientId === 'gatehouse-admin-console')).toHaveLength(1);
  });
});
