/**
 * WORKERS > 1: `gatehouse serve` becomes a primary process that forks that many workers, each
 * a whole Gatehouse with both listeners, on ports the cluster shares (node:cluster hands each
 * new connection to the next worker). A Node process runs its JavaScript on one core; workers
 * let one machine's cores share the requests.
 *
 * Nothing else changes for them: every request's state is in PostgreSQL and the caches are
 * invalidated across processes (LISTEN/NOTIFY), as between nodes, so a flow may move between
 * workers as it moves between nodes. What would differ per worker is told here:
 * - /metrics: any worker may be scraped, so each answers with every worker's metrics,
 *   summed by the primary (prom-client's AggregatorRegistry);
 * - stopping: the primary tells each worker to stop (they close gracefully) on SIGINT or
 *   SIGTERM, and waits for them;
 * - the background clean-up: the lease that lets one node of several do it lets one worker
 *   do it (src/background-cleanup.ts);
 * - failures: a worker that dies after it started serving is replaced; one that dies before
 *   (a port taken, the database refusing) would fail again, so the primary stops them all and
 *   exits with an error, as a single process would;
 * - SIGHUP: a rolling restart, as gunicorn's. One worker at a time, a new one is forked (from
 *   the code now on disk) and, once it serves, an old one is stopped gracefully; new
 *   connections go to the workers listening, so requests go on being answered throughout. A new
 *   worker that fails to start ends the restart there, the old ones serving on.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { OAuthError } from './oauth/errors.js';
import { untilProcessEvent } from './process-events.js';

type Message =
  | { type: 'gatehouse:ready' }
  | { type: 'gatehouse:stop' }
  | { type: 'gatehouse:metrics?'; id: number }
  | { type: 'gatehouse:metrics'; id: number; text?: string; error?: string };

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && String((value as { type?: unknown }).type).startsWith('gatehouse:');

/** How long the primary waits for the workers to stop before it kills them. */
export const STOP_TIMEOUT_MS = 30_000;
/** How long a rolling restart waits for a new worker to serve before it gives up on it. */
const START_TIMEOUT_MS = 60_000;
/** How long a worker waits for the primary's sum of the metrics. */
const METRICS_TIMEOUT_MS = 10_000;
/** Between a worker's death and its replacement, so a worker that keeps dying cannot spin. */
const REPLACE_DELAY_MS = 1_000;

export const inWorker = (): boolean => cluster.isWorker;

// ---- in a worker ----

function toPrimary(message: Message): void {
  process.send?.(message);
}

/** Once this worker serves: the primary counts it as started (see the failures above). */
export function tellPrimaryServing(): void {
  toPrimary({ type: 'gatehouse:ready' });
}

/** Resolves when the primary asks this worker to stop, or is gone. */
export function untilPrimaryStops(): Promise<void> {
  return untilProcessEvent(
    ['message', 'disconnect'],
    (event, message) => event === 'disconnect' || (isMessage(message) && message.type === 'gatehouse:stop'),
  );
}

/** A worker's life is its primary's to end: a terminal's hangup reaching it too is ignored. */
export function ignoreHangups(): void {
  process.on('SIGHUP', () => {});
}

/** After the worker closed: without its IPC channel the process can end. */
export function leaveCluster(): void {
  if (process.connected) process.disconnect();
}

/** A worker that does not answer (stopped, or busy past prom-client's 5 s) is a passing condition. */
const unavailable = (why: string) =>
  new OAuthError('temporarily_unavailable', "Not every worker's metrics could be collected; try again shortly.", {
    debug: why,
  });

/**
 * Lets the primary read `registry`, and returns what this worker's /metrics answers: every
 * worker's metrics, summed (counters and histograms add up; prom-client says how for each of
 * its process metrics).
 */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's collection.
  new AggregatorRegistry();
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let asked = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage(message) || message.type !== 'gatehouse:metrics') return;
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) request?.resolve(message.text);
    else request?.reject(unavailable(message.error ?? 'no answer'));
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = ++asked;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(unavailable('the primary did not answer'));
      }, METRICS_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      toPrimary({ type: 'gatehouse:metrics?', id });
    });
}

// ---- in the primary ----

export interface PrimaryOptions {
  workers: number;
  /** The workers' environment (the configuration they load). */
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Resolves when the cluster should stop (SIGINT / SIGTERM). */
  untilStopped: () => Promise<void>;
  stopTimeoutMs?: number;
}

