/**
 * Queries behind two-factor authentication (totp.ts holds the rules): the TOTP columns of
 * `accounts` and the `recovery_codes` table. Secrets arrive here already encrypted and
 * recovery codes already hashed.
 */
import type { Db } from '../db/database.js';
import type { Account } from '../db/schema.js';

export type TotpColumns = Pick<Account, 'totp_secret' | 'totp_enabled_at'>;

/** What enabling found: done, or why not. */
export type EnableOutcome = 'enabled' | 'already_enabled' | 'unknown_account';
/** What replacing the recovery codes found: done, or why not. */
export type ReplaceOutcome = 'replaced' | 'not_enabled' | 'unknown_account';

export class TotpStore {
  constructor(private readonly db: Db) {}

  /**
   * Stores the encrypted secret and the step its enrolment code spent, only while 2FA is off
   * (replacing a live secret must go through disable(), which asks for a current code), and
   * the recovery code hashes with it, in one transaction.
   */
  enable(
    accountId: string,
    enrolment: { encryptedSecret: string; step: number; recoveryHashes: string[]; at: Date },
  ): Promise<EnableOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const enabled = await trx
        .updateTable('accounts')
        .set({
          totp_secret: enrolment.encryptedSecret,
          totp_enabled_at: enrolment.at,
          // The enrolment code is spent: it cannot be replayed to sign in.
          totp_last_step: String(enrolment.step),
        })
        .where('id', '=', accountId)
        .where('totp_enabled_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!enabled) {
        const exists = await trx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
        return exists ? 'already_enabled' : 'unknown_account';
      }
      await replaceRecoveryCodes(trx, accountId, enrolment.recoveryHashes, enrolment.at);
      return 'enabled';
    });
  }

  secretOf(accountId: string): Promise<TotpColumns | undefined> {
    return this.db
      .selectFrom('accounts')
      .select(['totp_secret', 'totp_enabled_at'])
      .where('id', '=', accountId)
      .executeTakeFirst();
  }

  /**
   * Raises the last accepted step to `step` only if it is newer, and only for the secret just
   * checked (not one replaced meanwhile): of two uses of one code, one UPDATE matches.
   */
  async acceptStep(accountId: string, encryptedSecret: string, step: number): Promise<boolean> {
    const accepted = await this.db
      .updateTable('accounts')
      .set({ totp_last_step: String(step) })
      .where('id', '=', accountId)
      .where('totp_secret', '=', encryptedSecret)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
      .returning('id')
      .executeTakeFirst();
    return accepted !== undefined;
  }

  /** Marks the unused recovery code with this hash used; true for exactly one caller. */
  async spendRecoveryCode(accountId: string, codeHash: string, at: Date): Promise<boolean> {
    const used = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: at })
      .where('account_id', '=', accountId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .returning('account_id')
      .executeTakeFirst();
    return used !== undefined;
  }

  /** Forgets the secret, the last step and the recovery codes. */
  async disable(accountId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('accounts')
        .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
        .where('id', '=', accountId)
        .execute();
      await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
    });
  }

  /** Replaces every recovery code of an account whose 2FA is on. */
  replaceRecoveryCodes(accountId: string, hashes: string[], at: Date): Promise<ReplaceOutcome> {
    return this.db.transaction().execute(async (trx) => {
      // The row lock orders this against a concurrent disable().
      const account = await trx
        .selectFrom('accounts')
        .select('totp_enabled_at')
        .where('id', '=', accountId)
        .forUpdate()
        .executeTakeFirst();
      if (!account) return 'unknown_account';
      if (!account.totp_enabled_at) return 'not_enabled';
      await replaceRecoveryCodes(trx, accountId, hashes, at);
      return 'replaced';
    });
  }

  async remainingRecoveryCodes(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('account_id', '=', accountId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    // count(*) is bigint: a string from pg, a number or bigint from PGlite.
    return Number(row.count);
  }
}

/** Inside a caller's transaction: the old codes go, the new hashes come. */
async function replaceRecoveryCodes(trx: Db, accountId: string, hashes: string[], at: Date): Promise<void> {
  await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
  await trx
    .insertInto('recovery_codes')
    .values(hashes.map((code_hash) => ({ account_id: accountId, code_hash, created_at: at })))
    .execute();
}
