/**
 * OpenID Connect RP-Initiated Logout 1.0 with Hydra's logout challenge: the logout UI
 * confirms, the session ends, and the browser goes back to a registered post-logout URI.
 */

import { toClientJson } from '../clients/clients.js';
import { hashSecret, newSecret } from '../crypto/tokens.js';
import type { Client, LogoutRequest } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import { redirectWith } from '../oauth/authorize/request.js';
import { invalidRequest, OAuthError } from '../oauth/errors.js';
import { readIdTokenHint } from '../oauth/id-token.js';
import type { Params } from '../oauth/params.js';
import {
  alreadyHandled,
  type CookieChange,
  type FlowDeps,
  LOGOUT_CSRF_COOKIE,
  LOGOUT_PATH,
  SESSION_COOKIE,
  uiUrl,
  withParam,
} from './context.js';

/** Whether a client's registered post-logout URIs may be redirected to: only an approved one's. */
const isTrusted = (client: Client): boolean => client.status === 'approved';

export interface LogoutInput {
  actor: Actor;
  params: Params;
  requestUrl: string;
  sessionId: string | undefined;
  cookies: Record<string, string | undefined>;
}

export interface LogoutOutcome {
  location: string;
  cookies: CookieChange[];
}

export class Logout {
  constructor(private readonly deps: FlowDeps) {}

  private get postLogoutDefault(): string {
    return this.deps.config.urlsPostLogout ?? `${this.deps.config.issuer}/ui/signed-out`;
  }

  /** GET /oauth2/sessions/logout */
  async handle(input: LogoutInput): Promise<LogoutOutcome> {
    const verifier = input.params.get('logout_verifier');
    if (verifier !== undefined) return this.finish(verifier, input);

    const named = await this.resolveClient(input.params);
    // Only an approved client's registered URIs have been reviewed; anyone can register a
    // pending one (OIDC RP-Initiated Logout 1.0 section 3: the OP must not redirect to an
    // unverified URI). The person may still sign out: ending a session harms no one, and a
    // suspended client's users should be able to leave. The logout just ends at the default
    // signed-out page, and the client is neither recorded nor shown on the logout screen.
    const client = named && isTrusted(named) ? named : undefined;
    let postLogout = input.params.get('post_logout_redirect_uri');
    let state = input.params.get('state');
    if (state !== undefined && state.length > 2048) throw invalidRequest('The state is too long.');
    if (postLogout !== undefined) {
      if (!named) throw invalidRequest('post_logout_redirect_uri needs an id_token_hint or client_id naming the client.');
      if (!client) {
        postLogout = undefined;
        state = undefined;
      } else if (!client.post_logout_redirect_uris.includes(postLogout)) {
        throw invalidRequest('post_logout_redirect_uri is not registered for this client.');
      }
    }
    const now = this.deps.now();
    const session = input.sessionId ? await this.deps.sessions.find(input.sessionId, new Date(now)) : undefined;
    if (!session) {
      // Nobody is signed in here: nothing to confirm.
      return { location: this.returnUrl(postLogout, state), cookies: [] };
    }
    const challenge = newSecret('challenge');
    await this.deps.logouts.insert({
      challenge_hash: hashSecret(challenge),
      subject: session.subject,
      session_id: session.id,
      client_id: client?.id ?? null,
      rp_initiated: true,
      request_url: input.requestUrl,
      post_logout_redirect_uri: postLogout ?? null,
      state: state ?? null,
      status: 'requested',
      expires_at: new Date(now + this.deps.config.flowTtl * 1000),
    });
    // The signed cookie binds the logout to this browser: only it can complete the verifier.
    return {
      location: withParam(uiUrl(this.deps.config, 'logout'), 'logout_challenge', challenge),
      cookies: [
        {
          name: LOGOUT_CSRF_COOKIE,
          value: hashSecret(challenge),
          path: LOGOUT_PATH,
          maxAge: this.deps.config.flowTtl,
          signed: true,
        },
      ],
    };
  }

  /** The client named by id_token_hint or client_id (which must agree), if any, whatever its status. */
  private async resolveClient(params: Params): Promise<Client | undefined> {
    const hint = params.get('id_token_hint');
    const clientId = params.get('client_id');
    let hintClient: string | undefined;
    if (hint !== undefined) {
      const claims = await readIdTokenHint(this.deps.keys, this.deps.config.issuer, hint);
      if (!claims) throw invalidRequest('The id_token_hint is not a valid ID token issued here.');
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      hintClient = (claims.azp as string | undefined) ?? aud[0];
      if (clientId !== undefined && !aud.includes(clientId)) throw invalidRequest('client_id does not match the id_token_hint.');
    }
    const id = clientId ?? hintClient;
    if (id === undefined) return undefined;
    const client = await this.deps.clients.find(id);
    if (!client) throw invalidRequest('The client is not registered.');
    return client;
  }

