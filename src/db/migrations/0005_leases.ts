import { type Kysely, sql } from 'kysely';

/**
 * Leases: a named job that one of the nodes sharing a database does at a time (the background
 * clean-up), held by one process until it lapses or is given back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table leases (
      name text primary key,
      holder text not null,
      expires_at timestamptz not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table leases;`.execute(db);
}
