/**
 * The audit log: the entries of concurrent requests share a statement, one bad entry fails
 * alone, and retention removes old entries in chunks.
 */
import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, type Db, migrateToLatest } from '../db/database.js';
import { AuditLog } from './audit-log.js';

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
});
afterAll(() => database?.close());
beforeEach(async () => {
  await database.db.deleteFrom('audit_log').execute();
});

/**
 * The test database, counting the statements that match `pattern` as the database gets them
 * (compiled SQL), whether Kysely's builders send them or raw `sql` does, through the executor.
 */
function counting(pattern: RegExp): { db: Db; count: () => number } {
  let count = 0;
  const watch = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(inner, name) {
        const value = Reflect.get(inner, name);
        if (typeof value !== 'function') return value;
        if (name === 'executeQuery') {
          return (query: CompiledQuery, ...rest: unknown[]) => {
            if (pattern.test(query.sql)) count++;
            return value.call(inner, query, ...rest);
          };
        }
        if (name === 'getExecutor') return () => watch(value.call(inner));
        return value.bind(inner);
      },
    });
  return { db: watch(database.db), count: () => count };
}

/** An audit log whose inserts are counted. */
function countedLog(concurrency: number): { log: AuditLog; statements: () => number } {
  const { db, count } = counting(/^\s*insert into audit_log/i);
  return { log: new AuditLog(db, { concurrency }), statements: count };
}

const entry = (action: string, details: Record<string, unknown> = {}) => ({
  at: new Date(),
  action,
  actor: { type: 'system' as const },
  details,
});

describe('AuditLog appends', () => {
  it('writes the entries of concurrent requests together, each committed when its call resolves', async () => {
    const { log, statements } = countedLog(1);
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.record(entry(`test.${i}`))));
    const stored = await log.list({ limit: 100 });
    expect(stored).toHaveLength(40);
    // Newest first: entries keep the order they were recorded in.
    expect(stored.map((e) => e.action)).toEqual(Array.from({ length: 40 }, (_, i) => `test.${39 - i}`));
    expect(statements()).toBeLessThan(40);
    expect(statements()).toBeGreaterThan(0);
  });

  it('fails only the entry the database refuses when it is grouped with good ones', async () => {
    const { log } = countedLog(1);
    // PostgreSQL's jsonb refuses the NUL character.
    const outcomes = await Promise.allSettled([
      log.record(entry('test.good.1')),
      log.record(entry('test.bad', { note: 'nul \u0000 here' })),
      log.record(entry('test.good.2')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await log.list({ limit: 10 });
    expect(stored.map((e) => e.action).sort()).toEqual(['test.good.1', 'test.good.2']);
  });
});

describe('AuditLog retention', () => {
  it('removes every entry older than the cutoff, in chunks of statements, and none newer', async () => {
    const cutoff = new Date('2026-01-01T00:00:00Z');
    // More than two chunks behind the cutoff (a lowered AUDIT_RETENTION), a few at and after it.
    await sql`insert into audit_log (at, action, actor_type)
      select ${cutoff}::timestamptz - g * interval '1 second', 'test.old', 'system' from generate_series(1, 12345) g`.execute(
      database.db,
    );
    await sql`insert into audit_log (at, action, actor_type)
      select ${cutoff}::timestamptz + g * interval '1 second', 'test.kept', 'system' from generate_series(0, 9) g`.execute(
      database.db,
    );
    const { db, count: deletes } = counting(/^\s*delete from "?audit_log"?/i);

    expect(await new AuditLog(db).deleteOlderThan(cutoff)).toBe(12345);
    expect(deletes()).toBe(3);
    const left = await sql<{ action: string; n: number }>`
      select action, count(*)::int as n from audit_log group by action`.execute(database.db);
    expect(left.rows).toEqual([{ action: 'test.kept', n: 10 }]);
  });
});
