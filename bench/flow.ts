/**
 * What the load child and the runner both need to know about a server under test, and one
 * complete authorization-code flow driven over real HTTP (node:http, manual redirects, a tiny
 * cookie jar), so both servers pay the same client-side cost.
 */
import { createHash, randomBytes } from 'node:crypto';
import { adminAccept, adminAuthorization, basicAuthorization, CookieJar, send } from '../test/support/http-driver.js';

export type Kind = 'gatehouse' | 'oidc-provider' | 'ceiling';

export interface Target {
  id: string;
  label: string;
  kind: Kind;
  publicUrl: string;
  /** Gatehouse's admin port (login/consent accept, introspection). */
  adminUrl?: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export const BENCH_SCOPE = 'openid offline_access email';

export const paths = (kind: Kind) =>
  kind === 'gatehouse'
    ? { token: '/oauth2/token', auth: '/oauth2/auth', userinfo: '/userinfo' }
    : { token: '/token', auth: '/auth', userinfo: '/me' };

export const basicAuth = (t: Target) => basicAuthorization(t.clientId, t.clientSecret);

/** Where introspection is served: Gatehouse on its admin port (as Hydra), oidc-provider on its public one with client auth. */
export function introspection(t: Target): { url: string; headers: Record<string, string> } {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  if (t.kind === 'gatehouse')
    return { url: `${t.adminUrl}/admin/oauth2/introspect`, headers: { ...form, ...adminAuthorization } };
  return { url: `${t.publicUrl}/token/introspection`, headers: { ...form, authorization: basicAuth(t) } };
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  [key: string]: unknown;
}

/** authorize → login accept → consent accept → code exchange; returns the token response. */
export async function authorizationCodeFlow(t: Target, scope = BENCH_SCOPE): Promise<TokenResponse> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    client_id: t.clientId,
    response_type: 'code',
    redirect_uri: t.redirectUri,
    scope,
    state: randomBytes(12).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    // oidc-provider issues a refresh token for offline_access only with an explicit consent prompt.
    ...(t.kind === 'oidc-provider' ? { prompt: 'consent' } : {}),
  });
  let url = await jar.redirect(`${t.publicUrl}${paths(t.kind).auth}?${query}`);
  if (t.kind === 'gatehouse') {
    const login = url.searchParams.get('login_challenge');
    if (!login) throw new Error(`authorize: no login_challenge in ${url}`);
    const afterLogin = await adminAccept(
      t.adminUrl as string,
      `/admin/oauth2/auth/requests/login/accept?login_challenge=${login}`,
      {
        subject: 'bench-user',
        remember: false,
      },
    );
    url = await jar.redirect(afterLogin);
    const consent = url.searchParams.get('consent_challenge');
    if (!consent) throw new Error(`login: no consent_challenge in ${url}`);
    const afterConsent = await adminAccept(
      t.adminUrl as string,
      `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consent}`,
      {
        grant_scope: scope.split(' '),
        remember: false,
      },
    );
    url = await jar.redirect(afterConsent);
  } else {
    // Two interactions (login, then consent), each answered by the bench server's own
    // programmatic handler, then the resume endpoint; the same round trips as Gatehouse.
    for (let hops = 0; hops < 8 && !url.href.startsWith(t.redirectUri); hops++) {
      url = await jar.redirect(url.href);
    }
  }
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`flow ended without a code: ${url}`);
  const response = await send(`${t.publicUrl}${paths(t.kind).token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(t) },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: t.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  const body = JSON.parse(response.body) as TokenResponse;
  if (response.status !== 200 || !body.access_token) throw new Error(`code exchange: ${response.status} ${response.body}`);
  return body;
}

export async function clientCredentialsToken(t: Target): Promise<TokenResponse> {
  const response = await fetch(`${t.publicUrl}${paths(t.kind).token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(t) },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as TokenResponse;
  if (response.status !== 200) throw new Error(`client_credentials: ${response.status} ${JSON.stringify(body)}`);
  return body;
}
