import { type Kysely, sql } from 'kysely';

/**
 * Repeated failures fold into one audit entry per window (src/audit/folding.ts): the entry's
 * fold key is unique while it is set, so the first failure of a window inserts it and the
 * others count into it with one `on conflict do update`.
 *
 * The review queue reads pending clients oldest first (clients by status and created_at).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table audit_log add column fold_key text;
    create unique index audit_log_fold_key on audit_log (fold_key) where fold_key is not null;
    create index clients_status_created on clients (status, created_at, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index clients_status_created;
    drop index audit_log_fold_key;
    alter table audit_log drop column fold_key;
  `.execute(db);
}
