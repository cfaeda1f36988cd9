/**
 * The authorization endpoint as a state machine, as in Hydra: a new request becomes a login
 * challenge; the login UI's answer comes back as a login_verifier and becomes a consent
 * challenge; the consent UI's answer comes back as a consent_verifier and becomes the code.
 * Each step checks the browser's per-flow CSRF cookie, so a verifier link sent to someone
 * else's browser is useless.
 */

import type { RateLimiter } from '../accounts/rate-limit.js';
import type { RatePolicy } from '../config/config.js';
import { hashesMatch, hashSecret, newId, newSecret } from '../crypto/tokens.js';
import { type AuthorizationRequest, type Client, type Flow, json, type RequestError } from '../db/schema.js';
import { AUTHORIZATION_PARAMETERS, storedRequestUrl } from '../oauth/authorize/parameters.js';
import { redirectWith, resolveTarget, validateRequest } from '../oauth/authorize/request.js';
import { ClientRedirectError, invalidRequest, OAuthError } from '../oauth/errors.js';
import { readIdTokenHint } from '../oauth/id-token.js';
import type { Params } from '../oauth/params.js';
import { type ApplicationType, matchRedirectUri } from '../oauth/redirect-uri.js';
import { includesAll } from '../oauth/scopes.js';
import { AUTHORIZE_PATH, type CookieChange, type FlowDeps, flowCsrfCookie, SESSION_COOKIE, uiUrl, withParam } from './context.js';
import type { FlowStore, NewLoginSession } from './store.js';

export interface AuthorizeInput {
  params: Params;
  /** GET /oauth (Galxe) implies response_type=code. */
  impliedResponseType: boolean;
  /** The endpoint's URL without a query: the stored request_url is it and the known parameters. */
  endpoint: string;
  /** The network the browser's address belongs to (addressBucket), which the new-request limit counts. */
  address: string;
  /** The verified value of the session cookie, if any. */
  sessionId: string | undefined;
  cookies: Record<string, string | undefined>;
}

export interface AuthorizeOutcome {
  location: string;
  cookies: CookieChange[];
}

const REMEMBER_FOREVER_S = 10 * 365 * 86400;

/** The browser is back with a verifier, but the login session the flow relied on has ended. */
const signedOutMeanwhile = () =>
  invalidRequest('The sign-in session ended (signed out or revoked) before this sign-in finished. Please start again.', {
    debug: 'flow login session ended',
  });

/** How many new requests (stored login requests) one address may start: RATE_LIMIT_AUTHORIZATION_REQUESTS. */
export interface NewRequestLimit {
  limiter: Pick<RateLimiter, 'hit'>;
  policy: RatePolicy;
}

export class Authorization {
  constructor(
    private readonly deps: FlowDeps,
    private readonly newRequests: NewRequestLimit,
  ) {}

  async handle(input: AuthorizeInput): Promise<AuthorizeOutcome> {
    const { params } = input;
    const loginVerifier = params.get('login_verifier');
    if (loginVerifier !== undefined) return this.afterLogin(loginVerifier, input);
    const consentVerifier = params.get('consent_verifier');
    if (consentVerifier !== undefined) return this.afterConsent(consentVerifier, input);

    const target = await resolveTarget(params, (id) => this.deps.clients.findCached(id));
    try {
      const request = validateRequest(params, target, this.deps.scopes, input.impliedResponseType);
      const hint = params.get('id_token_hint');
      if (hint !== undefined) {
        const claims = await readIdTokenHint(this.deps.keys, this.deps.config.issuer, hint);
        if (!claims?.sub) throw invalidRequest('The id_token_hint is not a valid ID token issued here.');
        request.id_token_hint_subject = claims.sub;
      }
      return await this.startLogin(target.client, request, input);
    } catch (err) {
      if (err instanceof OAuthError && !(err instanceof ClientRedirectError) && err.status < 500) {
        // A state over its cap is not echoed: the redirect would carry what was refused.
        const state = params.get('state');
        const echoed = state !== undefined && state.length <= (AUTHORIZATION_PARAMETERS.state as number) ? state : undefined;
        throw new ClientRedirectError(err, target.redirectUri, echoed);
      }
      throw err;
    }
  }

