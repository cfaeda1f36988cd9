import { describe, expect, it } from 'vitest';
import { GroupCommit, groupedLookup, groupedOnce } from './group-commit.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A write whose calls are recorded and finish only when the test says so. */
function controlledWrite<T>() {
  const calls: { items: T[]; finish: () => void; fail: (err: unknown) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = (items: T[]) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<string[]>((resolve, reject) => {
      calls.push({
        items: [...items],
        finish: () => {
          inFlight--;
          resolve(items.map((item) => `done ${String(item)}`));
        },
        fail: (err) => {
          inFlight--;
          reject(err);
        },
      });
    });
  };
  return {
    run: write,
    calls,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('GroupCommit', () => {
  it('writes what is submitted in one turn together, answering each item with its own result', async () => {
    const calls: number[][] = [];
    const commit = new GroupCommit<number, string>({
      run: async (items) => {
        calls.push([...items]);
        return items.map((n) => `result ${n}`);
      },
      concurrency: 4,
      maxBatch: 100,
    });
    const items = Array.from({ length: 20 }, (_, i) => i);
    const results = await Promise.all(items.map((n) => commit.submit(n)));
    expect(calls).toEqual([items]);
    expect(results).toEqual(items.map((n) => `result ${n}`));
  });

  it('keeps at most `concurrency` writes in flight and batches what waits for a slot', async () => {
    const w = controlledWrite<string>();
    const commit = new GroupCommit<string, string>({ run: w.run, concurrency: 2, maxBatch: 100 });

    const a = commit.submit('a');
    await nextTurn();
    const b = commit.submit('b');
    await nextTurn();
    expect(w.calls.map((c) => c.items)).toEqual([['a'], ['b']]);

    // Both slots are busy: these wait, across several turns, and then go together.
    const c = commit.submit('c');
    await nextTurn();
    const d = commit.submit('d');
    const e = commit.submit('e');
    await nextTurn();
    await nextTurn();
    expect(w.calls).toHaveLength(2);
    expect(w.inFlight).toBe(2);

    w.calls[0]?.finish();
    expect(await a).toBe('done a');
    await nextTurn();
    expect(w.calls.map((call) => call.items)).toEqual([['a'], ['b'], ['c', 'd', 'e']]);

    w.calls[1]?.finish();
    w.calls[2]?.finish();
    expect(await Promise.all([b, c, d, e])).toEqual(['done b', 'done c', 'done d', 'done e']);
    expect(w.maxInFlight).toBe(2);
  });

  it('splits a turn’s items into writes of at most maxBatch', async () => {
    const calls: number[][] = [];
    const commit = new GroupCommit<number, number>({
      run: async (items) => {
        calls.push([...items]);
        return items.map((n) => n * 10);
      },
      concurrency: 10,
      maxBatch: 3,
    });
    const results = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((n) => commit.submit(n)));
    expect(calls).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const calls: string[][] = [];
    const commit = new GroupCommit<string, string>({
      run: async (items) => {
        calls.push([...items]);
        if (items.includes('bad')) throw new Error('bad row');
        return items.map((item) => `ok ${item}`);
      },
      concurrency: 1,
      maxBatch: 100,
    });
    const outcomes = await Promise.allSettled(['x', 'bad', 'y'].map((item) => commit.submit(item)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'ok x' },
      { status: 'rejected', reason: new Error('bad row') },
      { status: 'fulfilled', value: 'ok y' },
    ]);
    expect(calls).toEqual([['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('rejects a single item whose write fails, once, and keeps going', async () => {
    let calls = 0;
    const commit = new GroupCommit<string, string>({
      run: async (items) => {
        calls++;
        if (items[0] === 'bad') throw new Error('bad row');
        return items;
      },
      concurrency: 1,
      maxBatch: 100,
    });
    await expect(commit.submit('bad')).rejects.toThrow('bad row');
    expect(calls).toBe(1);
    expect(await commit.submit('good')).toBe('good');
  });
});

describe('groupedLookup', () => {
  it('answers the lookups of one turn with one fetch, each with the row of its own key', async () => {
    const fetched: string[][] = [];
    const find = groupedLookup({
      // Rows come back in another order, and one key has none.
      fetch: async (keys: string[]) => {
        fetched.push(keys);
        return keys
          .filter((key) => key !== 'missing')
          .map((key) => ({ key, value: key.toUpperCase() }))
          .reverse();
      },
      keyOfItem: (key) => key,
      keyOfRow: (row) => row.key,
      concurrency: 1,
      maxBatch: 10,
    });
    const answers = await Promise.all(['a', 'missing', 'b', 'a'].map(find));
    expect(fetched).toEqual([['a', 'missing', 'b', 'a']]);
    expect(answers).toEqual([{ key: 'a', value: 'A' }, undefined, { key: 'b', value: 'B' }, { key: 'a', value: 'A' }]);
  });

  it('matches rows by the key of the item, when items carry more than their key', async () => {
    const find = groupedLookup({
      fetch: async (items: { hash: string; at: number }[]) => [
        { hash: items[1]?.hash as string, at: Math.max(...items.map((i) => i.at)) },
      ],
      keyOfItem: (item) => item.hash,
      keyOfRow: (row) => row.hash,
      concurrency: 1,
      maxBatch: 10,
    });
    const [first, second] = await Promise.all([find({ hash: 'x', at: 1 }), find({ hash: 'y', at: 2 })]);
    expect(first).toBeUndefined();
    expect(second).toEqual({ hash: 'y', at: 2 });
  });
});

describe('groupedOnce', () => {
  it('writes the first item of each key; a repeated key, or a write that changed nothing, gets undefined', async () => {
    const written: string[][] = [];
    const items = [
      { key: 'a', n: 1 },
      { key: 'b', n: 2 },
      { key: 'a', n: 3 },
      { key: 'gone', n: 4 },
    ];
    const use = groupedOnce({
      keyOf: (item: { key: string; n: number }) => item.key,
      write: async (firsts) => {
        written.push(firsts.map((item) => `${item.key}${item.n}`));
        return new Map(firsts.filter((item) => item.key !== 'gone').map((item) => [item.key, `used ${item.key}${item.n}`]));
      },
      concurrency: 1,
      maxBatch: 10,
    });
    const results = await Promise.all(items.map(use));
    expect(written).toEqual([['a1', 'b2', 'gone4']]);
    expect(results).toEqual(['used a1', 'used b2', undefined, undefined]);
  });
});