/** Forks the workers and looks after them until stopped; resolves with the exit code. */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { workers, env, logger } = options;
  const aggregator = new AggregatorRegistry();
  const serving = new Set<number>();
  let stopping = false;
  let announced = false;
  let failed: (code: number) => void = () => {};
  const failure = new Promise<number>((resolve) => {
    failed = resolve;
  });
  const send = (worker: Worker, message: Message) => {
    if (worker.isConnected()) worker.send(message);
  };
  const start = () => cluster.fork(env);
  // A rolling restart's workers: the new ones until they serve (settled with whether they
  // did), the old ones it is stopping. Their exits are its business, not failures.
  const restarting = new Map<number, (served: boolean) => void>();
  const retiring = new Set<number>();
  // The old workers a restart has still to replace: one that dies meanwhile is replaced by the
  // restart, not also by the primary (which would leave one worker too many).
  const awaitingRestart = new Set<number>();

  const onMessage = (worker: Worker, message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === 'gatehouse:ready') {
      serving.add(worker.id);
      restarting.get(worker.id)?.(true);
      if (!announced && serving.size === workers) {
        announced = true;
        logger.info({ workers }, 'every worker is serving');
      }
    } else if (message.type === 'gatehouse:metrics?') {
      aggregator.clusterMetrics().then(
        (text) => send(worker, { type: 'gatehouse:metrics', id: message.id, text }),
        (err: Error) => send(worker, { type: 'gatehouse:metrics', id: message.id, error: err.message }),
      );
    }
  };
  const onExit = (worker: Worker, code: number | null, signal: string | null) => {
    const wasServing = serving.delete(worker.id);
    if (retiring.delete(worker.id)) return;
    const settle = restarting.get(worker.id);
    if (settle) return settle(false);
    if (stopping) return;
    const pid = worker.process.pid;
    if (!wasServing) {
      logger.error({ worker: pid, code, signal }, 'a worker failed to start (its log says why); stopping the others');
      failed(1);
      return;
    }
    if (awaitingRestart.has(worker.id)) {
      logger.error({ worker: pid, code, signal }, 'a worker stopped unexpectedly; the rolling restart replaces it');
      return;
    }
    logger.error({ worker: pid, code, signal }, 'a worker stopped unexpectedly; starting another');
    setTimeout(() => {
      if (!stopping) start();
    }, REPLACE_DELAY_MS).unref();
  };

  /** Forks a worker for a rolling restart; resolves with whether it came to serve. */
  const startFresh = (): Promise<boolean> => {
    const fresh = start();
    return new Promise((resolve) => {
      // Its exit settles it, as if it had failed.
      const timer = setTimeout(() => fresh.process.kill('SIGKILL'), START_TIMEOUT_MS);
      restarting.set(fresh.id, (served) => {
        clearTimeout(timer);
        restarting.delete(fresh.id);
        resolve(served);
      });
    });
  };
  const stopTimeoutMs = options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  const retire = (worker: Worker) => {
    retiring.add(worker.id);
    return stopWorkers([worker], stopTimeoutMs, (w) => send(w, { type: 'gatehouse:stop' }));
  };
  const rollingRestart = async () => {
    const old = [...serving].map((id) => cluster.workers?.[id]).filter((w): w is Worker => w !== undefined);
    logger.info({ workers: old.length }, 'rolling restart: replacing the workers one at a time');
    for (const worker of old) awaitingRestart.add(worker.id);
    try {
      for (const previous of old) {
        if (stopping) return;
        const served = await startFresh();
        if (stopping) return;
        if (!served) {
          logger.error('rolling restart: a new worker did not come to serve (its log says why); the others serve on');
          return;
        }
        awaitingRestart.delete(previous.id);
        if (!previous.isDead()) await retire(previous);
      }
      logger.info('rolling restart done');
    } finally {
      // Ended early: the old workers not reached serve on, and one of them that died is replaced now.
      for (const worker of old) {
        if (awaitingRestart.delete(worker.id) && worker.isDead() && !stopping) start();
      }
    }
  };
  let restart: Promise<void> | undefined;
  const onHangup = () => {
    if (stopping) return;
    if (restart) {
      logger.warn('a rolling restart is already running');
      return;
    }
    restart = rollingRestart().finally(() => {
      restart = undefined;
    });
  };

  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  process.on('SIGHUP', onHangup);

  for (let i = 0; i < workers; i++) start();
  const code = await Promise.race([options.untilStopped().then(() => 0), failure]);
  stopping = true;
  process.off('SIGHUP', onHangup);
  const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  await stopWorkers(all, stopTimeoutMs, (worker) => {
    // One still starting may not listen for the message yet; it has served nothing, and a
    // signal stops it wherever it is (gracefully, once its own handlers are installed).
    if (serving.has(worker.id)) send(worker, { type: 'gatehouse:stop' });
    else worker.process.kill('SIGTERM');
  });
  await restart;
  cluster.off('message', onMessage);
  cluster.off('exit', onExit);
  logger.info('Gatehouse stopped');
  return code;
}

/** Asks these workers to stop; kills those still running after `timeoutMs`. */
async function stopWorkers(workers: Worker[], timeoutMs: number, stop: (worker: Worker) => void): Promise<void> {
  // A dead worker would never say it exited.
  const running = workers.filter((worker) => !worker.isDead());
  const exited = running.map((worker) => new Promise<void>((resolve) => worker.once('exit', () => resolve())));
  for (const worker of running) stop(worker);
  const timer = setTimeout(() => {
    for (const worker of running) if (!worker.isDead()) worker.process.kill('SIGKILL');
  }, timeoutMs);
  await Promise.all(exited);
  clearTimeout(timer);
}
