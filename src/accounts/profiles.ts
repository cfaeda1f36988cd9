/**
 * What the resource endpoints (userinfo, the Galxe user API) read per call: a person's
 * account and linked identities, fresh each time so that an unlinked identity is gone at
 * once. Reads of concurrent calls go to the database together: two queries for the whole
 * group instead of two per call.
 */
import { anyOf, type Db } from '../db/database.js';
import { GroupCommit } from '../db/group-commit.js';
import type { Account, LinkedIdentity } from '../db/schema.js';

export interface Profile {
  account: Account | undefined;
  identities: LinkedIdentity[];
}

export class Profiles {
  private readonly reads: GroupCommit<string, Profile>;

  constructor(
    private readonly db: Db,
    options: { concurrency: number },
  ) {
    this.reads = new GroupCommit({ run: (ids) => this.readAll(ids), concurrency: options.concurrency, maxBatch: 500 });
  }

  read(accountId: string): Promise<Profile> {
    return this.reads.submit(accountId);
  }

  private async readAll(ids: string[]): Promise<Profile[]> {
    const [accounts, identities] = await Promise.all([
      this.db.selectFrom('accounts').selectAll().where('id', '=', anyOf(ids)).execute(),
      this.db.selectFrom('linked_identities').selectAll().where('account_id', '=', anyOf(ids)).orderBy('created_at').execute(),
    ]);
    const byId = new Map(accounts.map((account) => [account.id, account]));
    return ids.map((id) => ({
      account: byId.get(id),
      identities: byId.has(id) ? identities.filter((identity) => identity.account_id === id) : [],
    }));
  }
}
