/** The CLI's client of the admin API (as `hydra` is of Hydra's), so it works beside a running server. */
import { loadConfig } from '../config/config.js';
import { loadAdminToken } from '../config/secrets.js';
import { GatehouseError, InternalError } from '../errors.js';

/** The admin API refused: its RFC 6749 5.2 answer, as the server gave it. */
export class AdminApiError extends GatehouseError {
  constructor(status: number, error: string, description: string) {
    super(error, description, { status });
    this.message = `${description} (${error}, HTTP ${status})`;
  }
}

/** The admin API could not be reached at all. */
export class ConnectionError extends InternalError {}

export class AdminClient {
  constructor(
    private readonly endpoint: string,
    private readonly token: string | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
    /** Where the token came from (or, with none, was looked for), for the hint on a 401. */
    private readonly tokenSource?: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(new URL(path, this.endpoint), {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      const reason = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new ConnectionError(`cannot reach the admin API at ${this.endpoint}: ${reason}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch (err) {
      // Not JSON (a proxy's error page): the status and the text say what happened.
      if (!(err instanceof SyntaxError)) throw err;
      parsed = undefined;
    }
    if (!response.ok) {
      const e = (parsed ?? {}) as { error?: string; error_description?: string };
      let description = e.error_description ?? (text.slice(0, 200) || response.statusText);
      if (response.status === 401) description += ` ${this.tokenHint()}`;
      throw new AdminApiError(response.status, e.error ?? 'error', description);
    }
    return parsed as T;
  }

  private tokenHint(): string {
    if (this.token) return `The token from ${this.tokenSource ?? '--token'} is not the one this server uses.`;
    return `No token found: set ADMIN_TOKEN, pass --token, or run where the server's DATA_DIR is${this.tokenSource ? ` (looked for ${this.tokenSource})` : ''}.`;
  }
}

/**
 * Where the admin API of a server started with the same environment is, and its token: the
 * CLI on the server's machine needs no flags, as the server's own settings say both.
 */
export function adminApiOf(env: Record<string, string | undefined>): {
  endpoint: string;
  token: string | undefined;
  /** ADMIN_TOKEN, or the file the token was read from (or looked for). */
  tokenSource?: string;
} {
  const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, env[n]]));
  const config = loadConfig(pick('ADMIN_TOKEN', 'ADMIN_HOST', 'ADMIN_PORT', 'DATA_DIR'));
  const bound = config.adminHost.replace(/^\[|\]$/g, '');
  // A listener on every address is reached on loopback from its own machine.
  const host = bound === '0.0.0.0' || bound === '' ? '127.0.0.1' : bound === '::' ? '::1' : bound;
  const endpoint = env.GATEHOUSE_ADMIN_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.adminPort}`;
  const found = loadAdminToken(config, { create: false });
  const tokenSource = config.adminToken ? 'ADMIN_TOKEN' : found.file;
  return { endpoint, token: found.token, ...(tokenSource ? { tokenSource } : {}) };
}
