/**
 * The one upstream connector: OAuth 2.0 authorization code with PKCE (S256) and state, an
 * exact callback, then the provider's user API — or, given an issuer, OpenID Connect with
 * discovery, a nonce, a validated ID token and userinfo. The protocol is oauth4webapi's;
 * this module only chooses, and upstream-failures.ts words its failures for a person.
 */
import * as oauth from 'oauth4webapi';
import { isLocalMachineHost } from '../net/loopback.js';
import { ConnectorError } from './errors.js';
import { type ConnectedUser, type Preset, readOidcUser } from './presets.js';
import { describeFailure, UpstreamStatus, unreadableBody } from './upstream-failures.js';

export interface ConnectorSetup {
  preset: Preset;
  clientId: string;
  /** Unset: a public client (PKCE only). */
  clientSecret?: string | undefined;
  /** OpenID Connect mode: endpoints by discovery, the person from userinfo. */
  issuer?: string | undefined;
  authorizationUrl?: string | undefined;
  tokenUrl?: string | undefined;
  userUrl?: string | undefined;
  scope?: string | undefined;
  timeoutSeconds: number;
  /** Gatehouse's clock (milliseconds), so ID token times are checked against the same time as everything else. */
  now?: () => number;
}

/** What the browser's link attempt must remember until the callback. */
export interface LinkAttempt {
  state: string;
  verifier: string;
  nonce?: string | undefined;
  redirectUri: string;
}

