/**
 * Queries on accounts. Accounts are created only by the registration UI (DESIGN.md 6);
 * nothing on the admin or public API inserts one.
 */
import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import type { Account, AccountsTable } from '../db/schema.js';

export class AccountStore {
  constructor(private readonly db: Db) {}

  find(id: string): Promise<Account | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** For the registration flow only. */
  async insert(account: Insertable<AccountsTable>): Promise<Account> {
    return this.db.insertInto('accounts').values(account).returningAll().executeTakeFirstOrThrow();
  }
}