  private async startLogin(client: Client, request: AuthorizationRequest, input: AuthorizeInput): Promise<AuthorizeOutcome> {
    const now = this.deps.now();
    const session = await this.reusableSession(request, input.sessionId, now);
    if (request.prompt.includes('none') && !session) {
      throw new OAuthError('login_required', 'The person is not signed in, and prompt=none forbids asking.');
    }
    await this.admitNewRequest(input.address);
    const challenge = newSecret('challenge');
    const csrf = newSecret('challenge');
    const id = newId();
    await this.deps.flows.insert({
      id,
      client_id: client.id,
      state: 'login_requested',
      request: json(request),
      request_url: storedRequestUrl(input.endpoint, input.params),
      csrf_hash: hashSecret(csrf),
      login_challenge_hash: hashSecret(challenge),
      subject: session?.subject ?? null,
      // A new session id is reserved now so that the login UI sees it (Hydra's session_id).
      login_session_id: session?.id ?? newId(),
      login_skip: session !== undefined,
      auth_time: session?.authenticated_at ?? null,
      expires_at: new Date(now + this.deps.config.flowTtl * 1000),
    });
    return {
      location: withParam(uiUrl(this.deps.config, 'login'), 'login_challenge', challenge),
      cookies: [{ name: flowCsrfCookie(id), value: csrf, path: AUTHORIZE_PATH, maxAge: this.deps.config.flowTtl, signed: false }],
    };
  }

  /**
   * Each new request is a stored row until it expires, so one address may only start so many.
   * Refused with RFC 6749 4.1.2.1's temporarily_unavailable, sent back to the client: the
   * client and redirect URI are trusted by now, and the client is the one waiting for an
   * answer it can act on (a "try again later" in its own page); a 429 page here would strand
   * the person on a page the client never hears of.
   */
  private async admitNewRequest(address: string): Promise<void> {
    const { limit, windowSeconds } = this.newRequests.policy;
    const result = await this.newRequests.limiter.hit(`authorize:${address}`, limit, windowSeconds);
    if (!result.allowed) {
      throw new OAuthError(
        'temporarily_unavailable',
        `Too many sign-in requests from this network; try again in ${result.retryAfterSeconds} seconds.`,
        // Below 500, so it is redirected to the client like every other refusal of phase 2.
        { status: 429, debug: `new authorization request limit reached for ${address}` },
      );
    }
  }

  /** The login session that may be reused without asking the person to sign in again. */
  private async reusableSession(request: AuthorizationRequest, sessionId: string | undefined, now: number) {
    if (!sessionId || request.prompt.includes('login')) return undefined;
    const session = await this.deps.flows.findSession(sessionId, new Date(now));
    if (!session) return undefined;
    if (request.max_age !== null && now - session.authenticated_at.getTime() > request.max_age * 1000) return undefined;
    if (request.id_token_hint_subject !== null && request.id_token_hint_subject !== session.subject) return undefined;
    return session;
  }

