/**
 * What can go wrong while proving an identity through an upstream: GatehouseErrors whose
 * `error` is the failure, with a status and a sentence a person can act on; `debug` (what
 * the upstream said) is only logged.
 */
import { GatehouseError } from '../errors.js';

export type ConnectorFailure =
  /** The person said no at the provider. */
  | 'access_denied'
  /** The provider answered the authorization with another error. */
  | 'provider_error'
  /** The callback does not belong to the attempt this browser started (state, issuer). */
  | 'invalid_state'
  /** The code could not be exchanged for a token. */
  | 'token_failed'
  /** The provider's user API did not say who the person is. */
  | 'user_failed'
  /** The provider could not be reached, or did not answer in time. */
  | 'unreachable'
  /** Telegram's login data did not verify. */
  | 'invalid_signature'
  /** Telegram's login data is too old (or from the future). */
  | 'stale'
  /** Telegram's login data was used already: it links one account, once. */
  | 'replayed';

const STATUS: Record<ConnectorFailure, number> = {
  access_denied: 403,
  provider_error: 502,
  invalid_state: 400,
  token_failed: 502,
  user_failed: 502,
  unreachable: 504,
  invalid_signature: 400,
  stale: 400,
  replayed: 400,
};

export class ConnectorError extends GatehouseError {
  override name = 'ConnectorError';

  constructor(
    override readonly error: ConnectorFailure,
    /** Shown to the person. */
    description: string,
    /** Logged, never shown: what the upstream answered. */
    debug?: string,
    cause?: unknown,
  ) {
    super(error, description, {
      status: STATUS[error],
      ...(debug === undefined ? {} : { debug }),
      ...(cause === undefined ? {} : { cause }),
    });
  }
}
