/**
 * Queries on `signing_keys` (signing-keys.ts holds the rules and the cache). Private keys
 * arrive here already encrypted. Creating and rotating keys run under one advisory lock, so
 * two nodes starting or rotating at once do not both create keys.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { SigningKey } from '../db/schema.js';

export type NewSigningKey = Pick<SigningKey, 'kid' | 'alg' | 'private_jwk'> & { public_jwk: string };
export type PublicKeyRow = Pick<SigningKey, 'kid' | 'alg' | 'state' | 'created_at' | 'retired_at' | 'public_jwk'>;
export type PrivateKeyRow = Pick<SigningKey, 'kid' | 'alg' | 'private_jwk'>;

export class SigningKeyStore {
  constructor(private readonly db: Db) {}

  /** Runs `work` in one transaction that holds the key-set lock, on a store bound to that transaction. */
  locked<T>(work: (store: SigningKeyStore) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      // 7270001: the lock every node takes to change the key set.
      await sql`select pg_advisory_xact_lock(7270001)`.execute(trx);
      return work(new SigningKeyStore(trx));
    });
  }

  async activeAlgorithms(): Promise<string[]> {
    const rows = await this.db.selectFrom('signing_keys').select('alg').where('state', '=', 'active').execute();
    return rows.map((r) => r.alg);
  }

  async exists(kid: string): Promise<boolean> {
    return (await this.db.selectFrom('signing_keys').select('kid').where('kid', '=', kid).executeTakeFirst()) !== undefined;
  }

  /** Retires the active keys of these algorithms; they stay published. */
  async retireActive(algs: readonly string[], at: Date): Promise<void> {
    await this.db
      .updateTable('signing_keys')
      .set({ state: 'retired', retired_at: at })
      .where('state', '=', 'active')
      .where('alg', 'in', algs)
      .execute();
  }

  /** Adds an active key. */
  async insert(key: NewSigningKey): Promise<void> {
    await this.db
      .insertInto('signing_keys')
      .values({ ...key, state: 'active' })
      .execute();
  }

  async stateOf(kid: string): Promise<SigningKey['state'] | undefined> {
    const row = await this.db.selectFrom('signing_keys').select('state').where('kid', '=', kid).executeTakeFirst();
    return row?.state;
  }

  async remove(kid: string): Promise<void> {
    await this.db.deleteFrom('signing_keys').where('kid', '=', kid).execute();
  }

  /** Every key's public half, newest first. */
  listPublic(): Promise<PublicKeyRow[]> {
    return this.db
      .selectFrom('signing_keys')
      .select(['kid', 'alg', 'state', 'created_at', 'retired_at', 'public_jwk'])
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** The active keys' encrypted private halves, oldest first. */
  activePrivate(): Promise<PrivateKeyRow[]> {
    return this.db
      .selectFrom('signing_keys')
      .select(['kid', 'alg', 'private_jwk'])
      .where('state', '=', 'active')
      .orderBy('created_at', 'asc')
      .execute();
  }
}
