/**
 * Queries on issued tokens and the grants they belong to (a grant is a token family: revoking
 * it ends every token of it at once). Every token is addressed by its hash; rotating a refresh
 * token is one atomic UPDATE … WHERE still usable, in the same statement as the insert of its
 * successors (spend.ts). Authorization codes have their own store (authorization-codes.ts).
 *
 * Two things keep the hot paths short. Concurrent requests' writes (issued tokens, rotations)
 * and token lookups are grouped into shared statements and commits (src/db/group-commit.ts).
 * Access tokens read to be checked (introspection, userinfo) come from a cache that every
 * revocation evicts, on every node, in the revoking transaction (src/db/invalidations.ts);
 * refresh tokens are always read fresh, since using one changes it.
 */

import { type Insertable, sql } from 'kysely';
import { deleteInChunks } from '../db/chunked-delete.js';
import { anyOf, type Db, executeWithJson } from '../db/database.js';
import { GroupCommit } from '../db/group-commit.js';
import { type Invalidation, type Invalidations, LocalInvalidations } from '../db/invalidations.js';
import { ReadCache } from '../db/read-cache.js';
import type { Grant, Token, TokensTable } from '../db/schema.js';
import { groupedByHash } from './lookup-by-hash.js';
import { groupedSpends, type Spend, spendStatement, TOKEN_RECORD } from './spend.js';

export type TokenWithGrant = Token & {
  grant_revoked_at: Date | null;
  access_token_claims: Record<string, unknown> | null;
  id_token_claims: Record<string, unknown> | null;
} & Pick<Grant, 'session_id' | 'auth_time' | 'acr' | 'amr'>;

export interface TokenStoreOptions {
  /** Grouped token reads, and grouped writes, in flight at once; each holds a pooled connection. */
  concurrency?: number;
}

export class TokenStore {
  private readonly accessTokens: ReadCache<string, TokenWithGrant>;
  /** Each item is one request's rows, so they commit together or not at all. */
  private readonly tokenWrites: GroupCommit<Insertable<TokensTable>[], undefined>;
  private readonly rotations: (rotation: Spend) => Promise<boolean>;
  /** Reads grouped the same way: one query for the lookups that arrive together. */
  private readonly tokenReads: (hash: string) => Promise<TokenWithGrant | undefined>;

  constructor(
    private readonly db: Db,
    private readonly invalidations: Invalidations = new LocalInvalidations(),
    options: TokenStoreOptions = {},
  ) {
    this.accessTokens = new ReadCache({ max: 50_000, maxAgeMs: 30_000, enabled: () => invalidations.listening });
    invalidations.subscribe((invalidation) => this.evict(invalidation));
    const concurrency = options.concurrency ?? 4;
    this.tokenWrites = new GroupCommit({
      run: async (requests: Insertable<TokensTable>[][]): Promise<undefined[]> => {
        await executeWithJson(db, INSERT_TOKENS, [requests.flat()]);
        return [];
      },
      concurrency,
      maxBatch: 500,
    });
    this.tokenReads = groupedByHash((hashes) => this.findTokens(hashes), concurrency);
    // The same token presented twice at once: one rotation wins, the other is a reuse.
    this.rotations = groupedSpends(db, ROTATE, concurrency);
  }

  private evict(invalidation: Invalidation): void {
    const cache = this.accessTokens;
    if (invalidation.kind === 'token') cache.delete(invalidation.hash);
    else if (invalidation.kind === 'grant') cache.deleteWhere((row) => row.grant_id === invalidation.id);
    else if (invalidation.kind === 'client') cache.deleteWhere((row) => row.client_id === invalidation.id);
    else if (invalidation.kind === 'subject') cache.deleteWhere((row) => row.subject === invalidation.subject);
    else cache.clear();
  }

  /** Stores one request's tokens, together with other requests' tokens (group commit). */
  async insertTokens(tokens: Insertable<TokensTable>[]): Promise<void> {
    if (tokens.length > 0) await this.tokenWrites.submit(tokens);
  }

  /**
   * A token as it is now in the database, with its grant's state. Lookups of concurrent
   * requests go to the database together, as one query.
   */
  findToken(hash: string): Promise<TokenWithGrant | undefined> {
    return this.tokenReads(hash);
  }

  private findTokens(hashes: string[]): Promise<TokenWithGrant[]> {
    return this.db
      .selectFrom('tokens')
      .leftJoin('grants', 'grants.id', 'tokens.grant_id')
      .selectAll('tokens')
      .select([
        'grants.revoked_at as grant_revoked_at',
        'grants.access_token_claims',
        'grants.id_token_claims',
        'grants.session_id',
        'grants.auth_time',
        'grants.acr',
        'grants.amr',
      ])
      .where('tokens.hash', '=', anyOf(hashes))
      .execute() as Promise<TokenWithGrant[]>;
  }

  /**
   * A token to be checked, not used: access tokens may come from the cache, which no
   * revocation outlives. The row is frozen, as other requests may hold it too. A cached row
   * comes back as itself, not a promise: the hit of introspection and userinfo costs none.
   */
  findTokenToCheck(hash: string): TokenWithGrant | undefined | Promise<TokenWithGrant | undefined> {
    return this.accessTokens.peek(hash) ?? this.readTokenToCheck(hash);
  }

  private async readTokenToCheck(hash: string): Promise<TokenWithGrant | undefined> {
    let read: TokenWithGrant | undefined;
    const cached = await this.accessTokens.load(hash, async () => {
      read = await this.findToken(hash);
      return read?.kind === 'access' ? freeze(read) : undefined;
    });
    return cached ?? read;
  }

