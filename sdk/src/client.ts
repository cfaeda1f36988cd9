/**
 * The client of one application at one Gatehouse: the authorization code flow with PKCE,
 * the ID token checks, refresh, the user and token-detail API, revocation and logout. The
 * protocol work is oauth4webapi's; this class chooses the safe settings and speaks in
 * Gatehouse's terms.
 */
import * as oauth from 'oauth4webapi';
import { CheckError, toGatehouseError } from './errors.js';
import { getJson, type HttpSettings, insecureAllowed, requestOptions } from './http.js';
import { type AnyUserFields, type Scope, scopeList, type UserFields } from './scopes.js';
import { type TokenSet, toTokenSet } from './tokens.js';

/** How to reach Gatehouse and who this application is. */
export interface GatehouseClientOptions {
  /** Gatehouse's issuer URL, e.g. `https://id.example.com` (`http://localhost:4444` in development). */
  issuer: string;
  /** The application's `client_id`. */
  clientId: string;
  /**
   * The client secret of a confidential application (a server). Leave it out for a public
   * application (a single-page app, a native app): PKCE alone then protects the code.
   */
  clientSecret?: string;
  /** How a confidential client presents its secret; Gatehouse accepts both. Default `client_secret_basic`. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** The registered callback URL that Gatehouse sends the person back to. */
  redirectUri: string;
  /** Where `logoutUrl()` sends the person after signing out (a registered post-logout URI). */
  postLogoutRedirectUri?: string;
  /** Scopes `signInUrl()` asks for when it is not told. Default `openid`. */
  scope?: string | readonly Scope[];
  /** The ID token algorithm registered for the client. Default `RS256`, Gatehouse's default. */
  idTokenSigningAlg?: 'RS256' | 'ES256';
  /**
   * Allow a plain-http issuer that is not on this machine (development only). An issuer on
   * localhost, 127.0.0.1 or [::1] is allowed without it.
   */
  allowInsecureRequests?: boolean;
  /** A fetch to use instead of the global one (a proxy agent, a test double). */
  fetch?: typeof fetch;
  /** How long to wait for Gatehouse, in milliseconds. Default 30 000. */
  timeoutMs?: number;
}

/** Options of one sign-in. */
export interface SignInOptions {
  /** Scopes to ask for, instead of the client's default. */
  scope?: string | readonly Scope[];
  /** `login` asks the person to authenticate again, `consent` shows the consent screen again, `none` fails rather than show a page. */
  prompt?: 'none' | 'login' | 'consent' | 'select_account';
  /** An email address or phone number to pre-fill on the login page. */
  loginHint?: string;
  /** Maximum age of the person's authentication, in seconds; checked against the ID token's `auth_time`. */
  maxAge?: number;
  /** Further authorization request parameters (e.g. `ui_locales`). */
  params?: Record<string, string>;
}

/**
 * What `handleCallback` needs to check the callback: keep it where only this browser's
 * session can reach it (a server-side session, or `sessionStorage` in a browser), and use it once.
 */
export interface PendingSignIn {
  /** Must come back unchanged on the callback (CSRF, RFC 6749 section 10.12). */
  state: string;
  /** Must come back in the ID token (replay, OIDC Core 3.1.2.1). Absent without the `openid` scope. */
  nonce?: string;
  /** The PKCE secret (RFC 7636) whose S256 hash went in the URL. */
  codeVerifier: string;
  /** The `max_age` that was asked, if any. */
  maxAge?: number;
  /** The scopes that were asked. */
  scope: string[];
}

/** A sign-in ready to start: send the browser to `url`, keep the rest. */
export interface SignInRequest extends PendingSignIn {
  /** The authorization URL to redirect the browser to. */
  url: string;
}

/** `GET /oauth/api/2/token`: what Gatehouse knows of an access token. */
export interface TokenDetail {
  /** The application the token was issued to. */
  clientId: string;
  /** When the token expires. */
  expiresAt: Date;
  /** The scopes the token was granted. */
  scope: string[];
}

/** OpenID Connect userinfo (OIDC Core 5.3), with the claims of the granted scopes. */
export interface UserInfo {
  sub: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  /** Linked identities of the granted identity scopes, keyed as in `getUser`. */
  'urn:gatehouse:identities'?: Record<string, string>;
  [claim: string]: unknown;
}

