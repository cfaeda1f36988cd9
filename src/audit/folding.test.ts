/**
 * Folding: repeated failures of one window become one audit entry with a count, whether they
 * arrive in one batch, in concurrent batches or one by one; other entries are never folded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { AuditLog, type NewAuditEntry } from './audit-log.js';
import { foldBatch, foldKeyOf } from './folding.js';

const WINDOW = 600;
const start = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

const failure = (seconds: number, clientId = 'app', ip = '203.0.113.1'): NewAuditEntry => ({
  at: at(seconds),
  action: 'client.authentication_failed',
  actor: { type: 'anonymous' },
  target: { type: 'client', id: clientId },
  ip,
  details: {},
});

describe('foldKeyOf', () => {
  it('names the action, the target and the window; entries of other actions have none', () => {
    expect(foldKeyOf(failure(0), WINDOW)).toBe(foldKeyOf(failure(599, 'app', '198.51.100.9'), WINDOW));
    expect(foldKeyOf(failure(0), WINDOW)).not.toBe(foldKeyOf(failure(600), WINDOW));
    expect(foldKeyOf(failure(0), WINDOW)).not.toBe(foldKeyOf(failure(0, 'other'), WINDOW));
    expect(foldKeyOf({ ...failure(0), action: 'client.created' }, WINDOW)).toBeUndefined();
  });

  it('folds a failure without a target by the address it came from', () => {
    const signIn = (ip: string): NewAuditEntry => ({
      at: at(0),
      action: 'console.sign_in_failed',
      actor: { type: 'anonymous' },
      ip,
      details: { claimed: 'x' },
    });
    expect(foldKeyOf(signIn('203.0.113.1'), WINDOW)).not.toBe(foldKeyOf(signIn('203.0.113.2'), WINDOW));
  });
});

describe('foldBatch', () => {
  it('merges the failures of one window into the first, counting them and keeping the latest time', () => {
    const created: NewAuditEntry = { at: at(1), action: 'client.created', actor: { type: 'operator' }, details: {} };
    const out = foldBatch([failure(5), created, failure(2), failure(700), created], WINDOW);
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({ at: at(5), details: { count: 2, last_at: at(5).toISOString() } });
    expect(out[2]).toMatchObject({ at: at(700), details: { count: 1 } });
    expect(out[1]?.details).toEqual({});
  });
});

describe('AuditLog with folding', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await migrateToLatest(database.db);
  });
  afterAll(() => database?.close());
  beforeEach(async () => {
    await database.db.deleteFrom('audit_log').execute();
  });

  it('writes 150 failures of one window, concurrent and one by one, as one entry counting 150', async () => {
    const log = new AuditLog(database.db, { concurrency: 2, foldWindowSeconds: WINDOW });
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.record(failure(i % 500, 'app', `203.0.113.${i % 7}`))));
    for (let i = 0; i < 50; i++) await log.record(failure(500 + i));
    await log.record({ at: at(3), action: 'client.created', actor: { type: 'operator' }, target: { type: 'client', id: 'app' } });
    await log.record(failure(650));

    const failures = await log.list({ limit: 10, action: 'client.authentication_failed' });
    expect(failures.map((e) => e.details.count)).toEqual([1, 150]);
    expect(failures[1]?.details.last_at).toBe(at(549).toISOString());
    expect(await log.list({ limit: 10, action: 'client.created' })).toHaveLength(1);
  });
});
