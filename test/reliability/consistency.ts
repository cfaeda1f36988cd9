/**
 * The invariants a crash must not break, checked in SQL on the store itself: every refresh
 * token belongs to a grant, tokens come in the pairs they were issued in, a rotation is all
 * there or not at all, and a code is spent exactly when its grant has tokens.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';

export type Query = (text: string, params?: string[]) => Promise<Record<string, unknown>[]>;

export async function withPostgres<T>(url: string, run: (query: Query) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(async (text, params = []) => (await client.query(text, params)).rows);
  } finally {
    await client.end();
  }
}

/** Opens the embedded database of a stopped node (PGlite allows one process at a time). */
export async function withPglite<T>(dataDir: string, run: (query: Query) => Promise<T>): Promise<T> {
  const database = await openDatabase({ kind: 'pglite', dataDir });
  try {
    return await run(async (text, params = []) => {
      // Parameters are only ever token hashes (base64url), so inlining them is safe here.
      const inlined = params.reduce((s, p, i) => s.replace(`$${i + 1}`, `'${p.replace(/'/g, "''")}'`), text);
      return (await sql.raw<Record<string, unknown>>(inlined).execute(database.db)).rows;
    });
  } finally {
    await database.close();
  }
}

export interface Violations {
  refreshWithoutGrant: number;
  tokensOfMissingGrants: number;
  /** Grants whose access and refresh tokens do not pair up, or whose rotations are not a chain. */
  brokenGrants: Record<string, unknown>[];
  /** Codes spent with no tokens stored, or tokens stored for a code never spent. */
  brokenCodes: Record<string, unknown>[];
}

export async function violations(query: Query): Promise<Violations> {
  const [refreshWithoutGrant] = await query(`select count(*)::int as n from tokens where kind = 'refresh' and grant_id is null`);
  const [tokensOfMissingGrants] = await query(
    `select count(*)::int as n from tokens t left join grants g on g.id = t.grant_id where t.grant_id is not null and g.id is null`,
  );
  // Each code exchange and each rotation stores one access and one refresh token together;
  // each rotation marks exactly one refresh token rotated.
  const brokenGrants = await query(`
    select g.id,
      count(*) filter (where t.kind = 'access')::int as access,
      count(*) filter (where t.kind = 'refresh')::int as refresh,
      count(*) filter (where t.kind = 'refresh' and t.rotated_at is not null)::int as rotated
    from grants g join tokens t on t.grant_id = g.id
    group by g.id
    having count(*) filter (where t.kind = 'refresh') > 0 and (
      count(*) filter (where t.kind = 'access') <> count(*) filter (where t.kind = 'refresh')
      or count(*) filter (where t.kind = 'refresh' and t.rotated_at is not null) <> count(*) filter (where t.kind = 'refresh') - 1
    )`);
  const brokenCodes = await query(`
    select c.grant_id, c.consumed_at, (select count(*)::int from tokens t where t.grant_id = c.grant_id) as tokens
    from authorization_codes c
    where (c.consumed_at is not null) <> exists (select 1 from tokens t where t.grant_id = c.grant_id)`);
  return {
    refreshWithoutGrant: Number(refreshWithoutGrant?.n),
    tokensOfMissingGrants: Number(tokensOfMissingGrants?.n),
    brokenGrants,
    brokenCodes,
  };
}

export const NO_VIOLATIONS: Violations = { refreshWithoutGrant: 0, tokensOfMissingGrants: 0, brokenGrants: [], brokenCodes: [] };
