/**
 * Redirect URIs: what may be registered, and exact matching at the authorization endpoint
 * (RFC 9700 section 4.1.3), with the one exception of RFC 8252 section 7.3: a native app's
 * loopback IP redirect may use any port.
 */
import { isLoopbackIpLiteral, isLoopbackRedirectHost } from '../net/loopback.js';

export type ApplicationType = 'web' | 'native';

/** Returns why a redirect URI cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string, applicationType: ApplicationType): string | undefined {
  if (uri.length > 2000) return 'is longer than 2000 characters';
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    // The URL constructor's one refusal: not a URL it can parse.
    if (!(err instanceof TypeError)) throw err;
    return 'is not an absolute URI';
  }
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 section 3.1.2)';
  if (uri.includes('*')) return 'must not contain a wildcard';
  if (/[\s<>"]/.test(uri)) return 'contains characters that are not allowed in a URI';
  if (url.username || url.password) return 'must not contain user credentials';
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return undefined;
  if (scheme === 'http') {
    return isLoopbackRedirectHost(url.hostname) ? undefined : 'must use https unless the host is a loopback address';
  }
  if (['javascript', 'data', 'file', 'vbscript', 'blob', 'about'].includes(scheme)) return `must not use the ${scheme}: scheme`;
  // RFC 8252 section 7.1: private-use schemes (reverse domain names) for native apps only.
  if (applicationType === 'native' && scheme.includes('.')) return undefined;
  return applicationType === 'native'
    ? 'must use https, a loopback http address, or a private-use scheme such as com.example.app:'
    : 'must use https (or http on a loopback address)';
}

/** The registered URI the request's redirect_uri matches, or undefined. */
export function matchRedirectUri(
  requested: string,
  registered: readonly string[],
  applicationType: ApplicationType,
): string | undefined {
  if (registered.includes(requested)) return requested;
  if (applicationType !== 'native') return undefined;
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return undefined;
  }
  if (asked.protocol !== 'http:' || !isLoopbackIpLiteral(asked.hostname)) return undefined;
  return registered.find((uri) => {
    const candidate = new URL(uri);
    return (
      candidate.protocol === 'http:' &&
      candidate.hostname === asked.hostname &&
      candidate.pathname === asked.pathname &&
      candidate.search === asked.search
    );
  })
    ? requested
    : undefined;
}
