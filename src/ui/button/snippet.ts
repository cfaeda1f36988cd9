/**
 * The HTML a relying party copies from the brand page: the element with its no-JS fallback,
 * or the plain link, for the button someone chose in the page's form.
 */
import type { Shape, Variant } from './svg.js';
import { SHAPES, VARIANTS } from './svg.js';

export type Size = 'small' | 'medium' | 'large';
export const SIZES: readonly Size[] = ['small', 'medium', 'large'];
/** Height in CSS pixels (gatehouse-signin.css): medium is the 44 px touch target. */
export const SIZE_HEIGHT: Record<Size, number> = { small: 36, medium: 44, large: 52 };

/** The wordings the guidelines allow; the element takes any label (a translation, say). */
export const LABELS = ['Sign in with Gatehouse', 'Continue with Gatehouse', 'Sign up with Gatehouse'] as const;

export interface ButtonChoice {
  variant: Variant;
  size: Size;
  shape: Shape;
  iconOnly: boolean;
  label: string;
  href: string;
}

export const DEFAULT_CHOICE: ButtonChoice = {
  variant: 'light',
  size: 'medium',
  shape: 'rect',
  iconOnly: false,
  label: LABELS[0],
  href: '/login',
};

const oneOf = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

/** A path on the relying party's site or an http(s) address; anything else is refused. */
export function hrefError(href: string): string | undefined {
  if (href.length > 500) return 'Use an address of at most 500 characters.';
  // A backslash counts as a slash in browsers: "/\evil.example" would leave the site.
  if (/[\s<>"'`\\]/.test(href)) return 'The address must not contain spaces, quotes or backslashes.';
  if (href.startsWith('/') && !href.startsWith('//')) return undefined;
  try {
    const url = new URL(href);
    if (url.protocol === 'https:' || url.protocol === 'http:') return undefined;
  } catch (err) {
    // A malformed URL falls through to the message below.
    if (!(err instanceof TypeError)) throw err;
  }
  return 'Use a path on your site, such as /login, or a full https:// address.';
}

/**
 * The choice in the brand page's query string. Values the form cannot send fall back to the
 * defaults; only the free-text address can be wrong, and then it is reported, not used.
 */
export function readChoice(get: (name: string) => string | undefined): {
  choice: ButtonChoice;
  hrefInput: string;
  error?: string;
} {
  const hrefInput = get('href')?.trim() ?? DEFAULT_CHOICE.href;
  const error = hrefError(hrefInput);
  const choice: ButtonChoice = {
    variant: oneOf(get('variant'), VARIANTS, DEFAULT_CHOICE.variant),
    size: oneOf(get('size'), SIZES, DEFAULT_CHOICE.size),
    shape: oneOf(get('shape'), SHAPES, DEFAULT_CHOICE.shape),
    iconOnly: get('icon-only') === 'on',
    label: oneOf(get('label'), LABELS, DEFAULT_CHOICE.label),
    href: error ? DEFAULT_CHOICE.href : hrefInput,
  };
  return error ? { choice, hrefInput, error } : { choice, hrefInput };
}

// Snippets are text (the page escapes them); attribute values come from fixed lists or a
// checked address without quotes, and are escaped here all the same.
const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The class list of the plain link: only what differs from the defaults. */
export function buttonClasses(choice: Pick<ButtonChoice, 'variant' | 'size' | 'shape' | 'iconOnly'>): string {
  return [
    'gatehouse-signin',
    ...(choice.variant !== 'light' ? [`gatehouse-signin--${choice.variant}`] : []),
    ...(choice.size !== 'medium' ? [`gatehouse-signin--${choice.size}`] : []),
    ...(choice.shape !== 'rect' ? [`gatehouse-signin--${choice.shape}`] : []),
    ...(choice.iconOnly ? ['gatehouse-signin--icon'] : []),
  ].join(' ');
}

function plainLink(choice: ButtonChoice): string {
  const href = attr(choice.href);
  return choice.iconOnly
    ? `<a class="${buttonClasses(choice)}" href="${href}" aria-label="${attr(choice.label)}"></a>`
    : `<a class="${buttonClasses(choice)}" href="${href}">${choice.label}</a>`;
}

export interface Snippets {
  /** The element, its script, and the stylesheet for its no-JS fallback. */
  element: string;
  /** The plain link and its stylesheet, no JavaScript at all. */
  plain: string;
}

export function snippets(issuer: string, choice: ButtonChoice): Snippets {
  const base = `${issuer.replace(/\/+$/, '')}/ui/button`;
  const attributes = [
    `href="${attr(choice.href)}"`,
    ...(choice.variant !== 'light' ? [`variant="${choice.variant}"`] : []),
    ...(choice.size !== 'medium' ? [`size="${choice.size}"`] : []),
    ...(choice.shape !== 'rect' ? [`shape="${choice.shape}"`] : []),
    ...(choice.iconOnly ? ['icon-only'] : []),
    ...(choice.label !== LABELS[0] ? [`label="${attr(choice.label)}"`] : []),
  ].join(' ');
  const stylesheet = `<link rel="stylesheet" href="${base}/gatehouse-signin.css">`;
  return {
    element: `<!-- in <head> -->
<script type="module" src="${base}/gatehouse-signin.js"></script>
${stylesheet}

<!-- where the button goes; the link inside is for browsers without JavaScript -->
<gatehouse-signin ${attributes}>
  ${plainLink(choice)}
</gatehouse-signin>`,
    plain: `<!-- in <head> -->
${stylesheet}

<!-- where the button goes -->
${plainLink(choice)}`,
  };
}
