import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type TestGatehouse } from '../../../test/support/harness.js';
import { buttonFiles } from '../../ui/button/files.js';
import { svgFiles } from '../../ui/button/svg.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse();
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.publicApp.inject({ method: 'GET', url, headers });
const version = (name: string) => buttonFiles().get(name)?.version as string;

describe('the sign-in button files under /ui/button/', () => {
  it('serves the element as a JavaScript module that any origin may load, cached for a day with an ETag', async () => {
    const response = await get('/ui/button/gatehouse-signin.js', { origin: 'https://app.example' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(response.headers['cache-control']).toBe('public, max-age=86400');
    expect(response.headers.etag).toBe(`"${version('gatehouse-signin.js')}"`);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toContain("customElements.define('gatehouse-signin', GatehouseSignin)");
  });

  it('serves the stylesheet as CSS and every SVG as an image that may run nothing', async () => {
    const css = await get('/ui/button/gatehouse-signin.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['access-control-allow-origin']).toBe('*');
    expect(css.body).toContain('.gatehouse-signin--dark');

    const names = svgFiles().map((file) => file.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'gatehouse-mark.svg',
        'gatehouse-signin-light.svg',
        'gatehouse-signin-dark.svg',
        'gatehouse-icon-neutral.svg',
      ]),
    );
    for (const name of names) {
      const svg = await get(`/ui/button/${name}`);
      expect(svg.statusCode, name).toBe(200);
      expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(svg.headers['content-security-policy']).toBe("default-src 'none'");
      expect(svg.headers['access-control-allow-origin']).toBe('*');
      expect(svg.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
    }
  });

  it('answers a matching If-None-Match with 304 and no body, and a changed one with the file', async () => {
    const etag = `"${version('gatehouse-signin.css')}"`;
    const same = await get('/ui/button/gatehouse-signin.css', { 'if-none-match': etag });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    expect(same.headers.etag).toBe(etag);
    expect(same.headers['cache-control']).toBe('public, max-age=86400');
    // A list, with a weak tag: browsers and proxies send both.
    const listed = await get('/ui/button/gatehouse-signin.css', { 'if-none-match': `"old", W/${etag}` });
    expect(listed.statusCode).toBe(304);
    const changed = await get('/ui/button/gatehouse-signin.css', { 'if-none-match': '"something-else"' });
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toContain('.gatehouse-signin');
  });

  it('caches a URL that names the content hash for a year, immutably, and a stale version only for a day', async () => {
    const current = await get(`/ui/button/gatehouse-signin.js?v=${version('gatehouse-signin.js')}`);
    expect(current.statusCode).toBe(200);
    expect(current.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const stale = await get('/ui/button/gatehouse-signin.js?v=0000000000000000');
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['cache-control']).toBe('public, max-age=86400');
    const repeated = await get('/ui/button/gatehouse-signin.js?v=a&v=b');
    expect(repeated.statusCode).toBe(200);
    expect(repeated.headers['cache-control']).toBe('public, max-age=86400');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await t.publicApp.inject({ method: 'HEAD', url: '/ui/button/gatehouse-mark.svg' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.body).toBe('');
  });

  it('refuses files that are not the button’s with a 404, never another directory', async () => {
    for (const url of [
      '/ui/button/nope.svg',
      '/ui/button/svg.ts',
      '/ui/button/files.js',
      '/ui/button/..%2Fassets%2Fapp.css',
      '/ui/button/%2e%2e%2f%2e%2e%2fpackage.json',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error, url).toBe('not_found');
    }
  });

  it('sends the cross-origin headers on the button files only', async () => {
    for (const url of [
      '/ui/assets/app.css',
      '/ui/brand',
      '/ui/login',
      '/.well-known/openid-configuration',
      '/ui/button/nope.js',
    ]) {
      const response = await get(url, { origin: 'https://app.example' });
      expect(response.headers['access-control-allow-origin'], url).toBeUndefined();
      expect(response.headers['cross-origin-resource-policy'], url).toBeUndefined();
    }
  });
});

describe('the brand guidelines page at /ui/brand', () => {
  it('renders under the strict page policy, loads the element from this origin and shows every variant and size', async () => {
    const response = await get('/ui/brand');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['cache-control']).toBe('no-store');
    const page = response.body;
    expect(page).toContain(
      `<script src="/ui/button/gatehouse-signin.js?v=${version('gatehouse-signin.js')}" type="module" defer></script>`,
    );
    expect(page).toContain('<link rel="stylesheet" href="/ui/button/gatehouse-signin.css">');
    for (const variant of ['light', 'dark', 'neutral']) {
      for (const size of ['small', 'medium', 'large']) {
        // Once on the light ground and once on the dark one.
        const specimen = `<gatehouse-signin variant="${variant}" size="${size}" shape="rect">`;
        expect(page.split(specimen).length - 1, specimen).toBeGreaterThanOrEqual(2);
      }
      expect(page).toContain(`<gatehouse-signin variant="${variant}" size="medium" shape="pill">`);
      expect(page).toContain(`<gatehouse-signin variant="${variant}" size="medium" shape="rect" icon-only>`);
      expect(page).toContain(`<gatehouse-signin variant="${variant}" size="medium" shape="pill" icon-only>`);
    }
    expect(page).toContain('Do’s and don’ts');
    expect(page).toContain('class="brand-panel brand-on-dark"');
  });

  it('gives the snippet with this server’s absolute URLs, escaped as text', async () => {
    const page = (await get('/ui/brand')).body;
    expect(page).toContain(
      `&lt;script type=&quot;module&quot; src=&quot;${t.issuer}/ui/button/gatehouse-signin.js&quot;&gt;&lt;/script&gt;`,
    );
    expect(page).toContain(`&lt;link rel=&quot;stylesheet&quot; href=&quot;${t.issuer}/ui/button/gatehouse-signin.css&quot;&gt;`);
    expect(page).toContain('&lt;gatehouse-signin href=&quot;/login&quot;&gt;');
    expect(page).toContain(
      '&lt;a class=&quot;gatehouse-signin&quot; href=&quot;/login&quot;&gt;Sign in with Gatehouse&lt;/a&gt;',
    );
  });

  it('links every SVG for download, and each link answers', async () => {
    const page = (await get('/ui/brand')).body;
    const links = [...page.matchAll(/<a href="(\/ui\/button\/[^"]+\.svg)" download>/g)].map((m) => m[1] as string);
    expect(links).toHaveLength(svgFiles().length);
    for (const link of links) expect((await get(link)).statusCode, link).toBe(200);
  });

  it('builds the snippet for the button chosen in its form', async () => {
    const query = new URLSearchParams({
      variant: 'dark',
      size: 'large',
      shape: 'pill',
      label: 'Continue with Gatehouse',
      href: 'https://app.example/auth/start?next=/home&x=1',
      'icon-only': 'on',
    });
    const response = await get(`/ui/brand?${query}`);
    expect(response.statusCode).toBe(200);
    const page = response.body;
    expect(page).toContain('<option value="dark" selected>Dark</option>');
    expect(page).toContain('<option value="large" selected>Large</option>');
    expect(page).toContain('<input type="checkbox" name="icon-only" value="on" checked>');
    expect(page).toContain(
      '&lt;gatehouse-signin href=&quot;https://app.example/auth/start?next=/home&amp;amp;x=1&quot; variant=&quot;dark&quot; size=&quot;large&quot; shape=&quot;pill&quot; icon-only label=&quot;Continue with Gatehouse&quot;&gt;',
    );
    expect(page).toContain(
      '&lt;a class=&quot;gatehouse-signin gatehouse-signin--dark gatehouse-signin--large gatehouse-signin--pill gatehouse-signin--icon&quot; href=&quot;https://app.example/auth/start?next=/home&amp;amp;x=1&quot; aria-label=&quot;Continue with Gatehouse&quot;&gt;&lt;/a&gt;',
    );
    // The preview is the element as chosen (a button: it goes nowhere on this page).
    expect(page).toContain(
      '<gatehouse-signin variant="dark" size="large" shape="pill" icon-only label="Continue with Gatehouse">',
    );
  });

  it('refuses an address that is not a web address, says why, and keeps what was typed, escaped', async () => {
    for (const href of ['javascript:alert(1)', '//evil.example/login', '/\\evil.example', '"><script>alert(1)</script>']) {
      const response = await get(`/ui/brand?${new URLSearchParams({ href, variant: 'dark' })}`);
      expect(response.statusCode, href).toBe(400);
      const page = response.body;
      expect(page).toContain('aria-invalid="true" aria-describedby="b-href-error"');
      expect(page).toMatch(/<p class="field-error" id="b-href-error">[^<]+<\/p>/);
      expect(page).not.toContain('<script>alert(1)</script>');
      expect(page).not.toContain('href=&quot;javascript:');
      // The snippet falls back to the default address, with the rest of the choice kept.
      expect(page, href).toContain('&lt;gatehouse-signin href=&quot;/login&quot; variant=&quot;dark&quot;&gt;');
    }
    const escaped = (await get(`/ui/brand?${new URLSearchParams({ href: '"><script>alert(1)</script>' })}`)).body;
    expect(escaped).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('takes values the form cannot send as the defaults, and a repeated parameter as a readable error page', async () => {
    const odd = await get('/ui/brand?variant=purple&size=huge&shape=circle&label=Login+via+GH&icon-only=yes');
    expect(odd.statusCode).toBe(200);
    expect(odd.body).toContain('&lt;gatehouse-signin href=&quot;/login&quot;&gt;');
    expect(odd.body).not.toContain('Login via GH&lt;');

    const repeated = await get('/ui/brand?variant=dark&variant=light');
    expect(repeated.statusCode).toBe(400);
    expect(repeated.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(repeated.body).toContain('must not be included more than once');
  });
});
