/**
 * Runs the Dashboard on its own, against a Gatehouse that is already running and knows its
 * client (`npm run demo` does all of it at once):
 *
 *   GATEHOUSE_ISSUER=http://localhost:4444 DASHBOARD_CLIENT_ID=… DASHBOARD_CLIENT_SECRET=… \
 *     npm start --workspace=@gatehouse/example-dashboard
 */
import { startDashboard } from './start.js';

const env = process.env;
const clientId = env.DASHBOARD_CLIENT_ID;
const clientSecret = env.DASHBOARD_CLIENT_SECRET;
if (!clientId || !clientSecret) {
  console.error(
    'Set DASHBOARD_CLIENT_ID and DASHBOARD_CLIENT_SECRET (a confidential client of Gatehouse), or run `npm run demo`.',
  );
  process.exit(2);
}
const port = Number(env.DASHBOARD_PORT ?? 3000);
try {
  const dashboard = await startDashboard({
    issuer: env.GATEHOUSE_ISSUER ?? 'http://localhost:4444',
    clientId,
    clientSecret,
    port,
    ...(env.DASHBOARD_URL ? { baseUrl: env.DASHBOARD_URL } : {}),
    ...(env.DASHBOARD_COOKIE_SECRET ? { cookieSecret: env.DASHBOARD_COOKIE_SECRET } : {}),
  });
  console.log(`Dashboard: ${dashboard.url}`);
  const stop = () => void dashboard.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`The Dashboard could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
