/**
 * How a change that makes cached rows stale reaches every node: a client edited or suspended,
 * a token, grant, client's or person's tokens revoked. The writer evicts locally and sends a
 * PostgreSQL NOTIFY in the same transaction as the change, so other nodes hear of it exactly
 * when it commits; each node LISTENs on a connection of its own.
 *
 * A node that is not listening (not yet connected, or the connection was lost) cannot know
 * what changed meanwhile: `listening` is false, caches stop serving, and everything is
 * evicted again once the connection is back. The embedded database is one process's alone,
 * so there only local evictions exist.
 */

import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

// The Kysely type spelled out rather than imported from database.ts, which builds on this module.
type Db = Kysely<Database>;

export type Invalidation =
  | { kind: 'client'; id: string }
  | { kind: 'token'; hash: string }
  | { kind: 'grant'; id: string }
  | { kind: 'subject'; subject: string }
  /** Everything may have changed (a lost connection). */
  | { kind: 'all' };

export type InvalidationListener = (invalidation: Invalidation) => void;

export const CHANNEL = 'gatehouse_invalidation';

export interface Invalidations {
  /** Whether this node hears every other node's invalidations now: caches serve only then. */
  readonly listening: boolean;
  /** Called on every invalidation, local or remote. Starts listening on first use. */
  subscribe(listener: InvalidationListener): void;
  /**
   * Runs a write that makes cached rows stale and announces it: to other nodes by a NOTIFY in
   * the write's own transaction (delivered when, and only if, it commits), then to this
   * node's listeners.
   */
  write<T>(db: Db, invalidations: readonly Invalidation[], write: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One process owns the database: evictions are local only. */
export class LocalInvalidations implements Invalidations {
  listening: boolean = true;
  private readonly listeners: InvalidationListener[] = [];

  subscribe(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  async write<T>(db: Db, invalidations: readonly Invalidation[], write: (db: Db) => Promise<T>): Promise<T> {
    const result = await write(db);
    for (const invalidation of invalidations) this.dispatch(invalidation);
    return result;
  }

  protected dispatch(invalidation: Invalidation): void {
    for (const listener of this.listeners) listener(invalidation);
  }

  async close(): Promise<void> {}
}

export interface ListenerOptions {
  url: string;
  /** Waits between reconnection attempts, growing to the last one. */
  retryDelaysMs?: readonly number[];
  onError?: (err: unknown) => void;
}

/** Every node on one PostgreSQL: LISTEN on a dedicated connection, NOTIFY with each change. */
export class PostgresInvalidations extends LocalInvalidations {
  override listening = false;
  private client: pg.Client | undefined;
  private started = false;
  private closed = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenerOptions) {
    super();
  }

  override subscribe(listener: InvalidationListener): void {
    super.subscribe(listener);
    if (!this.started) {
      this.started = true;
      void this.connect();
    }
  }

  override async write<T>(db: Db, invalidations: readonly Invalidation[], write: (db: Db) => Promise<T>): Promise<T> {
    const notifyingWrite = async (trx: Db) => {
      const result = await write(trx);
      for (const invalidation of invalidations) {
        await sql`select pg_notify(${CHANNEL}, ${JSON.stringify(invalidation)})`.execute(trx);
      }
      return result;
    };
    const result = await db.transaction().execute(notifyingWrite);
    for (const invalidation of invalidations) this.dispatch(invalidation);
    return result;
  }

  /** Resolves once this node hears other nodes (tests and start-up wait for it). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.listening) {
      if (this.closed || Date.now() > deadline) throw new Error('not listening for invalidations');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.options.url });
    this.client = client;
    const lost = (err?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.goDeaf();
      if (err) this.options.onError?.(err);
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      const invalidation = parse(message.payload);
      this.dispatch(invalidation ?? { kind: 'all' });
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (err) {
      lost(err);
      return;
    }
    if (this.client !== client) return;
    this.attempt = 0;
    // What changed while nobody listened is unknown: start from an empty cache.
    this.dispatch({ kind: 'all' });
    this.listening = true;
  }

  private goDeaf(): void {
    this.listening = false;
    this.dispatch({ kind: 'all' });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    const delays = this.options.retryDelaysMs ?? [100, 500, 1000, 2000, 5000];
    const delay = delays[Math.min(this.attempt, delays.length - 1)] as number;
    this.attempt++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, delay);
    this.retry.unref();
  }

  override async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }
}

function parse(payload: string): Invalidation | undefined {
  let value: Invalidation;
  try {
    value = JSON.parse(payload) as Invalidation;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  switch (value?.kind) {
    case 'client':
    case 'grant':
      return typeof value.id === 'string' ? value : undefined;
    case 'token':
      return typeof value.hash === 'string' ? value : undefined;
    case 'subject':
      return typeof value.subject === 'string' ? value : undefined;
    case 'all':
      return value;
    default:
      return undefined;
  }
}
