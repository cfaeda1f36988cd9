/**
 * Reads of tokens and codes by their hash, grouped (src/db/group-commit.ts): the lookups of
 * concurrent requests go to the database together, as one `where hash in (…)` query.
 */
import { groupedLookup } from '../db/group-commit.js';

export function groupedByHash<Row extends { hash: string }>(
  fetch: (hashes: string[]) => Promise<Row[]>,
  concurrency: number,
): (hash: string) => Promise<Row | undefined> {
  return groupedLookup({
    fetch,
    keyOfItem: (hash: string) => hash,
    keyOfRow: (row: Row) => row.hash,
    concurrency,
    maxBatch: 500,
  });
}
