import { type Kysely, sql } from 'kysely';

/**
 * Admin console sessions, kept on the server so that signing out ends a copied cookie too.
 * The cookie holds a random id; the row holds only its hash.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table console_sessions (
      id_hash text primary key,
      operator text not null,
      token_tag text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index console_sessions_expires_at on console_sessions (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table console_sessions;`.execute(db);
}