/** What `logoutUrl` puts in the RP-initiated logout request. */
export interface LogoutOptions {
  /** The ID token of the sign-in that ends: Gatehouse then knows the application and skips nothing it should ask. */
  idTokenHint?: string;
  /** Where to come back to; default the client's `postLogoutRedirectUri`. Must be registered. */
  postLogoutRedirectUri?: string;
  /** Comes back unchanged on the post-logout redirect. */
  state?: string;
}

/** Galxe's time format, as `/oauth/api/2/token` writes it: "2022-08-31 16:00:22.666401 +0800 CST". */
const GO_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/;

function parseGoTime(text: string): Date | undefined {
  const match = GO_TIME.exec(text);
  if (!match) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const [, day, time, fraction = '', hours, minutes] = match;
  const date = new Date(`${day}T${time}${fraction.slice(0, 4)}${hours}:${minutes}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * One application's client of one Gatehouse. Create it once with {@link GatehouseClient.discover}
 * and share it: it holds no per-person state.
 *
 * @example
 * ```ts
 * const gatehouse = await GatehouseClient.discover({
 *   issuer: 'https://id.example.com',
 *   clientId: process.env.CLIENT_ID!,
 *   clientSecret: process.env.CLIENT_SECRET,
 *   redirectUri: 'https://app.example.com/callback',
 *   scope: 'openid offline_access Email GatehouseID',
 * });
 * ```
 */
export class GatehouseClient {
  /** The issuer, exactly as Gatehouse names itself. */
  readonly issuer: string;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;
  private readonly http: HttpSettings;
  private readonly defaultScope: string[];

  /**
   * Builds a client from metadata already fetched (see {@link GatehouseClient.discover}, which
   * is what you want unless you cache the discovery document).
   */
  constructor(
    /** The authorization server metadata (OpenID Connect Discovery 1.0). */
    readonly metadata: oauth.AuthorizationServer,
    private readonly options: GatehouseClientOptions,
  ) {
    if (!options.clientId) throw new TypeError('clientId is required.');
    if (!options.redirectUri) throw new TypeError('redirectUri is required.');
    this.issuer = metadata.issuer;
    this.http = {
      fetch: options.fetch,
      insecure: insecureAllowed(new URL(metadata.issuer), options.allowInsecureRequests),
      timeoutMs: options.timeoutMs ?? 30_000,
    };
    this.client = { client_id: options.clientId, id_token_signed_response_alg: options.idTokenSigningAlg ?? 'RS256' };
    this.auth = !options.clientSecret
      ? oauth.None()
      : options.tokenEndpointAuthMethod === 'client_secret_post'
        ? oauth.ClientSecretPost(options.clientSecret)
        : oauth.ClientSecretBasic(options.clientSecret);
    this.defaultScope = scopeList(options.scope ?? 'openid');
  }

  /** Reads Gatehouse's discovery document and returns a client for it. */
  static async discover(options: GatehouseClientOptions): Promise<GatehouseClient> {
    const issuer = new URL(options.issuer);
    const http: HttpSettings = {
      fetch: options.fetch,
      insecure: insecureAllowed(issuer, options.allowInsecureRequests),
      timeoutMs: options.timeoutMs ?? 30_000,
    };
    try {
      const response = await oauth.discoveryRequest(issuer, { ...requestOptions(http), algorithm: 'oidc' });
      const metadata = await oauth.processDiscoveryResponse(issuer, response);
      return new GatehouseClient(metadata, options);
    } catch (err) {
      throw toGatehouseError(err);
    }
  }

  /**
   * Starts a sign-in: a fresh `state`, `nonce` (with `openid`) and PKCE S256 pair, and the
   * URL to send the browser to. Keep everything but `url` for {@link handleCallback}.
   */
  async signInUrl(options: SignInOptions = {}): Promise<SignInRequest> {
    const scope = options.scope !== undefined ? scopeList(options.scope) : this.defaultScope;
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = scope.includes('openid') ? oauth.generateRandomNonce() : undefined;
    const url = new URL(this.endpoint('authorization_endpoint'));
    const params: Record<string, string> = {
      ...options.params,
      client_id: this.options.clientId,
      response_type: 'code',
      redirect_uri: this.options.redirectUri,
      scope: scope.join(' '),
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(nonce !== undefined ? { nonce } : {}),
      ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
      ...(options.loginHint !== undefined ? { login_hint: options.loginHint } : {}),
      ...(options.maxAge !== undefined ? { max_age: String(options.maxAge) } : {}),
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return {
      url: url.href,
      state,
      codeVerifier,
      scope,
      ...(nonce !== undefined ? { nonce } : {}),
      ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    };
  }

  /**
   * Finishes a sign-in on the redirect URI: checks `state` and `iss` (RFC 9207), turns an
   * error sent back (`access_denied`, …) into an {@link OAuthError}, redeems the code with the
   * PKCE verifier, and validates the ID token (signature, issuer, audience, expiry, nonce).
   *
   * @param callback The URL the browser arrived on (a path like `/callback?code=…` is resolved
   *   against the redirect URI), or its query parameters.
   * @param pending What {@link signInUrl} returned for this browser.
   */
  async handleCallback(callback: string | URL | URLSearchParams, pending: PendingSignIn): Promise<TokenSet> {
    const params =
      callback instanceof URLSearchParams ? callback : new URL(callback.toString(), this.options.redirectUri).searchParams;
    // Checked here, before oauth4webapi repeats the checks, to give each failure its own code.
    if (!pending?.state || params.get('state') !== pending.state) {
      throw new CheckError('state_mismatch', 'The callback does not belong to the sign-in this browser started (state).');
    }
    if (params.get('iss') !== this.issuer) {
      const iss = params.get('iss');
      throw new CheckError(
        'iss_mismatch',
        iss === null ? 'The callback has no iss parameter (RFC 9207).' : `The callback came from another issuer: ${iss}.`,
      );
    }
    try {
      const validated = oauth.validateAuthResponse(this.metadata, this.client, params, pending.state);
      const response = await oauth.authorizationCodeGrantRequest(
        this.metadata,
        this.client,
        this.auth,
        validated,
        this.options.redirectUri,
        pending.codeVerifier,
        requestOptions(this.http),
      );
      const now = Date.now();
      const result = await oauth.processAuthorizationCodeResponse(this.metadata, this.client, response, {
        ...(pending.nonce !== undefined ? { expectedNonce: pending.nonce, requireIdToken: true } : {}),
        ...(pending.maxAge !== undefined ? { maxAge: pending.maxAge } : {}),
      });
      const claims = oauth.getValidatedIdTokenClaims(result);
      if (claims) await this.checkSignature(response);
      return toTokenSet(result, claims, now, pending.scope);
    } catch (err) {
      throw toGatehouseError(err);
    }
  }

  /**
   * Exchanges a refresh token for new tokens. Gatehouse rotates refresh tokens: store the new
   * `refreshToken`, the old one no longer works (and presenting it again revokes the grant).
   */
  async refresh(refreshToken: string): Promise<TokenSet> {
    try {
      const response = await oauth.refreshTokenGrantRequest(
        this.metadata,
        this.client,
        this.auth,
        refreshToken,
        requestOptions(this.http),
      );
      const now = Date.now();
      const result = await oauth.processRefreshTokenResponse(this.metadata, this.client, response);
      const claims = oauth.getValidatedIdTokenClaims(result);
      if (claims) await this.checkSignature(response);
      return toTokenSet(result, claims, now);
    } catch (err) {
      throw toGatehouseError(err);
    }
  }

  /**
   * The person's fields at `GET /oauth/api/2/user`, typed per scope. Without `scopes`, the
   * fields of every scope the token was granted. Asking a scope the token lacks rejects with
   * `insufficient_scope`.
   *
   * @example
   * ```ts
   * const user = await gatehouse.getUser(tokens.accessToken, ['GatehouseID', 'Email']);
   * user.GatehouseID; // string
   * user.Email;       // string | undefined (the person may have no verified email)
   * ```
   */
  getUser(accessToken: string): Promise<AnyUserFields>;
  getUser<const S extends Scope>(accessToken: string, scopes: readonly S[]): Promise<UserFields<S>>;
  async getUser(accessToken: string, scopes?: readonly string[]): Promise<Record<string, string | undefined>> {
    const url = this.galxeUrl('/oauth/api/2/user');
    if (scopes !== undefined && scopes.length > 0) url.searchParams.set('scope', scopeList(scopes).join(' '));
    const body = await getJson(this.http, accessToken, url);
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
    return fields;
  }

  /** `GET /oauth/api/2/token`: the client, expiry and scopes of an access token. */
  async tokenDetail(accessToken: string): Promise<TokenDetail> {
    const body = await getJson(this.http, accessToken, this.galxeUrl('/oauth/api/2/token'));
    const expiresAt = typeof body.expires_at === 'string' ? parseGoTime(body.expires_at) : undefined;
    if (typeof body.client_id !== 'string' || typeof body.scope !== 'string' || expiresAt === undefined) {
      throw new CheckError('invalid_response', 'The token detail is not { client_id, expires_at, scope }.');
    }
    return { clientId: body.client_id, expiresAt, scope: scopeList(body.scope) };
  }

  /**
   * OpenID Connect userinfo: `email` and `phone_number` with the `email` and `phone` scopes,
   * and the linked identities of the granted scopes.
   *
   * @param expectedSubject The `sub` of the ID token; when given, a different one is refused.
   */
  async userInfo(accessToken: string, expectedSubject?: string): Promise<UserInfo> {
    try {
      const response = await oauth.userInfoRequest(this.metadata, this.client, accessToken, requestOptions(this.http));
      return (await oauth.processUserInfoResponse(
        this.metadata,
        this.client,
        expectedSubject ?? oauth.skipSubjectCheck,
        response,
      )) as UserInfo;
    } catch (err) {
      throw toGatehouseError(err);
    }
  }

  /**
   * Revokes a token (RFC 7009). Revoking a refresh token ends the whole grant, its access
   * tokens included. Revoking a token that is already invalid succeeds.
   */
  async revoke(token: string, hint?: 'access_token' | 'refresh_token'): Promise<void> {
    try {
      const response = await oauth.revocationRequest(this.metadata, this.client, this.auth, token, {
        ...requestOptions(this.http),
        ...(hint ? { additionalParameters: { token_type_hint: hint } } : {}),
      });
      await oauth.processRevocationResponse(response);
    } catch (err) {
      throw toGatehouseError(err);
    }
  }

  /**
   * The RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0): Gatehouse asks the
   * person to confirm, ends their Gatehouse session, and sends them to the post-logout URI.
   * Clear your own session first.
   */
  logoutUrl(options: LogoutOptions = {}): string {
    const url = new URL(this.endpoint('end_session_endpoint'));
    const postLogout = options.postLogoutRedirectUri ?? this.options.postLogoutRedirectUri;
    url.searchParams.set('client_id', this.options.clientId);
    if (options.idTokenHint !== undefined) url.searchParams.set('id_token_hint', options.idTokenHint);
    if (postLogout !== undefined) url.searchParams.set('post_logout_redirect_uri', postLogout);
    if (options.state !== undefined) url.searchParams.set('state', options.state);
    return url.href;
  }

  /**
   * The ID token came straight from the token endpoint, yet over plain http (development) that
   * proves nothing: its signature is checked against Gatehouse's published keys as well.
   */
  private async checkSignature(response: Response): Promise<void> {
    try {
      await oauth.validateApplicationLevelSignature(this.metadata, response, requestOptions(this.http));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new CheckError('invalid_id_token', `The ID token's signature does not verify: ${reason}`, { cause: err });
    }
  }

  private endpoint(name: 'authorization_endpoint' | 'end_session_endpoint'): string {
    const value = this.metadata[name];
    if (typeof value !== 'string') throw new CheckError('invalid_response', `The discovery document has no ${name}.`);
    return value;
  }

  /** The "Sign in with Galxe" resource API lives at fixed paths under the issuer. */
  private galxeUrl(path: string): URL {
    return new URL(`${this.issuer.replace(/\/$/, '')}${path}`);
  }
}
