/** The audit log table: append, read back newest first with filters, drop what is past retention. */
import { sql } from 'kysely';
import { deleteInChunks } from '../db/chunked-delete.js';
import { type Db, executeWithJson } from '../db/database.js';
import { GroupCommit } from '../db/group-commit.js';
import type { ActorType } from '../events/actor.js';
import { foldBatch } from './folding.js';
import type { NewAuditEntry } from './new-entry.js';

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  actor: { type: ActorType; id?: string };
  target?: { type: string; id: string };
  ip?: string;
  details: Record<string, unknown>;
}

export type { NewAuditEntry };

export interface AuditFilter {
  limit: number;
  /** Entries older than this id (keyset pagination, newest first). */
  before?: string;
  /** An action, or a prefix ending in "." (e.g. "client."). */
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  since?: Date;
  until?: Date;
}

/**
 * One statement for any number of entries, which travel as one JSON document (as tokens do:
 * src/tokens/token-store.ts). A folded entry whose window already has one adds its count to it.
 */
const APPEND = `
  insert into audit_log (at, action, actor_type, actor_id, target_type, target_id, ip, details, fold_key)
  select at, action, actor_type, actor_id, target_type, target_id, ip, details, fold_key
  from json_to_recordset($1::json) as t(
    at timestamptz, action text, actor_type text, actor_id text, target_type text, target_id text, ip text, details jsonb,
    fold_key text
  )
  on conflict (fold_key) where fold_key is not null do update set details = audit_log.details || jsonb_build_object(
    'count', (audit_log.details->>'count')::bigint + (excluded.details->>'count')::bigint,
    'last_at', greatest(audit_log.details->>'last_at', excluded.details->>'last_at')
  )`;

/** The default of AUDIT_FOLD_WINDOW. */
export const DEFAULT_FOLD_WINDOW_SECONDS = 600;

export class AuditLog {
  /** Entries of concurrent requests share one multi-row insert and one commit. */
  private readonly appends: GroupCommit<NewAuditEntry, undefined>;

  private readonly foldWindowSeconds: number;

  constructor(
    private readonly db: Db,
    options: { concurrency?: number; foldWindowSeconds?: number } = {},
  ) {
    this.foldWindowSeconds = options.foldWindowSeconds ?? DEFAULT_FOLD_WINDOW_SECONDS;
    this.appends = new GroupCommit({
      run: (entries: NewAuditEntry[]) => this.append(entries),
      concurrency: options.concurrency ?? 1,
      maxBatch: 500,
    });
  }

  /** Resolves when the entry is committed. */
  record(entry: NewAuditEntry): Promise<void> {
    return this.appends.submit(entry);
  }

  private async append(entries: NewAuditEntry[]): Promise<undefined[]> {
    const rows = foldBatch(entries, this.foldWindowSeconds).map((entry) => ({
      at: entry.at,
      action: entry.action,
      actor_type: entry.actor.type,
      actor_id: entry.actor.id ?? null,
      target_type: entry.target?.type ?? null,
      target_id: entry.target?.id ?? null,
      ip: entry.ip ?? null,
      details: entry.details ?? {},
      fold_key: entry.foldKey ?? null,
    }));
    await executeWithJson(this.db, APPEND, [rows]);
    return entries.map(() => undefined);
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.before !== undefined) query = query.where('id', '<', filter.before);
    if (filter.action !== undefined) {
      query = filter.action.endsWith('.')
        ? query.where('action', 'like', `${filter.action.replace(/[\\%_]/g, '\\$&')}%`)
        : query.where('action', '=', filter.action);
    }
    if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('at', '<', filter.until);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: String(row.id),
      at: row.at.toISOString(),
      action: row.action,
      actor: { type: row.actor_type as ActorType, ...(row.actor_id ? { id: row.actor_id } : {}) },
      ...(row.target_type && row.target_id ? { target: { type: row.target_type, id: row.target_id } } : {}),
      ...(row.ip ? { ip: row.ip } : {}),
      details: row.details,
    }));
  }

  /**
   * Removes entries older than `cutoff` (AUDIT_RETENTION), in chunks: a lowered retention, or a
   * node back after a long stop, can put millions of entries behind it at once.
   */
  deleteOlderThan(cutoff: Date, signal?: AbortSignal): Promise<number> {
    return deleteInChunks(this.db, { table: 'audit_log', key: 'id', where: sql`at < ${cutoff}`, signal });
  }
}
