/** The Dashboard example against a test Gatehouse: its client registered, the app on a free port. */
import { DASHBOARD_SCOPES, type RunningDashboard, startDashboard } from '../../examples/dashboard/src/start.js';
import { createClient } from './flow.js';
import { freePort, type TestGatehouse } from './harness.js';

export async function startDashboardOn(
  t: TestGatehouse,
  /** More registration fields, given the Dashboard's address. */
  client: (baseUrl: string) => Record<string, unknown> = () => ({}),
): Promise<{ dashboard: RunningDashboard; clientId: string }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const registered = await createClient(t, {
    client_name: 'Dashboard',
    redirect_uris: [`${baseUrl}/callback`],
    post_logout_redirect_uris: [`${baseUrl}/signed-out`],
    scope: DASHBOARD_SCOPES.join(' '),
    ...client(baseUrl),
  });
  const dashboard = await startDashboard({
    issuer: t.issuer,
    clientId: registered.client_id,
    clientSecret: registered.client_secret,
    port,
    host: '127.0.0.1',
    baseUrl,
  });
  return { dashboard, clientId: registered.client_id };
}
