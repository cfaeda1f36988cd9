/**
 * Hydra's login request API: what the login UI reads and how it answers. The built-in UI
 * and the admin HTTP routes both call these functions.
 */

import { toClientJson } from '../clients/clients.js';
import { hashSecret, newSecret } from '../crypto/tokens.js';
import { type Flow, json, type RequestError } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import { invalidRequest, OAuthError } from '../oauth/errors.js';
import { alreadyHandled, type FlowDeps, findFlowByChallenge, resumeUrl, sessionEnded, unlessRefused } from './context.js';
import type { LoginAcceptance } from './flow-accepts.js';
import { type FlowWithSession, sessionLiveAt } from './flow-store.js';

export interface LoginAcceptBody {
  subject: string;
  remember?: boolean;
  remember_for?: number;
  acr?: string;
  amr?: string[];
  context?: Record<string, unknown>;
  extend_session_lifespan?: boolean;
  identity_provider_session_id?: string;
  force_subject_identifier?: string;
}

export interface RejectBody {
  error?: string;
  error_description?: string;
  error_hint?: string;
  error_debug?: string;
  status_code?: number;
}

/** remember_for is stored in an integer column: about 68 years of seconds. */
export const MAX_REMEMBER_FOR = 2_147_483_647;

export interface RedirectTo {
  redirect_to: string;
}

export function oidcContext(flow: Flow) {
  const r = flow.request;
  return {
    acr_values: r.acr_values,
    display: r.display ?? undefined,
    login_hint: r.login_hint ?? undefined,
    ui_locales: r.ui_locales,
    ...(r.id_token_hint_subject ? { id_token_hint_claims: { sub: r.id_token_hint_subject } } : {}),
  };
}

export class LoginRequests {
  constructor(private readonly deps: FlowDeps) {}

  async get(challenge: string | undefined) {
    const flow = await findFlowByChallenge(this.deps, 'login_challenge_hash', challenge);
    // As Hydra: 410 with the authorization URL, where the browser can start over.
    if (flow.state !== 'login_requested') throw alreadyHandled('login', flow.request_url);
    await this.refuseEndedSession(flow);
    const client = await this.deps.clients.find(flow.client_id);
    if (!client) throw new OAuthError('not_found', 'The login request’s client no longer exists.');
    return {
      challenge: challenge as string,
      client: toClientJson(client),
      request_url: flow.request_url,
      requested_scope: flow.request.scope,
      requested_access_token_audience: flow.request.audience,
      session_id: flow.login_session_id ?? undefined,
      skip: flow.login_skip,
      subject: flow.subject ?? '',
      oidc_context: oidcContext(flow),
      /** Not Hydra's: the authorization request's prompt, so a UI can honour prompt=login. */
      prompt: flow.request.prompt,
    };
  }

  /**
   * One statement when all is well: the update carries every check on the flow in its WHERE
   * (still waiting, not expired, a reused session kept to its own subject). Only a refusal
   * reads the flow, to say why, with the checks in the order Hydra's API reports them.
   */
  async accept(actor: Actor, challenge: string | undefined, body: LoginAcceptBody): Promise<RedirectTo> {
    const cap = this.deps.config.loginSessionTtl;
    const accepted = challenge ? unlessRefused(() => loginAcceptance(body, cap)) : undefined;
    if (challenge && accepted) {
      const verifier = newSecret('challenge');
      const now = new Date(this.deps.now());
      const flow = await this.deps.accepts.acceptLogin(hashSecret(challenge), now, {
        ...accepted,
        login_verifier_hash: hashSecret(verifier),
      });
      if (flow) {
        await this.deps.events.emit({ type: 'login.accepted', subject: accepted.subject, clientId: flow.client_id }, actor);
        return { redirect_to: resumeUrl(this.deps.config, 'login', verifier) };
      }
    }
    await this.refusal(challenge, body, cap);
    // Every check passes now: another request accepted it in between.
    throw alreadyHandled('login');
  }