  private async afterLogin(verifier: string, input: AuthorizeInput): Promise<AuthorizeOutcome> {
    // One read: the flow, and the consent the person may have remembered for its client.
    const flow = this.verified(await this.deps.flows.findByLoginVerifier(hashSecret(verifier), new Date(this.deps.now())), input);
    const request = flow.request;
    if (flow.state === 'login_rejected') {
      await this.trustedTarget(flow);
      await this.deps.flows.transition(flow.id, ['login_rejected'], { state: 'done' });
      return { ...this.errorToClient(flow, flow.login_error), cookies: [this.clearCsrf(flow)] };
    }
    if (flow.state !== 'login_accepted') throw invalidRequest('This login verifier has already been used.');
    const client = await this.trustedTarget(flow);
    const now = this.deps.now();
    // A reused session is checked again here: the person may have signed out since the login
    // request was created (the code itself is only issued while the session lives).
    if (flow.login_skip && !(await this.deps.flows.sessionLive(flow.login_session_id, new Date(now)))) {
      await this.deps.flows.endFlow(flow.id);
      throw signedOutMeanwhile();
    }
    const login = this.loginSession(flow, input, now);
    const finalCookies = [...login.cookies, this.clearCsrf(flow)];
    // The login session is stored in the statement that moves the flow on, and only if it moves.
    const moveOn = (changes: Parameters<FlowStore['transition']>[2]) =>
      login.session
        ? this.deps.flows.transitionWithSession(flow.id, ['login_accepted'], changes, login.session)
        : this.deps.flows.transition(flow.id, ['login_accepted'], changes);

    // Consent: skipped for first-party clients, remembered for others unless prompt=consent.
    const skip =
      !request.prompt.includes('consent') &&
      flow.remembered_scope !== null &&
      includesAll(flow.remembered_scope, request.scope) &&
      includesAll(flow.remembered_audience ?? [], request.audience);
    if (client.skip_consent) {
      const updated = await moveOn({
        state: 'consent_accepted',
        consent_skip: true,
        granted_scope: json(request.scope),
        granted_audience: json(request.audience),
        consent_handled_at: new Date(now),
      });
      if (!updated) throw invalidRequest('This login verifier has already been used.');
      return { ...(await this.issueCode(updated)), cookies: finalCookies };
    }
    if (request.prompt.includes('none') && !skip) {
      await moveOn({ state: 'done' });
      const outcome = this.errorToClient(flow, {
        error: 'consent_required',
        error_description: 'The person has not consented, and prompt=none forbids asking.',
      });
      return { ...outcome, cookies: finalCookies };
    }
    const challenge = newSecret('challenge');
    const updated = await moveOn({
      state: 'consent_requested',
      consent_challenge_hash: hashSecret(challenge),
      consent_skip: skip,
      // The consent screen gets a fresh lifetime.
      expires_at: new Date(now + this.deps.config.flowTtl * 1000),
    });
    if (!updated) throw invalidRequest('This login verifier has already been used.');
    // The consent step comes back with the same CSRF cookie, so it is kept.
    return {
      location: withParam(uiUrl(this.deps.config, 'consent'), 'consent_challenge', challenge),
      cookies: login.cookies,
    };
  }

  /** The login session a flow establishes (none when it reused one), and the session cookie to set or clear. */
  private loginSession(flow: Flow, input: AuthorizeInput, now: number): { session?: NewLoginSession; cookies: CookieChange[] } {
    if (flow.login_skip) return { cookies: [] };
    const sessionId = flow.login_session_id as string;
    // Capped again here: a flow accepted before TTL_LOGIN_SESSION was lowered keeps to the new bound.
    const rememberFor = Math.min(flow.login_remember_for, this.deps.config.loginSessionTtl);
    const ttl = rememberFor > 0 ? rememberFor : this.deps.config.loginSessionTtl;
    const session = {
      id: sessionId,
      subject: flow.subject as string,
      authenticated_at: flow.auth_time ?? new Date(now),
      remember: flow.login_remember,
      expires_at: new Date(now + ttl * 1000),
    };
    if (flow.login_remember) {
      // remember_for 0: until the browser closes (a session cookie), as in Hydra.
      return {
        session,
        cookies: [
          { name: SESSION_COOKIE, value: sessionId, path: '/', maxAge: rememberFor > 0 ? rememberFor : undefined, signed: true },
        ],
      };
    }
    // Not remembered: a previous person's session on this browser must not linger.
    return { session, cookies: input.sessionId ? [{ name: SESSION_COOKIE, value: null, path: '/', signed: true }] : [] };
  }

  private async afterConsent(verifier: string, input: AuthorizeInput): Promise<AuthorizeOutcome> {
    const flow = this.verified(await this.deps.flows.findBy('consent_verifier_hash', hashSecret(verifier)), input);
    if (flow.state === 'consent_rejected') {
      await this.trustedTarget(flow);
      await this.deps.flows.transition(flow.id, ['consent_rejected'], { state: 'done' });
      return { ...this.errorToClient(flow, flow.consent_error), cookies: [this.clearCsrf(flow)] };
    }
    if (flow.state !== 'consent_accepted') throw invalidRequest('This consent verifier has already been used.');
    await this.trustedTarget(flow);
    const outcome = await this.issueCode(flow);
    return { ...outcome, cookies: [this.clearCsrf(flow)] };
  }

