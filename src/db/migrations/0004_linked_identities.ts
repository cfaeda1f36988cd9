import { type Kysely, sql } from 'kysely';

/**
 * Linked identities: social accounts and wallet addresses a person proved they own, and the
 * one-time challenges wallets sign. An identity belongs to one account only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table linked_identities (
      id text primary key,
      account_id text not null references accounts (id) on delete cascade,
      kind text not null check (kind in ('twitter', 'discord', 'github', 'telegram', 'evm', 'solana', 'sei', 'aptos', 'injective', 'flow')),
      external_id text not null,
      display_name text not null,
      details jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (kind, external_id),
      unique (account_id, kind)
    );

    create table wallet_challenges (
      id text primary key,
      account_id text not null references accounts (id) on delete cascade,
      kind text not null,
      address text not null,
      nonce text not null unique,
      message text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    );
    create index wallet_challenges_expires_at on wallet_challenges (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table wallet_challenges;
    drop table linked_identities;
  `.execute(db);
}