  /** Throws why an accept is refused; returns when nothing is wrong with it. */
  private async refusal(challenge: string | undefined, body: LoginAcceptBody, cap: number): Promise<void> {
    const flow = await findFlowByChallenge(this.deps, 'login_challenge_hash', challenge);
    if (flow.state !== 'login_requested') throw alreadyHandled('login');
    await this.refuseEndedSession(flow);
    if (flow.login_skip && acceptedSubject(body) !== flow.subject) {
      // Hydra's rule: a remembered session cannot be switched to another person here.
      throw invalidRequest('Field "subject" does not match the subject of the previous authentication.');
    }
    loginAcceptance(body, cap);
  }

  /**
   * A request made to reuse a session (skip) is answered only while that session lives: after
   * a sign-out or a revocation it ends, and the browser starts over without the session.
   */
  private async refuseEndedSession(flow: FlowWithSession): Promise<void> {
    if (!flow.login_skip || sessionLiveAt(flow, this.deps.now())) return;
    await this.deps.flows.endFlow(flow.id);
    throw sessionEnded('login', flow.request_url);
  }

  async reject(actor: Actor, challenge: string | undefined, body: RejectBody): Promise<RedirectTo> {
    const flow = await findFlowByChallenge(this.deps, 'login_challenge_hash', challenge);
    if (flow.state !== 'login_requested') throw alreadyHandled('login');
    const error = requestError(body);
    const verifier = newSecret('challenge');
    const updated = await this.deps.flows.transition(flow.id, ['login_requested'], {
      state: 'login_rejected',
      login_error: json(error),
      login_verifier_hash: hashSecret(verifier),
    });
    if (!updated) throw alreadyHandled('login');
    await this.deps.events.emit({ type: 'login.rejected', clientId: flow.client_id, error: error.error }, actor);
    return { redirect_to: resumeUrl(this.deps.config, 'login', verifier) };
  }
}

/** The subject a login accept names; throws when it cannot be one. */
function acceptedSubject(body: LoginAcceptBody): string {
  const subject = body.subject;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 255) {
    throw invalidRequest('subject must be a non-empty string of at most 255 characters.');
  }
  return subject;
}

/**
 * The flow changes a login accept body asks for; throws when the body itself is unusable.
 * remember_for is capped at `maxRememberFor` (TTL_LOGIN_SESSION): a login app may ask for
 * less, never for a session (its cookie and its row) that outlives the operator's bound.
 */
function loginAcceptance(body: LoginAcceptBody, maxRememberFor: number): Omit<LoginAcceptance, 'login_verifier_hash'> {
  const subject = acceptedSubject(body);
  const rememberFor = body.remember_for ?? 0;
  if (!Number.isInteger(rememberFor) || rememberFor < 0 || rememberFor > MAX_REMEMBER_FOR) {
    throw invalidRequest(`remember_for must be a whole number of seconds from 0 to ${MAX_REMEMBER_FOR}.`);
  }
  const amr = body.amr ?? [];
  if (!Array.isArray(amr) || amr.some((a) => typeof a !== 'string')) throw invalidRequest('amr must be an array of strings.');
  if (body.acr !== undefined && typeof body.acr !== 'string') throw invalidRequest('acr must be a string.');
  const context = body.context ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw invalidRequest('context must be an object.');
  if (JSON.stringify(context).length > 16 * 1024) throw invalidRequest('context is larger than 16 KiB.');
  return {
    subject,
    login_remember: body.remember ?? false,
    login_remember_for: Math.min(rememberFor, maxRememberFor),
    acr: body.acr ?? null,
    amr: json(amr),
    context: json(context),
  };
}

/** Hydra's reject body, with access_denied as the default error. */
export function requestError(body: RejectBody): RequestError {
  const text = (value: unknown, name: string, max: number): string | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || value.length > max)
      throw invalidRequest(`${name} must be a string of at most ${max} characters.`);
    return value;
  };
  const error = text(body.error, 'error', 100) ?? 'access_denied';
  if (!/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(error)) throw invalidRequest('error has characters RFC 6749 does not allow.');
  return {
    error,
    error_description: text(body.error_description, 'error_description', 1000) ?? 'The resource owner denied the request.',
    ...(text(body.error_hint, 'error_hint', 1000) ? { error_hint: body.error_hint as string } : {}),
    ...(text(body.error_debug, 'error_debug', 1000) ? { error_debug: body.error_debug as string } : {}),
    ...(body.status_code !== undefined ? { status_code: Number(body.status_code) } : {}),
  };
}
