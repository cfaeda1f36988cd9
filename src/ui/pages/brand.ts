/**
 * /ui/brand: the "Sign in with Gatehouse" brand guidelines. A snippet builder (a GET form, so
 * it works without JavaScript), every variant and size on light and dark backgrounds, the
 * do's and don'ts with small examples, and the SVG downloads. The specimens are the real
 * element, loaded from this server, with the plain-CSS link inside as their no-JS fallback.
 */
import { type ButtonChoice, buttonClasses, LABELS, SIZE_HEIGHT, SIZES, type Size, type Snippets } from '../button/snippet.js';
import type { Shape, Variant } from '../button/svg.js';
import { SHAPES, VARIANTS } from '../button/svg.js';
import { html, type SafeHtml } from '../html.js';

export interface BrandModel {
  choice: ButtonChoice;
  /** What was typed in the address field (shown back when it was refused). */
  hrefInput: string;
  hrefError?: string | undefined;
  snippets: Snippets;
  downloads: { name: string; description: string }[];
}

interface SpecimenOptions {
  variant?: Variant;
  size?: Size;
  shape?: Shape;
  iconOnly?: boolean;
  label?: string;
  /** A class on the element, for the don'ts that misuse it on purpose. */
  className?: string;
}

const VARIANT_NAME: Record<Variant, string> = { light: 'Light', dark: 'Dark', neutral: 'Neutral' };
const SIZE_NAME: Record<Size, string> = { small: 'Small', medium: 'Medium', large: 'Large' };
const SHAPE_NAME: Record<Shape, string> = { rect: 'Rectangle', pill: 'Pill' };

/**
 * The element as a button (no href: a specimen goes nowhere), with a plain span in the same
 * classes as its fallback, so the page still shows every variant without JavaScript.
 */
function specimen(o: SpecimenOptions = {}): SafeHtml {
  const choice = { variant: o.variant ?? 'light', size: o.size ?? 'medium', shape: o.shape ?? 'rect', iconOnly: !!o.iconOnly };
  const label = o.label ?? LABELS[0];
  return html`<gatehouse-signin variant="${choice.variant}" size="${choice.size}" shape="${choice.shape}"${choice.iconOnly ? html` icon-only` : ''}${o.label ? html` label="${o.label}"` : ''}${o.className ? html` class="${o.className}"` : ''}><span class="${buttonClasses(choice)}">${choice.iconOnly ? '' : label}</span></gatehouse-signin>`;
}

function builder(m: BrandModel): SafeHtml {
  const { choice } = m;
  const select = (name: string, label: string, options: readonly string[], current: string, names?: Record<string, string>) =>
    html`<div><label for="b-${name}">${label}</label><select id="b-${name}" name="${name}">${options.map(
      (value) => html`<option value="${value}"${value === current ? html` selected` : ''}>${names?.[value] ?? value}</option>`,
    )}</select></div>`;
  return html`<form class="brand-builder" method="get" action="/ui/brand#snippet">
${select('variant', 'Colour', VARIANTS, choice.variant, VARIANT_NAME)}
${select('size', 'Size', SIZES, choice.size, SIZE_NAME)}
${select('shape', 'Shape', SHAPES, choice.shape, SHAPE_NAME)}
${select('label', 'Words', LABELS, choice.label)}
<div class="brand-href"><label for="b-href">Sign-in address on your site</label>
<input id="b-href" name="href" type="text" value="${m.hrefInput}" autocomplete="off" spellcheck="false"${m.hrefError ? html` aria-invalid="true" aria-describedby="b-href-error"` : ''}>
${m.hrefError ? html`<p class="field-error" id="b-href-error">${m.hrefError}</p>` : ''}</div>
<label class="check"><input type="checkbox" name="icon-only" value="on"${choice.iconOnly ? html` checked` : ''}> Icon only (the words become its accessible name)</label>
<button type="submit" class="inline">Update the snippet</button>
</form>`;
}

function gallery(background: 'light' | 'dark'): SafeHtml {
  const head = (names: string[]) => html`<span></span>${names.map((name) => html`<span class="brand-head">${name}</span>`)}`;
  const name = (variant: Variant) => html`<span class="brand-row-name">${VARIANT_NAME[variant]}</span>`;
  return html`<figure class="brand-panel brand-on-${background}">
<div class="brand-specimens" inert>
<div class="brand-grid">
${head(SIZES.map((size) => `${SIZE_NAME[size]} · ${SIZE_HEIGHT[size]} px`))}
${VARIANTS.map((variant) => html`${name(variant)}${SIZES.map((size) => specimen({ variant, size }))}`)}
</div>
<div class="brand-grid">
${head(['Pill', 'Icon only', 'Icon only, round'])}
${VARIANTS.map(
  (variant) =>
    html`${name(variant)}${specimen({ variant, shape: 'pill' })}${specimen({ variant, iconOnly: true })}${specimen({ variant, iconOnly: true, shape: 'pill' })}`,
)}
</div>
</div>
<figcaption>On a ${background} background: the light, dark and neutral buttons in small, medium and large, as a pill, and icon only.</figcaption>
</figure>`;
}

function rule(kind: 'do' | 'dont', example: SafeHtml, text: string): SafeHtml {
  return html`<li class="brand-rule brand-${kind}">
<div class="brand-example" inert>${example}</div>
<p><strong><span aria-hidden="true">${kind === 'do' ? '✓' : '✕'}</span> ${kind === 'do' ? 'Do' : 'Don’t'}</strong> ${text}</p>
</li>`;
}

