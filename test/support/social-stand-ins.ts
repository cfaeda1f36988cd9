/**
 * Local stand-ins for GitHub's, Discord's and X's OAuth 2.0 endpoints and user APIs, answering
 * with the shapes and status codes of the real ones (including GitHub's errors sent with 200,
 * and its form-encoded token answer unless JSON is asked for). Codes are single use and bound
 * to the client, the redirect URI and the PKCE challenge. All on 127.0.0.1.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Flavor = 'github' | 'discord' | 'twitter';

export interface ProviderUser {
  id: string;
  username: string;
  name: string;
}

interface IssuedCode {
  user: ProviderUser;
  redirectUri: string;
  challenge: string | undefined;
  method: string | undefined;
  scope: string;
}

export interface TokenRequest {
  form: URLSearchParams;
  authorization: string | undefined;
  accept: string | undefined;
}

const PATHS: Record<Flavor, { authorize: string; token: string; user: string }> = {
  github: { authorize: '/login/oauth/authorize', token: '/login/oauth/access_token', user: '/user' },
  discord: { authorize: '/oauth2/authorize', token: '/api/oauth2/token', user: '/api/users/@me' },
  twitter: { authorize: '/i/oauth2/authorize', token: '/2/oauth2/token', user: '/2/users/me' },
};

const ENV: Record<Flavor, string> = { github: 'GITHUB', discord: 'DISCORD', twitter: 'TWITTER' };

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
  });

function send(response: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8') {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The user API's answer for one person, as each provider shapes it. */
function userBody(flavor: Flavor, user: ProviderUser): unknown {
  if (flavor === 'github') {
    return {
      login: user.username,
      id: Number(user.id),
      node_id: `MDQ6VXNlcj${user.id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      gravatar_id: '',
      url: `https://api.github.com/users/${user.username}`,
      html_url: `https://github.com/${user.username}`,
      type: 'User',
      site_admin: false,
      name: user.name,
      company: null,
      blog: '',
      location: null,
      email: null,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: 8,
      public_gists: 8,
      followers: 20,
      following: 0,
      created_at: '2011-01-25T18:44:36Z',
      updated_at: '2024-01-22T12:00:00Z',
    };
  }
  if (flavor === 'discord') {
    return {
      id: user.id,
      username: user.username,
      avatar: '8342729096ea3675442027381ff50dfe',
      discriminator: '0',
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      global_name: user.name,
      avatar_decoration_data: null,
      banner_color: null,
      mfa_enabled: false,
      locale: 'en-US',
      premium_type: 0,
    };
  }
  return { data: { id: user.id, name: user.name, username: user.username } };
}

const UNAUTHORIZED: Record<Flavor, unknown> = {
  github: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
  discord: { message: '401: Unauthorized', code: 0 },
  twitter: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
};

export interface SocialProviderOptions {
  clientId?: string;
  clientSecret?: string;
  /** Registered callback URL(s); the token exchange must repeat the one the code was issued for. */
  redirectUris: string[];
}

