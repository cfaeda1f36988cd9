/**
 * Queries on used_telegram_logins: the Telegram Login Widget's signed data is good for one
 * link. Without this, the data that linked one account, presented again in another account's
 * own attempt within TELEGRAM_AUTH_MAX_AGE, linked that one too.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { deleteInChunks } from '../db/chunked-delete.js';
import type { Db } from '../db/database.js';

/** The signature is the data's fingerprint (HMAC over every field); it is kept hashed, as every proof is. */
const keyOf = (signature: string) => createHash('sha256').update(signature.toLowerCase()).digest('base64url');

export class UsedTelegramLogins {
  constructor(private readonly db: Db) {}

  /**
   * Spends the data signed by `signature`: true the first time, false when it was spent
   * already. One statement, so two concurrent uses of the same data cannot both win.
   */
  async spend(signature: string, expiresAt: Date): Promise<boolean> {
    const inserted = await this.db
      .insertInto('used_telegram_logins')
      .values({ hash: keyOf(signature), expires_at: expiresAt })
      .onConflict((oc) => oc.column('hash').doNothing())
      .returning('hash')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Past its expiry the data is refused as too old, so its row can go (the background clean-up). */
  deleteExpired(at: Date, signal?: AbortSignal): Promise<number> {
    return deleteInChunks(this.db, { table: 'used_telegram_logins', key: 'hash', where: sql`expires_at < ${at}`, signal });
  }
}
