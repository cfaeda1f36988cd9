/**
 * The login session a flow establishes when its login is accepted (Hydra's authentication
 * session), and the session cookie that goes with it: set when the person asked to be
 * remembered, cleared when not, so a previous person's session on this browser does not linger.
 */
import type { Flow } from '../db/schema.js';
import { type CookieChange, type FlowConfig, SESSION_COOKIE } from './context.js';
import type { NewLoginSession } from './flow-store.js';

export interface EstablishedSession {
  /** None when the flow reused a session it found. */
  session?: NewLoginSession;
  cookies: CookieChange[];
}

/** `browserSessionId`: the verified value of the browser's session cookie, if any. */
export function establishedSession(
  flow: Flow,
  browserSessionId: string | undefined,
  config: Pick<FlowConfig, 'loginSessionTtl'>,
  now: number,
): EstablishedSession {
  if (flow.login_skip) return { cookies: [] };
  const sessionId = flow.login_session_id as string;
  // Capped again here: a flow accepted before TTL_LOGIN_SESSION was lowered keeps to the new bound.
  const rememberFor = Math.min(flow.login_remember_for, config.loginSessionTtl);
  const ttl = rememberFor > 0 ? rememberFor : config.loginSessionTtl;
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
  return { session, cookies: browserSessionId ? [{ name: SESSION_COOKIE, value: null, path: '/', signed: true }] : [] };
}
