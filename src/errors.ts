/**
 * One error family. Handlers throw; src/http/errors.ts renders them in one place: RFC 6749
 * section 5.2 JSON on API endpoints, a section 4.1.2.1 redirect once the redirect URI is
 * trusted, or a readable HTML page. `description` is public; `debug` is only logged.
 */
export class GatehouseError extends Error {
  override name = 'GatehouseError';
}

export type OAuthErrorCode =
  // RFC 6749 sections 4.1.2.1 and 5.2
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  // OpenID Connect Core 3.1.2.6
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  // RFC 6750 section 3.1
  | 'invalid_token'
  | 'insufficient_scope'
  // RFC 7009 section 2.2.1
  | 'unsupported_token_type'
  // RFC 7591 section 3.2.2
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  // Admin API
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'payload_too_large'
  | 'unsupported_media_type';

const defaultStatus: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  unauthorized: 401,
  insufficient_scope: 403,
  access_denied: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  server_error: 500,
  temporarily_unavailable: 503,
};

export interface OAuthErrorOptions {
  status?: number;
  /** Never shown to the client; logged. */
  debug?: string;
  cause?: unknown;
  /** A limit was reached: sent as Retry-After (RFC 9110 10.2.3), however the error is rendered. */
  retryAfterSeconds?: number;
}

export class OAuthError extends GatehouseError {
  override name = 'OAuthError';
  readonly status: number;
  readonly debug: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly error: OAuthErrorCode | (string & {}),
    readonly description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${error}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? defaultStatus[error as OAuthErrorCode] ?? 400;
    this.debug = options.debug;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export const invalidRequest = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_request', description, options);
export const invalidClient = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_client', description, options);
export const invalidGrant = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_grant', description, options);
export const invalidScope = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_scope', description, options);
export const invalidToken = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError('invalid_token', description, options);
/** RFC 6585 4: a limit was reached; Retry-After says when the window resets. */
export const tooManyRequests = (description: string, retryAfterSeconds: number, debug?: string) =>
  new OAuthError('too_many_requests', description, { status: 429, retryAfterSeconds, ...(debug ? { debug } : {}) });
export const notFound = (description: string) => new OAuthError('not_found', description);
export const conflict = (description: string) => new OAuthError('conflict', description);

// Node socket errors and PostgreSQL classes 08 (connection exception) and 57P (shutdown).
const UNAVAILABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|08...|57P0[1-3])$/;

function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|PGlite is closed|pool after calling end|driver has already been destroyed/i.test(
    message,
  );
}

/**
 * Anything that is not an OAuthError is hidden: a database that cannot be reached is a
 * temporary condition (503, the client may retry); everything else is server_error.
 */
export function asOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (isDatabaseUnavailable(err)) {
    return new OAuthError('temporarily_unavailable', 'The service is temporarily unavailable; try again shortly.', {
      debug: err instanceof Error ? err.message : String(err),
      cause: err,
    });
  }
  return new OAuthError('server_error', 'The server met an unexpected condition.', {
    debug: err instanceof Error ? err.message : String(err),
    cause: err,
  });
}