const OIDC_SCOPE = 'openid profile email';
/** Discovery is cached per process; a provider that moves its endpoints is picked up within the hour. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

export class OAuthConnector {
  private discovery: { at: number; server: Promise<oauth.AuthorizationServer> } | undefined;
  /** Plain http is allowed only when every configured upstream is on loopback (a test upstream). */
  private readonly insecure: boolean;
  private readonly issuer: string | undefined;

  constructor(private readonly setup: ConnectorSetup) {
    // The issuer, or its discovery document's URL.
    this.issuer = setup.issuer?.replace(/\/\.well-known\/openid-configuration$/, '');
    const urls = [this.issuer, setup.authorizationUrl, setup.tokenUrl, setup.userUrl].filter((u): u is string => !!u);
    this.insecure = urls.length > 0 && urls.every((u) => isLocalMachineHost(new URL(u).hostname));
  }

  /** The client's metadata; its clock follows Gatehouse's, which tests move. */
  private get client(): oauth.Client {
    const skew = this.setup.now ? Math.round((this.setup.now() - Date.now()) / 1000) : 0;
    return { client_id: this.setup.clientId, [oauth.clockSkew]: skew };
  }

  get label(): string {
    return this.setup.preset.label;
  }

  get usesOidc(): boolean {
    return this.issuer !== undefined;
  }

  /** The provider's authorization URL for a new attempt, and what the callback will need. */
  async start(redirectUri: string): Promise<{ url: string; attempt: LinkAttempt }> {
    const server = await this.server();
    const attempt: LinkAttempt = {
      state: oauth.generateRandomState(),
      verifier: oauth.generateRandomCodeVerifier(),
      redirectUri,
      ...(this.usesOidc ? { nonce: oauth.generateRandomNonce() } : {}),
    };
    const url = new URL(server.authorization_endpoint as string);
    const params = {
      client_id: this.setup.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: this.setup.scope ?? (this.usesOidc ? OIDC_SCOPE : this.setup.preset.scope),
      state: attempt.state,
      code_challenge: await oauth.calculatePKCECodeChallenge(attempt.verifier),
      code_challenge_method: 'S256',
      ...(attempt.nonce ? { nonce: attempt.nonce } : {}),
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return { url: url.href, attempt };
  }

  /** Checks the callback against the attempt, redeems the code and asks who the person is. */
  async finish(callback: URLSearchParams, attempt: LinkAttempt): Promise<ConnectedUser> {
    const server = await this.server();
    const label = this.label;
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(server, this.client, callback, attempt.state);
    } catch (err) {
      if (err instanceof oauth.AuthorizationResponseError) {
        if (err.error === 'access_denied') {
          throw new ConnectorError(
            'access_denied',
            `You did not allow Gatehouse to see your ${label} account, so nothing was linked.`,
            err.error_description,
          );
        }
        throw new ConnectorError(
          'provider_error',
          `${label} turned the request down (${err.error}). Try again; if it keeps happening, tell whoever runs this Gatehouse.`,
          err.error_description,
        );
      }
      throw new ConnectorError(
        'invalid_state',
        `This answer from ${label} does not belong to the linking you started in this browser. Start again from your account page.`,
        err instanceof Error ? err.message : String(err),
      );
    }

    const tokens = await this.upstream('token', async () => {
      const response = await oauth.authorizationCodeGrantRequest(
        server,
        this.client,
        this.chooseClientAuth(server),
        params,
        attempt.redirectUri,
        attempt.verifier,
        this.http(),
      );
      return oauth.processAuthorizationCodeResponse(
        server,
        this.client,
        response,
        this.usesOidc ? { expectedNonce: attempt.nonce ?? oauth.expectNoNonce, requireIdToken: true } : undefined,
      );
    });

    const user = await this.upstream('user', async () => {
      if (this.usesOidc) {
        const subject = oauth.getValidatedIdTokenClaims(tokens)?.sub as string;
        const response = await oauth.userInfoRequest(server, this.client, tokens.access_token, this.http());
        const claims = await oauth.processUserInfoResponse(server, this.client, subject, response);
        return readOidcUser(claims as unknown as Record<string, unknown>);
      }
      const response = await oauth.protectedResourceRequest(
        tokens.access_token,
        'GET',
        new URL(this.setup.userUrl ?? this.setup.preset.userUrl),
        new Headers({ 'user-agent': 'Gatehouse', ...this.setup.preset.userHeaders }),
        null,
        this.http(),
      );
      if (!response.ok) throw new UpstreamStatus(response.status, await response.text().catch(unreadableBody));
      return this.setup.preset.readUser(await response.json());
    });
    if (!user) {
      throw new ConnectorError('user_failed', `${label} did not say which account you signed in with. Try again.`);
    }
    return this.usesOidc ? { ...user, details: { ...user.details, issuer: server.issuer } } : user;
  }

  /** RFC 8414 metadata: discovered for an issuer, or the preset's endpoints with the overrides. */
  private server(): Promise<oauth.AuthorizationServer> {
    const { setup } = this;
    const overrides = {
      ...(setup.authorizationUrl ? { authorization_endpoint: setup.authorizationUrl } : {}),
      ...(setup.tokenUrl ? { token_endpoint: setup.tokenUrl } : {}),
      ...(setup.userUrl ? { userinfo_endpoint: setup.userUrl } : {}),
    };
    const issuer = this.issuer;
    if (!issuer) {
      const authorization = setup.authorizationUrl ?? setup.preset.authorizationUrl;
      return Promise.resolve({
        // An `iss` in the callback (Discord sends one) must name the provider's origin.
        issuer: new URL(authorization).origin,
        authorization_endpoint: authorization,
        token_endpoint: setup.tokenUrl ?? setup.preset.tokenUrl,
        code_challenge_methods_supported: ['S256'],
      });
    }
    const cached = this.discovery;
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.server;
    const server = this.upstream('discovery', async () => {
      const response = await oauth.discoveryRequest(new URL(issuer), { ...this.http(), algorithm: 'oidc' });
      const metadata = { ...(await oauth.processDiscoveryResponse(new URL(issuer), response)), ...overrides };
      for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint'] as const) {
        if (typeof metadata[endpoint] !== 'string') throw new Error(`the discovery document has no ${endpoint}`);
      }
      return metadata;
    });
    this.discovery = { at: Date.now(), server };
    // A failed discovery is not remembered: the next attempt asks again.
    server.catch(() => {
      if (this.discovery?.server === server) this.discovery = undefined;
    });
    return server;
  }

  /** The provider's documented method; for an OIDC provider, the first it supports of basic and post. */
  private chooseClientAuth(server: oauth.AuthorizationServer): oauth.ClientAuth {
    const secret = this.setup.clientSecret;
    if (!secret) return oauth.None();
    if (this.usesOidc) {
      const supported = server.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
      return supported.includes('client_secret_basic') ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
    }
    return this.setup.preset.tokenAuth === 'client_secret_post' ? oauth.ClientSecretPost(secret) : plainBasic(secret);
  }

  private http() {
    const timeout = this.setup.timeoutSeconds * 1000;
    return {
      signal: () => AbortSignal.timeout(timeout),
      ...(this.insecure ? { [oauth.allowInsecureRequests]: true } : {}),
      // Even with plain http allowed for a loopback upstream, nothing leaves this machine unencrypted.
      [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) => {
        const target = new URL(url);
        if (target.protocol === 'http:' && !isLocalMachineHost(target.hostname)) {
          return Promise.reject(new UpstreamStatus(0, `refused plain http to ${target.host}`));
        }
        return fetch(url, init as RequestInit);
      },
    };
  }

  /** Runs one upstream step, turning every failure into a ConnectorError that says which step failed. */
  private async upstream<T>(step: 'discovery' | 'token' | 'user', run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      throw describeFailure(this.label, step, err);
    }
  }
}

/**
 * Basic as Discord and X document it: base64 of `id:secret` as they are. RFC 6749 2.3.1 (and
 * oauth4webapi's ClientSecretBasic) form-encodes both first, turning the `-` and `_` these
 * providers put in ids and secrets into `%2D` / `%5F`, which a server that does not decode refuses.
 */
function plainBasic(secret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`);
  };
}
