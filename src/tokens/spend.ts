/**
 * Spending a single-use secret (an authorization code, RFC 6749 4.1.2; a refresh token,
 * RFC 9700 4.14.2) and storing the tokens it buys, in one statement: the tokens exist exactly
 * when the secret was still usable and is now used, so two concurrent uses cannot both
 * succeed and no use is ever half done. Concurrent spends share the statement (group commit).
 */
import type { Insertable } from 'kysely';
import { type Db, executeWithJson } from '../db/database.js';
import { groupedOnce } from '../db/group-commit.js';
import type { TokensTable } from '../db/schema.js';

/** A single-use secret (refresh token, code) being used: its hash, and the tokens it buys. */
export interface Spend {
  hash: string;
  at: Date;
  tokens: Insertable<TokensTable>[];
}

/** A token row as the JSON documents of these statements carry it (audience as its JSON text). */
export const TOKEN_RECORD = `hash text, kind text, grant_id text, client_id text, subject text, scope text, audience text,
  expires_at timestamptz, created_at timestamptz`;

/**
 * The statement for one kind of secret, given the UPDATE that marks it used: $1 the presented
 * hashes with when they were used, $2 the successor tokens, each naming its parent, $3 the
 * presented hashes as an array (see executeWithJson). A successor is stored exactly when its
 * parent was spent by this statement. Data-modifying CTEs run once whether or not the final
 * SELECT reads them.
 */
export const spendStatement = (use: string) => `
  with presented as (
    select * from json_to_recordset($1::json) as p(hash text, at timestamptz)
  ), used as (${use}), inserted as (
    insert into tokens (hash, kind, grant_id, client_id, subject, scope, audience, expires_at, created_at)
    select s.hash, s.kind, s.grant_id, s.client_id, s.subject, s.scope, coalesce(s.audience::jsonb, '[]'), s.expires_at, s.created_at
    from json_to_recordset($2::json) as s(parent text, ${TOKEN_RECORD})
    where s.parent in (select hash from used)
    returning 1
  )
  select hash from used`;

/**
 * Spends through `statement` (a spendStatement), grouped: the same secret presented twice at
 * once is one use that wins and one reuse. True when this spend used the secret.
 */
export function groupedSpends(db: Db, statement: string, concurrency: number): (spend: Spend) => Promise<boolean> {
  const spend = groupedOnce({
    keyOf: (spend: Spend) => spend.hash,
    write: async (firsts: Spend[]): Promise<Map<string, true>> => {
      const presented = firsts.map((s) => ({ hash: s.hash, at: s.at }));
      const successors = firsts.flatMap((s) => s.tokens.map((t) => ({ ...t, parent: s.hash, created_at: t.created_at ?? s.at })));
      const hashes = firsts.map((s) => s.hash);
      const result = await executeWithJson<{ hash: string }>(db, statement, [presented, successors], hashes);
      return new Map(result.rows.map((row) => [row.hash, true]));
    },
    concurrency,
    maxBatch: 200,
  });
  return (item) => spend(item).then((used) => used === true);
}
