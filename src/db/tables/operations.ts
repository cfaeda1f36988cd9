/**
 * What keeps the service running rather than describing anyone: the audit log, the dev
 * outbox, rate-limit counters, spent captchas and Telegram logins, console sessions, leases.
 */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, JsonDefault, Timestamp } from '../column-types.js';

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  action: string;
  actor_type: string;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: JsonDefault<Record<string, unknown>>;
  /** Set on an entry that repeated failures of one window count into (src/audit/folding.ts). */
  fold_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OutboxTable {
  id: string;
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  created_at: CreatedAt;
}

export interface RateLimitsTable {
  key: string;
  window_start: Date;
  count: number;
}

export interface UsedCaptchasTable {
  signature: string;
  expires_at: Date;
}

export interface ConsoleSessionsTable {
  id_hash: string;
  operator: string;
  token_tag: string;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface UsedTelegramLoginsTable {
  hash: string;
  expires_at: Date;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: Date;
}

export type OutboxMessage = Selectable<OutboxTable>;
