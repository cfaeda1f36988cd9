/// <reference lib="dom" />
/**
 * The "Sign in with Gatehouse" button in Chromium, as a relying party uses it: a page on
 * another origin (a small local server, with its own Content-Security-Policy) loads the
 * element from Gatehouse. Then the brand page, which must run under Gatehouse's strict CSP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

let browser: Browser;
let t: TestGatehouse;
let rp: { url: string; server: Server };

/** The relying party's page: the snippet from the brand page, under the policy it documents. */
function relyingPartyPage(issuer: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard</title>
<script type="module" src="${issuer}/ui/button/gatehouse-signin.js"></script>
<link rel="stylesheet" href="${issuer}/ui/button/gatehouse-signin.css">
</head><body>
<gatehouse-signin id="main" href="/login"><a class="gatehouse-signin" href="/login">Sign in with Gatehouse</a></gatehouse-signin>
<gatehouse-signin id="icon" href="/login" icon-only variant="dark"><a class="gatehouse-signin gatehouse-signin--dark gatehouse-signin--icon" href="/login" aria-label="Sign in with Gatehouse"></a></gatehouse-signin>
<gatehouse-signin id="changing" href="/login"></gatehouse-signin>
<p><a id="plain" class="gatehouse-signin gatehouse-signin--neutral gatehouse-signin--large" href="/login">Sign in with Gatehouse</a></p>
</body></html>`;
}

async function startRelyingParty(issuer: string) {
  const server = createServer((request, response) => {
    if (request.url === '/login') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>Login</title><h1>Relying party login</h1>');
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'self' ${issuer}; style-src 'self' ${issuer}; img-src 'self' ${issuer}`,
    });
    response.end(relyingPartyPage(issuer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // "localhost" rather than 127.0.0.1: another host as well as another port.
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, server };
}

beforeAll(async () => {
  browser = await launchChromium();
  t = await startGatehouse({ listen: true });
  rp = await startRelyingParty(t.issuer);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await new Promise<void>((resolve) => (rp ? rp.server.close(() => resolve()) : resolve()));
});

/** CSP violations and script errors, as the browser reports them. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

/** Waits until every element on the page shows its own control (styles loaded). */
async function upgraded(page: Page) {
  await page.waitForFunction(() => {
    const elements = Array.from(document.querySelectorAll('gatehouse-signin'));
    return elements.length > 0 && elements.every((el) => el.shadowRoot?.querySelector('.gatehouse-signin:not([hidden])'));
  });
}

async function openRelyingParty(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems = watch(page);
  await page.goto(rp.url);
  await upgraded(page);
  return { page, problems };
}

