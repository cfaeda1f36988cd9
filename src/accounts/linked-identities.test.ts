import { describe, expect, it } from 'vitest';
import type { IdentityKind, LinkedIdentity } from '../db/schema.js';
import { systemActor } from '../events/actor.js';
import type { GatehouseEvent } from '../events/events.js';
import { LinkedIdentities } from './linked-identities.js';
import type { LinkedIdentityStore, LinkInput, LinkOutcome } from './linked-identity-store.js';

const at = new Date('2031-05-01T12:00:00Z');

/** The store's contract in memory: one owner per identity, one identity per kind per account. */
function memoryStore(): LinkedIdentityStore {
  const rows: LinkedIdentity[] = [];
  const store: Pick<LinkedIdentityStore, 'list' | 'find' | 'link' | 'unlink'> = {
    list: async (accountId) => rows.filter((r) => r.account_id === accountId),
    find: async (kind, externalId) => rows.find((r) => r.kind === kind && r.external_id === externalId),
    link: async (accountId: string, input: LinkInput, now: Date): Promise<LinkOutcome> => {
      const owner = rows.find((r) => r.kind === input.kind && r.external_id === input.externalId);
      if (owner && owner.account_id !== accountId) return { taken: true };
      const old = rows.findIndex(
        (r) => r.account_id === accountId && r.kind === input.kind && r.external_id !== input.externalId,
      );
      const replaced = old >= 0 ? rows.splice(old, 1)[0]?.display_name : undefined;
      const row: LinkedIdentity = {
        id: `${accountId}:${input.kind}`,
        account_id: accountId,
        kind: input.kind,
        external_id: input.externalId,
        display_name: input.displayName,
        details: input.details ?? {},
        created_at: now,
        updated_at: now,
      };
      if (owner) rows[rows.indexOf(owner)] = row;
      else rows.push(row);
      return { taken: false, row, replaced };
    },
    unlink: async (accountId: string, kind: IdentityKind) => {
      const i = rows.findIndex((r) => r.account_id === accountId && r.kind === kind);
      return i >= 0 ? rows.splice(i, 1)[0]?.display_name : undefined;
    },
  };
  return store as LinkedIdentityStore;
}

function setup() {
  const events: GatehouseEvent[] = [];
  const identities = new LinkedIdentities({
    store: memoryStore(),
    events: { emit: async (event) => void events.push(event) },
    now: () => at.getTime(),
  });
  return { identities, events };
}

const twitter = (id: string, name: string): LinkInput => ({ kind: 'twitter', externalId: id, displayName: name });

describe('LinkedIdentities', () => {
  it('links an identity and says so', async () => {
    const { identities, events } = setup();
    const row = await identities.link(systemActor(), 'ada', twitter('1', 'ada'));
    expect(row).toMatchObject({ account_id: 'ada', kind: 'twitter', display_name: 'ada', updated_at: at });
    expect(events).toEqual([{ type: 'identity.linked', accountId: 'ada', kind: 'twitter', name: 'ada' }]);
  });

  it('reports the identity of the same kind it replaced before the new link', async () => {
    const { identities, events } = setup();
    await identities.link(systemActor(), 'ada', twitter('1', 'ada_old'));
    events.length = 0;
    await identities.link(systemActor(), 'ada', twitter('2', 'ada_new'));
    expect(events.map((e) => [e.type, 'name' in e ? e.name : undefined])).toEqual([
      ['identity.unlinked', 'ada_old'],
      ['identity.linked', 'ada_new'],
    ]);
    expect((await identities.list('ada')).map((r) => r.external_id)).toEqual(['2']);
  });

  it("refuses another account's identity, naming its kind, and says nothing", async () => {
    const { identities, events } = setup();
    await identities.link(systemActor(), 'ada', twitter('1', 'ada'));
    events.length = 0;
    await expect(identities.link(systemActor(), 'bob', twitter('1', 'ada'))).rejects.toThrow(
      'This X (Twitter) account is already linked to another Gatehouse account.',
    );
    await expect(
      identities.link(systemActor(), 'bob', { kind: 'evm', externalId: '0xab', displayName: '0xAB' }),
    ).resolves.toBeDefined();
    await expect(identities.link(systemActor(), 'ada', { kind: 'evm', externalId: '0xab', displayName: '0xAB' })).rejects.toThrow(
      'This EVM (Ethereum) wallet is already linked to another Gatehouse account.',
    );
    expect(events.map((e) => e.type)).toEqual(['identity.linked']);
  });

  it('unlinks what is linked, and refuses what is not', async () => {
    const { identities, events } = setup();
    await identities.link(systemActor(), 'ada', twitter('1', 'ada'));
    await identities.unlink(systemActor(), 'ada', 'twitter');
    expect(events.at(-1)).toEqual({ type: 'identity.unlinked', accountId: 'ada', kind: 'twitter', name: 'ada' });
    await expect(identities.unlink(systemActor(), 'ada', 'twitter')).rejects.toThrow('No X (Twitter) is linked to this account.');
    expect(await identities.find('twitter', '1')).toBeUndefined();
  });
});
