/**
 * Hydra's consent request API, and the remembered consents ("consent sessions") that let a
 * returning person skip the consent screen until they revoke it.
 */

import { toClientJson } from '../clients/clients.js';
import { hashSecret, newSecret } from '../crypto/tokens.js';
import { type Flow, json } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import { invalidRequest, OAuthError } from '../oauth/errors.js';
import { includesAll } from '../oauth/scopes.js';
import { alreadyHandled, type FlowDeps, findFlowByChallenge, resumeUrl, sessionEnded, unlessRefused } from './context.js';
import { type FlowWithSession, sessionLiveAt } from './flow-store.js';
import { MAX_REMEMBER_FOR, oidcContext, type RedirectTo, type RejectBody, requestError } from './login-requests.js';

export interface ConsentAcceptBody {
  grant_scope?: string[];
  grant_access_token_audience?: string[];
  remember?: boolean;
  remember_for?: number;
  session?: { access_token?: Record<string, unknown>; id_token?: Record<string, unknown> };
  handled_at?: string;
  context?: Record<string, unknown>;
}

const MAX_SESSION_CLAIMS = 16 * 1024;

export class ConsentRequests {
  constructor(private readonly deps: FlowDeps) {}

  async get(challenge: string | undefined) {
    const flow = await findFlowByChallenge(this.deps, 'consent_challenge_hash', challenge);
    // As Hydra: 410 with the authorization URL, where the browser can start over.
    if (flow.state !== 'consent_requested') throw alreadyHandled('consent', flow.request_url);
    await this.refuseEndedSession(flow);
    const client = await this.deps.clients.find(flow.client_id);
    if (!client) throw new OAuthError('not_found', 'The consent request’s client no longer exists.');
    return {
      challenge: challenge as string,
      acr: flow.acr ?? '',
      amr: flow.amr,
      client: toClientJson(client),
      context: flow.context,
      login_session_id: flow.login_session_id ?? undefined,
      oidc_context: oidcContext(flow),
      request_url: flow.request_url,
      requested_access_token_audience: flow.request.audience,
      requested_scope: flow.request.scope,
      skip: flow.consent_skip,
      subject: flow.subject ?? '',
      /** Not Hydra's: the authorization request's prompt (a UI must ask again on prompt=consent). */
      prompt: flow.request.prompt,
    };
  }

  /**
   * One statement when all is well: the update carries every check on the flow in its WHERE
   * (still waiting, not expired, nothing granted that was not requested). Only a refusal
   * reads the flow, to say why, with the checks in the order Hydra's API reports them.
   */
  async accept(actor: Actor, challenge: string | undefined, body: ConsentAcceptBody): Promise<RedirectTo> {
    const accepted = challenge ? unlessRefused(() => consentAcceptance(body, this.deps.now())) : undefined;
    if (challenge && accepted) {
      const verifier = newSecret('challenge');
      const flow = await this.deps.accepts.acceptConsent(
        hashSecret(challenge),
        new Date(this.deps.now()),
        { ...accepted.changes, consent_verifier_hash: hashSecret(verifier) },
        { scope: accepted.scopes, audience: accepted.audience },
      );
      if (flow) {
        await this.deps.events.emit(
          {
            type: 'consent.accepted',
            subject: flow.subject ?? '',
            clientId: flow.client_id,
            scope: accepted.scopes,
          },
          actor,
        );
        return { redirect_to: resumeUrl(this.deps.config, 'consent', verifier) };
      }
    }
    await this.refusal(challenge, body);
    // Every check passes now: another request accepted it in between.
    throw alreadyHandled('consent');
  }

  /** Throws why an accept is refused; returns when nothing is wrong with it. */
  private async refusal(challenge: string | undefined, body: ConsentAcceptBody): Promise<void> {
    const flow = await findFlowByChallenge(this.deps, 'consent_challenge_hash', challenge);
    if (flow.state !== 'consent_requested') throw alreadyHandled('consent');
    await this.refuseEndedSession(flow);
    const scopes = stringList(body.grant_scope, 'grant_scope');
    // What is shared is what the person was asked for, nothing more.
    if (!includesAll(flow.request.scope, scopes)) {
      const extra = scopes.find((s) => !flow.request.scope.includes(s));
      throw invalidRequest(`grant_scope "${extra}" was not requested.`);
    }
    const audience = stringList(body.grant_access_token_audience, 'grant_access_token_audience');
    if (!includesAll(flow.request.audience, audience)) throw invalidRequest('grant_access_token_audience was not requested.');
    consentAcceptance(body, this.deps.now());
  }

  /**
   * Consent is asked for the person of a login session: once that session ends (sign-out,
   * revocation), the request ends with it, whether it reused the session or made it.
   */
  private async refuseEndedSession(flow: FlowWithSession): Promise<void> {
    if (sessionLiveAt(flow, this.deps.now())) return;
    await this.deps.flows.endFlow(flow.id);
    throw sessionEnded('consent', flow.request_url);
  }

