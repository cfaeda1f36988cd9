/** The audit log's grouped appends: entries of concurrent requests share a statement, and one bad entry fails alone. */
import type { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AuditLog } from './audit-log.js';

let database: Database;
let statements = 0;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
});
afterAll(() => database?.close());
beforeEach(async () => {
  await database.db.deleteFrom('audit_log').execute();
  statements = 0;
});

/** An audit log whose inserts are counted (as the database gets them: compiled statements). */
function countedLog(concurrency: number): AuditLog {
  const db = new Proxy(database.db, {
    get(target, name) {
      if (name === 'executeQuery') {
        return (query: CompiledQuery) => {
          if (/^\s*insert into audit_log/i.test(query.sql)) statements++;
          return target.executeQuery(query);
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new AuditLog(db, { concurrency });
}

const entry = (action: string, details: Record<string, unknown> = {}) => ({
  at: new Date(),
  action,
  actor: { type: 'system' as const },
  details,
});

describe('AuditLog appends', () => {
  it('writes the entries of concurrent requests together, each committed when its call resolves', async () => {
    const log = countedLog(1);
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.record(entry(`test.${i}`))));
    const stored = await log.list({ limit: 100 });
    expect(stored).toHaveLength(40);
    // Newest first: entries keep the order they were recorded in.
    expect(stored.map((e) => e.action)).toEqual(Array.from({ length: 40 }, (_, i) => `test.${39 - i}`));
    expect(statements).toBeLessThan(40);
    expect(statements).toBeGreaterThan(0);
  });

  it('fails only the entry the database refuses when it is grouped with good ones', async () => {
    const log = countedLog(1);
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
