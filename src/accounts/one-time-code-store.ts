/**
 * Queries on `one_time_codes` (one-time-codes.ts holds the rules). Codes arrive here already
 * hashed. Each spend is one conditional UPDATE, so parallel tries race in the database, not
 * in this process.
 */
import { type Insertable, sql } from 'kysely';
import { deleteInChunks } from '../db/chunked-delete.js';
import type { Db } from '../db/database.js';
import type { OneTimeCode, OneTimeCodesTable } from '../db/schema.js';

/** What the send limits read of another code in the window (code-limits.ts). */
export type RecentCode = Pick<
  OneTimeCode,
  'destination' | 'channel' | 'network' | 'proved' | 'created_at' | 'resend_after' | 'verified_at' | 'consumed_at'
>;

export class OneTimeCodeStore {
  constructor(private readonly db: Db) {}

  async insert(code: Insertable<OneTimeCodesTable>): Promise<void> {
    await this.db.insertInto('one_time_codes').values(code).execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('one_time_codes').where('id', '=', id).execute();
  }

  find(id: string): Promise<OneTimeCode | undefined> {
    return this.db.selectFrom('one_time_codes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Counts one try on a code still open to tries; the row after it, or undefined when none was left. */
  spendAttempt(id: string, now: Date): Promise<OneTimeCode | undefined> {
    return this.db
      .updateTable('one_time_codes')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('verified_at', 'is', null)
      .where('expires_at', '>', now)
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .returningAll()
      .executeTakeFirst();
  }

  /** Marks the code verified; the row for exactly one of several callers, undefined for the rest. */
  markVerified(id: string, now: Date): Promise<OneTimeCode | undefined> {
    return this.db
      .updateTable('one_time_codes')
      .set({ verified_at: now })
      .where('id', '=', id)
      .where('verified_at', 'is', null)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** Ends an unverified code now (a newer one replaced it). */
  async expire(id: string, now: Date): Promise<void> {
    await this.db
      .updateTable('one_time_codes')
      .set({ expires_at: now })
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .where('verified_at', 'is', null)
      .execute();
  }

  /** Spends a verified, unexpired code; true for exactly one caller. */
  async consume(id: string, now: Date): Promise<boolean> {
    const row = await this.db
      .updateTable('one_time_codes')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('verified_at', 'is not', null)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Removes the codes expired by `now` and created by `countedUntil`, in chunks (db/chunked-delete.ts). */
  deleteExpired(now: Date, countedUntil: Date, signal?: AbortSignal): Promise<number> {
    return deleteInChunks(this.db, {
      table: 'one_time_codes',
      key: 'id',
      where: sql`expires_at <= ${now} and created_at <= ${countedUntil}`,
      signal,
    });
  }

  /**
   * The codes other than `self` created after `since` to `destination` or from `network`,
   * leaving out entered email codes, which count towards nothing (code-limits.ts).
   */
  recentCodes(self: string, since: Date, send: { destination: string; network: string | null }): Promise<RecentCode[]> {
    const { network } = send;
    return this.db
      .selectFrom('one_time_codes')
      .select(['destination', 'channel', 'network', 'proved', 'created_at', 'resend_after', 'verified_at', 'consumed_at'])
      .where('id', '<>', self)
      .where('created_at', '>', since)
      .where((eb) =>
        eb.or([eb('destination', '=', send.destination), ...(network === null ? [] : [eb('network', '=', network)])]),
      )
      .where((eb) => eb.or([eb('verified_at', 'is', null), eb('channel', '<>', 'email')]))
      .execute();
  }
}