  /** Ends the flow with a code for the client (RFC 6749 4.1.2, RFC 9207 `iss`). */
  private async issueCode(flow: Flow): Promise<AuthorizeOutcome> {
    const now = this.deps.now();
    const request = flow.request;
    const code = newSecret('authorizationCode');
    const grantId = newId();
    // A remembered consent lives on in its flow row until it expires or is revoked.
    const rememberedUntil = flow.consent_remember
      ? now + (flow.consent_remember_for > 0 ? flow.consent_remember_for : REMEMBER_FOREVER_S) * 1000
      : now + this.deps.config.authorizationCodeTtl * 1000;
    const finished = await this.deps.flows.finishWithCode(
      flow.id,
      new Date(now),
      new Date(rememberedUntil),
      {
        id: grantId,
        client_id: flow.client_id,
        subject: flow.subject,
        scope: flow.granted_scope.join(' '),
        audience: json(flow.granted_audience),
        session_id: flow.login_session_id,
        auth_time: flow.auth_time,
        acr: flow.acr,
        amr: json(flow.amr),
        access_token_claims: json(flow.session_access_token),
        id_token_claims: json(flow.session_id_token),
      },
      {
        hash: hashSecret(code),
        grant_id: grantId,
        client_id: flow.client_id,
        redirect_uri: request.redirect_uri,
        redirect_uri_sent: request.redirect_uri_sent,
        code_challenge: request.code_challenge,
        code_challenge_method: request.code_challenge_method,
        nonce: request.nonce,
        expires_at: new Date(now + this.deps.config.authorizationCodeTtl * 1000),
      },
    );
    if (!finished) {
      // Not finished while still open: its login session ended, and the flow ends with it.
      if (await this.deps.flows.endFlow(flow.id)) throw signedOutMeanwhile();
      throw invalidRequest('This consent verifier has already been used.');
    }
    return {
      location: redirectWith(request.redirect_uri, { code, state: request.state, iss: this.deps.config.issuer }),
      cookies: [],
    };
  }

  private errorToClient(flow: Flow, error: RequestError | null): AuthorizeOutcome {
    const e = error ?? { error: 'access_denied', error_description: 'The request was denied.' };
    const request = flow.request;
    return {
      location: redirectWith(request.redirect_uri, {
        error: e.error,
        error_description: e.error_hint ? `${e.error_description} ${e.error_hint}` : e.error_description,
        state: request.state,
        iss: this.deps.config.issuer,
      }),
      cookies: [],
    };
  }

  /** The flow a verifier named, if it is live and this browser started it. */
  private verified<F extends Flow>(flow: F | undefined, input: AuthorizeInput): F {
    if (!flow || flow.expires_at.getTime() <= this.deps.now() || flow.state === 'done') {
      throw invalidRequest('The authorization request has expired or was already completed. Please start again.');
    }
    const csrf = input.cookies[flowCsrfCookie(flow.id)];
    if (!csrf || !hashesMatch(hashSecret(csrf), flow.csrf_hash)) {
      throw invalidRequest('This sign-in was started in another browser, or its cookie is missing. Please start again.', {
        debug: 'flow CSRF cookie missing or wrong',
      });
    }
    return flow;
  }

  /**
   * The flow's client, checked again before the browser is sent back to it, with a code or
   * with an error: it must still be approved, and the redirect URI still registered. Minutes
   * may have passed since the request was checked, and an operator who suspends a client, or
   * removes a URI, means it at once. Otherwise an error page, never a redirect.
   */
  private async trustedTarget(flow: Flow): Promise<Client> {
    const client = await this.deps.clients.findCached(flow.client_id);
    if (client?.status !== 'approved') {
      throw new OAuthError('unauthorized_client', 'This application is no longer allowed to sign people in.', {
        status: 403,
        debug: `client status is ${client?.status ?? 'deleted'}`,
      });
    }
    const uri = flow.request.redirect_uri;
    if (matchRedirectUri(uri, client.redirect_uris, client.application_type as ApplicationType) === undefined) {
      throw invalidRequest('The redirect_uri of this request is no longer registered for the application. Please start again.');
    }
    return client;
  }

  private clearCsrf(flow: Flow): CookieChange {
    return { name: flowCsrfCookie(flow.id), value: null, path: AUTHORIZE_PATH, signed: false };
  }
}
