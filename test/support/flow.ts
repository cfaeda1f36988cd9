/**
 * Drives an authorization the way a browser and a Hydra-style login/consent app would:
 * the browser follows redirects with its cookies; the app answers on the admin API.
 */
import type { FastifyInstance } from 'fastify';
import type { ClientJson } from '../../src/clients/clients.js';
import { challengeFor } from '../../src/crypto/pkce.js';
import type { TestGatehouse } from './harness.js';

interface StoredCookie {
  value: string;
  path: string;
}

export class Browser {
  readonly jar = new Map<string, StoredCookie>();

  constructor(private readonly app: FastifyInstance) {}

  cookieHeader(path: string): string {
    return [...this.jar]
      .filter(([, c]) => path.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  get(url: string) {
    return this.request('GET', url);
  }

  /**
   * Posts a form, with the CSRF token of the last page that had one unless `_csrf` is given.
   * An array value is sent as a repeated field (checkboxes).
   */
  post(url: string, form: Record<string, string | string[]>) {
    return this.request('POST', url, { ...(this.csrf && form._csrf === undefined ? { _csrf: this.csrf } : {}), ...form });
  }

  /** The CSRF token of the last page that carried one. */
  csrf: string | undefined;

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string | string[]>) {
    const u = new URL(url, 'http://127.0.0.1');
    const response = await this.app.inject({
      method,
      url: u.pathname + u.search,
      headers: {
        cookie: this.cookieHeader(u.pathname),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form
        ? { payload: new URLSearchParams(Object.entries(form).flatMap(([k, v]) => [v].flat().map((x) => [k, x]))).toString() }
        : {}),
    });
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrf = token;
    for (const cookie of response.cookies as { name: string; value: string; path?: string; maxAge?: number; expires?: Date }[]) {
      const expired =
        cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (expired) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, { value: cookie.value, path: cookie.path ?? '/' });
    }
    return response;
  }
}

export async function admin(
  t: TestGatehouse,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  const response = await t.adminApp.inject({
    method,
    url,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  return response;
}

export async function createClient(
  t: TestGatehouse,
  body: Record<string, unknown> = {},
): Promise<ClientJson & { client_secret: string }> {
  const response = await admin(t, 'POST', '/admin/clients', {
    client_name: 'Test app',
    redirect_uris: ['https://app.example/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access email profile Email GatehouseID Twitter',
    ...body,
  });
  if (response.statusCode !== 201) throw new Error(`client create failed: ${response.body}`);
  return response.json();
}

export const pkcePair = (verifier = 'v'.repeat(20) + 'erifier-0123456789-abcdefghijkl') => ({
  verifier,
  challenge: challengeFor(verifier, 'S256'),
});

export interface FlowOptions {
  client: ClientJson;
  browser?: Browser;
  scope?: string;
  subject?: string;
  params?: Record<string, string>;
  path?: string;
  grantScope?: string[];
  rememberLogin?: boolean;
  rememberConsent?: boolean;
  session?: { access_token?: Record<string, unknown>; id_token?: Record<string, unknown> };
  loginAccept?: Record<string, unknown>;
}

export async function startAuthorization(
  _t: TestGatehouse,
  browser: Browser,
  params: Record<string, string>,
  path = '/oauth2/auth',
) {
  const response = await browser.get(`${path}?${new URLSearchParams(params)}`);
  return response;
}

/** Runs a whole flow to the client's redirect; returns the redirect's query. */
export async function runFlow(t: TestGatehouse, options: FlowOptions) {
  const browser = options.browser ?? new Browser(t.publicApp);
  const scope = options.scope ?? 'openid offline_access';
  const start = await startAuthorization(
    t,
    browser,
    {
      client_id: options.client.client_id,
      response_type: 'code',
      redirect_uri: options.client.redirect_uris[0] as string,
      scope,
      state: 'state-123456',
      ...options.params,
    },
    options.path,
  );
  if (start.statusCode !== 303) throw new Error(`authorize answered ${start.statusCode}: ${start.body}`);
  let location = new URL(start.headers.location as string);
  const loginChallenge = location.searchParams.get('login_challenge');
  if (!loginChallenge) return { location, query: location.searchParams, browser };

  const loginRequest = (await admin(t, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`)).json();
  const accepted = await admin(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
    subject: loginRequest.skip ? loginRequest.subject : (options.subject ?? 'user-1'),
    remember: options.rememberLogin ?? false,
    ...options.loginAccept,
  });
  if (accepted.statusCode !== 200) throw new Error(`login accept: ${accepted.body}`);
  const afterLogin = await browser.get(accepted.json().redirect_to);
  if (afterLogin.statusCode !== 303) throw new Error(`after login: ${afterLogin.statusCode} ${afterLogin.body}`);
  location = new URL(afterLogin.headers.location as string);
  const consentChallenge = location.searchParams.get('consent_challenge');
  if (!consentChallenge) return { location, query: location.searchParams, browser, loginRequest };

  const consentRequest = (
    await admin(t, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
  ).json();
  const consented = await admin(t, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`, {
    grant_scope: options.grantScope ?? consentRequest.requested_scope,
    remember: options.rememberConsent ?? false,
    ...(options.session ? { session: options.session } : {}),
  });
  if (consented.statusCode !== 200) throw new Error(`consent accept: ${consented.body}`);
  const afterConsent = await browser.get(consented.json().redirect_to);
  if (afterConsent.statusCode !== 303) throw new Error(`after consent: ${afterConsent.statusCode} ${afterConsent.body}`);
  location = new URL(afterConsent.headers.location as string);
  return { location, query: location.searchParams, browser, loginRequest, consentRequest };
}

export async function token(
  t: TestGatehouse,
  form: Record<string, string>,
  options: { basic?: [string, string]; path?: string } = {},
) {
  return t.publicApp.inject({
    method: 'POST',
    url: options.path ?? '/oauth2/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.basic
        ? {
            authorization: `Basic ${Buffer.from(`${encodeURIComponent(options.basic[0])}:${encodeURIComponent(options.basic[1])}`).toString('base64')}`,
          }
        : {}),
    },
    payload: new URLSearchParams(form).toString(),
  });
}

export async function introspect(t: TestGatehouse, tokenValue: string) {
  return (
    await t.adminApp.inject({
      method: 'POST',
      url: '/admin/oauth2/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: tokenValue }).toString(),
    })
  ).json();
}