  private async finish(verifier: string, input: LogoutInput): Promise<LogoutOutcome> {
    const request = await this.deps.logouts.find('verifier_hash', hashSecret(verifier));
    if (!request || request.expires_at.getTime() <= this.deps.now()) {
      throw invalidRequest('The logout request has expired or was already completed.');
    }
    if (input.cookies[LOGOUT_CSRF_COOKIE] !== request.challenge_hash) {
      throw invalidRequest('This sign-out was started in another browser, or its cookie is missing.');
    }
    const done = await this.deps.logouts.transition(request.challenge_hash, ['accepted'], { status: 'done' });
    if (!done) throw invalidRequest('The logout request has already been completed.');
    if (request.session_id) await this.deps.sessions.delete({ id: request.session_id });
    await this.deps.events.emit(
      {
        type: 'session.revoked',
        subject: request.subject ?? undefined,
        sessionId: request.session_id ?? undefined,
      },
      input.actor,
    );
    return {
      location: await this.finalReturnUrl(request),
      cookies: [
        { name: SESSION_COOKIE, value: null, path: '/', signed: true },
        { name: LOGOUT_CSRF_COOKIE, value: null, path: LOGOUT_PATH, signed: true },
      ],
    };
  }

  private returnUrl(postLogout: string | undefined, state: string | undefined): string {
    return postLogout ? redirectWith(postLogout, { state }) : this.postLogoutDefault;
  }

  /**
   * Where a confirmed logout ends. The client is read again: one suspended, or whose URI an
   * operator removed, while the person looked at the logout screen gets no redirect either.
   */
  private async finalReturnUrl(request: LogoutRequest): Promise<string> {
    const uri = request.post_logout_redirect_uri;
    if (uri === null || request.client_id === null) return this.postLogoutDefault;
    const client = await this.deps.clients.find(request.client_id);
    if (!client || !isTrusted(client) || !client.post_logout_redirect_uris.includes(uri)) return this.postLogoutDefault;
    return this.returnUrl(uri, request.state ?? undefined);
  }

  // Admin API

  private async findRequest(challenge: string | undefined): Promise<LogoutRequest> {
    if (!challenge) throw invalidRequest('The logout_challenge parameter is missing.');
    const request = await this.deps.logouts.find('challenge_hash', hashSecret(challenge));
    if (!request || request.expires_at.getTime() <= this.deps.now()) {
      throw new OAuthError('not_found', 'The logout request does not exist or has expired.');
    }
    return request;
  }

  async get(challenge: string | undefined) {
    const request = await this.findRequest(challenge);
    if (request.status !== 'requested') throw alreadyHandled('logout', request.request_url);
    const found = request.client_id ? await this.deps.clients.find(request.client_id) : undefined;
    // A client suspended since the request was made is no longer shown (nor its URIs allowed
    // as form targets by the logout page).
    const client = found && isTrusted(found) ? found : undefined;
    return {
      challenge: challenge as string,
      subject: request.subject ?? '',
      sid: request.session_id ?? '',
      request_url: request.request_url,
      rp_initiated: request.rp_initiated,
      ...(client ? { client: toClientJson(client) } : {}),
    };
  }

  async accept(challenge: string | undefined): Promise<{ redirect_to: string }> {
    const request = await this.findRequest(challenge);
    const verifier = newSecret('challenge');
    const updated = await this.deps.logouts.transition(request.challenge_hash, ['requested'], {
      status: 'accepted',
      verifier_hash: hashSecret(verifier),
    });
    if (!updated) throw alreadyHandled('logout');
    return { redirect_to: `${this.deps.config.issuer}${LOGOUT_PATH}?logout_verifier=${verifier}` };
  }

  async reject(challenge: string | undefined): Promise<void> {
    const request = await this.findRequest(challenge);
    const updated = await this.deps.logouts.transition(request.challenge_hash, ['requested'], { status: 'rejected' });
    if (!updated) throw alreadyHandled('logout');
  }

  /** DELETE /admin/oauth2/auth/sessions/login: by subject (every session) or by sid. */
  async revokeLoginSessions(actor: Actor, filter: { subject?: string | undefined; sid?: string | undefined }): Promise<void> {
    if (!filter.subject && !filter.sid) throw invalidRequest('Name a subject or a sid.');
    await this.deps.sessions.delete({
      ...(filter.subject ? { subject: filter.subject } : {}),
      ...(filter.sid ? { id: filter.sid } : {}),
    });
    await this.deps.events.emit({ type: 'session.revoked', subject: filter.subject, sessionId: filter.sid }, actor);
  }
}
