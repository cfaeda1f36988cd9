/**
 * Leases: a job that one of the nodes sharing a database does at a time (the background
 * clean-up). A lease is held by one process until it lapses, by the database's clock, or is
 * given back; a process that died holding one holds it only until it lapses.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/**
 * Takes the lease `name` for `holder` for `seconds`, or renews it if `holder` has it: true
 * when `holder` holds it now. One statement, so of two nodes asking at once one wins.
 */
export async function takeLease(db: Kysely<Database>, name: string, holder: string, seconds: number): Promise<boolean> {
  const { rows } = await sql`
    insert into leases (name, holder, expires_at) values (${name}, ${holder}, now() + make_interval(secs => ${seconds}))
    on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where leases.expires_at <= now() or leases.holder = excluded.holder
    returning holder`.execute(db);
  return rows.length === 1;
}

/** Gives the lease back if `holder` has it, so another process need not wait for it to lapse. */
export async function giveBackLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}
