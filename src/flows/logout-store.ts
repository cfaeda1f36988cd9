/** Queries on logout requests (OIDC RP-Initiated Logout 1.0, Hydra's logout challenges). */
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { LogoutRequest, LogoutRequestsTable } from '../db/schema.js';

export class LogoutStore {
  constructor(private readonly db: Db) {}

  async insert(request: Insertable<LogoutRequestsTable>): Promise<void> {
    await this.db.insertInto('logout_requests').values(request).execute();
  }

  find(key: 'challenge_hash' | 'verifier_hash', hash: string): Promise<LogoutRequest | undefined> {
    return this.db.selectFrom('logout_requests').selectAll().where(key, '=', hash).executeTakeFirst();
  }

  transition(
    challengeHash: string,
    from: LogoutRequest['status'][],
    changes: Updateable<LogoutRequestsTable> & { status: LogoutRequest['status'] },
  ): Promise<LogoutRequest | undefined> {
    return this.db
      .updateTable('logout_requests')
      .set(changes)
      .where('challenge_hash', '=', challengeHash)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
  }
}
