import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.js';
import { type Database, migrateToLatest } from '../database.js';
import { up } from './0008_email_domains.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
});
afterAll(() => database?.close());

async function account(id: string, email: string | null): Promise<void> {
  await sql`insert into accounts (id, email, email_verified, created_at, updated_at)
    values (${id}, ${email}, ${email !== null}, now(), now())`.execute(database.db);
}
const emailOf = async (id: string) =>
  (await sql<{ email: string | null }>`select email from accounts where id = ${id}`.execute(database.db)).rows[0]?.email;

describe('migration 0008: email domains in ASCII form', () => {
  it('rewrites a Unicode domain to its A-label, and leaves ASCII, Unicode local parts and collisions alone', async () => {
    // Rows as the code before this migration stored them: the domain as typed.
    await account('m-idn', 'user@bücher.de');
    await account('m-cyr', 'x@exаmple.com');
    await account('m-local', 'иван@example.ru');
    await account('m-ascii', 'plain@example.com');
    await account('m-none', null);
    // The same mailbox twice, under two spellings: neither is merged into the other.
    await account('m-twin-ascii', 'twin@xn--exmple-4nf.org');
    await account('m-twin-unicode', 'twin@exаmple.org');

    await up(database.db as never);
    expect(await emailOf('m-idn')).toBe('user@xn--bcher-kva.de');
    expect(await emailOf('m-cyr')).toBe('x@xn--exmple-4nf.com');
    expect(await emailOf('m-local')).toBe('иван@example.ru');
    expect(await emailOf('m-ascii')).toBe('plain@example.com');
    expect(await emailOf('m-none')).toBeNull();
    expect(await emailOf('m-twin-ascii')).toBe('twin@xn--exmple-4nf.org');
    expect(await emailOf('m-twin-unicode')).toBe('twin@exаmple.org');

    // Running again changes nothing.
    await up(database.db as never);
    expect(await emailOf('m-idn')).toBe('user@xn--bcher-kva.de');
  });
});
