/**
 * The admin console's sign-in: a browser cannot send `Authorization: Bearer ADMIN_TOKEN`, so
 * the operator types the token once and gets a signed cookie naming them. The cookie carries
 * no server-side state; it is bound to the ADMIN_TOKEN that opened it, so changing (or first
 * setting) ADMIN_TOKEN signs every console session out.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../crypto/tokens.js';

export const CONSOLE_COOKIE = 'gatehouse_console';
export const CONSOLE_SESSION_SECONDS = 12 * 3600;
export const MAX_OPERATOR_NAME = 100;

/** The actor id the admin API's bearer-token callers get; a person may not take it. */
const RESERVED_NAMES = new Set(['admin-api', 'system']);

export interface ConsoleSession {
  operator: string;
  expiresAt: number;
}

export interface ConsoleSessionOptions {
  /** Cookie-signing secrets, newest first (SecretBox.cookieSecrets()). */
  secrets: string[];
  adminToken: string | undefined;
  now: () => number;
}

export class ConsoleSessions {
  constructor(private readonly options: ConsoleSessionOptions) {}

  /** The cookie value (to be signed by the cookie plugin) for a freshly signed-in operator. */
  issue(operator: string): string {
    const payload = {
      o: operator,
      e: this.options.now() + CONSOLE_SESSION_SECONDS * 1000,
      t: this.tag(this.options.secrets[0] as string),
    };
    return Buffer.from(JSON.stringify(payload)).toString('base64url');
  }

  /** The session in a (verified) cookie value; undefined when absent, expired, malformed or from another ADMIN_TOKEN. */
  read(value: string | undefined): ConsoleSession | undefined {
    if (value === undefined) return undefined;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const { o, e, t } = (payload ?? {}) as { o?: unknown; e?: unknown; t?: unknown };
    if (typeof o !== 'string' || typeof e !== 'number' || typeof t !== 'string') return undefined;
    if (e <= this.options.now() || operatorNameProblem(o) !== undefined) return undefined;
    // Every secret still accepted for cookies may have made the tag (SECRETS_SYSTEM rotation).
    if (!this.options.secrets.some((secret) => safeEqual(t, this.tag(secret)))) return undefined;
    return { operator: o, expiresAt: e };
  }

  /**
   * Which ADMIN_TOKEN opened the session, as a keyed hash: the cookie is readable by its
   * holder, and a plain hash of a weak token could be guessed offline.
   */
  private tag(secret: string): string {
    const token = this.options.adminToken;
    return createHmac('sha256', secret)
      .update(token === undefined ? 'gatehouse-console:open' : `gatehouse-console:token:${token}`)
      .digest('base64url');
  }
}

/** Why a typed operator name cannot be used, or undefined when it can. */
export function operatorNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Enter your name or email, so the audit log says who acted.';
  if (name.length > MAX_OPERATOR_NAME) return `Use at most ${MAX_OPERATOR_NAME} characters.`;
  if (/\p{Cc}/u.test(name)) return 'Use printable characters only.';
  if (RESERVED_NAMES.has(name.toLowerCase())) return `"${name}" is reserved; use your own name or email.`;
  return undefined;
}
