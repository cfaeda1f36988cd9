/**
 * Queries on login sessions: a person signed in on a browser (Hydra's authentication session),
 * which later authorizations reuse without asking again while it lives.
 */
import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import type { LoginSession, LoginSessionsTable } from '../db/schema.js';
import { ENDED, OPEN_FLOW_STATES } from './flow-store.js';

export class LoginSessionStore {
  constructor(private readonly db: Db) {}

  async insert(session: Insertable<LoginSessionsTable>): Promise<void> {
    await this.db.insertInto('login_sessions').values(session).execute();
  }

  find(id: string, now: Date): Promise<LoginSession | undefined> {
    return this.db.selectFrom('login_sessions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
  }

  list(subject: string, now: Date): Promise<LoginSession[]> {
    return this.db
      .selectFrom('login_sessions')
      .selectAll()
      .where('subject', '=', subject)
      .where('expires_at', '>', now)
      .orderBy('authenticated_at', 'desc')
      .execute();
  }

  /**
   * Ends login sessions (one by id, or every one of a subject) and, in the same statement,
   * every flow still open on them: a login or consent request that would reuse the session,
   * or a sign-in of the subject not yet turned into a code, would otherwise still end in a
   * code for a person who signed out (Hydra 1.x cascaded the same deletion to its login
   * requests). A session named by id ends only the flows of its own subject, when one is given.
   */
  async delete(filter: { id?: string; subject?: string }): Promise<number> {
    const { id, subject } = filter;
    if (id === undefined && subject === undefined) throw new RangeError('delete needs an id or a subject');
    const row = await this.db
      .with('gone', (db) => {
        let query = db.deleteFrom('login_sessions');
        if (id !== undefined) query = query.where('id', '=', id);
        if (subject !== undefined) query = query.where('subject', '=', subject);
        return query.returning('id');
      })
      .with('ended', (db) => {
        let query = db.updateTable('flows').set(ENDED).where('state', 'in', OPEN_FLOW_STATES);
        if (id !== undefined) query = query.where('login_session_id', '=', id);
        if (subject !== undefined) query = query.where('subject', '=', subject);
        return query.returning('id');
      })
      .selectFrom('gone')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
