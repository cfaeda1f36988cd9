/**
 * One error family. Everything Gatehouse refuses on purpose is a GatehouseError: a code a
 * program can branch on (`error`), a sentence a person or a client developer can act on
 * (`description`, always safe to show), an HTTP status, and what only the log may see
 * (`debug`). src/http/errors.ts renders any of them in one place, as JSON or as a page; the
 * OAuth protocol's own errors (RFC 6749 5.2 codes) are the subclasses in src/oauth/errors.ts.
 */
export interface ErrorOptions {
  /** Defaults to 400. */
  status?: number;
  /** Never shown to the client; logged. */
  debug?: string;
  cause?: unknown;
  /** A limit was reached: sent as Retry-After (RFC 9110 10.2.3), however the error is rendered. */
  retryAfterSeconds?: number;
}

export class GatehouseError extends Error {
  override name = 'GatehouseError';
  readonly status: number;
  readonly debug: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly error: string,
    readonly description: string,
    options: ErrorOptions = {},
  ) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? 400;
    this.debug = options.debug;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The RFC 6749 5.2 shape, which every JSON answer of Gatehouse uses for errors. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }

  /** A WWW-Authenticate challenge to send with this error (RFC 9110 11.6.1), if it has one. */
  get challenge(): string | undefined {
    return undefined;
  }

  /** Where a person shown this error can start over, if somewhere is known. */
  get restartUrl(): string | undefined {
    return undefined;
  }
}

/**
 * A fault of this server or of its setup (configuration, keys, a locked data directory), not
 * of the request: its message is for the operator and the log, so a response shows only
 * "server_error" (asPublicError).
 */
export class InternalError extends GatehouseError {
  override name = 'InternalError';

  constructor(message: string, options: Omit<ErrorOptions, 'status'> = {}) {
    super('server_error', message, { ...options, status: 500 });
  }
}

/** RFC 6585 4: a limit was reached; Retry-After says when the window resets. */
export const tooManyRequests = (description: string, retryAfterSeconds: number, debug?: string) =>
  new GatehouseError('too_many_requests', description, { status: 429, retryAfterSeconds, ...(debug ? { debug } : {}) });

/** A GatehouseError meant for the asker: its description may be shown (an InternalError's may not). */
export const isRefusal = (err: unknown): err is GatehouseError =>
  err instanceof GatehouseError && !(err instanceof InternalError);

// Node socket errors and PostgreSQL classes 08 (connection exception) and 57P (shutdown).
const UNAVAILABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|08...|57P0[1-3])$/;

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|PGlite is closed|pool after calling end|driver has already been destroyed/i.test(
    message,
  );
}

/**
 * What a response may say about any error: a GatehouseError as it is; a database that cannot
 * be reached as a temporary condition (503, the client may retry); anything else, internal
 * errors included, as server_error with the original only in `debug`.
 */
export function asPublicError(err: unknown): GatehouseError {
  if (isRefusal(err)) return err;
  const debug = err instanceof Error ? err.message : String(err);
  if (isDatabaseUnavailable(err)) {
    return new GatehouseError('temporarily_unavailable', 'The service is temporarily unavailable; try again shortly.', {
      status: 503,
      debug,
      cause: err,
    });
  }
  return new GatehouseError('server_error', 'The server met an unexpected condition.', { status: 500, debug, cause: err });
}