  async reject(actor: Actor, challenge: string | undefined, body: RejectBody): Promise<RedirectTo> {
    const flow = await findFlowByChallenge(this.deps, 'consent_challenge_hash', challenge);
    if (flow.state !== 'consent_requested') throw alreadyHandled('consent');
    const error = requestError(body);
    const verifier = newSecret('challenge');
    const updated = await this.deps.flows.transition(flow.id, ['consent_requested'], {
      state: 'consent_rejected',
      consent_error: json(error),
      consent_handled_at: new Date(this.deps.now()),
      consent_verifier_hash: hashSecret(verifier),
    });
    if (!updated) throw alreadyHandled('consent');
    await this.deps.events.emit(
      {
        type: 'consent.rejected',
        subject: flow.subject ?? '',
        clientId: flow.client_id,
        error: error.error,
      },
      actor,
    );
    return { redirect_to: resumeUrl(this.deps.config, 'consent', verifier) };
  }

  /** GET /admin/oauth2/auth/sessions/consent: the remembered consents of a subject. */
  async listSessions(subject: string | undefined, loginSessionId?: string) {
    if (!subject) throw invalidRequest('The subject parameter is required.');
    const flows = await this.deps.flows.listRememberedConsents(subject, new Date(this.deps.now()), loginSessionId);
    const sessions = [];
    for (const flow of flows) {
      const client = await this.deps.clients.find(flow.client_id);
      if (client) sessions.push(consentSession(flow, toClientJson(client)));
    }
    return sessions;
  }

  /**
   * DELETE /admin/oauth2/auth/sessions/consent: forgets the consents and revokes every token
   * they issued, for one client or (all=true) every client. A named client wins over all=true,
   * as in Hydra: a request that names one client never reaches the others.
   */
  async revokeSessions(actor: Actor, subject: string | undefined, clientId: string | undefined, all: boolean): Promise<void> {
    if (!subject) throw invalidRequest('The subject parameter is required.');
    if (!clientId && !all) throw invalidRequest('Name a client, or set all=true to revoke the consents of every client.');
    const only = clientId || undefined;
    const now = new Date(this.deps.now());
    await this.deps.flows.revokeConsents(subject, only, now);
    await this.deps.grants.revoke({ subject, ...(only ? { clientId: only } : {}) }, 'consent revoked', now);
    await this.deps.events.emit({ type: 'consent.revoked', subject, clientId: only }, actor);
  }
}

function consentSession(flow: Flow, client: ReturnType<typeof toClientJson>) {
  return {
    consent_request: {
      challenge: flow.id,
      client,
      requested_scope: flow.request.scope,
      requested_access_token_audience: flow.request.audience,
      subject: flow.subject,
      login_session_id: flow.login_session_id,
      acr: flow.acr ?? '',
      amr: flow.amr,
      request_url: flow.request_url,
      oidc_context: oidcContext(flow),
      context: flow.context,
      skip: flow.consent_skip,
    },
    grant_scope: flow.granted_scope,
    grant_access_token_audience: flow.granted_audience,
    handled_at: flow.consent_handled_at?.toISOString(),
    remember: flow.consent_remember,
    remember_for: flow.consent_remember_for,
    session: { access_token: flow.session_access_token, id_token: flow.session_id_token },
  };
}

/** What a consent accept body asks for; throws when the body itself is unusable. */
function consentAcceptance(body: ConsentAcceptBody, now: number) {
  const scopes = stringList(body.grant_scope, 'grant_scope');
  const audience = stringList(body.grant_access_token_audience, 'grant_access_token_audience');
  const rememberFor = body.remember_for ?? 0;
  if (!Number.isInteger(rememberFor) || rememberFor < 0 || rememberFor > MAX_REMEMBER_FOR) {
    throw invalidRequest(`remember_for must be a whole number of seconds from 0 to ${MAX_REMEMBER_FOR}.`);
  }
  const accessClaims = claims(body.session?.access_token, 'session.access_token');
  const idClaims = claims(body.session?.id_token, 'session.id_token');
  return {
    scopes,
    audience,
    changes: {
      granted_scope: json(scopes),
      granted_audience: json(audience),
      consent_remember: body.remember ?? false,
      consent_remember_for: rememberFor,
      session_access_token: json(accessClaims),
      session_id_token: json(idClaims),
      consent_handled_at: new Date(now),
    },
  };
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw invalidRequest(`${name} must be an array of strings.`);
  return [...new Set(value as string[])];
}

function claims(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`${name} must be an object.`);
  if (JSON.stringify(value).length > MAX_SESSION_CLAIMS) throw invalidRequest(`${name} is larger than 16 KiB.`);
  return value as Record<string, unknown>;
}
