/**
 * The admin console's sign-in: a browser cannot send `Authorization: Bearer ADMIN_TOKEN`, so
 * the operator types the token once and gets a cookie naming a session kept on the server.
 * Signing out deletes the row, so a copied cookie ends with it. Each session is bound to the
 * ADMIN_TOKEN that opened it, so changing it (or setting it) signs every console session out.
 */
import { createHmac } from 'node:crypto';
import { hashSecret, newSecret, safeEqual } from '../crypto/tokens.js';
import type { Db } from '../db/database.js';

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
  db: Db;
  /** Cookie-signing secrets, newest first (SecretBox.cookieSecrets()). */
  secrets: string[];
  adminToken: string | undefined;
  now: () => number;
}

export class ConsoleSessions {
  constructor(private readonly options: ConsoleSessionOptions) {}

  /** A new session for a freshly signed-in operator; answers the cookie value (to be signed by the cookie plugin). */
  async issue(operator: string): Promise<string> {
    const id = newSecret('challenge');
    await this.options.db
      .insertInto('console_sessions')
      .values({
        id_hash: hashSecret(id),
        operator,
        token_tag: this.tag(this.options.secrets[0] as string),
        expires_at: new Date(this.options.now() + CONSOLE_SESSION_SECONDS * 1000),
      })
      .execute();
    return id;
  }

  /** The session a (verified) cookie value names; undefined when absent, ended, expired or from another ADMIN_TOKEN. */
  async read(value: string | undefined): Promise<ConsoleSession | undefined> {
    if (!value || value.length > 100) return undefined;
    const row = await this.options.db
      .selectFrom('console_sessions')
      .select(['operator', 'token_tag', 'expires_at'])
      .where('id_hash', '=', hashSecret(value))
      .where('expires_at', '>', new Date(this.options.now()))
      .executeTakeFirst();
    if (!row) return undefined;
    // Every secret still accepted for cookies may have made the tag (SECRETS_SYSTEM rotation).
    if (!this.options.secrets.some((secret) => safeEqual(row.token_tag, this.tag(secret)))) return undefined;
    return { operator: row.operator, expiresAt: row.expires_at.getTime() };
  }

  /** Signing out: the session ends for every copy of its cookie. */
  async end(value: string | undefined): Promise<void> {
    if (!value || value.length > 100) return;
    await this.options.db.deleteFrom('console_sessions').where('id_hash', '=', hashSecret(value)).execute();
  }

  /**
   * Which ADMIN_TOKEN opened the session, as a keyed hash: a database reader must not learn
   * the token, and a plain hash of a weak one could be guessed offline.
   */
  private tag(secret: string): string {
    const token = this.options.adminToken;
    return createHmac('sha256', secret)
      .update(token === undefined ? 'gatehouse-console:open' : `gatehouse-console:token:${token}`)
      .digest('base64url');
  }
}

/** Removes ended console sessions (the background clean-up). */
export async function deleteExpiredConsoleSessions(db: Db, at: Date): Promise<number> {
  const result = await db.deleteFrom('console_sessions').where('expires_at', '<=', at).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Why a typed operator name cannot be used, or undefined when it can. */
export function operatorNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Enter your name or email, so the audit log says who acted.';
  if (name.length > MAX_OPERATOR_NAME) return `Use at most ${MAX_OPERATOR_NAME} characters.`;
  if (/\p{Cc}/u.test(name)) return 'Use printable characters only.';
  if (RESERVED_NAMES.has(name.toLowerCase())) return `"${name}" is reserved; use your own name or email.`;
  return undefined;
}
