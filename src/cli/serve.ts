/**
 * `gatehouse serve` and `gatehouse migrate`: the two commands that open the database
 * themselves rather than call the admin API. With WORKERS > 1, `serve` runs the primary that
 * forks the workers (src/cluster.ts), and each worker comes back here to serve.
 */
import pino from 'pino';
import { ignoreHangups, inWorker, leaveCluster, runPrimary, tellPrimaryServing, untilPrimaryStops } from '../cluster.js';
import { type Config, loadConfig } from '../config/config.js';
import { loadAdminToken, loadSystemSecrets } from '../config/secrets.js';
import { migrateToLatest } from '../db/database.js';
import { loggerOptions } from '../http/log-redaction.js';
import { openConfiguredDatabase, serve } from '../server.js';

type Env = Record<string, string | undefined>;

export async function runMigrate(env: Env, out: (line: string) => void): Promise<number> {
  const config = loadConfig(env);
  const database = await openConfiguredDatabase(config);
  try {
    const applied = await migrateToLatest(database.db);
    out(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    return 0;
  } finally {
    await database.close();
  }
}

/** Serves until `untilStopped` resolves (or, in a worker, until the primary says stop). */
export async function runServe(env: Env, untilStopped: () => Promise<void>): Promise<number> {
  const config = loadConfig(env);
  const worker = inWorker();
  if (config.workers > 1 && !worker) return runCluster(config, env, untilStopped);
  // Listening before serving: a worker's primary may ask it to stop while it starts.
  const stopped = worker ? Promise.race([untilStopped(), untilPrimaryStops()]) : untilStopped();
  if (worker) ignoreHangups();
  try {
    const server = await serve(config);
    if (worker) tellPrimaryServing();
    await stopped;
    await server.close();
    return 0;
  } finally {
    if (worker) leaveCluster();
  }
}

/**
 * The primary of WORKERS > 1: what must happen once happens here, before any worker starts:
 * the development secret is generated into DATA_DIR (or read), and the migrations run.
 */
async function runCluster(config: Config, env: Env, untilStopped: () => Promise<void>): Promise<number> {
  const logger = pino(loggerOptions(config.logLevel));
  const secrets = loadSystemSecrets(config);
  // Generated here once, so that the workers all read the same one.
  loadAdminToken(config);
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  logger.info({ workers: config.workers, secretsGenerated: secrets.generated }, 'starting the workers');
  return runPrimary({ workers: config.workers, env, logger, untilStopped });
}
