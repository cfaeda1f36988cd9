/**
 * Queries on `linked_identities` (linked-identities.ts holds the rules and the events). The
 * unique indexes do the deciding: (kind, external_id) gives an identity one owner, and
 * (account_id, kind) gives an account one identity of each kind.
 */
import { newId } from '../crypto/tokens.js';
import type { Db } from '../db/database.js';
import { type IdentityKind, json, type LinkedIdentity } from '../db/schema.js';

export interface LinkInput {
  kind: IdentityKind;
  /** Canonical, unique per kind: a provider's stable user id, or a normalised address. */
  externalId: string;
  displayName: string;
  details?: Record<string, unknown>;
}

/** Linked (with the display name of the identity of that kind it replaced, if any), or owned by another account. */
export type LinkOutcome = { taken: true } | { taken: false; row: LinkedIdentity; replaced: string | undefined };

export class LinkedIdentityStore {
  constructor(private readonly db: Db) {}

  list(accountId: string): Promise<LinkedIdentity[]> {
    return this.db
      .selectFrom('linked_identities')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .execute();
  }

  find(kind: IdentityKind, externalId: string): Promise<LinkedIdentity | undefined> {
    return this.db
      .selectFrom('linked_identities')
      .selectAll()
      .where('kind', '=', kind)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
  }

  /**
   * Links the identity to the account in one transaction: refused when another account owns
   * it, otherwise replacing the account's other identity of this kind, or refreshing this
   * one's display name and details.
   */
  link(accountId: string, input: LinkInput, at: Date): Promise<LinkOutcome> {
    return this.db
      .transaction()
      .execute(async (trx): Promise<LinkOutcome> => {
        const owner = await trx
          .selectFrom('linked_identities')
          .select(['account_id'])
          .where('kind', '=', input.kind)
          .where('external_id', '=', input.externalId)
          .executeTakeFirst();
        if (owner && owner.account_id !== accountId) return { taken: true };
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
            updated_at: at,
          })
          .onConflict((oc) =>
            oc
              .columns(['kind', 'external_id'])
              .doUpdateSet({
                display_name: input.displayName,
                details: json(input.details ?? {}),
                updated_at: at,
              })
              .where('linked_identities.account_id', '=', accountId),
          )
          .returningAll()
          .executeTakeFirst();
        // No row: another account won a race for this identity between our check and insert.
        if (!row) return { taken: true };
        return { taken: false, row, replaced: replaced?.display_name };
      })
      .catch((err: unknown): LinkOutcome => {
        // The (account_id, kind) unique index: a concurrent link of another identity of this kind.
        if (isUniqueViolation(err)) return { taken: true };
        throw err;
      });
  }

  /** Removes the account's identity of this kind; its display name, or undefined when there was none. */
  async unlink(accountId: string, kind: IdentityKind): Promise<string | undefined> {
    const removed = await this.db
      .deleteFrom('linked_identities')
      .where('account_id', '=', accountId)
      .where('kind', '=', kind)
      .returning(['display_name'])
      .executeTakeFirst();
    return removed?.display_name;
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
