/**
 * A real Gatehouse for the SDK's tests, and the person's side of a sign-in: the browser
 * follows redirects, the login and consent answers come from the admin API (as a Hydra-style
 * login app would give them).
 */

import { admin, Browser, createClient, runFlow } from '../../test/support/flow.js';
import type { TestGatehouse } from '../../test/support/harness.js';
import { GatehouseClient, type GatehouseClientOptions, type SignInRequest } from '../src/index.js';

export const REDIRECT_URI = 'https://app.example/callback';
export const POST_LOGOUT_URI = 'https://app.example/signed-out';
export const SCOPE = 'openid offline_access email Email GatehouseID Twitter';

export type TestClient = Awaited<ReturnType<typeof createClient>>;

export function registerClient(t: TestGatehouse, body: Record<string, unknown> = {}): Promise<TestClient> {
  return createClient(t, {
    client_name: 'SDK test app',
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [POST_LOGOUT_URI],
    scope: SCOPE,
    ...body,
  });
}

export function sdkFor(t: TestGatehouse, client: TestClient, options: Partial<GatehouseClientOptions> = {}) {
  return GatehouseClient.discover({
    issuer: t.issuer,
    clientId: client.client_id,
    ...(client.client_secret ? { clientSecret: client.client_secret } : {}),
    redirectUri: REDIRECT_URI,
    postLogoutRedirectUri: POST_LOGOUT_URI,
    scope: SCOPE,
    ...options,
  });
}

/** The person signs in as `subject` and allows everything asked; returns the callback URL. */
export async function signIn(t: TestGatehouse, client: TestClient, request: SignInRequest, subject: string): Promise<URL> {
  const { location } = await runFlow(t, {
    client,
    params: Object.fromEntries(new URL(request.url).searchParams),
    subject,
  });
  return location;
}

/** The person signs in and then declines on the consent screen; returns the callback URL. */
export async function declineConsent(t: TestGatehouse, request: SignInRequest, subject: string): Promise<URL> {
  const browser = new Browser(t.publicApp);
  const url = new URL(request.url);
  const start = await browser.get(url.pathname + url.search);
  const loginChallenge = new URL(start.headers.location as string).searchParams.get('login_challenge');
  const login = await admin(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
    subject,
  });
  const afterLogin = await browser.get(login.json().redirect_to);
  const consentChallenge = new URL(afterLogin.headers.location as string).searchParams.get('consent_challenge');
  const rejected = await admin(t, 'PUT', `/admin/oauth2/auth/requests/consent/reject?consent_challenge=${consentChallenge}`, {
    error: 'access_denied',
    error_description: 'The person declined.',
  });
  const back = await browser.get(rejected.json().redirect_to);
  return new URL(back.headers.location as string);
}
