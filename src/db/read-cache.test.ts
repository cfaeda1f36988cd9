import { describe, expect, it, vi } from 'vitest';
import { ReadCache } from './read-cache.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const cache = (options: Partial<{ max: number; maxAgeMs: number; enabled: () => boolean }> = {}) =>
  new ReadCache<string, string>({ max: 100, maxAgeMs: 60_000, enabled: () => true, ...options });

describe('ReadCache', () => {
  it('serves the second read from the cache', async () => {
    const c = cache();
    const load = vi.fn(async () => 'value');
    expect(await c.get('k', load)).toBe('value');
    expect(await c.get('k', load)).toBe('value');
    expect(load).toHaveBeenCalledTimes(1);
    expect(c.size).toBe(1);
  });

  it('does not cache what was not found', async () => {
    const c = cache();
    const load = vi.fn(async () => undefined);
    expect(await c.get('k', load)).toBeUndefined();
    expect(await c.get('k', load)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(2);
    expect(c.size).toBe(0);
  });

  it('keeps what is read once a generation and drops what is not, holding at most max', async () => {
    // max 4: two generations of two.
    const c = cache({ max: 4 });
    await c.get('a', async () => 'A');
    await c.get('b', async () => 'B');
    // The recent generation is full: a and b are now the older one. Reading a brings it back.
    expect(await c.get('a', async () => 'not loaded')).toBe('A');
    await c.get('c', async () => 'C');
    // a and c filled the recent generation in turn; b, not read meanwhile, went with the older one.
    expect(c.size).toBe(2);
    const loadA = vi.fn(async () => 'A again');
    const loadB = vi.fn(async () => 'B again');
    const loadC = vi.fn(async () => 'C again');
    expect(await c.get('a', loadA)).toBe('A');
    expect(await c.get('c', loadC)).toBe('C');
    expect(loadA).not.toHaveBeenCalled();
    expect(loadC).not.toHaveBeenCalled();
    expect(await c.get('b', loadB)).toBe('B again');
    expect(loadB).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 100; i++) await c.get(`k${i}`, async () => `K${i}`);
    expect(c.size).toBeLessThanOrEqual(4);
  });

  it('serves a key read over and over without writing to its maps', async () => {
    // A delete and a set per hit leaves a deleted entry in the key's bucket chain each time,
    // until V8 rehashes the table: the hot key of a large cache got slower with every read.
    const c = cache({ max: 10 });
    const load = vi.fn(async () => 'hot');
    await c.get('hot', load);
    const set = vi.spyOn(Map.prototype, 'set');
    const remove = vi.spyOn(Map.prototype, 'delete');
    try {
      for (let i = 0; i < 1000; i++) expect(await c.get('hot', load)).toBe('hot');
      expect(set).not.toHaveBeenCalled();
      expect(remove).not.toHaveBeenCalled();
    } finally {
      set.mockRestore();
      remove.mockRestore();
    }
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('evicts on delete, deleteWhere and clear', async () => {
    const c = cache();
    await c.get('a', async () => 'A');
    await c.get('b', async () => 'B');
    await c.get('c', async () => 'C');

    c.delete('a');
    expect(await c.get('a', async () => 'A2')).toBe('A2');
    expect(await c.get('b', async () => 'not loaded')).toBe('B');

    c.deleteWhere((value) => value === 'B');
    expect(await c.get('b', async () => 'B2')).toBe('B2');
    expect(await c.get('c', async () => 'not loaded')).toBe('C');

    c.clear();
    expect(c.size).toBe(0);
    expect(await c.get('a', async () => 'A3')).toBe('A3');
    expect(await c.get('b', async () => 'B3')).toBe('B3');
    expect(await c.get('c', async () => 'C3')).toBe('C3');
  });

  for (const [name, evict] of [
    ['delete of another key', (c: ReadCache<string, string>) => c.delete('other')],
    ['deleteWhere', (c: ReadCache<string, string>) => c.deleteWhere(() => false)],
    ['clear', (c: ReadCache<string, string>) => c.clear()],
  ] as const) {
    it(`does not store a read that was in flight during ${name}`, async () => {
      const c = cache();
      const read = deferred<string>();
      const pending = c.get('k', () => read.promise);
      evict(c);
      read.resolve('read before the eviction');
      // The caller still gets what was read, but the cache does not keep it.
      expect(await pending).toBe('read before the eviction');
      expect(c.size).toBe(0);
      const load = vi.fn(async () => 'fresh');
      expect(await c.get('k', load)).toBe('fresh');
      expect(load).toHaveBeenCalledTimes(1);
      // A read that starts after the eviction is cached as usual.
      expect(await c.get('k', async () => 'not loaded')).toBe('fresh');
    });
  }

  it('reads every time while disabled, and serves nothing it held before', async () => {
    let enabled = true;
    const c = cache({ enabled: () => enabled });
    await c.get('k', async () => 'cached');
    enabled = false;
    const load = vi.fn(async () => 'from the database');
    expect(await c.get('k', load)).toBe('from the database');
    expect(await c.get('k', load)).toBe('from the database');
    expect(await c.get('other', load)).toBe('from the database');
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('does not store a read that finished after the cache was disabled', async () => {
    let enabled = true;
    const c = cache({ enabled: () => enabled });
    const read = deferred<string>();
    const pending = c.get('k', () => read.promise);
    enabled = false;
    read.resolve('value');
    expect(await pending).toBe('value');
    expect(c.size).toBe(0);
  });

  it('drops entries older than maxAgeMs', async () => {
    const c = cache({ maxAgeMs: 1 });
    const load = vi.fn(async () => 'value');
    await c.get('k', load);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await c.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('lets expired entries go as time passes, not only when max is reached', async () => {
    const c = cache({ max: 1000, maxAgeMs: 10 });
    for (const key of ['a', 'b', 'c']) await c.get(key, async () => key);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await c.get('d', async () => 'd');
    // a, b and c were past their age: the cache holds d alone, not four rows.
    expect(c.size).toBe(1);
    expect(await c.get('d', async () => 'reloaded')).toBe('d');
  });

  it('peeks: a fresh entry synchronously, never a load, nothing while disabled or past its age', async () => {
    let enabled = true;
    const c = cache({ maxAgeMs: 50, enabled: () => enabled });
    expect(c.peek('k')).toBeUndefined();
    await c.get('k', async () => 'value');
    expect(c.peek('k')).toBe('value');
    enabled = false;
    expect(c.peek('k')).toBeUndefined();
    enabled = true;
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(c.peek('k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('peeks into the older generation too, bringing the entry back', async () => {
    // max 4: two generations of two.
    const c = cache({ max: 4 });
    await c.get('a', async () => 'A');
    await c.get('b', async () => 'B');
    // a and b are the older generation now; peeking at a brings it into the recent one.
    expect(c.peek('a')).toBe('A');
    await c.get('c', async () => 'C');
    // a and c filled the recent generation, which pushed b out with the older one.
    expect(c.peek('a')).toBe('A');
    expect(c.peek('c')).toBe('C');
    expect(c.peek('b')).toBeUndefined();
  });
});
