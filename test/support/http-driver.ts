/**
 * A browser and an operator over real HTTP, for the drivers that run whole flows against a
 * separate process (the bench's load child, the reliability runs): a cookie jar that follows
 * one redirect at a time, the admin API's accept calls, and RFC 6749 2.3.1 Basic credentials.
 */

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  // Paths and domains are ignored on purpose: one loopback host, and the names never collide.
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  /** GETs `url` with the jar's cookies and keeps what it sets; returns where it redirects. */
  async redirect(url: string): Promise<URL> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
    this.take(response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) {
      throw new Error(`${url}: expected a redirect, got ${response.status} ${await response.text()}`);
    }
    return new URL(location, url);
  }
}

/** A Hydra-style accept on the admin API; returns the `redirect_to` the browser goes to next. */
export async function adminAccept(adminUrl: string, path: string, body: unknown): Promise<string> {
  const response = await fetch(`${adminUrl}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { redirect_to: string }).redirect_to;
}

/** RFC 6749 2.3.1: the id and secret are form-urlencoded before base64. */
export const basicAuthorization = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
