/**
 * Login sessions outside an OAuth flow: the account page signs a person in directly, lists
 * their sessions and ends them. OAuth flows then reuse the same session (login skip).
 */
import { newId } from '../crypto/tokens.js';
import type { LoginSession } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import { type CookieChange, type FlowDeps, SESSION_COOKIE } from './context.js';

export class LoginSessions {
  constructor(private readonly deps: FlowDeps) {}

  /** Starts a session; `remember` false makes the cookie last until the browser closes. */
  async start(subject: string, remember: boolean): Promise<{ session: LoginSession; cookie: CookieChange }> {
    const now = this.deps.now();
    const ttl = this.deps.config.loginSessionTtl;
    const session = {
      id: newId(),
      subject,
      authenticated_at: new Date(now),
      remember,
      expires_at: new Date(now + ttl * 1000),
      created_at: new Date(now),
    };
    await this.deps.sessions.insert(session);
    return {
      session,
      cookie: { name: SESSION_COOKIE, value: session.id, path: '/', maxAge: remember ? ttl : undefined, signed: true },
    };
  }

  find(id: string | undefined): Promise<LoginSession | undefined> {
    return id ? this.deps.sessions.find(id, new Date(this.deps.now())) : Promise.resolve(undefined);
  }

  list(subject: string): Promise<LoginSession[]> {
    return this.deps.sessions.list(subject, new Date(this.deps.now()));
  }

  /** Ends one of the subject's sessions (never someone else's). */
  async end(actor: Actor, subject: string, id: string): Promise<void> {
    await this.deps.sessions.delete({ id, subject });
    await this.deps.events.emit({ type: 'session.revoked', subject, sessionId: id }, actor);
  }

  clearCookie(): CookieChange {
    return { name: SESSION_COOKIE, value: null, path: '/', signed: true };
  }
}
