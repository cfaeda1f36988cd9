/**
 * Group commit: the rows that concurrent requests want stored are written together, one
 * multi-row statement and one commit for all of them, and each request is answered when the
 * commit that holds its rows returns. Nobody waits for a timer: a write starts as soon as a
 * slot is free, and what arrives meanwhile joins the next one, so batches grow with load and
 * stay single rows when the server is quiet.
 *
 * A failed batch is retried row group by row group, so that one request's bad row (a client
 * deleted a moment ago, say) fails that request alone.
 */

export interface GroupCommitOptions<T, R> {
  /**
   * Handles the items together, in one statement: one commit for writes, one query for
   * reads (token lookups and profiles are grouped the same way). Returns each item's result,
   * in order.
   */
  run: (items: T[]) => Promise<R[]>;
  /** Runs in flight at once (each holds one database connection). */
  concurrency: number;
  /** Most items in one run. */
  maxBatch: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<T, R = void> {
  private queue: Waiting<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: GroupCommitOptions<T, R>) {}

  /** Resolves with the item's result when the write that holds it has committed. */
  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // The requests whose bodies arrived in this turn of the event loop go in together.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async commit(batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.options.run(batch.map((w) => w.item));
      for (const [i, waiting] of batch.entries()) waiting.resolve(results[i] as R);
    } catch (err) {
      if (batch.length === 1) {
        (batch[0] as Waiting<T, R>).reject(err);
        return;
      }
      for (const waiting of batch) {
        await this.options.run([waiting.item]).then((results) => waiting.resolve(results[0] as R), waiting.reject);
      }
    }
  }
}

/**
 * Reads by a unique key, grouped the same way: the lookups that arrive together are one
 * `where key in (…)` query. `fetch` returns the rows found, in any order; each lookup gets
 * the row whose key is its own, or undefined. Two lookups of one key get the same row, so
 * rows are to be read, not changed.
 */
export function groupedLookup<Item, Row>(options: {
  fetch: (items: Item[]) => Promise<Row[]>;
  keyOfItem: (item: Item) => string;
  keyOfRow: (row: Row) => string;
  concurrency: number;
  maxBatch: number;
}): (item: Item) => Promise<Row | undefined> {
  const { fetch, keyOfItem, keyOfRow } = options;
  const group = new GroupCommit<Item, Row | undefined>({
    run: async (items) => {
      const byKey = new Map((await fetch(items)).map((row) => [keyOfRow(row), row]));
      return items.map((item) => byKey.get(keyOfItem(item)));
    },
    concurrency: options.concurrency,
    maxBatch: options.maxBatch,
  });
  return (item) => group.submit(item);
}

/**
 * Writes that use something up (a code, a refresh token, a challenge), grouped the same way.
 * `write` gets the first item of each key in the group and returns, by key, what it achieved;
 * an item whose key came earlier in the group, or whose write changed nothing, gets
 * undefined, as it would have, had the items come one after the other.
 */
export function groupedOnce<Item, Result>(options: {
  keyOf: (item: Item) => string;
  write: (firsts: Item[]) => Promise<Map<string, Result>>;
  concurrency: number;
  maxBatch: number;
}): (item: Item) => Promise<Result | undefined> {
  const { keyOf, write } = options;
  const group = new GroupCommit<Item, Result | undefined>({
    run: async (items) => {
      const firsts = new Map<string, Item>();
      for (const item of items) if (!firsts.has(keyOf(item))) firsts.set(keyOf(item), item);
      const done = await write([...firsts.values()]);
      return items.map((item) => (firsts.get(keyOf(item)) === item ? done.get(keyOf(item)) : undefined));
    },
    concurrency: options.concurrency,
    maxBatch: options.maxBatch,
  });
  return (item) => group.submit(item);
}
