import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import type { Database } from '../db/database.js';
import { migrateToLatest } from '../db/database.js';
import {
  CONSOLE_SESSION_SECONDS,
  ConsoleSessions,
  deleteExpiredConsoleSessions,
  operatorNameProblem,
} from './operator-sessions.js';

const OLD = 'cookie-secret-old-0123456789abcdef';
const NEW = 'cookie-secret-new-0123456789abcdef';

describe('console sessions', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await migrateToLatest(database.db);
  });
  afterAll(() => database?.close());

  let now = 1_700_000_000_000;
  const clock = () => now;
  const sessions = (adminToken: string | undefined, secrets = [NEW]) =>
    new ConsoleSessions({ db: database.db, secrets, adminToken, now: clock });

  it('reads back who signed in, until 12 hours have passed, and the clean-up removes it then', async () => {
    const s = sessions('token-a');
    const value = await s.issue('ada@ops.example');
    expect(await s.read(value)).toEqual({ operator: 'ada@ops.example', expiresAt: now + CONSOLE_SESSION_SECONDS * 1000 });
    now += CONSOLE_SESSION_SECONDS * 1000;
    expect(await s.read(value)).toBeUndefined();
    expect(await deleteExpiredConsoleSessions(database.db, new Date(now))).toBeGreaterThanOrEqual(1);
  });

  it('ends for every copy of the cookie when its operator signs out', async () => {
    const s = sessions('token-a');
    const value = await s.issue('ada@ops.example');
    const copied = value;
    await s.end(value);
    expect(await s.read(copied)).toBeUndefined();
  });

  it('is void once ADMIN_TOKEN changes, is set or is removed', async () => {
    const withToken = await sessions('token-a').issue('ada');
    expect(await sessions('token-b').read(withToken)).toBeUndefined();
    expect(await sessions(undefined).read(withToken)).toBeUndefined();
    const open = await sessions(undefined).issue('ada');
    expect(await sessions(undefined).read(open)).toBeDefined();
    expect(await sessions('token-a').read(open)).toBeUndefined();
  });

  it('keeps working while SECRETS_SYSTEM rotates, and not under an unknown secret', async () => {
    const value = await sessions('token-a', [OLD]).issue('ada');
    expect((await sessions('token-a', [NEW, OLD]).read(value))?.operator).toBe('ada');
    expect(await sessions('token-a', [NEW]).read(value)).toBeUndefined();
  });

  it('keeps neither the cookie value nor the token in the database', async () => {
    const value = await sessions('a-very-secret-admin-token').issue('ada');
    const rows = await database.db.selectFrom('console_sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(value);
    expect(JSON.stringify(rows)).not.toContain('a-very-secret-admin-token');
  });

  it('refuses unknown and malformed values', async () => {
    const s = sessions('token-a');
    for (const value of [undefined, '', 'not base64 !', 'x'.repeat(5000), 'a'.repeat(43)]) {
      expect(await s.read(value)).toBeUndefined();
    }
  });
});

describe('operator names', () => {
  it('takes a name or an email, and refuses empty, long, control characters and reserved names', () => {
    expect(operatorNameProblem('ada@ops.example')).toBeUndefined();
    expect(operatorNameProblem('Ada Lovelace')).toBeUndefined();
    expect(operatorNameProblem('')).toMatch(/Enter your name/);
    expect(operatorNameProblem('x'.repeat(101))).toMatch(/at most 100/);
    expect(operatorNameProblem('ada\nroot')).toMatch(/printable/);
    expect(operatorNameProblem('Admin-API')).toMatch(/reserved/);
  });
});
