/**
 * The background clean-up's schedule: every interval, expired codes, tokens, flows, sessions
 * and one-time codes go (Gatehouse.deleteExpired), never on a request's path. Of the nodes
 * sharing a database, the one holding the `clean-up` lease does it, so two nodes do not both
 * work through the same backlog; and a pass still running when the next is due is not doubled,
 * its node only renews the lease. A stopping node ends its pass at the next chunk and waits for
 * it before giving the lease back, so no two nodes ever clean at once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { giveBackLease, takeLease } from './db/leases.js';
import type { Database } from './db/schema.js';

const LEASE = 'clean-up';

export interface CleanupOptions {
  db: Kysely<Database>;
  /** One pass; resolves to how many rows went. It should end soon once `signal` aborts. */
  pass: (signal: AbortSignal) => Promise<number>;
  intervalSeconds: number;
  /**
   * How long the lease outlives its last renewal: three intervals by default, so a timer that
   * fires late does not lose it, and a node that died holding it is replaced within three.
   */
  leaseSeconds?: number;
  logger: Pick<Logger, 'debug' | 'warn'>;
  /** Who holds the lease: this process (host, pid and a random part, since pids repeat). */
  holder?: string;
}

export interface Cleanup {
  /**
   * Stops the schedule, ends a pass under way (at its next chunk) and waits for it, then gives
   * the lease back, so another node takes over at its next interval.
   */
  stop(): Promise<void>;
}

export function startCleanup(options: CleanupOptions): Cleanup {
  const { db, logger, intervalSeconds } = options;
  const leaseSeconds = options.leaseSeconds ?? 3 * intervalSeconds;
  const holder = options.holder ?? `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  const stopping = new AbortController();
  let running = false;
  /** Ticks under way (a pass, or a renewal during one): stop() waits for them. */
  const underWay = new Set<Promise<void>>();

  const tick = async () => {
    if (running) {
      await takeLease(db, LEASE, holder, leaseSeconds);
      return;
    }
    running = true;
    try {
      if (!(await takeLease(db, LEASE, holder, leaseSeconds))) {
        logger.debug({ holder }, 'clean-up left to the node holding its lease');
        return;
      }
      const removed = await options.pass(stopping.signal);
      logger.debug({ removed, stopped: stopping.signal.aborted }, 'clean-up done');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => {
    const ticking: Promise<void> = tick()
      .catch((err) => logger.warn({ err }, 'clean-up failed; will retry'))
      .finally(() => underWay.delete(ticking));
    underWay.add(ticking);
  }, intervalSeconds * 1000).unref();

  return {
    stop: async () => {
      clearInterval(timer);
      stopping.abort();
      // A renewal landing after the give-back would take the lease again for a stopped node.
      await Promise.all(underWay);
      await giveBackLease(db, LEASE, holder).catch((err) => logger.warn({ err }, 'could not give the clean-up lease back'));
    },
  };
}
