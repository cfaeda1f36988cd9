import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { html } from '../html.js';
import { layout } from '../layout.js';
import { buttonFiles } from './files.js';
import { DEFAULT_CHOICE, hrefError, readChoice, snippets } from './snippet.js';
import { buttonSvg, MARK_PATHS, markSvg, PALETTE, svgFiles, VARIANTS } from './svg.js';

const css = readFileSync(new URL('gatehouse-signin.css', import.meta.url), 'utf8');
const js = readFileSync(new URL('gatehouse-signin.js', import.meta.url), 'utf8');

/** The declarations of the first rule whose selector is exactly `selector`. */
function rule(selector: string): string {
  const start = css.indexOf(`\n${selector} {`);
  expect(start, selector).toBeGreaterThan(-1);
  return css.slice(start, css.indexOf('}', start));
}

describe('the button’s one design, in CSS, JavaScript and SVG', () => {
  it('draws the same mark as the page logo everywhere', async () => {
    const page = layout({ title: 'x', body: html`` });
    for (const d of MARK_PATHS) {
      expect(page).toContain(`<path d="${d}"/>`);
      expect(js).toContain(`'${d}'`);
      expect(markSvg()).toContain(`<path d="${d}"/>`);
    }
  });

  it('uses the stylesheet’s colours in the SVG files', () => {
    const blocks = {
      light: rule('.gatehouse-signin'),
      dark: rule('.gatehouse-signin--dark'),
      neutral: rule('.gatehouse-signin--neutral'),
    };
    for (const variant of VARIANTS) {
      const colours = PALETTE[variant];
      expect(blocks[variant], variant).toContain(`--_gs-bg: ${colours.background};`);
      expect(blocks[variant], variant).toContain(`--_gs-fg: ${colours.text};`);
      expect(blocks[variant], variant).toContain(`--_gs-border: ${colours.border};`);
      expect(blocks[variant], variant).toContain(`--_gs-mark: ${colours.mark};`);
      const svg = buttonSvg(variant);
      expect(svg).toContain(`fill="${colours.background}" stroke="${colours.border}"`);
      expect(svg).toContain(`fill="${colours.text}">Sign in with Gatehouse</text>`);
    }
  });

  it('has medium at the 44 px touch target, and an icon-only button as wide as it is high', () => {
    expect(rule('.gatehouse-signin')).toContain('--_gs-height: 44px;');
    expect(rule('.gatehouse-signin--icon')).toContain('width: var(--_gs-height);');
    expect(buttonSvg('light', { iconOnly: true })).toContain('width="44" height="44"');
    expect(buttonSvg('dark', { shape: 'pill' })).toContain('rx="21.5"');
  });

  it('turns transitions off for reduced motion and keeps a ring and edge in forced colours', () => {
    expect(css).toMatch(/@media \(prefers-reduced-motion: reduce\) \{\s+\.gatehouse-signin \{\s+transition: none;/);
    expect(css).toMatch(/@media \(forced-colors: active\) \{[\s\S]*outline-color: Highlight;/);
  });

  it('names the stylesheet and the mask image the server has', () => {
    const files = buttonFiles();
    expect(js).toContain("new URL('gatehouse-signin.css', import.meta.url)");
    expect(files.has('gatehouse-signin.css')).toBe(true);
    expect(css).toContain('url("gatehouse-mark.svg")');
    expect(files.has('gatehouse-mark.svg')).toBe(true);
  });

  it('gives each SVG a title and a distinct name', () => {
    const files = svgFiles();
    expect(new Set(files.map((f) => f.name)).size).toBe(files.length);
    expect(files).toHaveLength(2 + 3 * 2 * 2);
    for (const file of files) {
      expect(file.body).toMatch(/<title>(Gatehouse|Sign in with Gatehouse)<\/title>/);
      expect(file.body.endsWith('</svg>\n')).toBe(true);
    }
  });
});

describe('the brand page’s snippet builder', () => {
  it('accepts a path on the site or a web address, and nothing that could leave it or run script', () => {
    for (const ok of ['/login', '/auth/start?next=/home', 'https://app.example/login', 'http://localhost:3000/login']) {
      expect(hrefError(ok), ok).toBeUndefined();
    }
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,x',
      '//evil.example',
      '/\\evil.example',
      'login',
      '/a b',
      '/"onmouseover="x',
      `/${'a'.repeat(500)}`,
    ]) {
      expect(hrefError(bad), bad).toBeTypeOf('string');
    }
  });

  it('reads the form’s choice, falling back to the defaults for values the form cannot send', () => {
    const params = (values: Record<string, string>) => (name: string) => values[name];
    expect(readChoice(params({})).choice).toEqual(DEFAULT_CHOICE);
    expect(
      readChoice(params({ variant: 'neutral', size: 'small', shape: 'pill', label: 'Sign up with Gatehouse', 'icon-only': 'on' }))
        .choice,
    ).toEqual({
      ...DEFAULT_CHOICE,
      variant: 'neutral',
      size: 'small',
      shape: 'pill',
      label: 'Sign up with Gatehouse',
      iconOnly: true,
    });
    expect(readChoice(params({ variant: 'pink', size: '0', label: 'Hi' })).choice).toEqual(DEFAULT_CHOICE);
    const refused = readChoice(params({ href: 'javascript:x' }));
    expect(refused.error).toBeTypeOf('string');
    expect(refused.hrefInput).toBe('javascript:x');
    expect(refused.choice.href).toBe('/login');
  });

  it('writes only what differs from the defaults, with the issuer’s absolute URLs', () => {
    const { element, plain } = snippets('https://id.example.com/', DEFAULT_CHOICE);
    expect(element).toBe(`<!-- in <head> -->
<script type="module" src="https://id.example.com/ui/button/gatehouse-signin.js"></script>
<link rel="stylesheet" href="https://id.example.com/ui/button/gatehouse-signin.css">

<!-- where the button goes; the link inside is for browsers without JavaScript -->
<gatehouse-signin href="/login">
  <a class="gatehouse-signin" href="/login">Sign in with Gatehouse</a>
</gatehouse-signin>`);
    expect(plain).toBe(`<!-- in <head> -->
<link rel="stylesheet" href="https://id.example.com/ui/button/gatehouse-signin.css">

<!-- where the button goes -->
<a class="gatehouse-signin" href="/login">Sign in with Gatehouse</a>`);
  });

  it('gives an icon-only link its accessible name, and escapes the address', () => {
    const { element } = snippets('https://id.example.com', {
      ...DEFAULT_CHOICE,
      variant: 'dark',
      iconOnly: true,
      href: '/start?a=1&b=2',
    });
    expect(element).toContain('<gatehouse-signin href="/start?a=1&amp;b=2" variant="dark" icon-only>');
    expect(element).toContain(
      '<a class="gatehouse-signin gatehouse-signin--dark gatehouse-signin--icon" href="/start?a=1&amp;b=2" aria-label="Sign in with Gatehouse"></a>',
    );
  });
});
