/**
 * `npm run demo`: Gatehouse on its embedded database and the Dashboard example together,
 * the Dashboard's client registered and approved through the admin API, and one URL to open.
 * Development only. Ctrl-C stops both.
 *
 * Environment: Gatehouse's own variables (PORT, ADMIN_PORT, ISSUER, DATA_DIR, ADMIN_TOKEN,
 * SMTP_URL, …, as for `npm start`), and DASHBOARD_PORT (default 3000).
 */
import pino from 'pino';
import { DASHBOARD_SCOPES, type RunningDashboard, startDashboard } from '../examples/dashboard/src/start.js';
import { adminApiOf } from '../src/cli/admin-client.js';
import { loadConfig } from '../src/config/config.js';
import { type RunningServer, serve } from '../src/server.js';
import { registerDashboardClient } from './demo/dashboard-client.js';
import { demoLogStream } from './demo/demo-log.js';

const env = process.env;
const say = (text = '') => process.stdout.write(`${text}\n`);

function fail(what: string, err: unknown): never {
  const code = (err as { code?: string }).code;
  const reason = err instanceof Error ? err.message : String(err);
  say(`\nThe demo could not start: ${what}: ${reason}`);
  if (code === 'EADDRINUSE')
    say('Another program holds that port: stop it, or choose others with PORT, ADMIN_PORT and DASHBOARD_PORT.');
  process.exit(1);
}

let gatehouse: RunningServer | undefined;
let dashboard: RunningDashboard | undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) {
    say('Stopping now.');
    process.exit(1);
  }
  stopping = true;
  say('\nStopping the Dashboard and Gatehouse…');
  await dashboard?.close().catch(() => {});
  await gatehouse?.close().catch(() => {});
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

// The public listener stays on this machine (127.0.0.1 and ::1) unless HOST says otherwise: this is a demo.
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({ HOST: 'localhost', ...env });
} catch (err) {
  fail('configuration', err);
}
const dashboardPort = Number(env.DASHBOARD_PORT ?? 3000);
if (!Number.isInteger(dashboardPort) || dashboardPort < 1 || dashboardPort > 65535) {
  fail('configuration', new Error(`DASHBOARD_PORT must be a port number, not "${env.DASHBOARD_PORT}"`));
}
const dashboardUrl = `http://localhost:${dashboardPort}`;
const { endpoint: adminUrl } = adminApiOf(env);
// A deployment may rename the account-id scope (ACCOUNT_ID_SCOPE); ask for it under its name.
const scope = DASHBOARD_SCOPES.map((s) => (s === 'GatehouseID' ? config.accountIdScope : s));
const rawLog = env.GATEHOUSE_DEMO_RAW_LOG === '1' || config.logLevel === 'debug' || config.logLevel === 'trace';

say('Gatehouse demo (development only)\n');
say(`Starting Gatehouse (${config.databaseUrl ? 'PostgreSQL' : `embedded database in ${config.dataDir}`})…`);
try {
  gatehouse = await serve(config, rawLog ? pino({ level: config.logLevel }) : pino({ level: 'info' }, demoLogStream()));
} catch (err) {
  fail('Gatehouse', err);
}

let client: Awaited<ReturnType<typeof registerDashboardClient>>;
try {
  // Read after serve(), which generates the admin token on a first start.
  client = await registerDashboardClient({ adminUrl, adminToken: adminApiOf(env).token, dashboardUrl, scope });
} catch (err) {
  await gatehouse.close();
  fail('registering the Dashboard', err);
}

try {
  dashboard = await startDashboard({
    issuer: config.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    port: dashboardPort,
    baseUrl: dashboardUrl,
    scope,
  });
} catch (err) {
  await gatehouse.close();
  fail('the Dashboard', err);
}

const delivery = config.smtpUrl
  ? 'Emails go through SMTP_URL.'
  : `No email is sent: one-time codes appear below (and at ${adminUrl}/admin/outbox).`;
say(`
  Gatehouse    ${config.issuer}   (admin console: ${adminUrl}/admin/ui)
  Dashboard    ${dashboardUrl}

  Development set-up data: the client "${client.clientId}" was ${client.created ? 'registered' : 'updated'} and approved
  through the admin API, redirect ${dashboardUrl}/callback; its secret is made anew at each start
  and kept only in this process. ${delivery}

  Open ${dashboardUrl}

Ctrl-C stops both.`);
