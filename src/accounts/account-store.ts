/**
 * Queries on accounts: the SQL behind the Accounts service (accounts.ts), which holds the
 * rules. Accounts are created only by the registration UI (DESIGN.md 6); nothing on the
 * admin or public API inserts one.
 */
import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import type { Account, AccountsTable } from '../db/schema.js';

export class AccountStore {
  constructor(private readonly db: Db) {}

  find(id: string): Promise<Account | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** `email` as stored: normalised (identifiers.ts). */
  findByEmail(email: string): Promise<Account | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
  }

  /** `phone` in E.164. */
  findByPhone(phone: string): Promise<Account | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('phone', '=', phone).executeTakeFirst();
  }

  /** A row exactly as given, no rules applied: for seeding; people register through Accounts.register. */
  insert(account: Insertable<AccountsTable>): Promise<Account> {
    return this.db.insertInto('accounts').values(account).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * The new row, or undefined when a unique index (email, phone) already holds the address.
   * No exception on the unique violation: in a transaction it would abort the rest of it.
   */
  insertUnlessTaken(account: Insertable<AccountsTable>): Promise<Account | undefined> {
    return this.db
      .insertInto('accounts')
      .values(account)
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
  }
}
