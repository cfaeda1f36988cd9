/**
 * Identities a person has proved they own (social accounts, wallet addresses), one per kind
 * per account, and each owned by one account only. Connectors and wallet verifiers prove;
 * this module keeps, and is the one place that says which scope releases which identity.
 */
import { newId } from '../crypto/tokens.js';
import type { Db } from '../db/database.js';
import { type IdentityKind, json, type LinkedIdentity } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';

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

export interface LinkInput {
  kind: IdentityKind;
  /** Canonical, unique per kind: a provider's stable user id, or a normalised address. */
  externalId: string;
  displayName: string;
  details?: Record<string, unknown>;
}

export class LinkedIdentities {
  constructor(private readonly deps: { db: Db; events: EventSink; now: () => number }) {}

  list(accountId: string): Promise<LinkedIdentity[]> {
    return this.deps.db
      .selectFrom('linked_identities')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .execute();
  }

  find(kind: IdentityKind, externalId: string): Promise<LinkedIdentity | undefined> {
    return this.deps.db
      .selectFrom('linked_identities')
      .selectAll()
      .where('kind', '=', kind)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
  }

  /**
   * Links a proved identity. The same identity again refreshes its display name (a renamed
   * username); another identity of the same kind replaces the old one; an identity that
   * belongs to another account is refused.
   */
  async link(actor: Actor, accountId: string, input: LinkInput): Promise<LinkedIdentity> {
    const now = new Date(this.deps.now());
    const result = await this.deps.db
      .transaction()
      .execute(async (trx) => {
        const owner = await trx
          .selectFrom('linked_identities')
          .select(['account_id'])
          .where('kind', '=', input.kind)
          .where('external_id', '=', input.externalId)
          .executeTakeFirst();
        if (owner && owner.account_id !== accountId) return { taken: true as const };
        const replaced = await trx
          .deleteFrom('linked_identities')
          .where('account_id', '=', accountId)
          .where('kind', '=', input.kind)
          .where('external_id', '<>', input.externalId)
          .returning(['display_name'])
          .executeTakeFirst();
        // ON CONFLICT keeps concurrent links of one identity from failing, and refreshes the name.
        const row = await trx
          .insertInto('linked_identities')
          .values({
            id: newId(),
            account_id: accountId,
            kind: input.kind,
            external_id: input.externalId,
            display_name: input.displayName,
            details: json(input.details ?? {}),
            updated_at: now,
          })
          .onConflict((oc) =>
            oc
              .columns(['kind', 'external_id'])
              .doUpdateSet({
                display_name: input.displayName,
                details: json(input.details ?? {}),
                updated_at: now,
              })
              .where('linked_identities.account_id', '=', accountId),
          )
          .returningAll()
          .executeTakeFirst();
        // No row: another account won a race for this identity between our check and insert.
        if (!row) return { taken: true as const };
        return { taken: false as const, row, replaced: replaced?.display_name };
      })
      .catch((err: unknown) => {
        // The (account_id, kind) unique index: a concurrent link of another identity of this kind.
        if (isUniqueViolation(err)) return { taken: true as const };
        throw err;
      });
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
    const removed = await this.deps.db
      .deleteFrom('linked_identities')
      .where('account_id', '=', accountId)
      .where('kind', '=', kind)
      .returning(['display_name'])
      .executeTakeFirst();
    if (!removed) throw notFound(`No ${byKind.get(kind)?.label ?? kind} is linked to this account.`);
    await this.deps.events.emit({ type: 'identity.unlinked', accountId, kind, name: removed.display_name }, actor);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
