/**
 * Deleting a backlog without stalling the requests beside it (the background clean-up). Each
 * chunk is a short statement of its own, holding one pooled connection and no lock for long;
 * between two chunks it rests three times as long as the chunk took, so a backlog takes four
 * times longer to clear and the database gives the requests beside it three quarters of the
 * time it would have taken: deleting back to back took client_credentials to 0.63x of its rate
 * while 200,000 expired tokens went, resting it kept 82-88% (bench/RESULTS.md, Growth).
 */
import { setTimeout } from 'node:timers/promises';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from './database.js';

export const DELETE_CHUNK = 5_000;
const REST_PER_WORK = 3;

export interface ChunkedDelete {
  table: string;
  /** The table's primary key, by which each chunk's rows are picked. */
  key: string;
  /** Which rows go; an indexed condition, since every chunk searches with it. */
  where: RawBuilder<unknown>;
  /** Once it aborts (the node is stopping), the delete ends after the chunk under way. */
  signal?: AbortSignal | undefined;
}

/** Deletes every row `where` matches, in chunks; resolves to how many went. */
export async function deleteInChunks(db: Db, { table, key, where, signal }: ChunkedDelete): Promise<number> {
  let removed = 0;
  for (;;) {
    if (signal?.aborted) return removed;
    const started = performance.now();
    const result = await sql`
      delete from ${sql.table(table)} where ${sql.ref(key)} in (
        select ${sql.ref(key)} from ${sql.table(table)} where ${where} limit ${DELETE_CHUNK}
      )`.execute(db);
    const count = Number(result.numAffectedRows ?? 0n);
    removed += count;
    if (count < DELETE_CHUNK) return removed;
    // An abort ends the rest early (setTimeout rejects); the check above then returns.
    await setTimeout(REST_PER_WORK * (performance.now() - started), undefined, { signal }).catch(() => {});
  }
}
