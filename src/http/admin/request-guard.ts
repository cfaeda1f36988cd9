/**
 * The admin port trusts no browser page. A page on any site can make the operator's browser
 * send requests to http://127.0.0.1:4445 (a form, an image, a no-cors fetch) and, through DNS
 * rebinding, even read the answers under its own name. Three checks, before any route runs:
 *
 * - Host: only the listener's own names and addresses (localhost, loopback, the address it
 *   is bound to, the machine's own addresses when bound to all of them, ADMIN_HOSTS). A
 *   rebinding page sends its own name, which is none of these.
 * - Cross-site: a request a browser marks as sent by another site (`Sec-Fetch-Site:
 *   cross-site` or `same-site`, which is another port of localhost too) or whose `Origin` is
 *   not the admin port's own is refused. Requests without either come from no browser page
 *   (curl, the CLI, `@ory/client` in a server) and pass.
 * - Bodies: the API takes JSON only (server.ts): a cross-site form can send
 *   x-www-form-urlencoded, multipart or text/plain without asking, never JSON. RFC 7662
 *   introspection and the console's own forms keep their form bodies, behind the checks above.
 *
 * Then the admin token (ADMIN_TOKEN or the generated one), which no page has.
 */
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { matchesSecret } from '../../crypto/tokens.js';
import { OAuthError } from '../../oauth/errors.js';

export interface AdminHostsOptions {
  /** ADMIN_HOST: the address (or name) the listener is bound to. */
  bindHost: string;
  /** ADMIN_HOSTS: further names the operator reaches it by (a proxy's, a scraper's). */
  extraHosts: readonly string[];
}

export interface AdminGuardOptions extends AdminHostsOptions {
  /** The bearer token every request must carry; undefined only for ADMIN_TOKEN=none. */
  token?: string | undefined;
  /** Requests that need no token (health checks; the console, which has its own sign-in). */
  tokenExempt?: (request: FastifyRequest) => boolean;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** `Host` without its port, lower-cased, IPv6 without brackets; undefined when malformed. */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return isIP(bracketed[1] as string) === 6 ? bracketed[1] : undefined;
  const plain = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(value);
  return plain ? (plain[1] as string).replace(/\.$/, '') : undefined;
}

const isLoopback = (address: string): boolean =>
  address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || /^::ffff:127\./.test(address);

/** The addresses of this machine's interfaces, read again at most every ten seconds (they change: DHCP, containers). */
function machineAddresses(): () => Set<string> {
  let read = 0;
  let addresses = new Set<string>();
  return () => {
    const now = Date.now();
    if (now - read > 10_000) {
      addresses = new Set(
        Object.values(networkInterfaces())
          .flat()
          .map((i) => i?.address.toLowerCase().replace(/%.*$/, ''))
          .filter((a): a is string => a !== undefined),
      );
      read = now;
    }
    return addresses;
  };
}

/** Whether a `Host` names this admin listener: the test against DNS rebinding. */
export function adminHostMatcher(options: AdminHostsOptions): (host: string) => boolean {
  const bind = options.bindHost
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  const wildcard = WILDCARDS.has(bind);
  const names = new Set(options.extraHosts.map((h) => h.trim().toLowerCase().replace(/\.$/, '')));
  if (!wildcard && !isIP(bind)) names.add(bind);
  // A machine's own name resolves to itself: a page cannot borrow it for its own server.
  if (wildcard || (isIP(bind) && !isLoopback(bind))) names.add(hostname().toLowerCase());
  const ownAddresses = machineAddresses();
  return (host) => {
    if (host === 'localhost') return true;
    if (names.has(host)) return true;
    if (!isIP(host)) return false;
    if (isLoopback(host) || host === bind) return true;
    return wildcard && ownAddresses().has(host);
  };
}

/** Which site sent it, by the browser's own word; undefined when no browser page did. */
function crossSiteProblem(request: FastifyRequest, host: string | undefined): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `it was sent by a page of another site (Sec-Fetch-Site: ${site})`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  // The console's pages send no referrer, so their own form posts say `Origin: null`; a
  // browser vouches for them with Sec-Fetch-Site, which no page can set. Any other null
  // origin (a sandboxed frame, a data: URL) is refused.
  if (origin === 'null') return site === 'same-origin' ? undefined : 'it was sent by a page of an opaque origin';
  let sender: URL;
  try {
    sender = new URL(origin);
  } catch (err) {
    if (err instanceof TypeError) return 'it was sent with a malformed Origin';
    throw err;
  }
  if (hostOf(sender.host) !== host) return 'it was sent by a page of another origin';
  // Same host, another port (another local service's page) is another origin too.
  const senderPort = sender.port || (sender.protocol === 'https:' ? '443' : '80');
  const ownPort = /:(\d{1,5})$/.exec(request.headers.host ?? '')?.[1] ?? senderPort;
  return senderPort === ownPort ? undefined : 'it was sent by a page of another origin';
}

/**
 * Refuses, before any handler, what a browser page could send to the admin port: 421 for a
 * foreign Host (RFC 9110 15.5.20), 403 for another site. Both as RFC 6749's invalid_request,
 * since RFC 7662 introspection answers here too.
 */
export function installAdminRequestGuard(app: FastifyInstance, options: AdminGuardOptions): void {
  const isAdminHost = adminHostMatcher(options);
  // One hook for all three checks: every request pays for each hook it passes.
  const isToken = options.token === undefined ? undefined : matchesSecret(options.token);
  const exempt = options.tokenExempt ?? (() => false);
  app.addHook('onRequest', (request, reply, done) => {
    const host = hostOf(request.headers.host);
    if (host === undefined || !isAdminHost(host)) {
      return done(
        new OAuthError(
          'invalid_request',
          'The admin port answers only to its own host names: localhost, its addresses and ADMIN_HOSTS.',
          { status: 421, debug: `Host: ${String(request.headers.host).slice(0, 100)}` },
        ),
      );
    }
    const crossSite = crossSiteProblem(request, host);
    if (crossSite) {
      return done(
        new OAuthError(
          'invalid_request',
          'The admin port refuses requests from web pages other than its own console. Open the console at its own address instead.',
          { status: 403, debug: crossSite },
        ),
      );
    }
    if (isToken !== undefined && !exempt(request)) {
      const presented = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!presented || !isToken(presented)) {
        reply.header('WWW-Authenticate', 'Bearer realm="gatehouse-admin"');
        return done(new OAuthError('unauthorized', 'The admin API needs the admin token as a bearer token.'));
      }
    }
    done();
  });
}