/** One provider on a loopback port; `env()` is the Gatehouse configuration that points at it. */
export async function startSocialProvider(flavor: Flavor, options: SocialProviderOptions) {
  const clientId = options.clientId ?? `${flavor}-client-${randomBytes(4).toString('hex')}`;
  const clientSecret = options.clientSecret ?? randomBytes(20).toString('hex');
  const paths = PATHS[flavor];
  const users = new Map<string, ProviderUser>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, ProviderUser>();
  const tokenRequests: TokenRequest[] = [];
  const authorizeRequests: URLSearchParams[] = [];
  const state = {
    /** Who is signed in at the provider when the next authorization arrives; undefined: the person says no. */
    signedIn: undefined as string | undefined,
    /** 'unauthorized': the user API refuses the token; 'error': it fails; 'hang': it never answers. */
    userApiFault: undefined as 'unauthorized' | 'error' | 'hang' | undefined,
  };
  let base = '';

  function authorize(url: URL, response: ServerResponse) {
    const q = url.searchParams;
    authorizeRequests.push(q);
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== clientId || !options.redirectUris.includes(redirectUri)) {
      // Providers show a page of their own rather than redirect to an unregistered URI.
      return send(response, 400, '<h1>The redirect_uri is not associated with this application.</h1>', 'text/html');
    }
    const back = new URL(redirectUri);
    const reply = (params: Record<string, string>) => {
      for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
      response.writeHead(302, { location: back.href });
      response.end();
    };
    const st = q.get('state') ?? '';
    // Discord announces authorization_response_iss_parameter_supported and sends iss.
    const iss: Record<string, string> = flavor === 'discord' ? { iss: base } : {};
    const user = state.signedIn ? users.get(state.signedIn) : undefined;
    if (!user) {
      if (flavor === 'github') {
        return reply({
          error: 'access_denied',
          error_description: 'The user has denied your application access.',
          error_uri:
            'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
          state: st,
        });
      }
      return reply({
        error: 'access_denied',
        ...(flavor === 'discord' ? { error_description: 'The resource owner or authorization server denied the request' } : {}),
        state: st,
        ...iss,
      });
    }
    if (flavor === 'twitter' && !q.get('code_challenge')) {
      return reply({ error: 'invalid_request', error_description: 'Missing required parameter [code_challenge].', state: st });
    }
    const code = randomBytes(16).toString('hex');
    codes.set(code, {
      user,
      redirectUri,
      challenge: q.get('code_challenge') ?? undefined,
      method: q.get('code_challenge_method') ?? undefined,
      scope: q.get('scope') ?? '',
    });
    return reply({ code, state: st, ...iss });
  }

  /** The client's credentials as this provider accepts them: GitHub in the body (or Basic), Discord either, X Basic only. */
  function clientOf(request: IncomingMessage, form: URLSearchParams): { id?: string; secret?: string } {
    const header = request.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(header.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
      return { ...(id !== undefined ? { id } : {}), ...(secret !== undefined ? { secret } : {}) };
    }
    if (flavor === 'twitter') return {};
    return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
  }

  async function token(request: IncomingMessage, response: ServerResponse) {
    const form = new URLSearchParams(await readBody(request));
    const accept = request.headers.accept;
    tokenRequests.push({ form, authorization: request.headers.authorization, accept });
    const wantsJson = flavor !== 'github' || (accept ?? '').includes('application/json');
    const fail = (status: number, body: Record<string, string>) =>
      wantsJson
        ? send(response, status, body)
        : send(response, status, new URLSearchParams(body).toString(), 'application/x-www-form-urlencoded');

    const client = clientOf(request, form);
    if (client.id !== clientId || client.secret !== clientSecret) {
      if (flavor === 'github') {
        return fail(200, {
          error: 'incorrect_client_credentials',
          error_description: 'The client_id and/or client_secret passed are incorrect.',
          error_uri:
            '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials',
        });
      }
      if (flavor === 'discord') return fail(401, { error: 'invalid_client' });
      return fail(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' });
    }
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code);
    const verifier = form.get('code_verifier') ?? '';
    const pkceOk =
      !issued?.challenge ||
      (issued.method === 'S256' && createHash('sha256').update(verifier).digest('base64url') === issued.challenge);
    const redirectOk = issued?.redirectUri === form.get('redirect_uri');
    if (form.get('grant_type') !== 'authorization_code' || !issued || !pkceOk || !redirectOk) {
      if (flavor === 'github') {
        return fail(200, {
          error: issued && !redirectOk ? 'redirect_uri_mismatch' : 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
          error_uri: '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
        });
      }
      if (flavor === 'discord') return fail(400, { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
      return fail(400, { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' });
    }
    const accessToken = `${flavor === 'github' ? 'gho_' : ''}${randomBytes(18).toString('base64url')}`;
    tokens.set(accessToken, issued.user);
    if (flavor === 'github') {
      const body = { access_token: accessToken, token_type: 'bearer', scope: issued.scope };
      return wantsJson
        ? send(response, 200, body)
        : send(response, 200, new URLSearchParams(body).toString(), 'application/x-www-form-urlencoded; charset=utf-8');
    }
    if (flavor === 'discord') {
      return send(response, 200, {
        token_type: 'Bearer',
        access_token: accessToken,
        expires_in: 604800,
        refresh_token: randomBytes(18).toString('base64url'),
        scope: issued.scope,
      });
    }
    return send(response, 200, { token_type: 'bearer', expires_in: 7200, access_token: accessToken, scope: issued.scope });
  }

  function user(request: IncomingMessage, response: ServerResponse) {
    if (flavor === 'github' && !request.headers['user-agent']) {
      return send(
        response,
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.',
        'text/plain',
      );
    }
    if (state.userApiFault === 'hang') return; // never answers; closed with the server
    if (state.userApiFault === 'error') return send(response, 503, { message: 'Service Unavailable' });
    const header = request.headers.authorization ?? '';
    const found = /^Bearer (.+)$/i.exec(header);
    const person = found ? tokens.get(found[1] as string) : undefined;
    if (!person || state.userApiFault === 'unauthorized') return send(response, 401, UNAUTHORIZED[flavor]);
    // The current name: a rename at the provider shows at the next look-up.
    return send(response, 200, userBody(flavor, users.get(person.id) ?? person));
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === paths.authorize) return authorize(url, response);
    if (request.method === 'POST' && url.pathname === paths.token) return token(request, response);
    if (request.method === 'GET' && url.pathname === paths.user) return user(request, response);
    return send(response, 404, { message: 'Not Found' });
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  base = `http://127.0.0.1:${port}`;

  return {
    flavor,
    clientId,
    clientSecret,
    base,
    state,
    tokenRequests,
    authorizeRequests,
    /** Adds (or renames) a person at the provider. */
    setUser(user: ProviderUser) {
      users.set(user.id, user);
    },
    /** Forgets every issued code (an expired or already used code). */
    expireCodes() {
      codes.clear();
    },
    /** The Gatehouse configuration for this provider (CONNECTOR_<NAME>_…). */
    env(): Record<string, string> {
      const name = ENV[flavor];
      return {
        [`CONNECTOR_${name}_CLIENT_ID`]: clientId,
        [`CONNECTOR_${name}_CLIENT_SECRET`]: clientSecret,
        [`CONNECTOR_${name}_AUTHORIZATION_URL`]: base + paths.authorize,
        [`CONNECTOR_${name}_TOKEN_URL`]: base + paths.token,
        [`CONNECTOR_${name}_USERINFO_URL`]: base + paths.user,
      };
    },
    /**
     * Plays the person at the provider: opens the authorization URL as `signedIn` (or says
     * no when `as` is undefined) and returns where the provider sends the browser back.
     */
    async authorize(authorizationUrl: string, as: string | undefined): Promise<URL> {
      state.signedIn = as;
      const response = await fetch(authorizationUrl, { redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) throw new Error(`${flavor} authorize answered ${response.status}`);
      return new URL(location);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SocialProvider = Awaited<ReturnType<typeof startSocialProvider>>;

/** Telegram Login Widget data for `fields`, signed as Telegram signs it with `botToken`. */
export function signTelegramLogin(botToken: string, fields: Record<string, string>): URLSearchParams {
  const checkString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('\n');
  const key = createHash('sha256').update(botToken).digest();
  const hash = createHmac('sha256', key).update(checkString).digest('hex');
  return new URLSearchParams({ ...fields, hash });
}
