/**
 * `gatehouse serve`: configuration, database, services, both listeners, the background
 * clean-up, and a graceful stop on SIGINT / SIGTERM. With WORKERS > 1 this is what each
 * worker runs (src/cluster.ts).
 */
import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { startCleanup } from './background-cleanup.js';
import { inWorker } from './cluster.js';
import type { Config } from './config/config.js';
import { loadAdminToken, loadSystemSecrets } from './config/secrets.js';
import { type Database, openDatabase } from './db/database.js';
import { InternalError } from './errors.js';
import { createGatehouse, type Gatehouse } from './gatehouse.js';
import { closeGracefully } from './http/graceful-close.js';
import { loggerOptions } from './http/log-redaction.js';
import { Metrics } from './http/metrics.js';
import { buildAdminApp, buildPublicApp } from './http/server.js';

export interface RunningServer {
  gh: Gatehouse;
  close(): Promise<void>;
}

export function openConfiguredDatabase(config: Config): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({
        kind: 'postgres',
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
        preparedStatements: config.databasePreparedStatements,
      })
    : openDatabase({ kind: 'pglite', dataDir: resolve(config.dataDir, 'pglite') });
}

export async function serve(config: Config, logger: Logger = pino(loggerOptions(config.logLevel))): Promise<RunningServer> {
  const secrets = loadSystemSecrets(config);
  if (secrets.generated) {
    logger.warn(
      { file: secrets.file },
      'SECRETS_SYSTEM is not set: using a secret generated into DATA_DIR. Set SECRETS_SYSTEM in production, the same on every node.',
    );
  }
  const admin = loadAdminToken(config);
  if (admin.created) {
    logger.warn(
      { file: admin.file },
      'ADMIN_TOKEN is not set: generated an admin token into DATA_DIR. The CLI on this machine reads it; the console asks for it. Set ADMIN_TOKEN in production, the same on every node.',
    );
  } else if (admin.file) {
    logger.info({ file: admin.file }, 'the admin port requires the admin token kept in DATA_DIR');
  } else if (admin.token === undefined) {
    logger.warn(
      'ADMIN_TOKEN=none: the admin port asks for no token. Protect it otherwise (a private network, an authenticating proxy).',
    );
  }
  const database = await openConfiguredDatabase(config);
  let gh: Gatehouse;
  try {
    gh = await createGatehouse({ config, database, secrets: secrets.secrets, logger });
  } catch (err) {
    // The failure to prepare is the one to report; a failure to close after it is only logged.
    await database.close().catch((closeErr) => logger.warn({ err: closeErr }, 'could not close the database'));
    const reason = err instanceof Error ? err.message : String(err);
    throw new InternalError(`cannot prepare the ${database.kind === 'postgres' ? 'PostgreSQL' : 'embedded'} database: ${reason}`);
  }
  logger.info({ database: database.kind }, 'database ready');

  gh.events.on((event) => logger.info({ event }, `event ${event.type}`));
  const metrics = new Metrics(gh.events, { clusterWorker: inWorker() });
  const publicApp = await buildPublicApp(gh, { logger: logger.child({ listener: 'public' }), metrics });
  const adminApp = await buildAdminApp(gh, {
    logger: logger.child({ listener: 'admin' }),
    metrics,
    adminToken: admin.token,
    adminTokenFile: admin.file,
  });

  // A port that cannot be had ends the start, and nothing opened may keep the process alive.
  for (const [app, port, host, variable] of [
    [publicApp, config.port, config.host, 'PORT'],
    [adminApp, config.adminPort, config.adminHost, 'ADMIN_PORT'],
  ] as const) {
    try {
      await app.listen({ port, host });
    } catch (err) {
      await Promise.allSettled([publicApp.close(), adminApp.close()]);
      await database.close();
      throw new InternalError(`cannot listen on ${host}:${port} (${variable}): ${err instanceof Error ? err.message : err}`);
    }
  }
  logger.info({ issuer: config.issuer, admin: `http://${config.adminHost}:${config.adminPort}` }, 'Gatehouse is listening');

  // Of the nodes and workers on one database, the one holding the clean-up's lease cleans up.
  const cleanup = startCleanup({
    db: gh.db,
    pass: (signal) => gh.deleteExpired(undefined, signal),
    intervalSeconds: config.cleanupInterval,
    logger,
  });

  let closing: Promise<void> | undefined;
  return {
    gh,
    close: () => {
      closing ??= (async () => {
        // Side by side: the clean-up's chunk under way need not hold the listeners open.
        await Promise.all([cleanup.stop(), closeGracefully([publicApp, adminApp])]);
        await database.close();
        logger.info('Gatehouse stopped');
      })();
      return closing;
    },
  };
}
