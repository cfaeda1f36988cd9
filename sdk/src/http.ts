/** How the SDK talks HTTP: oauth4webapi's request options, and Gatehouse's JSON resource API. */
import * as oauth from 'oauth4webapi';
import { CheckError, OAuthError, toGatehouseError } from './errors.js';

export interface HttpSettings {
  fetch?: typeof fetch | undefined;
  /** Plain http is allowed (a loopback issuer, or the caller said so). */
  insecure: boolean;
  timeoutMs: number;
}

/** The options every oauth4webapi request takes. */
export interface RequestOptions {
  signal: () => AbortSignal;
  [oauth.allowInsecureRequests]: boolean;
  [oauth.customFetch]?: typeof fetch;
}

export function requestOptions(http: HttpSettings): RequestOptions {
  return {
    signal: () => AbortSignal.timeout(http.timeoutMs),
    [oauth.allowInsecureRequests]: http.insecure,
    ...(http.fetch ? { [oauth.customFetch]: http.fetch } : {}),
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain http only where it cannot be intercepted on the way: this machine, or when asked for. */
export function insecureAllowed(issuer: URL, explicitly: boolean | undefined): boolean {
  if (issuer.protocol === 'https:') return false;
  if (issuer.protocol !== 'http:') throw new TypeError(`The issuer must be an http(s) URL, not ${issuer.protocol}`);
  if (explicitly || LOOPBACK.has(issuer.hostname) || issuer.hostname.endsWith('.localhost')) return true;
  throw new TypeError(
    `The issuer ${issuer.origin} is plain http: use https, or set allowInsecureRequests: true for a development server.`,
  );
}

/**
 * GET a JSON object from a bearer-protected Gatehouse endpoint. A `WWW-Authenticate` error
 * (RFC 6750) or an RFC 6749 error body becomes an {@link OAuthError} with its code.
 */
export async function getJson(http: HttpSettings, accessToken: string, url: URL): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await oauth.protectedResourceRequest(
      accessToken,
      'GET',
      url,
      new Headers({ accept: 'application/json' }),
      null,
      // No body is sent, so fetch's narrower body type does not matter here.
      requestOptions(http) as oauth.ProtectedResourceRequestOptions,
    );
  } catch (err) {
    throw toGatehouseError(err);
  }
  const body = await response.json().catch(() => undefined);
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  if (response.status !== 200) {
    const error =
      isObject && typeof body.error === 'string' ? body.error : response.status >= 500 ? 'server_error' : 'invalid_request';
    const description =
      isObject && typeof body.error_description === 'string' ? body.error_description : `HTTP ${response.status}`;
    throw new OAuthError(error, description, response.status);
  }
  if (!isObject) throw new CheckError('invalid_response', `${url.pathname} did not answer with a JSON object.`);
  return body as Record<string, unknown>;
}
