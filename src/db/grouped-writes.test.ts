/**
 * The grouped use-once writes (json_to_recordset statements, see executeWithJson) find their
 * rows through an index on a table of thousands of rows. The planner reckons a JSON document
 * at a hundred rows whatever it holds, and left to that, it scans the whole table for each
 * accept, code and refresh: the cost grows with every flow stored.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { FlowAccepts } from '../flows/flow-accepts.js';
import { AuthorizationCodeStore } from '../tokens/authorization-codes.js';
import { TokenStore } from '../tokens/token-store.js';
import { type Database, type Db, migrateToLatest } from './database.js';

let database: Database;
/** The plans of the statements run through `watched`, as PostgreSQL's EXPLAIN prints them. */
const plans: string[] = [];
let watched: Db;

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  await migrateToLatest(db);
  await sql`insert into clients (id, name, status, scope, application_type, skip_consent, updated_at,
      token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, grant_types, response_types,
      audience, contacts, metadata)
    values ('plans', 'Plans', 'approved', 'email', 'web', false, now(), 'client_secret_basic',
      '[]', '[]', '["authorization_code"]', '[]', '[]', '[]', '{}')`.execute(db);
  await sql`insert into flows (id, client_id, state, request, request_url, csrf_hash, login_challenge_hash,
      consent_challenge_hash, expires_at)
    select 'f' || g, 'plans', 'login_requested', '{"scope": [], "audience": []}', '/', 'c', 'l' || g, 'c' || g,
      now() + interval '1 hour'
    from generate_series(1, 3000) g`.execute(db);
  await sql`insert into grants (id, client_id, scope) select 'g' || g, 'plans', '' from generate_series(1, 3000) g`.execute(db);
  await sql`insert into authorization_codes (hash, grant_id, client_id, redirect_uri, redirect_uri_sent, expires_at)
    select 'a' || g, 'g' || g, 'plans', '/', true, now() + interval '1 hour' from generate_series(1, 3000) g`.execute(db);
  await sql`insert into tokens (hash, kind, grant_id, client_id, scope, expires_at)
    select 'r' || g, 'refresh', 'g' || g, 'plans', '', now() + interval '1 hour' from generate_series(1, 3000) g`.execute(db);
  await sql`analyze`.execute(db);
  // Every statement the stores send as a compiled query is explained first (EXPLAIN alone
  // plans a statement without running it).
  watched = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'executeQuery') return Reflect.get(target, property, receiver);
      return async (query: CompiledQuery) => {
        const explained = await target.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        plans.push(explained.rows.map((row) => row['QUERY PLAN']).join('\n'));
        return target.executeQuery(query);
      };
    },
  });
});
afterAll(() => database?.close());

/** The one plan explained while `run` ran. */
async function planOf(run: () => Promise<unknown>): Promise<string> {
  plans.length = 0;
  await run();
  expect(plans).toHaveLength(1);
  return plans[0] as string;
}

const now = new Date();

it('a login accept finds its flow by index', async () => {
  const flows = new FlowAccepts(watched);
  const plan = await planOf(() =>
    flows.acceptLogin('l17', now, {
      subject: 'someone',
      login_remember: false,
      login_remember_for: 0,
      acr: null,
      amr: '[]',
      context: '{}',
      login_verifier_hash: 'verifier-17',
    }),
  );
  expect(plan).toMatch(/Index Scan|Bitmap Index Scan/);
  expect(plan).not.toMatch(/Seq Scan on flows/);
});

it('a consent accept finds its flow by index', async () => {
  const flows = new FlowAccepts(watched);
  const plan = await planOf(() =>
    flows.acceptConsent(
      'c18',
      now,
      {
        granted_scope: '[]',
        granted_audience: '[]',
        consent_remember: false,
        consent_remember_for: 0,
        session_access_token: '{}',
        session_id_token: '{}',
        consent_handled_at: now,
        consent_verifier_hash: 'consent-verifier-18',
      },
      { scope: [], audience: [] },
    ),
  );
  expect(plan).not.toMatch(/Seq Scan on flows/);
});

it("a consent's end in a grant and a code finds its flow by index", async () => {
  const codes = new AuthorizationCodeStore(watched);
  const plan = await planOf(() =>
    codes.issue(
      'f19',
      now,
      now,
      { id: 'grant-of-f19', client_id: 'plans', scope: '' },
      {
        hash: 'code-of-f19',
        grant_id: 'grant-of-f19',
        client_id: 'plans',
        redirect_uri: '/',
        redirect_uri_sent: true,
        expires_at: now,
      },
    ),
  );
  expect(plan).not.toMatch(/Seq Scan on flows/);
});

it('a code redemption finds its code by index', async () => {
  const codes = new AuthorizationCodeStore(watched);
  const plan = await planOf(() => codes.spend({ hash: 'a20', at: now, tokens: [] }));
  expect(plan).not.toMatch(/Seq Scan on authorization_codes/);
});

it('a refresh finds its token by index', async () => {
  const grants = new TokenStore(watched, database.invalidations);
  const plan = await planOf(() => grants.rotate({ hash: 'r21', at: now, tokens: [] }));
  expect(plan).not.toMatch(/Seq Scan on tokens/);
});
