/**
 * `npm run bench -- --growth <n>`: does the store's size slow Gatehouse down? Measures token
 * issuance and introspection on a small store, adds <n> live access tokens straight into the
 * database, and measures again. The issue's bar: within 15% of the small store.
 *
 * Introspection is measured twice: one hot token (served from the access-token cache, so the
 * store's size cannot matter) and "cold", cycling through more distinct live tokens than the
 * cache holds, so that every request is an index probe among all the stored tokens.
 */
import pg from 'pg';
import type { LoadResult } from './load.js';

/** More than the access-token cache keeps (src/grants/store.ts), so a cycle through them always misses. */
export const COLD_TOKENS = 60_000;
const PREFIX = 'gh_at_growth-';

/** The plaintext of the i-th filled token (its stored hash is computed in SQL the same way). */
export const growthToken = (i: number) => `${PREFIX}${i}`;

/**
 * Inserts live access tokens numbered [from, to) for `clientId`, in chunks, hashed as
 * src/crypto/tokens.ts hashes (base64url SHA-256 without padding).
 */
export async function fillTokens(
  databaseUrl: string,
  clientId: string,
  from: number,
  to: number,
  progress: (done: number) => void,
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const chunk = 100_000;
    for (let start = from; start < to; start += chunk) {
      const end = Math.min(to, start + chunk);
      await client.query(
        `insert into tokens (hash, kind, client_id, scope, audience, expires_at)
         select rtrim(translate(encode(sha256(convert_to($1 || g, 'UTF8')), 'base64'), '+/', '-_'), '='),
                'access', $2, 'email', '[]', now() + interval '1 day'
         from generate_series($3::int, $4::int - 1) as g`,
        [PREFIX, clientId, start, end],
      );
      progress(end - from);
    }
    await client.query('vacuum analyze tokens');
    // Flush the fill's WAL now, not as a checkpoint in the middle of the next cell.
    await client.query('checkpoint').catch(() => undefined);
  } finally {
    await client.end();
  }
}

export async function countTokens(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from tokens');
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

export interface GrowthCell {
  row: string;
  small?: LoadResult;
  grown?: LoadResult;
}

export function formatGrowth(
  cells: GrowthCell[],
  stores: { small: number; grown: number },
  duration: number,
  connections: number,
) {
  const n = (v: number | undefined, digits = 0) =>
    v === undefined || !Number.isFinite(v)
      ? '—'
      : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const lines = [
    `Gatehouse (PostgreSQL), ${connections} connections, ${duration} s per cell; tokens in the store: ${n(stores.small)} then ${n(stores.grown)}`,
    '',
    '| row | req/s, small store | p99 | req/s, grown store | p99 | grown / small | within 15%? |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const cell of cells) {
    const ratio = cell.small && cell.grown ? cell.grown.rps / cell.small.rps : undefined;
    lines.push(
      `| ${cell.row} | ${n(cell.small?.rps)} | ${n(cell.small?.p99, 1)} | ${n(cell.grown?.rps)} | ${n(cell.grown?.p99, 1)} | ${ratio === undefined ? '—' : `${ratio.toFixed(2)}x`} | ${ratio === undefined ? '—' : ratio >= 0.85 ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}
