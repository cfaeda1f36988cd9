/**
 * One family of errors. Every method of the SDK rejects with a {@link GatehouseError} and
 * nothing else, so one `catch` and a `switch (err.code)` cover every failure.
 */
import * as oauth from 'oauth4webapi';

/**
 * Error codes defined by the OAuth 2.0 and OpenID Connect specifications that Gatehouse
 * answers with: RFC 6749 sections 4.1.2.1 and 5.2, RFC 6750 section 3.1, RFC 7009, OIDC Core
 * section 3.1.2.6. Other strings can appear; they are passed through unchanged.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | (string & {});

/**
 * Why the SDK itself refused a response, before or after talking to Gatehouse:
 *
 * - `state_mismatch`: the callback's `state` is not the one this browser's sign-in started
 *   with (a forged or crossed callback, RFC 6749 section 10.12);
 * - `iss_mismatch`: the callback's `iss` is missing or names another issuer (RFC 9207, the
 *   mix-up attack);
 * - `nonce_mismatch`: the ID token was minted for another sign-in (OIDC Core 3.1.3.7);
 * - `invalid_id_token`: the ID token's signature, issuer, audience or times are wrong;
 * - `invalid_response`: Gatehouse answered something that is not what the protocol says;
 * - `network_error`: Gatehouse could not be reached.
 */
export type CheckCode =
  | 'state_mismatch'
  | 'iss_mismatch'
  | 'nonce_mismatch'
  | 'invalid_id_token'
  | 'invalid_response'
  | 'network_error';

/** The base class: `code` says what went wrong, `description` says it in words. */
export class GatehouseError extends Error {
  override name = 'GatehouseError';

  constructor(
    /** An RFC error code ({@link OAuthErrorCode}) or one of the SDK's own ({@link CheckCode}). */
    readonly code: OAuthErrorCode | CheckCode,
    /** What happened, in words fit for a log (never a token or a secret). */
    readonly description: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${description}`, options);
  }
}

/**
 * Gatehouse said no: an error response of the token, revocation, user or token-detail
 * endpoints, or an error sent back to the redirect URI (`access_denied` when the person
 * declined). `code` is the RFC error code as Gatehouse sent it.
 */
export class OAuthError extends GatehouseError {
  override name = 'OAuthError';

  constructor(
    code: OAuthErrorCode,
    description: string,
    /** The HTTP status of the answer; absent for an error that came back on the redirect URI. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, description, options);
  }
}

/** The SDK refused what it received (see {@link CheckCode}); nothing was accepted. */
export class CheckError extends GatehouseError {
  override name = 'CheckError';
  declare readonly code: CheckCode;

  constructor(code: CheckCode, description: string, options?: { cause?: unknown }) {
    super(code, description, options);
  }
}

/** True when `err` is a {@link GatehouseError}, optionally with the given code. */
export function isGatehouseError(err: unknown, code?: GatehouseError['code']): err is GatehouseError {
  return err instanceof GatehouseError && (code === undefined || err.code === code);
}

/** Turns whatever oauth4webapi or fetch threw into one of ours. */
export function toGatehouseError(err: unknown): GatehouseError {
  if (err instanceof GatehouseError) return err;
  if (err instanceof oauth.ResponseBodyError) {
    return new OAuthError(err.error, err.error_description ?? err.message, err.status, { cause: err });
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    return new OAuthError(err.error, err.error_description ?? 'The authorization was not granted.', undefined, { cause: err });
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = err.cause.find((c) => c.parameters.error) ?? err.cause[0];
    const code = challenge?.parameters.error ?? 'invalid_token';
    return new OAuthError(code, challenge?.parameters.error_description ?? err.message, err.status, { cause: err });
  }
  if (err instanceof oauth.OperationProcessingError) return fromProcessingError(err);
  // fetch rejects with a plain TypeError when the connection fails (oauth4webapi's own TypeErrors
  // carry a code), and with a DOMException named TimeoutError when an AbortSignal times out.
  const plainTypeError = err instanceof TypeError && !('code' in err);
  if (plainTypeError || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))) {
    return new CheckError('network_error', `Gatehouse could not be reached: ${err.message}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CheckError('invalid_response', message, { cause: err });
}

function fromProcessingError(err: oauth.OperationProcessingError): GatehouseError {
  const claim = (err.cause as { claim?: unknown } | undefined)?.claim;
  switch (err.code) {
    case oauth.JWT_CLAIM_COMPARISON:
      if (claim === 'nonce')
        return new CheckError('nonce_mismatch', 'The ID token was not issued for this sign-in (nonce).', { cause: err });
      return new CheckError('invalid_id_token', err.message, { cause: err });
    case oauth.JWT_TIMESTAMP_CHECK:
    case oauth.KEY_SELECTION:
      return new CheckError('invalid_id_token', err.message, { cause: err });
    default:
      return new CheckError('invalid_response', err.message, { cause: err });
  }
}
