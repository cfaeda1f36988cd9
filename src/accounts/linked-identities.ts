/**
 * Identities a person has proved they own (social accounts, wallet addresses), one per kind
 * per account, and each owned by one account only. Connectors and wallet verifiers prove;
 * this module keeps, and is the one place that says which scope releases which identity.
 * The SQL is LinkedIdentityStore's (linked-identity-store.ts).
 */

import type { IdentityKind, LinkedIdentity } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import { conflict, notFound } from '../oauth/errors.js';
import type { LinkedIdentityStore, LinkInput } from './linked-identity-store.js';

export type { LinkInput };

export interface IdentityKindInfo {
  kind: IdentityKind;
  /** The scope that releases it (the "Sign in with Galxe" whitelist). */
  scope: string;
  /** Human name for pages. */
  label: string;
  /** Social accounts release `<Prefix>Username` and `<Prefix>UserID`; wallets release `<Scope>`. */
  family: 'social' | 'wallet';
  fieldPrefix: string;
}

export const IDENTITY_KINDS: readonly IdentityKindInfo[] = [
  { kind: 'twitter', scope: 'Twitter', label: 'X (Twitter)', family: 'social', fieldPrefix: 'Twitter' },
  { kind: 'discord', scope: 'Discord', label: 'Discord', family: 'social', fieldPrefix: 'Discord' },
  { kind: 'github', scope: 'Github', label: 'GitHub', family: 'social', fieldPrefix: 'Github' },
  { kind: 'telegram', scope: 'Telegram', label: 'Telegram', family: 'social', fieldPrefix: 'Telegram' },
  { kind: 'evm', scope: 'EVMAddress', label: 'EVM (Ethereum) wallet', family: 'wallet', fieldPrefix: 'EVMAddress' },
  { kind: 'solana', scope: 'SolanaAddress', label: 'Solana wallet', family: 'wallet', fieldPrefix: 'SolanaAddress' },
  { kind: 'sei', scope: 'SeiAddress', label: 'Sei wallet', family: 'wallet', fieldPrefix: 'SeiAddress' },
  { kind: 'aptos', scope: 'AptosAddress', label: 'Aptos wallet', family: 'wallet', fieldPrefix: 'AptosAddress' },
  { kind: 'injective', scope: 'InjectiveAddress', label: 'Injective wallet', family: 'wallet', fieldPrefix: 'InjectiveAddress' },
  { kind: 'flow', scope: 'FlowAddress', label: 'Flow wallet', family: 'wallet', fieldPrefix: 'FlowAddress' },
];

const byKind = new Map(IDENTITY_KINDS.map((k) => [k.kind, k]));
const byScope = new Map(IDENTITY_KINDS.map((k) => [k.scope, k]));

export const identityKind = (kind: string): IdentityKindInfo | undefined => byKind.get(kind as IdentityKind);
export const identityKindForScope = (scope: string): IdentityKindInfo | undefined => byScope.get(scope);

/** The Galxe fields an identity releases: `{TwitterUsername, TwitterUserID}` or `{EVMAddress}`. */
export function identityFields(identity: Pick<LinkedIdentity, 'kind' | 'external_id' | 'display_name'>): Record<string, string> {
  const info = byKind.get(identity.kind);
  if (!info) return {};
  if (info.family === 'wallet') return { [info.fieldPrefix]: identity.display_name };
  return { [`${info.fieldPrefix}Username`]: identity.display_name, [`${info.fieldPrefix}UserID`]: identity.external_id };
}

export class LinkedIdentities {
  constructor(private readonly deps: { store: LinkedIdentityStore; events: EventSink; now: () => number }) {}

  list(accountId: string): Promise<LinkedIdentity[]> {
    return this.deps.store.list(accountId);
  }

  find(kind: IdentityKind, externalId: string): Promise<LinkedIdentity | undefined> {
    return this.deps.store.find(kind, externalId);
  }

  /**
   * Links a proved identity. The same identity again refreshes its display name (a renamed
   * username); another identity of the same kind replaces the old one; an identity that
   * belongs to another account is refused.
   */
  async link(actor: Actor, accountId: string, input: LinkInput): Promise<LinkedIdentity> {
    const result = await this.deps.store.link(accountId, input, new Date(this.deps.now()));
    const info = byKind.get(input.kind);
    const what = info?.family === 'social' ? `${info.label} account` : (info?.label ?? input.kind);
    if (result.taken) throw conflict(`This ${what} is already linked to another Gatehouse account.`);
    if (result.replaced !== undefined) {
      await this.deps.events.emit({ type: 'identity.unlinked', accountId, kind: input.kind, name: result.replaced }, actor);
    }
    await this.deps.events.emit({ type: 'identity.linked', accountId, kind: input.kind, name: input.displayName }, actor);
    return result.row;
  }

  async unlink(actor: Actor, accountId: string, kind: IdentityKind): Promise<void> {
    const removed = await this.deps.store.unlink(accountId, kind);
    if (removed === undefined) throw notFound(`No ${byKind.get(kind)?.label ?? kind} is linked to this account.`);
    await this.deps.events.emit({ type: 'identity.unlinked', accountId, kind, name: removed }, actor);
  }
}
