import { type Kysely, sql } from 'kysely';

/**
 * The life of an application: who registered it, changes held for review, RFC 7591/7592
 * registration tokens, and the audit log of administrative actions and security events.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table clients add column description text;
    alter table clients add column developer_account_id text references accounts (id) on delete set null;
    alter table clients add column pending_changes jsonb;
    alter table clients add column registration_token_hash text;
    alter table clients add column unrevealed_secret text;
    alter table clients add column status_changed_at timestamptz;
    create index clients_developer on clients (developer_account_id);
    create index clients_status on clients (status, created_at);

    create table initial_access_tokens (
      id text primary key,
      token_hash text not null unique,
      description text,
      uses_left integer,
      expires_at timestamptz,
      created_at timestamptz not null default now()
    );

    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null,
      action text not null,
      actor_type text not null,
      actor_id text,
      target_type text,
      target_id text,
      ip text,
      details jsonb not null default '{}'
    );
    create index audit_log_at on audit_log (at);
    create index audit_log_target on audit_log (target_type, target_id, at);
    create index audit_log_action on audit_log (action, at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table audit_log;
    drop table initial_access_tokens;
    alter table clients drop column description;
    alter table clients drop column developer_account_id;
    alter table clients drop column pending_changes;
    alter table clients drop column registration_token_hash;
    alter table clients drop column unrevealed_secret;
    alter table clients drop column status_changed_at;
  `.execute(db);
}
