/**
 * Loopback hosts, by two rules kept apart on purpose. Both take a URL's `hostname` as the WHATWG
 * parser leaves it (IPv6 in brackets, IPv4 shorthand such as `127.1` already spelled out).
 */

/**
 * RFC 8252 section 7.3: a native app's loopback redirect URI names the loopback IP literal,
 * `127.0.0.1` or `[::1]`, and only those may vary their port at the authorization endpoint.
 */
export const isLoopbackIpLiteral = (hostname: string): boolean => hostname === '127.0.0.1' || hostname === '[::1]';

/**
 * Where a redirect URI may use plain http: a loopback IP literal, or `localhost`, which RFC 8252
 * section 8.3 discourages (it may resolve elsewhere) but does not forbid.
 */
export const isLoopbackRedirectHost = (hostname: string): boolean => isLoopbackIpLiteral(hostname) || hostname === 'localhost';

/**
 * This machine, as a host Gatehouse itself connects to (a test upstream over plain http):
 * `localhost`, `[::1]` or any address of 127.0.0.0/8, all of which stay on the machine.
 */
export const isLocalMachineHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
