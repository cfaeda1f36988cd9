import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../audit/audit-log.js';
import type { Account, Client } from '../db/schema.js';
import { accountIdsIn, ConsoleViews } from './console-views.js';

const entry = (actor: AuditEntry['actor'], target?: AuditEntry['target']) => ({ actor, target }) as AuditEntry;

function views(found: Partial<Client> | undefined, entries: AuditEntry[] = []) {
  return new ConsoleViews({
    clients: { get: async () => found as Client, list: async () => [] },
    store: { find: async () => found as Client | undefined },
    accounts: { find: async (id) => ({ id, email: `${id}@example.com`, phone: null }) as Account },
    audit: { list: async () => entries },
  });
}

describe('what the console shows', () => {
  it('names the accounts an audit page mentions, as actor or as target', () => {
    expect(
      accountIdsIn([
        entry({ type: 'developer', id: 'dev-1' }, { type: 'client', id: 'c' }),
        entry({ type: 'operator', id: 'ada' }, { type: 'account', id: 'acc-2' }),
        entry({ type: 'account', id: 'dev-1' }),
      ]),
    ).toEqual(['dev-1', 'acc-2']);
  });

  it('refuses a status that does not exist, and knows the people of an audit page', async () => {
    await expect(views(undefined).search({ q: '', status: 'superuser', after: undefined })).rejects.toMatchObject({
      error: 'invalid_request',
    });
    const page = await views(undefined, [entry({ type: 'developer', id: 'dev-1' })]).auditPage({});
    expect(page.people.get('dev-1')).toBe('dev-1@example.com');
    expect(page.next).toBeUndefined();
  });

  it('flashes what a decision did only for a known ?done= and a client that exists', async () => {
    const known = views({ id: 'c', name: 'Weather', developer_account_id: null, token_endpoint_auth_method: 'none' });
    expect(await known.flash('suspended', 'c')).toBe('Suspended “Weather”: its tokens are revoked and new sign-ins are refused.');
    expect(await known.flash('constructor', 'c')).toBeUndefined();
    expect(await views(undefined).flash('suspended', 'gone')).toBeUndefined();
  });
});
