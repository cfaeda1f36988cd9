/**
 * Queries on the clients table. A client is read on every token request and changes rarely,
 * so the hot paths read it through `findCached`, a cache that every write here evicts, on
 * every node.
 */

import { sql, type Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import { type Invalidations, LocalInvalidations } from '../db/invalidations.js';
import { ReadCache } from '../db/read-cache.js';
import type { Client, ClientsTable, NewClient } from '../db/schema.js';

export interface ClientFilter {
  /** Keyset pagination: clients whose id sorts after this one. */
  after?: string;
  limit: number;
  name?: string;
  owner?: string;
  status?: string;
  /** Case-insensitive substring of the client id, the name or a contact. */
  q?: string;
  /** Only clients with changes held for review. */
  withPendingChanges?: boolean;
  /**
   * Oldest first (created_at, then id), the order of a review queue: the limit then keeps
   * those who have waited longest. Otherwise by id, the order `after` pages through.
   */
  oldestFirst?: boolean;
}

export class ClientStore {
  private readonly cache: ReadCache<string, Client>;

  constructor(
    private readonly db: Db,
    private readonly invalidations: Invalidations = new LocalInvalidations(),
  ) {
    this.cache = new ReadCache({ max: 10_000, maxAgeMs: 30_000, enabled: () => invalidations.listening });
    invalidations.subscribe((invalidation) => {
      if (invalidation.kind === 'client') this.cache.delete(invalidation.id);
      else if (invalidation.kind === 'all') this.cache.clear();
    });
  }

  /** The client as it is now in the database (for reads that lead to a write). */
  find(id: string): Promise<Client | undefined> {
    return this.db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The client for the hot paths (token endpoint, authorization requests), from the cache;
   * frozen, since other requests may be reading the same object.
   */
  findCached(id: string): Promise<Client | undefined> {
    return this.cache.get(id, async () => {
      const row = await this.find(id);
      return row && deepFreeze(row);
    });
  }

  async insert(client: NewClient): Promise<Client> {
    return this.db.insertInto('clients').values(client).returningAll().executeTakeFirstOrThrow();
  }

  update(id: string, changes: Updateable<ClientsTable>): Promise<Client | undefined> {
    return this.changing(id, (db) =>
      db.updateTable('clients').set(changes).where('id', '=', id).returningAll().executeTakeFirst(),
    );
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.changing(id, (db) => db.deleteFrom('clients').where('id', '=', id).executeTakeFirst());
    return result.numDeletedRows > 0n;
  }

  private changing<T>(id: string, write: (db: Db) => Promise<T>): Promise<T> {
    return this.invalidations.write(this.db, [{ kind: 'client', id }], write);
  }

  listByDeveloper(accountId: string): Promise<Client[]> {
    return this.db
      .selectFrom('clients')
      .selectAll()
      .where('developer_account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** Reads and clears the sealed secret in one statement; undefined when already taken. */
  async takeUnrevealedSecret(id: string): Promise<string | undefined> {
    const row = await this.changing(id, (trx) =>
      trx
        .with('taken', (db) =>
          db
            .selectFrom('clients')
            .select(['id', 'unrevealed_secret'])
            .where('id', '=', id)
            .where('unrevealed_secret', 'is not', null)
            .forUpdate(),
        )
        .updateTable('clients')
        .from('taken')
        .set({ unrevealed_secret: null })
        .whereRef('clients.id', '=', 'taken.id')
        .returning('taken.unrevealed_secret as secret')
        .executeTakeFirst(),
    );
    return row?.secret ?? undefined;
  }

  list(filter: ClientFilter): Promise<Client[]> {
    let query = this.db.selectFrom('clients').selectAll().limit(filter.limit);
    query = filter.oldestFirst ? query.orderBy('created_at').orderBy('id') : query.orderBy('id');
    if (filter.after !== undefined) query = query.where('id', '>', filter.after);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status as Client['status']);
    if (filter.withPendingChanges) query = query.where('pending_changes', 'is not', null);
    if (filter.q !== undefined && filter.q !== '') {
      // A search box: what is typed is text, never a pattern, so LIKE's wildcards are escaped.
      const pattern = `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`;
      query = query.where((eb) =>
        eb.or([
          eb('id', 'ilike', pattern),
          eb('name', 'ilike', pattern),
          sql<boolean>`exists (select 1 from jsonb_array_elements_text(${eb.ref('contacts')}) as contact where contact ilike ${pattern})`,
        ]),
      );
    }
    return query.execute();
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const member of Object.values(value)) {
    if (member && typeof member === 'object' && !Object.isFrozen(member)) deepFreeze(member);
  }
  return Object.freeze(value);
}
