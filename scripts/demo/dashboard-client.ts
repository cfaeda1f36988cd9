/**
 * Development set-up data: the Dashboard's client, created or brought up to date through the
 * admin API (as an operator would with `gatehouse clients create`), approved, with a secret
 * made for this run only. Idempotent: a restart finds the client and replaces it.
 */
import { randomBytes } from 'node:crypto';

export const DEMO_CLIENT_ID = 'gatehouse-demo-dashboard';

export interface DemoClient {
  clientId: string;
  clientSecret: string;
  created: boolean;
}

export async function registerDashboardClient(options: {
  adminUrl: string;
  adminToken?: string | undefined;
  dashboardUrl: string;
  scope: readonly string[];
}): Promise<DemoClient> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.adminToken ? { authorization: `Bearer ${options.adminToken}` } : {}),
  };
  // A new secret each run: it lives only in this process, never in a file.
  const clientSecret = `gh_demo_${randomBytes(32).toString('base64url')}`;
  const body = {
    client_id: DEMO_CLIENT_ID,
    client_name: 'Dashboard',
    description: 'The example application of the documentation. Development set-up data made by `npm run demo`.',
    client_secret: clientSecret,
    client_uri: options.dashboardUrl,
    redirect_uris: [`${options.dashboardUrl}/callback`],
    post_logout_redirect_uris: [`${options.dashboardUrl}/signed-out`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: options.scope.join(' '),
    token_endpoint_auth_method: 'client_secret_basic',
    status: 'approved',
  };
  const url = `${options.adminUrl}/admin/clients/${DEMO_CLIENT_ID}`;
  const existing = await fetch(url, { headers });
  if (existing.status !== 200 && existing.status !== 404) {
    throw new Error(`the admin API answered ${existing.status} for ${url}: ${await existing.text()}`);
  }
  const created = existing.status === 404;
  const response = created
    ? await fetch(`${options.adminUrl}/admin/clients`, { method: 'POST', headers, body: JSON.stringify(body) })
    : await fetch(url, { method: 'PUT', headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`registering the Dashboard's client failed (${response.status}): ${await response.text()}`);
  return { clientId: DEMO_CLIENT_ID, clientSecret, created };
}
