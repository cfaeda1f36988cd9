/**
 * `npm run bench -- --growth <n>`: does the store's size slow Gatehouse down? Measures token
 * issuance and introspection on a small store, adds <n> live access tokens straight into the
 * database, and measures again. The bar: within 15% of the small store.
 *
 * Introspection is measured twice: one hot token (served from the access-token cache, so the
 * store's size cannot matter) and "cold", cycling through more distinct live tokens than the
 * cache holds, so that every request is an index probe among all the stored tokens.
 *
 * Then <n> expired tokens arrive at once (one transaction), and the same cells run again
 * while the server's background clean-up (CLEANUP_INTERVAL=2s here) deletes them: each cell
 * records how many expired rows went during it, so the table shows the clean-up was running.
 */
import pg from 'pg';
import type { LoadResult } from './load.js';

/** More than the access-token cache keeps (src/tokens/token-store.ts), so a cycle through them always misses. */
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
  options: { expired?: boolean } = {},
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Expired tokens go in one statement: the clean-up sees the whole backlog at once.
    const chunk = options.expired ? to - from : 100_000;
    for (let start = from; start < to; start += chunk) {
      const end = Math.min(to, start + chunk);
      await client.query(
        `insert into tokens (hash, kind, client_id, scope, audience, expires_at)
         select rtrim(translate(encode(sha256(convert_to($1 || g, 'UTF8')), 'base64'), '+/', '-_'), '='),
                'access', $2, 'email', '[]', now() + $5::interval
         from generate_series($3::int, $4::int - 1) as g`,
        [PREFIX, clientId, start, end, options.expired ? '-1 hour' : '1 day'],
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

export async function countTokens(databaseUrl: string, which: 'all' | 'expired' = 'all'): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from tokens${which === 'expired' ? ' where expires_at < now()' : ''}`,
    );
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

export interface GrowthCell {
  row: string;
  small?: LoadResult;
  grown?: LoadResult;
  /** The same cell while the clean-up deletes a backlog, and how many expired rows went meanwhile. */
  cleaning?: LoadResult & { removed: number };
}

export function formatGrowth(
  cells: GrowthCell[],
  stores: { small: number; grown: number; backlog: number },
  duration: number,
  connections: number,
) {
  const n = (v: number | undefined, digits = 0) =>
    v === undefined || !Number.isFinite(v)
      ? '—'
      : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const lines = [
    `Gatehouse (PostgreSQL), ${connections} connections, ${duration} s per cell; tokens in the store: ${n(stores.small)} then ${n(stores.grown)}, then ${n(stores.backlog)} expired ones more for the clean-up`,
    '',
    '| row | req/s, small store | p99 | req/s, grown store | p99 | grown / small | within 15%? | req/s during clean-up | p99 | expired rows removed in the cell | during / grown |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  const ratioOf = (a?: LoadResult, b?: LoadResult) => (a && b ? `${(a.rps / b.rps).toFixed(2)}x` : '—');
  for (const cell of cells) {
    const ratio = cell.small && cell.grown ? cell.grown.rps / cell.small.rps : undefined;
    lines.push(
      `| ${cell.row} | ${n(cell.small?.rps)} | ${n(cell.small?.p99, 1)} | ${n(cell.grown?.rps)} | ${n(cell.grown?.p99, 1)} | ${ratioOf(cell.grown, cell.small)} | ${ratio === undefined ? '—' : ratio >= 0.85 ? 'yes' : 'no'} | ${n(cell.cleaning?.rps)} | ${n(cell.cleaning?.p99, 1)} | ${n(cell.cleaning?.removed)} | ${ratioOf(cell.cleaning, cell.grown)} |`,
    );
  }
  return lines.join('\n');
}
