/**
 * The messages Gatehouse asked a wallet to sign (`wallet_challenges`): each bound to one
 * account, kind and address, found by its nonce, and spent once by a conditional UPDATE.
 */
import { sql } from 'kysely';
import { newId } from '../crypto/tokens.js';
import { deleteInChunks } from '../db/chunked-delete.js';
import type { Db } from '../db/database.js';
import type { StoredChallenge, WalletKind } from './chain.js';

/** Spent and expired challenges are kept this long, so a replay is told "already used", not "unknown". */
const KEEP_AFTER_EXPIRY_MS = 24 * 3600 * 1000;

export class WalletChallenges {
  constructor(private readonly deps: { db: Db; now: () => number }) {}

  async create(input: Omit<StoredChallenge, 'id' | 'usedAt'>): Promise<StoredChallenge> {
    const id = newId();
    await this.deps.db
      .insertInto('wallet_challenges')
      .values({
        id,
        account_id: input.accountId,
        kind: input.kind,
        address: input.address,
        nonce: input.nonce,
        message: input.message,
        expires_at: input.expiresAt,
      })
      .execute();
    return { ...input, id, usedAt: null };
  }

  async findByNonce(nonce: string): Promise<StoredChallenge | undefined> {
    const row = await this.deps.db.selectFrom('wallet_challenges').selectAll().where('nonce', '=', nonce).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      accountId: row.account_id,
      kind: row.kind as WalletKind,
      address: row.address,
      nonce: row.nonce,
      message: row.message,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
    };
  }

  /** Spends the challenge; false if it was spent already or has expired (the one that wins a race is true). */
  async consume(id: string): Promise<boolean> {
    const now = new Date(this.deps.now());
    const row = await this.deps.db
      .updateTable('wallet_challenges')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Removes challenges that expired more than a day before `at`. */
  deleteExpired(at: Date = new Date(this.deps.now()), signal?: AbortSignal): Promise<number> {
    const kept = new Date(at.getTime() - KEEP_AFTER_EXPIRY_MS);
    return deleteInChunks(this.deps.db, { table: 'wallet_challenges', key: 'id', where: sql`expires_at < ${kept}`, signal });
  }
}
