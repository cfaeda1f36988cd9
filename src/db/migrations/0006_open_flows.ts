import { type Kysely, sql } from 'kysely';

/**
 * Ending a login session ends the flows still open on it (FlowStore.deleteSessions): by
 * session id for one session, by subject for every session of a person. Only open flows are
 * indexed: done flows (remembered consents among them) are most of the table and never match.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index flows_open_by_session on flows (login_session_id)
      where state in ('login_requested', 'login_accepted', 'consent_requested', 'consent_accepted');
    create index flows_open_by_subject on flows (subject)
      where state in ('login_requested', 'login_accepted', 'consent_requested', 'consent_accepted');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index flows_open_by_subject; drop index flows_open_by_session;`.execute(db);
}
