import { describe, expect, it } from 'vitest';
import type { Client } from '../db/schema.js';
import { tooManyRequests } from '../errors.js';
import { systemActor } from '../events/actor.js';
import { OAuthError } from '../oauth/errors.js';
import { ScopeCatalogue } from '../oauth/scopes.js';
import type { Clients } from './clients.js';
import { DeveloperApplications } from './developer-applications.js';

const scopes = new ScopeCatalogue('GatehouseID');
const form = {
  client_name: 'Weather',
  contact: 'dev@weather.example',
  client_type: 'confidential',
  redirect_uris: 'https://weather.example/cb',
  scope: ['openid'],
};

const client = (overrides: Partial<Client>): Client =>
  ({
    id: 'app-1',
    status: 'approved',
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'web',
    secret_hash: 'hash',
    unrevealed_secret: null,
    contacts: ['old@weather.example', 'ops@weather.example'],
    ...overrides,
  }) as Client;

function portal(clients: Partial<Clients>, admit: () => Promise<void> = async () => {}) {
  return new DeveloperApplications({ clients: clients as Clients, limits: { admit }, scopes });
}

const refusedWith = (error: OAuthError) => async () => {
  throw error;
};

describe('the developer portal’s rules', () => {
  it('says where the secret stands', () => {
    const apps = portal({});
    expect(apps.secretState(client({ token_endpoint_auth_method: 'none', secret_hash: null }))).toBe('public');
    expect(apps.secretState(client({ secret_hash: null }))).toBe('on_approval');
    expect(apps.secretState(client({ unrevealed_secret: 'sealed' }))).toBe('ready');
    expect(apps.secretState(client({}))).toBe('hidden');
  });

  it('rotates only a secret that exists', async () => {
    const apps = portal({ rotateSecret: async () => ({ client_secret: 'new' }) as never });
    expect(() => apps.checkRotatable(client({ token_endpoint_auth_method: 'none' }))).toThrow(/public application/);
    expect(() => apps.checkRotatable(client({ secret_hash: null }))).toThrow(
      expect.objectContaining({ error: 'conflict', status: 409 }),
    );
    await expect(apps.rotate(systemActor(), client({}))).resolves.toMatchObject({ client_secret: 'new' });
  });

  it('keeps the client type of an approved application only', () => {
    const apps = portal({});
    expect(apps.fixedClientType(client({}))).toBe('confidential');
    expect(apps.fixedClientType(client({ status: 'pending' }))).toBeUndefined();
  });

  it('shows the registration limit on the form as typed, with when to try again', async () => {
    const apps = portal({}, async () => {
      throw tooManyRequests('Too many clients registered with this account.', 120);
    });
    const result = await apps.register(systemActor(), 'acc', '203.0.113.1', form);
    expect(result).toMatchObject({
      refused: { status: 429, retryAfterSeconds: 120, message: 'Too many clients registered with this account.' },
    });
    expect('refused' in result && result.refused.values.client_name).toBe('Weather');
  });

  it('shows a refusal of the registry next to the field it names, and rethrows anything else', async () => {
    const redirect = new OAuthError('invalid_redirect_uri', 'The redirect URI "x" is not an absolute URI.');
    const refused = await portal({ registerForDeveloper: refusedWith(redirect) }).register(systemActor(), 'acc', 'ip', form);
    expect(refused).toMatchObject({ refused: { status: 400, errors: { redirect_uris: redirect.description } } });
    const gone = portal({ registerForDeveloper: refusedWith(new OAuthError('server_error', 'down')) });
    await expect(gone.register(systemActor(), 'acc', 'ip', form)).rejects.toThrow(/down/);
  });

  it('edits the first contact and keeps the others, and says what the edit did', async () => {
    let sent: unknown;
    const apps = portal({
      updateForDeveloper: async (_actor, _account, _id, input) => {
        sent = input.contacts;
        return { status: 'approved', pending_changes: { requested_at: 'now' } } as never;
      },
    });
    await expect(apps.edit(systemActor(), 'acc', client({}), form)).resolves.toEqual({ done: 'held' });
    // The first contact is the one the form shows; an operator's extra one stays.
    expect(sent).toEqual(['dev@weather.example', 'ops@weather.example']);
  });
});
