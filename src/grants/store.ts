/**
 * Queries on grants, authorization codes and tokens. Every secret is addressed by its hash;
 * "consume" is one atomic UPDATE … WHERE consumed IS NULL RETURNING, so two concurrent
 * redemptions cannot both succeed.
 */

import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuthorizationCodesTable, Grant, GrantsTable, Token, TokensTable } from '../db/schema.js';

export type TokenWithGrant = Token & {
  grant_revoked_at: Date | null;
  access_token_claims: Record<string, unknown> | null;
  id_token_claims: Record<string, unknown> | null;
};

export class GrantStore {
  constructor(private readonly db: Db) {}

  async insertGrant(grant: Insertable<GrantsTable>, db: Db = this.db): Promise<void> {
    await db.insertInto('grants').values(grant).execute();
  }

  findGrant(id: string, db: Db = this.db): Promise<Grant | undefined> {
    return db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertCode(code: Insertable<AuthorizationCodesTable>, db: Db = this.db): Promise<void> {
    await db.insertInto('authorization_codes').values(code).execute();
  }

  /** Marks the code used; undefined when it does not exist or was already used. */
  consumeCode(hash: string, now: Date, db: Db = this.db): Promise<Selectable<AuthorizationCodesTable> | undefined> {
    return db
      .updateTable('authorization_codes')
      .set({ consumed_at: now })
      .where('hash', '=', hash)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  findCode(hash: string): Promise<Selectable<AuthorizationCodesTable> | undefined> {
    return this.db.selectFrom('authorization_codes').selectAll().where('hash', '=', hash).executeTakeFirst();
  }

  async insertTokens(tokens: Insertable<TokensTable>[], db: Db = this.db): Promise<void> {
    if (tokens.length > 0) await db.insertInto('tokens').values(tokens).execute();
  }

  findToken(hash: string): Promise<TokenWithGrant | undefined> {
    return this.db
      .selectFrom('tokens')
      .leftJoin('grants', 'grants.id', 'tokens.grant_id')
      .selectAll('tokens')
      .select(['grants.revoked_at as grant_revoked_at', 'grants.access_token_claims', 'grants.id_token_claims'])
      .where('tokens.hash', '=', hash)
      .executeTakeFirst() as Promise<TokenWithGrant | undefined>;
  }

  /** Marks a live refresh token rotated; undefined when it is not live (unknown, used, revoked). */
  rotateRefreshToken(hash: string, now: Date, db: Db = this.db): Promise<Token | undefined> {
    return db
      .updateTable('tokens')
      .set({ rotated_at: now })
      .where('hash', '=', hash)
      .where('kind', '=', 'refresh')
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  async revokeToken(hash: string, now: Date): Promise<void> {
    await this.db
      .updateTable('tokens')
      .set({ revoked_at: now })
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes a whole token family: every token of the grant stops working at once. */
  async revokeGrant(id: string, reason: string, now: Date, db: Db = this.db): Promise<boolean> {
    const result = await db
      .updateTable('grants')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Revokes every grant and token of a client, of a subject, or of both together. */
  async revoke(
    filter: { clientId?: string | undefined; subject?: string | undefined },
    reason: string,
    now: Date,
  ): Promise<void> {
    if (filter.clientId === undefined && filter.subject === undefined) throw new Error('revoke needs a client or a subject');
    let grants = this.db.updateTable('grants').set({ revoked_at: now, revoked_reason: reason }).where('revoked_at', 'is', null);
    let tokens = this.db.updateTable('tokens').set({ revoked_at: now }).where('revoked_at', 'is', null);
    if (filter.clientId !== undefined) {
      grants = grants.where('client_id', '=', filter.clientId);
      tokens = tokens.where('client_id', '=', filter.clientId);
    }
    if (filter.subject !== undefined) {
      grants = grants.where('subject', '=', filter.subject);
      tokens = tokens.where('subject', '=', filter.subject);
    }
    await grants.execute();
    await tokens.execute();
  }

  /** Clients holding live grants of a subject, with the scope of the newest grant. */
  async activeClients(subject: string, now: Date): Promise<{ client_id: string; scope: string; created_at: Date }[]> {
    const rows = await this.db
      .selectFrom('grants')
      .innerJoin('tokens', 'tokens.grant_id', 'grants.id')
      .select(['grants.client_id', 'grants.scope', 'grants.created_at'])
      .where('grants.subject', '=', subject)
      .where('grants.revoked_at', 'is', null)
      .where('tokens.revoked_at', 'is', null)
      .where('tokens.expires_at', '>', now)
      .orderBy('grants.created_at', 'desc')
      .execute();
    const seen = new Map<string, (typeof rows)[number]>();
    for (const row of rows) if (!seen.has(row.client_id)) seen.set(row.client_id, row);
    return [...seen.values()];
  }

  /** Deletes what has expired; returns how many rows went. */
  async deleteExpired(now: Date): Promise<number> {
    const results = await Promise.all([
      this.db.deleteFrom('authorization_codes').where('expires_at', '<', now).executeTakeFirst(),
      this.db.deleteFrom('tokens').where('expires_at', '<', now).executeTakeFirst(),
      this.db.deleteFrom('flows').where('expires_at', '<', now).executeTakeFirst(),
      this.db.deleteFrom('logout_requests').where('expires_at', '<', now).executeTakeFirst(),
      this.db.deleteFrom('login_sessions').where('expires_at', '<', now).executeTakeFirst(),
    ]);
    return results.reduce((n, r) => n + Number(r.numDeletedRows), 0);
  }
}
