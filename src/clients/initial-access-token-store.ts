/**
 * Queries on `initial_access_tokens` (initial-access-tokens.ts holds the rules). Tokens are
 * addressed by their hash; a use is spent by one conditional UPDATE, so two registrations
 * cannot share the last one.
 */
import { type Insertable, sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { InitialAccessTokensTable } from '../db/schema.js';

/** A token as listed: everything but its hash. */
export interface InitialAccessTokenRow {
  id: string;
  description: string | null;
  uses_left: number | null;
  expires_at: Date | null;
  created_at: Date;
}

export class InitialAccessTokenStore {
  constructor(private readonly db: Db) {}

  insert(token: Insertable<InitialAccessTokensTable>): Promise<InitialAccessTokenRow> {
    return this.db
      .insertInto('initial_access_tokens')
      .values(token)
      .returning(['id', 'description', 'uses_left', 'expires_at', 'created_at'])
      .executeTakeFirstOrThrow();
  }

  /** Newest first. */
  list(): Promise<InitialAccessTokenRow[]> {
    return this.db
      .selectFrom('initial_access_tokens')
      .select(['id', 'description', 'uses_left', 'expires_at', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  /** True when a token went. */
  async remove(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('initial_access_tokens').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows !== 0n;
  }

  /** The id of the token with this hash if it is unexpired at `now` and has a use left. */
  async findUsable(tokenHash: string, now: Date): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('initial_access_tokens')
      .select('id')
      .where('token_hash', '=', tokenHash)
      .where((eb) => eb.or([eb('uses_left', 'is', null), eb('uses_left', '>', 0)]))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    return row?.id;
  }

  /**
   * Spends one use of the token with this hash: the UPDATE only matches a token that is
   * unexpired and has a use left (null minus one stays null: unlimited). Its id, or undefined.
   */
  async spendUse(tokenHash: string, now: Date): Promise<string | undefined> {
    const row = await this.db
      .updateTable('initial_access_tokens')
      .set({ uses_left: sql<number | null>`uses_left - 1` })
      .where('token_hash', '=', tokenHash)
      .where((eb) => eb.or([eb('uses_left', 'is', null), eb('uses_left', '>', 0)]))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  }

  /** Gives a use back to a limited token. */
  async refund(id: string): Promise<void> {
    await this.db
      .updateTable('initial_access_tokens')
      .set({ uses_left: sql<number | null>`uses_left + 1` })
      .where('id', '=', id)
      .where('uses_left', 'is not', null)
      .execute();
  }
}
