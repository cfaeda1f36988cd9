/**
 * A browser and an operator over real HTTP, for the drivers that run whole flows against a
 * separate process (the bench's load child, the reliability runs): a cookie jar that follows
 * one redirect at a time, the admin API's accept calls, and RFC 6749 2.3.1 Basic credentials.
 *
 * Requests go through node:http on a keep-alive agent rather than fetch: a flow is six
 * requests, and fetch's streams and header objects cost the load generator about 0.4 ms of
 * CPU each more (measured: 728 against 290 µs a request, a trivial server included), more
 * than the server it drives spends on most of them. On a machine of two
 * vCPUs that CPU is taken from the servers under test.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';

const agent = new Agent({ keepAlive: true });

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP/1.1 request to a plain-http (loopback) URL; the whole body is read as text.
 * `newConnection`: on a connection of its own, closed after (a cluster hands each new
 * connection to its next worker).
 */
export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; newConnection?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:') throw new Error(`send: plain http only, not ${target.protocol}`);
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const req = request(
      {
        agent: init.newConnection ? false : agent,
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: init.method ?? 'GET',
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  // Paths and domains are ignored on purpose: one loopback host, and the names never collide.
  take(setCookie: readonly string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  /** GETs `url` with the jar's cookies and keeps what it sets; returns where it redirects. */
  async redirect(url: string): Promise<URL> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await send(url, { headers: cookie ? { cookie } : {} });
    this.take(response.headers['set-cookie']);
    const location = response.headers.location;
    if (response.status < 300 || response.status > 399 || !location) {
      throw new Error(`${url}: expected a redirect, got ${response.status} ${response.body}`);
    }
    return new URL(location, url);
  }
}

/** A Hydra-style accept on the admin API; returns the `redirect_to` the browser goes to next. */
/**
 * The ADMIN_TOKEN of the servers that the reliability suite and the benchmarks start as child
 * processes, as an operator sets it, and the header their admin calls carry.
 */
export const SPAWNED_ADMIN_TOKEN = 'spawned-server-admin-token-0123456789abcdef';
export const adminAuthorization = { authorization: `Bearer ${SPAWNED_ADMIN_TOKEN}` } as const;

export async function adminAccept(adminUrl: string, path: string, body: unknown): Promise<string> {
  const response = await send(`${adminUrl}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...adminAuthorization },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${response.body}`);
  return (JSON.parse(response.body) as { redirect_to: string }).redirect_to;
}

/** RFC 6749 2.3.1: the id and secret are form-urlencoded before base64. */
export const basicAuthorization = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
