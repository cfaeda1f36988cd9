/** What the login, consent and logout flows need, passed in (no singletons). */

import type { ClientStore } from '../clients/store.js';
import type { Config } from '../config/config.js';
import type { SigningKeys } from '../crypto/signing-keys.js';
import { hashSecret } from '../crypto/tokens.js';
import { GatehouseError, isRefusal } from '../errors.js';
import type { EventSink } from '../events/events.js';
import { OAuthError } from '../oauth/errors.js';
import type { ScopeCatalogue } from '../oauth/scopes.js';
import type { AuthorizationCodeStore } from '../tokens/authorization-codes.js';
import type { TokenStore } from '../tokens/token-store.js';
import type { FlowAccepts } from './flow-accepts.js';
import type { FlowStore, FlowWithSession } from './flow-store.js';
import type { LoginSessionStore } from './login-session-store.js';
import type { LogoutStore } from './logout-store.js';

export type FlowConfig = Pick<
  Config,
  | 'issuer'
  | 'flowTtl'
  | 'loginSessionTtl'
  | 'authorizationCodeTtl'
  | 'urlsLogin'
  | 'urlsConsent'
  | 'urlsLogout'
  | 'urlsPostLogout'
>;

export interface FlowDeps {
  flows: FlowStore;
  accepts: FlowAccepts;
  sessions: LoginSessionStore;
  logouts: LogoutStore;
  codes: AuthorizationCodeStore;
  clients: ClientStore;
  grants: TokenStore;
  keys: SigningKeys;
  scopes: ScopeCatalogue;
  events: EventSink;
  config: FlowConfig;
  now: () => number;
}

/** A cookie to set (value) or clear (null). Signed cookies are tamper-evident. */
export interface CookieChange {
  name: string;
  value: string | null;
  path: string;
  /** Seconds; undefined makes a browser-session cookie. */
  maxAge?: number | undefined;
  signed: boolean;
}

export const SESSION_COOKIE = 'gatehouse_session';
export const LOGOUT_CSRF_COOKIE = 'gatehouse_logout_csrf';
export const AUTHORIZE_PATH = '/oauth2/auth';
/** Where an answered login or consent request sends the browser: back to authorize, with the verifier that resumes the flow. */
export const resumeUrl = (config: FlowConfig, which: 'login' | 'consent', verifier: string) =>
  `${config.issuer}${AUTHORIZE_PATH}?${which}_verifier=${verifier}`;
export const LOGOUT_PATH = '/oauth2/sessions/logout';

/** Each flow has its own CSRF cookie so that flows in several tabs do not clash. */
export const flowCsrfCookie = (flowId: string) => `gatehouse_csrf_${flowId.slice(0, 8)}`;

export const uiUrl = (config: FlowConfig, which: 'login' | 'consent' | 'logout') =>
  ({ login: config.urlsLogin, consent: config.urlsConsent, logout: config.urlsLogout })[which] ?? `${config.issuer}/ui/${which}`;

export const withParam = (base: string, name: string, value: string): string => {
  const url = new URL(base);
  url.searchParams.set(name, value);
  return url.toString();
};

/** 404 for an unknown challenge; a challenge past its life is as good as unknown. */
export async function findFlowByChallenge(
  deps: FlowDeps,
  key: 'login_challenge_hash' | 'consent_challenge_hash',
  challenge: string | undefined,
): Promise<FlowWithSession> {
  const what = key === 'login_challenge_hash' ? 'login' : 'consent';
  if (!challenge) throw new OAuthError('invalid_request', `The ${what}_challenge parameter is missing.`);
  const flow = await deps.flows.findBy(key, hashSecret(challenge));
  if (!flow || flow.expires_at.getTime() <= deps.now()) {
    throw new OAuthError('not_found', `The ${what} request does not exist or has expired.`);
  }
  return flow;
}

/**
 * What `parse` returns, or undefined when it refuses the input: an accept's fast path
 * tries the body this way, and its refusal path checks everything again to say why.
 */
export function unlessRefused<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (isRefusal(err)) return undefined;
    throw err;
  }
}

/** 410; with `redirectTo` (Hydra's GET answer) the UI can send the browser back to start over. */
export class AlreadyHandled extends GatehouseError {
  constructor(
    what: 'login' | 'consent' | 'logout',
    readonly redirectTo?: string,
    description = `The ${what} request has already been handled.`,
  ) {
    super('already_handled', description, { status: 410 });
  }

  override get restartUrl(): string | undefined {
    return this.redirectTo;
  }

  override toJSON() {
    return { ...super.toJSON(), ...(this.redirectTo !== undefined ? { redirect_to: this.redirectTo } : {}) };
  }
}

export const alreadyHandled = (what: 'login' | 'consent' | 'logout', redirectTo?: string) => new AlreadyHandled(what, redirectTo);

/**
 * 410, as for a handled request: the login session a login or consent request relied on
 * ended (sign-out, revocation, expiry) before the request was answered, so the request ended
 * with it. `redirectTo` (the authorization URL) starts over, now without that session.
 */
export const sessionEnded = (what: 'login' | 'consent', redirectTo?: string) =>
  new AlreadyHandled(what, redirectTo, `The sign-in session this ${what} request relied on has ended. Please start again.`);
