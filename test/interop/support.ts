/**
 * Real-HTTP helpers for the interop suites: a small fetch-based browser with a cookie jar
 * that follows nothing by itself (each 303 is looked at, as a test must), and plain-fetch
 * calls to the admin API (the way a consent app without an SDK would talk to it).
 */
import type { TestGatehouse } from '../support/harness.js';

interface StoredCookie {
  value: string;
  path: string;
}

export interface BrowserResponse {
  status: number;
  location: string | undefined;
  headers: Headers;
  body: string;
}

/** One browser: cookies by name and path, sent to the host they came from. */
export class FetchBrowser {
  readonly jar = new Map<string, StoredCookie>();

  cookieHeader(path: string): string {
    return (
      [...this.jar.entries()]
        // RFC 6265 5.1.4 path-match.
        .filter(([, c]) => path === c.path || (path.startsWith(c.path) && (c.path.endsWith('/') || path[c.path.length] === '/')))
        .map(([key, c]) => `${key.split('\n')[0]}=${c.value}`)
        .join('; ')
    );
  }

  /** The value of a cookie, whatever its path. */
  cookie(name: string): string | undefined {
    for (const [key, c] of this.jar) if (key.split('\n')[0] === name) return c.value;
    return undefined;
  }

  private store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [k = '', v = ''] = attribute.split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && new Date(v).getTime() < Date.now()) expired = true;
      }
      const id = `${name}\n${path}`;
      if (expired) this.jar.delete(id);
      else this.jar.set(id, { value, path });
    }
  }

  async request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
    const u = new URL(url);
    const cookie = this.cookieHeader(u.pathname);
    const response = await fetch(u, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    this.store(response.headers);
    const location = response.headers.get('location');
    return {
      status: response.status,
      location: location === null ? undefined : new URL(location, u).toString(),
      headers: response.headers,
      body: await response.text(),
    } satisfies BrowserResponse;
  }

  get(url: string) {
    return this.request(url);
  }
}

/** The redirect target of a response that must be a 303. */
export function seeOther(response: BrowserResponse): URL {
  if (response.status !== 303 || !response.location) {
    throw new Error(`expected a 303 redirect, got ${response.status}: ${response.body.slice(0, 300)}`);
  }
  return new URL(response.location);
}

export async function adminFetch(t: TestGatehouse, method: string, path: string, body?: unknown) {
  const response = await fetch(`${t.adminUrl}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

export interface ClientRegistration {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  [field: string]: unknown;
}

export async function registerClient(t: TestGatehouse, body: Record<string, unknown>): Promise<ClientRegistration> {
  const response = await adminFetch(t, 'POST', '/admin/clients', {
    client_name: 'Interop app',
    grant_types: ['authorization_code', 'refresh_token'],
    ...body,
  });
  if (response.status !== 201) throw new Error(`client create failed: ${response.status} ${JSON.stringify(response.json)}`);
  return response.json;
}

export interface ConsentOptions {
  subject?: string;
  remember?: boolean;
  grantScope?: string[];
  session?: { id_token?: Record<string, unknown>; access_token?: Record<string, unknown> };
}

/**
 * From an authorization URL to the client's redirect, accepting login and consent on the
 * admin API with plain fetch. Returns the URL the browser was sent back to.
 */
export async function authorizeThroughAdmin(
  t: TestGatehouse,
  browser: FetchBrowser,
  authorizationUrl: string,
  options: ConsentOptions = {},
): Promise<URL> {
  const toLogin = seeOther(await browser.get(authorizationUrl));
  const loginChallenge = toLogin.searchParams.get('login_challenge');
  if (!loginChallenge) return toLogin;
  const loginRequest = await adminFetch(t, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`);
  if (loginRequest.status !== 200) throw new Error(`login request: ${JSON.stringify(loginRequest.json)}`);
  const login = await adminFetch(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
    subject: loginRequest.json.skip ? loginRequest.json.subject : (options.subject ?? 'user-1'),
    remember: options.remember ?? false,
  });
  if (login.status !== 200) throw new Error(`login accept: ${JSON.stringify(login.json)}`);

  const toConsent = seeOther(await browser.get(login.json.redirect_to));
  const consentChallenge = toConsent.searchParams.get('consent_challenge');
  if (!consentChallenge) return toConsent;
  const consentRequest = await adminFetch(t, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`);
  if (consentRequest.status !== 200) throw new Error(`consent request: ${JSON.stringify(consentRequest.json)}`);
  const consent = await adminFetch(t, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`, {
    grant_scope: options.grantScope ?? consentRequest.json.requested_scope,
    remember: options.remember ?? false,
    ...(options.session ? { session: options.session } : {}),
  });
  if (consent.status !== 200) throw new Error(`consent accept: ${JSON.stringify(consent.json)}`);
  return seeOther(await browser.get(consent.json.redirect_to));
}

/** RFC 7662 introspection on the admin port, with plain fetch. */
export async function introspectOverHttp(t: TestGatehouse, token: string, scope?: string) {
  const response = await fetch(`${t.adminUrl}/admin/oauth2/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, ...(scope ? { scope } : {}) }).toString(),
  });
  if (response.status !== 200) throw new Error(`introspection answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