function guidelines(): SafeHtml {
  return html`<ul class="brand-rules">
${rule('do', html`<span class="brand-clearspace">${specimen({ variant: 'dark' })}</span>`, 'keep clear space around the button: at least the width of the mark (20 px at medium) on every side, free of text, borders and other buttons.')}
${rule('dont', html`<span class="brand-crowded">${specimen({ variant: 'dark' })}<span>Forgot password?</span></span>`, 'crowd it: nothing inside its clear space, nothing touching its edge.')}
${rule('do', specimen({ label: 'Continue with Gatehouse' }), 'use the words as supplied: “Sign in with Gatehouse”, “Continue with Gatehouse” or “Sign up with Gatehouse” (or their translation).')}
${rule('dont', specimen({ label: 'Login via GH' }), 'change the words, abbreviate the name, or replace the mark with another picture.')}
${rule('do', specimen({ variant: 'neutral' }), 'use the light, dark or neutral button as it is, and give other providers’ buttons the same size and weight.')}
${rule('dont', specimen({ className: 'brand-recoloured' }), 'recolour the button, its text or its mark to match your page.')}
${rule('do', specimen({ size: 'small' }), 'use medium (44 px) or large on touch screens; small (36 px) is the smallest, for dense desktop layouts.')}
${rule('dont', specimen({ className: 'brand-tiny' }), 'scale it below the small size: the words stop being legible and the target too small to hit.')}
${rule('do', specimen({ iconOnly: true }), 'use the icon-only button only where the words cannot fit, such as a narrow toolbar; it keeps “Sign in with Gatehouse” as its accessible name.')}
${rule('dont', specimen({ className: 'brand-stretched' }), 'stretch, squash, rotate or add effects (shadows, gradients, outlines) to the button.')}
</ul>`;
}

export function brandPage(m: BrandModel): SafeHtml {
  const { choice } = m;
  return html`<link rel="stylesheet" href="/ui/button/gatehouse-signin.css">
<div class="brand-guide">
<h1>Sign in with Gatehouse</h1>
<p class="lead">The button that lets people sign in to your application with their Gatehouse account, and how to use it.</p>
<nav class="brand-toc" aria-label="On this page"><ul>
<li><a href="#snippet">Add the button</a></li>
<li><a href="#variants">Variants and sizes</a></li>
<li><a href="#guidelines">Do’s and don’ts</a></li>
<li><a href="#downloads">Downloads</a></li>
</ul></nav>

<section id="snippet" aria-labelledby="snippet-title">
<h2 id="snippet-title">Add the button</h2>
<p>One script from this server defines the <code>&lt;gatehouse-signin&gt;</code> element: a real link, keyboard and
screen-reader friendly, with no framework and no web font. Choose a button, then copy the snippet.</p>
${builder(m)}
<div class="brand-preview"><span class="muted">Preview</span>${specimen(choice)}</div>

<h3>With the element (recommended)</h3>
<pre class="brand-code"><code class="brand-snippet">${m.snippets.element}</code></pre>
<h3>Without JavaScript</h3>
<p>Plain HTML and CSS: the same button as a link.</p>
<pre class="brand-code"><code class="brand-snippet">${m.snippets.plain}</code></pre>

<h3>Attributes</h3>
<div class="scroll"><table class="brand-attributes">
<thead><tr><th scope="col">Attribute</th><th scope="col">Values</th><th scope="col">What it does</th></tr></thead>
<tbody>
<tr><td><code>href</code></td><td>a path or http(s) address</td><td>Where the link goes: the route on your site that starts the sign-in (redirects to this server’s <code>/oauth2/auth</code>). Without it the element is a <code>&lt;button&gt;</code> that fires a bubbling <code>gatehouse-signin</code> event.</td></tr>
<tr><td><code>variant</code></td><td><code>light</code> (default), <code>dark</code>, <code>neutral</code></td><td>Colours.</td></tr>
<tr><td><code>size</code></td><td><code>small</code> 36 px, <code>medium</code> 44 px (default), <code>large</code> 52 px</td><td>Height; medium meets the 44 px touch target.</td></tr>
<tr><td><code>shape</code></td><td><code>rect</code> (default), <code>pill</code></td><td>Corners.</td></tr>
<tr><td><code>icon-only</code></td><td>present or absent</td><td>Only the mark; the words stay as its accessible name.</td></tr>
<tr><td><code>label</code></td><td>text</td><td>Other words, e.g. a translation. Default “Sign in with Gatehouse”.</td></tr>
</tbody></table></div>
<p class="muted">Changing an attribute redraws the button. For layout (width, margin), style the element or
<code>gatehouse-signin::part(button)</code>. If your pages send a Content-Security-Policy, allow this server
in <code>script-src</code>, <code>style-src</code> and <code>img-src</code>.</p>
</section>

<section id="variants" aria-labelledby="variants-title">
<h2 id="variants-title">Variants and sizes</h2>
<p>Pick the variant that stands out on your page: dark on light pages, light on dark ones, neutral beside other
providers’ buttons. All of them have a visible focus ring and follow the system’s high-contrast colours and
reduced-motion setting.</p>
${gallery('light')}
${gallery('dark')}
</section>

<section id="guidelines" aria-labelledby="guidelines-title">
<h2 id="guidelines-title">Do’s and don’ts</h2>
${guidelines()}
</section>

<section id="downloads" aria-labelledby="downloads-title">
<h2 id="downloads-title">Downloads</h2>
<p>SVG files for where the element cannot go: emails, native apps, design files. The words are system-font
text; medium size (44 px high), scalable.</p>
<ul class="brand-downloads">
${m.downloads.map(
  (
    file,
  ) => html`<li><span class="brand-download-preview${file.name.includes('white') ? ' brand-on-dark' : ''}"><img src="/ui/button/${file.name}" alt=""></span>
<span><a href="/ui/button/${file.name}" download>${file.name}</a><br><span class="muted">${file.description}</span></span></li>`,
)}
</ul>
</section>
</div>`;
}
