/**
 * The dev outbox: where messages go when no provider is configured for their channel. They
 * are stored in the `outbox` table (read through GET /admin/outbox) and written to the log,
 * so a developer can sign in without SMTP or Twilio.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { deleteInChunks } from '../db/chunked-delete.js';
import type { Db } from '../db/database.js';
import type { CodeChannel, OutboxMessage } from '../db/schema.js';
import type { DeliveryLogger, OutgoingMessage, Sender } from './delivery.js';

const DAY_MS = 86_400_000;

export interface OutboxEntry {
  id: string;
  channel: CodeChannel;
  to: string;
  subject: string | null;
  text: string;
  created_at: Date;
}

const toEntry = (row: OutboxMessage): OutboxEntry => ({
  id: row.id,
  channel: row.channel as CodeChannel,
  to: row.recipient,
  subject: row.subject,
  text: row.body,
  created_at: row.created_at,
});

/** Queries on the outbox table. */
export class OutboxStore {
  private sequence = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /**
   * Ids sort in insertion order (time, then a per-process sequence), so "newest first" holds
   * even for two messages written in the same millisecond or under a frozen test clock.
   */
  private newId(at: number): string {
    this.sequence = (this.sequence + 1) % 0x1000000;
    return `${at.toString(16).padStart(12, '0')}${this.sequence.toString(16).padStart(6, '0')}${randomBytes(6).toString('hex')}`;
  }

  async insert(message: OutgoingMessage): Promise<OutboxEntry> {
    const at = this.now();
    const row = await this.db
      .insertInto('outbox')
      .values({
        id: this.newId(at),
        channel: message.channel,
        recipient: message.to,
        subject: message.channel === 'email' ? (message.subject ?? null) : null,
        body: message.text,
        created_at: new Date(at),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toEntry(row);
  }

  /** Newest first; `to` matches the recipient exactly (addresses are stored normalised). */
  async list(filter: { to?: string | undefined; limit?: number | undefined } = {}): Promise<OutboxEntry[]> {
    let query = this.db
      .selectFrom('outbox')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50);
    if (filter.to !== undefined) query = query.where('recipient', '=', filter.to);
    return (await query.execute()).map(toEntry);
  }

  /** Removes messages older than `days` days, in chunks (src/db/chunked-delete.ts); returns how many went. */
  deleteOlderThan(days: number, signal?: AbortSignal): Promise<number> {
    const cutoff = new Date(this.now() - days * DAY_MS);
    return deleteInChunks(this.db, { table: 'outbox', key: 'id', where: sql`created_at < ${cutoff}`, signal });
  }
}

export interface OutboxSenderOptions {
  /** Messages older than this are removed now and then (default 7 days). */
  retentionDays?: number;
}

/** The sender behind every channel that has no provider. */
export class OutboxSender implements Sender {
  private nextPurge = 0;
  private readonly retentionDays: number;

  constructor(
    private readonly store: OutboxStore,
    private readonly logger: DeliveryLogger,
    private readonly now: () => number,
    options: OutboxSenderOptions = {},
  ) {
    this.retentionDays = options.retentionDays ?? 7;
  }

  async send(message: OutgoingMessage): Promise<void> {
    const entry = await this.store.insert(message);
    // The log line is the point of a dev outbox: it shows the code to whoever runs the server.
    this.logger.info(
      {
        outbox: entry.id,
        channel: entry.channel,
        to: entry.to,
        ...(entry.subject ? { subject: entry.subject } : {}),
        text: entry.text,
      },
      `dev outbox: ${entry.channel} message to ${entry.to} was not sent (no provider configured); read it in the log or at GET /admin/outbox`,
    );
    await this.purgeNowAndThen();
  }

  /** At most once an hour, so the table of a long-running dev server stays small. */
  private async purgeNowAndThen(): Promise<void> {
    const at = this.now();
    if (at < this.nextPurge) return;
    this.nextPurge = at + 3_600_000;
    try {
      await this.store.deleteOlderThan(this.retentionDays);
    } catch (err) {
      // The message is stored; a failed clean-up must not fail the send.
      this.logger.warn({ err }, 'dev outbox: removing old messages failed; will retry');
    }
  }
}
