/**
 * Properties of the audit log's action filter on a real database: an action ending in "." is a
 * prefix, anything else is exact, and LIKE's own characters (%, _, \) in it match only themselves.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AuditLog } from './audit-log.js';

let database: Database;
let audit: AuditLog;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  audit = new AuditLog(database.db);
});
afterAll(() => database?.close());

const action = fc.string({ unit: fc.constantFrom('a', 'b', '.', '%', '_', '\\', 'é'), minLength: 1, maxLength: 6 });

/** The reference reading of the filter, in plain JavaScript. */
const matches = (filter: string, candidate: string) =>
  filter.endsWith('.') ? candidate.startsWith(filter) : candidate === filter;

describe('AuditLog action filter (property)', () => {
  it('returns exactly the entries the reference filter picks, newest first', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), action, fc.nat(), async (actions, extra, pick) => {
        await database.db.deleteFrom('audit_log').execute();
        for (const a of actions) await audit.record({ at: new Date(), action: a, actor: { type: 'system' } });
        // Filters built from what is stored (so there are hits), and arbitrary ones.
        const chosen = actions[pick % actions.length] as string;
        const filters = [chosen, `${chosen.slice(0, 1 + (pick % chosen.length))}.`, extra, `${extra}.`, '%.', '_.', '\\.'];
        for (const filter of filters) {
          const got = await audit.list({ limit: 100, action: filter });
          const expected = [...actions].reverse().filter((a) => matches(filter, a));
          expect(got.map((e) => e.action)).toEqual(expected);
        }
      }),
      { numRuns: 40 },
    );
  });
});
