/**
 * A PostgreSQL adapter for oidc-provider, so the bench can set Gatehouse beside an
 * oidc-provider that keeps its state as Gatehouse does: durably, shared by every node. The
 * in-memory adapter the bench also runs is panva's development store (a 1,000-entry cache that
 * forgets); a deployment writes an adapter like this one, after the interface and behaviour
 * of lib/adapters/memory_adapter.js. One table holds every model, as the documented example
 * adapters do; statements are prepared once per connection (named), as Gatehouse's are.
 */
import pg from 'pg';

const SCHEMA = `
  create table if not exists oidc_models (
    model text not null,
    id text not null,
    payload jsonb not null,
    grant_id text,
    uid text,
    user_code text,
    expires_at timestamptz,
    consumed_at timestamptz,
    primary key (model, id)
  );
  create index if not exists oidc_models_grant_id on oidc_models (grant_id);
  create index if not exists oidc_models_uid on oidc_models (uid);
  create index if not exists oidc_models_user_code on oidc_models (user_code)`;

/** What oidc-provider hands an adapter and expects back: a model's JSON payload. */
type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; consumed?: number };

/** The models revokeByGrantId removes (those the in-memory adapter indexes by grant). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const LIVE = '(expires_at is null or expires_at > now())';
const statements = {
  upsert: `insert into oidc_models (model, id, payload, grant_id, uid, user_code, expires_at)
    values ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 second')
    on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
      uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
  find: `select payload, consumed_at from oidc_models where model = $1 and id = $2 and ${LIVE}`,
  findByUid: `select payload, consumed_at from oidc_models where model = $1 and uid = $2 and ${LIVE}`,
  findByUserCode: `select payload, consumed_at from oidc_models where model = $1 and user_code = $2 and ${LIVE}`,
  consume: 'update oidc_models set consumed_at = now() where model = $1 and id = $2',
  destroy: 'delete from oidc_models where model = $1 and id = $2',
  revokeByGrantId: 'delete from oidc_models where grant_id = $1',
} as const;

/** The adapter class for oidc-provider's `adapter` option, and how to close its pool. */
export async function postgresAdapter(url: string): Promise<{ Model: new (model: string) => object; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {});
  await pool.query(SCHEMA);
  const run = (name: keyof typeof statements, values: unknown[]) => pool.query({ name, text: statements[name], values });
  const payloadOf = (result: pg.QueryResult): Payload | undefined => {
    const row = result.rows[0] as { payload: Payload; consumed_at: Date | null } | undefined;
    if (!row) return undefined;
    // oidc-provider reads `consumed` as the time of use, in seconds.
    return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
  };

  class PostgresAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      await run('upsert', [
        this.model,
        id,
        payload,
        GRANTABLE.has(this.model) ? (payload.grantId ?? null) : null,
        payload.uid ?? null,
        payload.userCode ?? null,
        typeof expiresIn === 'number' ? expiresIn : null,
      ]);
    }

    async find(id: string) {
      return payloadOf(await run('find', [this.model, id]));
    }

    async findByUid(uid: string) {
      return payloadOf(await run('findByUid', [this.model, uid]));
    }

    async findByUserCode(userCode: string) {
      return payloadOf(await run('findByUserCode', [this.model, userCode]));
    }

    async consume(id: string): Promise<void> {
      await run('consume', [this.model, id]);
    }

    async destroy(id: string): Promise<void> {
      await run('destroy', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await run('revokeByGrantId', [grantId]);
    }
  }
  return { Model: PostgresAdapter, close: () => pool.end() };
}