describe('the element on a relying party’s page', () => {
  it('upgrades into a real link named “Sign in with Gatehouse” that goes to its href, the fallback hidden', async () => {
    const { page, problems } = await openRelyingParty();
    const link = page.locator('#main').getByRole('link', { name: 'Sign in with Gatehouse', exact: true });
    await expect(link.count()).resolves.toBe(1);
    await expect(link.evaluate((a: HTMLAnchorElement) => a.getRootNode() instanceof ShadowRoot)).resolves.toBe(true);
    await expect(link.evaluate((a: HTMLAnchorElement) => a.href)).resolves.toBe(`${rp.url}/login`);
    // The light-DOM fallback is no longer on screen (and no longer in the accessibility tree).
    // (Playwright's CSS selectors pierce the shadow root, so ask the light DOM child itself.)
    await expect(page.locator('#main').evaluate((el) => el.querySelector(':scope > a')?.checkVisibility())).resolves.toBe(false);
    const box = await link.boundingBox();
    expect(box?.height).toBe(44);
    expect(box?.width).toBeGreaterThan(150);
    const mark = await link.evaluate((a) => {
      const svg = a.querySelector('svg') as SVGElement;
      return { hidden: svg.getAttribute('aria-hidden'), width: svg.getBoundingClientRect().width };
    });
    expect(mark).toEqual({ hidden: 'true', width: 20 });
    expect(problems).toEqual([]);

    await link.click();
    await page.waitForURL(`${rp.url}/login`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Relying party login');
    await page.close();
  });

  it('shows a focus ring when reached with the keyboard, and none otherwise', async () => {
    const { page } = await openRelyingParty();
    const outline = () =>
      page
        .locator('#main')
        .getByRole('link')
        .evaluate((a) => {
          const style = getComputedStyle(a);
          return { style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor, offset: style.outlineOffset };
        });
    await expect(outline()).resolves.toMatchObject({ style: 'none' });
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const host = document.activeElement;
      return { host: host?.id, inner: host?.shadowRoot?.activeElement?.tagName };
    });
    expect(focused).toEqual({ host: 'main', inner: 'A' });
    await expect(outline()).resolves.toEqual({ style: 'solid', width: '3px', color: 'rgb(59, 91, 219)', offset: '2px' });
    await page.close();
  });

  it('keeps the accessible name of an icon-only button in aria-label, on a square target', async () => {
    const { page } = await openRelyingParty();
    const link = page.locator('#icon').getByRole('link', { name: 'Sign in with Gatehouse', exact: true });
    await expect(link.count()).resolves.toBe(1);
    await expect(link.getAttribute('aria-label')).resolves.toBe('Sign in with Gatehouse');
    await expect(link.evaluate((a) => a.textContent)).resolves.toBe('');
    const box = await link.boundingBox();
    expect(box?.width).toBe(44);
    expect(box?.height).toBe(44);
    await expect(link.evaluate((a) => getComputedStyle(a).backgroundColor)).resolves.toBe('rgb(27, 31, 36)');
    await page.close();
  });

  it('re-renders when an attribute changes, keeps focus, and becomes an event-firing button without href', async () => {
    const { page, problems } = await openRelyingParty();
    const host = page.locator('#changing');
    const control = () =>
      host.evaluate((el) => {
        const c = el.shadowRoot?.querySelector('.gatehouse-signin:not([hidden])') as HTMLElement;
        return {
          tag: c.tagName,
          text: c.textContent,
          classes: c.className,
          background: getComputedStyle(c).backgroundColor,
          height: c.getBoundingClientRect().height,
          radius: getComputedStyle(c).borderTopLeftRadius,
        };
      });
    await expect(control()).resolves.toMatchObject({ tag: 'A', background: 'rgb(255, 255, 255)', height: 44, radius: '8px' });

    await host.evaluate((el) => {
      el.shadowRoot?.querySelector<HTMLElement>('a')?.focus();
      el.setAttribute('variant', 'dark');
      el.setAttribute('size', 'large');
      el.setAttribute('shape', 'pill');
      el.setAttribute('label', 'Continue with Gatehouse');
    });
    await expect(control()).resolves.toMatchObject({
      tag: 'A',
      text: 'Continue with Gatehouse',
      background: 'rgb(27, 31, 36)',
      height: 52,
      radius: '26px',
    });
    await expect(host.getByRole('link', { name: 'Continue with Gatehouse' }).count()).resolves.toBe(1);
    await expect(page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)).resolves.toBe(
      'Continue with Gatehouse',
    );

    // Without href: a <button> that tells the page, which starts the sign-in itself.
    await host.evaluate((el) => {
      el.removeAttribute('href');
      (window as unknown as { signins: number }).signins = 0;
      document.addEventListener('gatehouse-signin', () => {
        (window as unknown as { signins: number }).signins++;
      });
    });
    const button = host.getByRole('button', { name: 'Continue with Gatehouse' });
    await button.click();
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => (window as unknown as { signins: number }).signins)).resolves.toBe(2);

    // A script address is not a link: the element stays a button (and says why in the console).
    await host.evaluate((el) => el.setAttribute('href', 'javascript:alert(1)'));
    await expect(control()).resolves.toMatchObject({ tag: 'BUTTON' });
    await host.evaluate((el) => el.setAttribute('href', '/login'));
    await expect(control()).resolves.toMatchObject({ tag: 'A' });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('drops its transition for people who ask for reduced motion', async () => {
    const page = await browser.newPage({ reducedMotion: 'reduce' });
    await page.goto(rp.url);
    await upgraded(page);
    const duration = () =>
      page
        .locator('#main')
        .getByRole('link')
        .evaluate((a) => getComputedStyle(a).transitionDuration);
    await expect(duration()).resolves.toBe('0s');
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    await expect(duration()).resolves.toBe('0.15s, 0.15s');
    await page.close();
  });

  it('keeps a visible edge and ring in forced colours (high contrast)', async () => {
    const page = await browser.newPage({ forcedColors: 'active' });
    await page.goto(rp.url);
    await upgraded(page);
    const link = page.locator('#main').getByRole('link');
    await expect(link.evaluate((a) => getComputedStyle(a).borderTopStyle)).resolves.toBe('solid');
    await page.keyboard.press('Tab');
    await expect(link.evaluate((a) => getComputedStyle(a).outlineStyle)).resolves.toBe('solid');
    await page.close();
  });
});