  /**
   * Marks a live refresh token rotated and stores its successors, atomically: the new tokens
   * exist exactly when the presented one was live and is now used. False when it was not live
   * (unknown, already used, revoked). Concurrent rotations share one statement and commit.
   */
  rotate(rotation: Spend): Promise<boolean> {
    return this.rotations(rotation);
  }

  async revokeToken(hash: string, now: Date): Promise<void> {
    await this.invalidations.write(this.db, [{ kind: 'token', hash }], (db) =>
      db.updateTable('tokens').set({ revoked_at: now }).where('hash', '=', hash).where('revoked_at', 'is', null).execute(),
    );
  }

  /** Revokes a whole token family: every token of the grant stops working at once. */
  async revokeGrant(id: string, reason: string, now: Date): Promise<boolean> {
    const result = await this.invalidations.write(this.db, [{ kind: 'grant', id }], (trx) =>
      trx
        .updateTable('grants')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }

  /** Revokes every grant and token of a client, of a subject, or of both together. */
  async revoke(
    filter: { clientId?: string | undefined; subject?: string | undefined },
    reason: string,
    now: Date,
  ): Promise<void> {
    if (filter.clientId === undefined && filter.subject === undefined) throw new Error('revoke needs a client or a subject');
    const evicted: Invalidation[] = [];
    if (filter.clientId !== undefined) evicted.push({ kind: 'client', id: filter.clientId });
    if (filter.subject !== undefined) evicted.push({ kind: 'subject', subject: filter.subject });
    await this.invalidations.write(this.db, evicted, async (db) => {
      let grants = db.updateTable('grants').set({ revoked_at: now, revoked_reason: reason }).where('revoked_at', 'is', null);
      let tokens = db.updateTable('tokens').set({ revoked_at: now }).where('revoked_at', 'is', null);
      if (filter.clientId !== undefined) {
        grants = grants.where('client_id', '=', filter.clientId);
        tokens = tokens.where('client_id', '=', filter.clientId);
      }
      if (filter.subject !== undefined) {
        const subject = filter.subject;
        grants = grants.where('subject', '=', subject);
        // A person's tokens all belong to grants: found through the grants' index and then
        // tokens_grant, not by scanning every token for its subject.
        tokens = tokens.where('grant_id', 'in', (eb) => eb.selectFrom('grants').select('id').where('subject', '=', subject));
      }
      await grants.execute();
      await tokens.execute();
    });
  }

  /** Clients holding live grants of a subject, with the scope of the newest grant. */
  async activeClients(subject: string, now: Date): Promise<{ client_id: string; scope: string; created_at: Date }[]> {
    const rows = await this.db
      .selectFrom('grants')
      .innerJoin('tokens', 'tokens.grant_id', 'grants.id')
      .select(['grants.client_id', 'grants.scope', 'grants.created_at'])
      .where('grants.subject', '=', subject)
      .where('grants.revoked_at', 'is', null)
      .where('tokens.revoked_at', 'is', null)
      .where('tokens.expires_at', '>', now)
      .orderBy('grants.created_at', 'desc')
      .execute();
    const seen = new Map<string, (typeof rows)[number]>();
    for (const row of rows) if (!seen.has(row.client_id)) seen.set(row.client_id, row);
    return [...seen.values()];
  }

  /**
   * Deletes what has expired; returns how many rows went. One table after the other, each in
   * chunks that leave the requests beside them room (src/db/chunked-delete.ts); once `signal`
   * aborts (its node is stopping) it ends after the chunk under way, and what is left goes at
   * the next pass, on this node or another.
   */
  async deleteExpired(now: Date, signal?: AbortSignal): Promise<number> {
    let removed = 0;
    for (const [table, key] of EXPIRING) {
      removed += await deleteInChunks(this.db, { table, key, where: sql`expires_at <= ${now}`, signal });
    }
    return removed;
  }
}

/** Tables whose rows expire, with their primary keys. */
const EXPIRING = [
  ['authorization_codes', 'hash'],
  ['tokens', 'hash'],
  ['flows', 'id'],
  ['logout_requests', 'challenge_hash'],
  ['login_sessions', 'id'],
] as const;

/**
 * One statement of one shape for any number of tokens: the rows travel as a single JSON
 * document. A multi-row VALUES list has nine parameters a row, which Kysely parses, pg
 * serialises and PostgreSQL parses and plans anew for every batch size.
 */
const INSERT_TOKENS = `
  insert into tokens (hash, kind, grant_id, client_id, subject, scope, audience, expires_at, created_at, revoked_at, rotated_at)
  select hash, kind, grant_id, client_id, subject, scope, coalesce(audience::jsonb, '[]'), expires_at,
    coalesce(created_at, now()), revoked_at, rotated_at
  from json_to_recordset($1::json) as t(${TOKEN_RECORD}, revoked_at timestamptz, rotated_at timestamptz)`;

/** Rotating a refresh token: it is marked rotated, only while it is live (spend.ts). */
const ROTATE = spendStatement(`
    update tokens set rotated_at = presented.at from presented
    where tokens.hash = any($3::text[]) and tokens.hash = presented.hash and tokens.kind = 'refresh'
      and tokens.rotated_at is null and tokens.revoked_at is null
    returning tokens.hash`);

function freeze<T extends object>(row: T): T {
  for (const value of Object.values(row)) if (value && typeof value === 'object') Object.freeze(value);
  return Object.freeze(row);
}
