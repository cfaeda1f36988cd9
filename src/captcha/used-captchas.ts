/** Queries on used_captchas: solutions already accepted, kept until their challenge expires. */
import type { Db } from '../db/database.js';

export class UsedCaptchaStore {
  constructor(private readonly db: Db) {}

  /**
   * Marks a challenge as used. True the first time; false when it was already there. One
   * statement, so two concurrent submissions of the same solution cannot both win.
   */
  async record(signature: string, expiresAt: Date): Promise<boolean> {
    const inserted = await this.db
      .insertInto('used_captchas')
      .values({ signature, expires_at: expiresAt })
      .onConflict((oc) => oc.column('signature').doNothing())
      .returning('signature')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  /** Rows whose challenge has expired can go: an expired challenge is refused anyway. */
  async deleteExpired(now: Date): Promise<number> {
    const result = await this.db.deleteFrom('used_captchas').where('expires_at', '<', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
