/**
 * The authorization endpoint as a state machine, as in Hydra: a new request becomes a login
 * challenge; the login UI's answer comes back as a login_verifier and becomes a consent
 * challenge; the consent UI's answer comes back as a consent_verifier and becomes the code.
 * Each step checks the browser's per-flow CSRF cookie, so a verifier link sent to someone
 * else's browser is useless.
 */

import { hashSecret, newId, newSecret } from '../crypto/tokens.js';
import { type AuthorizationRequest, type Client, type Flow, json, type RequestError } from '../db/schema.js';
import { AUTHORIZATION_PARAMETERS, storedRequestUrl } from '../oauth/authorize/parameters.js';
import { redirectWith, resolveTarget, validateRequest } from '../oauth/authorize/request.js';
import { ClientRedirectError, invalidRequest, OAuthError } from '../oauth/errors.js';
import { readIdTokenHint } from '../oauth/id-token.js';
import type { Params } from '../oauth/params.js';
import { includesAll } from '../oauth/scopes.js';
import { AUTHORIZE_PATH, type CookieChange, type FlowDeps, flowCsrfCookie, uiUrl, withParam } from './context.js';
import { establishedSession } from './established-session.js';
import type { FlowStore } from './flow-store.js';
import { sessionLiveAt } from './flow-store.js';
import { admitNewRequest, type NewRequestLimit } from './new-request-limit.js';
import { clearCsrf, trustedTarget, verifiedFlow } from './returning-browser.js';

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
    await admitNewRequest(this.newRequests, input.address);
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

  /** The login session that may be reused without asking the person to sign in again. */
  private async reusableSession(request: AuthorizationRequest, sessionId: string | undefined, now: number) {
    if (!sessionId || request.prompt.includes('login')) return undefined;
    const session = await this.deps.sessions.find(sessionId, new Date(now));
    if (!session) return undefined;
    if (request.max_age !== null && now - session.authenticated_at.getTime() > request.max_age * 1000) return undefined;
    if (request.id_token_hint_subject !== null && request.id_token_hint_subject !== session.subject) return undefined;
    return session;
  }

  private async afterLogin(verifier: string, input: AuthorizeInput): Promise<AuthorizeOutcome> {
    // One read: the flow, and the consent the person may have remembered for its client.
    const flow = verifiedFlow(
      await this.deps.flows.findByLoginVerifier(hashSecret(verifier), new Date(this.deps.now())),
      input.cookies,
      this.deps.now(),
    );
    const request = flow.request;
    if (flow.state === 'login_rejected') {
      await trustedTarget(this.deps.clients, flow);
      await this.deps.flows.transition(flow.id, ['login_rejected'], { state: 'done' });
      return { ...this.errorToClient(flow, flow.login_error), cookies: [clearCsrf(flow)] };
    }
    if (flow.state !== 'login_accepted') throw invalidRequest('This login verifier has already been used.');
    const client = await trustedTarget(this.deps.clients, flow);
    const now = this.deps.now();
    // A reused session is checked again here: the person may have signed out since the login
    // request was created (the code itself is only issued while the session lives).
    if (flow.login_skip && !sessionLiveAt(flow, now)) {
      await this.deps.flows.endFlow(flow.id);
      throw signedOutMeanwhile();
    }
    const login = establishedSession(flow, input.sessionId, this.deps.config, now);
    const finalCookies = [...login.cookies, clearCsrf(flow)];
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

  private async afterConsent(verifier: string, input: AuthorizeInput): Promise<AuthorizeOutcome> {
    const flow = verifiedFlow(
      await this.deps.flows.findBy('consent_verifier_hash', hashSecret(verifier)),
      input.cookies,
      this.deps.now(),
    );
    if (flow.state === 'consent_rejected') {
      await trustedTarget(this.deps.clients, flow);
      await this.deps.flows.transition(flow.id, ['consent_rejected'], { state: 'done' });
      return { ...this.errorToClient(flow, flow.consent_error), cookies: [clearCsrf(flow)] };
    }
    if (flow.state !== 'consent_accepted') throw invalidRequest('This consent verifier has already been used.');
    await trustedTarget(this.deps.clients, flow);
    const outcome = await this.issueCode(flow);
    return { ...outcome, cookies: [clearCsrf(flow)] };
  }

  /** Ends the flow with a code for the client (RFC 6749 4.1.2, RFC 9207 `iss`). */
  private async issueCode(flow: Flow): Promise<AuthorizeOutcome> {
    const now = this.deps.now();
    const grant = grantOfConsent(flow, newId());
    const { code, row } = this.deps.codes.mint(flow.request, grant, new Date(now + this.deps.config.authorizationCodeTtl * 1000));
    // A remembered consent lives on in its flow row until it expires or is revoked.
    const rememberedUntil = flow.consent_remember
      ? now + (flow.consent_remember_for > 0 ? flow.consent_remember_for : REMEMBER_FOREVER_S) * 1000
      : now + this.deps.config.authorizationCodeTtl * 1000;
    const finished = await this.deps.codes.issue(flow.id, new Date(now), new Date(rememberedUntil), grant, row);
    if (!finished) {
      // Not finished while still open: its login session ended, and the flow ends with it.
      if (await this.deps.flows.endFlow(flow.id)) throw signedOutMeanwhile();
      throw invalidRequest('This consent verifier has already been used.');
    }
    return {
      location: redirectWith(flow.request.redirect_uri, { code, state: flow.request.state, iss: this.deps.config.issuer }),
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
}

/** The grant a consent makes: what the person agreed to share, and how they signed in (OIDC Core 2). */
function grantOfConsent(flow: Flow, id: string) {
  return {
    id,
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
  };
}
