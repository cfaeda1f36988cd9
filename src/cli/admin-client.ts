/** The CLI's client of the admin API (as `hydra` is of Hydra's), so it works beside a running server. */
import { GatehouseError } from '../errors.js';

export class AdminApiError extends GatehouseError {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${description} (${error}, HTTP ${status})`);
  }
}

export class ConnectionError extends GatehouseError {}

export class AdminClient {
  constructor(
    private readonly endpoint: string,
    private readonly token: string | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
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
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const e = (parsed ?? {}) as { error?: string; error_description?: string };
      throw new AdminApiError(
        response.status,
        e.error ?? 'error',
        e.error_description ?? (text.slice(0, 200) || response.statusText),
      );
    }
    return parsed as T;
  }
}
