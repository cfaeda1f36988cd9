import { type Kysely, sql } from 'kysely';

/** The built-in login app: one-time codes, 2FA, the dev outbox, rate limits, used captchas. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table accounts add column totp_secret text;
    alter table accounts add column totp_enabled_at timestamptz;
    alter table accounts add column totp_last_step bigint;

    create table recovery_codes (
      account_id text not null references accounts (id) on delete cascade,
      code_hash text not null,
      used_at timestamptz,
      created_at timestamptz not null default now(),
      primary key (account_id, code_hash)
    );

    create table one_time_codes (
      id text primary key,
      purpose text not null check (purpose in ('login', 'register')),
      channel text not null check (channel in ('email', 'sms', 'whatsapp')),
      destination text not null,
      code_hash text not null,
      login_challenge_hash text,
      attempts integer not null default 0,
      max_attempts integer not null,
      ip text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      resend_after timestamptz not null,
      verified_at timestamptz,
      consumed_at timestamptz
    );
    create index one_time_codes_destination on one_time_codes (destination, created_at);
    create index one_time_codes_ip on one_time_codes (ip, created_at);
    create index one_time_codes_expires_at on one_time_codes (expires_at);

    create table outbox (
      id text primary key,
      channel text not null,
      recipient text not null,
      subject text,
      body text not null,
      created_at timestamptz not null default now()
    );
    create index outbox_created_at on outbox (created_at);

    create table rate_limits (
      key text not null,
      window_start timestamptz not null,
      count integer not null,
      primary key (key, window_start)
    );

    create table used_captchas (
      signature text primary key,
      expires_at timestamptz not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table used_captchas; drop table rate_limits; drop table outbox; drop table one_time_codes;
    drop table recovery_codes;
    alter table accounts drop column totp_secret;
    alter table accounts drop column totp_enabled_at;
    alter table accounts drop column totp_last_step;
  `.execute(db);
}
