import { type Kysely, sql } from 'kysely';

/**
 * Telegram Login Widget data already used to link an account, by the SHA-256 of its signature,
 * kept until the data would be refused as too old anyway (auth_date + TELEGRAM_AUTH_MAX_AGE):
 * the signed data is a bearer proof, good once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table used_telegram_logins (
      hash text primary key,
      expires_at timestamptz not null
    );
    create index used_telegram_logins_expires_at on used_telegram_logins (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table used_telegram_logins;`.execute(db);
}
