/** The login session an accepted login establishes, and its cookie (Hydra's remember / remember_for). */
import { describe, expect, it } from 'vitest';
import type { Flow } from '../db/schema.js';
import { SESSION_COOKIE } from './context.js';
import { establishedSession } from './established-session.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const config = { loginSessionTtl: 3600 };
const accepted = (overrides: Partial<Flow>) =>
  ({
    login_skip: false,
    login_session_id: 'session-1',
    subject: 'person-1',
    auth_time: new Date(NOW - 5000),
    login_remember: true,
    login_remember_for: 600,
    ...overrides,
  }) as Flow;

describe('establishedSession', () => {
  it('establishes nothing when the flow reused a session', () => {
    expect(establishedSession(accepted({ login_skip: true }), 'session-0', config, NOW)).toEqual({ cookies: [] });
  });

  it('remembers the session for remember_for, in a cookie that lives as long', () => {
    const { session, cookies } = establishedSession(accepted({}), undefined, config, NOW);
    expect(session).toMatchObject({ id: 'session-1', subject: 'person-1', remember: true, expires_at: new Date(NOW + 600_000) });
    expect(cookies).toEqual([{ name: SESSION_COOKIE, value: 'session-1', path: '/', maxAge: 600, signed: true }]);
  });

  it('caps remember_for at TTL_LOGIN_SESSION, and makes remember_for 0 a browser-session cookie', () => {
    const capped = establishedSession(accepted({ login_remember_for: 86_400 }), undefined, config, NOW);
    expect(capped.session?.expires_at).toEqual(new Date(NOW + 3_600_000));
    const browserSession = establishedSession(accepted({ login_remember_for: 0 }), undefined, config, NOW);
    expect(browserSession.cookies[0]?.maxAge).toBeUndefined();
  });

  it("clears a previous person's session cookie when this one is not remembered", () => {
    const { cookies } = establishedSession(accepted({ login_remember: false }), 'someone-else', config, NOW);
    expect(cookies).toEqual([{ name: SESSION_COOKIE, value: null, path: '/', signed: true }]);
    expect(establishedSession(accepted({ login_remember: false }), undefined, config, NOW).cookies).toEqual([]);
  });
});