describe('without JavaScript', () => {
  it('shows the fallback link as the styled button, and it works', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(rp.url);
    const fallback = page.locator('#main > a.gatehouse-signin');
    await expect(fallback.isVisible()).resolves.toBe(true);
    await page.waitForFunction(() => {
      const a = document.querySelector('#main > a') as HTMLElement;
      return getComputedStyle(a).height === '44px';
    });
    const style = await fallback.evaluate((a) => {
      const s = getComputedStyle(a);
      const mark = getComputedStyle(a, '::before');
      return { display: s.display, border: s.borderTopStyle, mark: mark.width, mask: mark.maskImage };
    });
    expect(style).toMatchObject({ display: 'inline-flex', border: 'solid', mark: '20px' });
    expect(style.mask).toContain('/ui/button/gatehouse-mark.svg');
    // The plain link, never inside an element, is the same button.
    await expect(page.locator('#plain').evaluate((a) => getComputedStyle(a).height)).resolves.toBe('52px');
    // Nothing upgraded: the element is still undefined.
    await expect(page.locator('#main').evaluate((el) => el.shadowRoot)).resolves.toBeNull();

    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).first().click();
    await page.waitForURL(`${rp.url}/login`);
    await context.close();
  });
});

describe('the brand page', () => {
  it('renders every variant, size, shape and the icon-only button under the strict CSP, with no violation', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = watch(page);
    await page.goto(`${t.issuer}/ui/brand`);
    await upgraded(page);
    const rendered = await page.evaluate(() =>
      Array.from(document.querySelectorAll('gatehouse-signin')).map((el) => {
        const c = el.shadowRoot?.querySelector('.gatehouse-signin:not([hidden])') as HTMLElement;
        return { classes: c.className, ground: el.closest('figure')?.className ?? '', height: c.getBoundingClientRect().height };
      }),
    );
    for (const ground of ['brand-on-light', 'brand-on-dark']) {
      for (const variant of ['light', 'dark', 'neutral']) {
        for (const [size, height] of [
          ['small', 36],
          ['medium', 44],
          ['large', 52],
        ] as const) {
          const found = rendered.filter(
            (r) =>
              r.ground.includes(ground) &&
              r.classes === `gatehouse-signin gatehouse-signin--${variant} gatehouse-signin--${size} gatehouse-signin--rect`,
          );
          expect(found, `${ground} ${variant} ${size}`).toHaveLength(1);
          expect(found[0]?.height).toBe(height);
        }
        for (const extra of ['--pill', '--rect gatehouse-signin--icon', '--pill gatehouse-signin--icon']) {
          const classes = `gatehouse-signin gatehouse-signin--${variant} gatehouse-signin--medium gatehouse-signin${extra}`;
          expect(
            rendered.filter((r) => r.ground.includes(ground) && r.classes === classes),
            `${ground} ${classes}`,
          ).toHaveLength(1);
        }
      }
    }
    // The SVG downloads are images the browser can draw.
    const images = await page
      .locator('.brand-downloads img')
      .evaluateAll((imgs) => (imgs as HTMLImageElement[]).map((img) => ({ src: img.src, width: img.naturalWidth })));
    expect(images.length).toBe(14);
    for (const image of images) expect(image.width, image.src).toBeGreaterThan(0);
    // The specimens are pictures (inert: no focus stop, no click); the live preview is the one to try.
    const focusable = await page.evaluate(() =>
      Array.from(document.querySelectorAll('gatehouse-signin')).filter((el) => {
        el.shadowRoot?.querySelector<HTMLElement>('.gatehouse-signin')?.focus();
        return document.activeElement === el;
      }),
    );
    expect(focusable).toHaveLength(1);
    await expect(page.locator('.brand-preview gatehouse-signin').evaluate((el) => document.activeElement === el)).resolves.toBe(
      true,
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it('updates the snippet from its form without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${t.issuer}/ui/brand`);
    await page.getByLabel('Colour', { exact: true }).selectOption('dark');
    await page.getByLabel('Size', { exact: true }).selectOption('large');
    await page.getByLabel('Sign-in address on your site').fill('/auth/gatehouse');
    await page.getByRole('button', { name: 'Update the snippet' }).click();
    await page.waitForURL(/variant=dark/);
    const snippet = await page.locator('pre.brand-code').first().textContent();
    expect(snippet).toContain(`<script type="module" src="${t.issuer}/ui/button/gatehouse-signin.js"></script>`);
    expect(snippet).toContain('<gatehouse-signin href="/auth/gatehouse" variant="dark" size="large">');
    await context.close();
  });
});
