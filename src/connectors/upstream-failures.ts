/**
 * How an upstream step of the OAuth connector failed, in words a person can act on: a
 * ConnectorError per step (discovery, token, user), with what the upstream said kept in
 * `debug` for the log.
 */
import * as oauth from 'oauth4webapi';
import { GatehouseError } from '../errors.js';
import { ConnectorError } from './errors.js';

/**
 * A user API (or guard) answer that is not a success. describeFailure turns it into the
 * ConnectorError of its step; what the upstream said stays in `debug`.
 */
export class UpstreamStatus extends GatehouseError {
  override name = 'UpstreamStatus';

  constructor(upstreamStatus: number, body: string) {
    super('upstream_failed', 'The provider answered with an error.', {
      status: 502,
      debug: `HTTP ${upstreamStatus}: ${body.slice(0, 300)}`,
    });
  }
}

/** The body of a failed answer is only for the log; a body that cannot be read says why instead. */
export const unreadableBody = (err: unknown) => `(unreadable body: ${err instanceof Error ? err.message : String(err)})`;

export function describeFailure(label: string, step: 'discovery' | 'token' | 'user', err: unknown): ConnectorError {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ConnectorError('unreachable', `${label} did not answer in time. Try again in a moment.`, `${step}: timeout`);
  }
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? '';
    return new ConnectorError('unreachable', `${label} cannot be reached right now. Try again in a moment.`, `${step}: ${cause}`);
  }
  const detail = upstreamDetail(err);
  if (step === 'discovery') {
    return new ConnectorError(
      'unreachable',
      `${label} is not set up correctly on this server (its OpenID Connect discovery failed). Tell whoever runs this Gatehouse.`,
      `discovery: ${detail}`,
    );
  }
  if (step === 'token') {
    return new ConnectorError(
      'token_failed',
      `${label} did not accept this sign-in (the code could not be redeemed). Start again from your account page.`,
      `token: ${detail}`,
    );
  }
  return new ConnectorError(
    'user_failed',
    `${label} did not tell Gatehouse who you are. Try again in a moment.`,
    `user: ${detail}`,
  );
}

/** What the upstream said, for the log: an OAuth error code (GitHub sends its errors with 200), or the message. */
function upstreamDetail(err: unknown): string {
  if (err instanceof UpstreamStatus) return err.debug ?? '';
  if (err instanceof oauth.ResponseBodyError) return `${err.status} ${err.error}: ${err.error_description ?? ''}`;
  const body = (err as { cause?: { body?: { error?: unknown; error_description?: unknown } } } | null)?.cause?.body;
  if (body && typeof body.error === 'string') return `${body.error}: ${String(body.error_description ?? '')}`;
  return err instanceof Error ? err.message : String(err);
}
