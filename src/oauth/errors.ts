/**
 * The OAuth protocol's errors: RFC 6749 5.2 and 4.1.2.1, OpenID Connect Core 3.1.2.6, RFC 6750
 * 3.1, RFC 7009 2.2.1 and RFC 7591 3.2.2 codes, each with the status its RFC gives it, and the
 * few that render differently (a challenge header, a redirect back to the client).
 */
import { type ErrorOptions, GatehouseError } from '../errors.js';

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

export type OAuthErrorOptions = ErrorOptions;

/** An error with an RFC-registered code (or one of the admin API's, as Hydra answers them). */
export class OAuthError extends GatehouseError {
  override name = 'OAuthError';

  constructor(
    override readonly error: OAuthErrorCode,
    description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(error, description, { ...options, status: options.status ?? defaultStatus[error] ?? 400 });
    this.message = `${error}: ${description}`;
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
export const notFound = (description: string) => new OAuthError('not_found', description);
export const conflict = (description: string) => new OAuthError('conflict', description);

/** invalid_client, with the Basic challenge when the client tried Basic (RFC 6749 5.2). */
export class AuthenticationFailed extends OAuthError {
  constructor(
    readonly usedBasic: boolean,
    debug: string,
    description = 'Client authentication failed.',
    options: { status?: number; retryAfterSeconds?: number } = {},
  ) {
    super('invalid_client', description, { status: 401, ...options, debug });
  }

  override get challenge(): string | undefined {
    return this.usedBasic ? 'Basic realm="gatehouse", charset="UTF-8"' : undefined;
  }
}

const quote = (value: string) => value.replace(/["\\]/g, '');

/** An RFC 6750 3.1 error: rendered with a WWW-Authenticate: Bearer challenge. */
export class BearerError extends OAuthError {
  constructor(
    error: 'invalid_request' | 'invalid_token' | 'insufficient_scope',
    description: string,
    status: number,
    retryAfterSeconds?: number,
  ) {
    super(error, description, { status, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
  }

  /** RFC 6750 3.1: a request that carried no token at all gets the bare challenge, without an error code. */
  override get challenge(): string {
    const details =
      this.error === 'invalid_request' && this.status === 401
        ? ''
        : `, error="${this.error}", error_description="${quote(this.description)}"`;
    return `Bearer realm="gatehouse"${details}`;
  }
}

/** An error to send back to the client's (already trusted) redirect URI (RFC 6749 4.1.2.1). */
export class ClientRedirectError extends OAuthError {
  constructor(
    readonly original: OAuthError,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super(original.error, original.description, { status: 303, debug: original.debug });
  }
}
