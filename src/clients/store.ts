/** Queries on the clients table. */

import type { Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { Client, ClientsTable, NewClient } from '../db/schema.js';

export class ClientStore {
  constructor(private readonly db: Db) {}

  find(id: string): Promise<Client | undefined> {
    return this.db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(client: NewClient): Promise<Client> {
    return this.db.insertInto('clients').values(client).returningAll().executeTakeFirstOrThrow();
  }

  update(id: string, changes: Updateable<ClientsTable>): Promise<Client | undefined> {
    return this.db.updateTable('clients').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  list(filter: { after?: string; limit: number; name?: string; owner?: string; status?: string }): Promise<Client[]> {
    let query = this.db.selectFrom('clients').selectAll().orderBy('id').limit(filter.limit);
    if (filter.after !== undefined) query = query.where('id', '>', filter.after);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.owner !== undefined) query = query.where('owner', '=', filter.owner);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status as Client['status']);
    return query.execute();
  }
}
