/**
 * <gatehouse-signin>: the "Sign in with Gatehouse" button as a framework-free custom element.
 * Served as is (no build step) from ${ISSUER}/ui/button/gatehouse-signin.js:
 *
 *   <script type="module" src="https://id.example.com/ui/button/gatehouse-signin.js"></script>
 *   <gatehouse-signin href="/login" variant="dark" size="large" shape="pill">
 *     <a class="gatehouse-signin gatehouse-signin--dark" href="/login">Sign in with Gatehouse</a>
 *   </gatehouse-signin>
 *
 * It renders a real <a href> (or, without href, a <button> that dispatches a bubbling
 * "gatehouse-signin" event) in an open shadow root. The content inside the element is the
 * fallback for pages without JavaScript: it stays on screen until the button's stylesheet has
 * loaded, then the shadow root stops showing it.
 */

const DEFAULT_LABEL = 'Sign in with Gatehouse';
// The first value of each list is the default.
const VARIANTS = ['light', 'dark', 'neutral'];
const SIZES = ['medium', 'small', 'large'];
const SHAPES = ['rect', 'pill'];
const MARK_PIXELS = { small: 18, medium: 20, large: 24 };
// The house of the page logo (src/ui/layout.ts), on a 24-unit grid.
const MARK_PATHS = ['M4 21V9l8-6 8 6v12', 'M9 21v-6h6v6'];
const SVG_NS = 'http://www.w3.org/2000/svg';
// One stylesheet for the element and the no-JS link, next to this module wherever it is served.
const STYLESHEET = new URL('gatehouse-signin.css', import.meta.url).href;

const oneOf = (value, allowed) => (allowed.includes(value) ? value : allowed[0]);

/** Only web addresses: a javascript: or data: href would turn the button into a script. */
function isSafeHref(value) {
  try {
    const url = new URL(value, document.baseURI);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function mark(size) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  const pixels = String(MARK_PIXELS[size]);
  // width and height keep the mark small even if the stylesheet never arrives.
  for (const [name, value] of Object.entries({
    class: 'gatehouse-signin__mark',
    viewBox: '0 0 24 24',
    width: pixels,
    height: pixels,
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'aria-hidden': 'true',
    focusable: 'false',
  })) {
    svg.setAttribute(name, value);
  }
  for (const d of MARK_PATHS) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

export class GatehouseSignin extends HTMLElement {
  static observedAttributes = ['href', 'variant', 'size', 'shape', 'icon-only', 'label'];

  #root;
  #control;
  #ready = false;

  connectedCallback() {
    this.#render();
  }

  attributeChangedCallback() {
    if (this.#root) this.#render();
  }

  /** The rendered control (<a> or <button>), for tests and for whoever needs to focus it. */
  get control() {
    return this.#control;
  }

  #attach() {
    // delegatesFocus: focusing or clicking the element focuses the link inside.
    const root = this.attachShadow({ mode: 'open', delegatesFocus: true });
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = STYLESHEET;
    // The fallback content shows through this slot until the styles are in, so the page never
    // flashes an unstyled button or an empty gap. A blocked stylesheet still ends in a working
    // (plain) link.
    const slot = document.createElement('slot');
    const ready = () => {
      if (this.#ready) return;
      this.#ready = true;
      slot.remove();
      if (this.#control) this.#control.hidden = false;
    };
    link.addEventListener('load', ready, { once: true });
    link.addEventListener('error', ready, { once: true });
    root.append(link, slot);
    this.#root = root;
  }

  #render() {
    if (!this.#root) this.#attach();
    const label = (this.getAttribute('label') ?? '').trim() || DEFAULT_LABEL;
    const href = this.getAttribute('href');
    const iconOnly = this.hasAttribute('icon-only');
    const variant = oneOf(this.getAttribute('variant'), VARIANTS);
    const size = oneOf(this.getAttribute('size'), SIZES);
    const shape = oneOf(this.getAttribute('shape'), SHAPES);

    let control;
    if (href !== null && isSafeHref(href)) {
      control = document.createElement('a');
      control.setAttribute('href', href);
    } else {
      if (href !== null) console.warn(`<gatehouse-signin>: ignoring href "${href}", which is not a web address.`);
      control = document.createElement('button');
      control.type = 'button';
      control.addEventListener('click', () => {
        this.dispatchEvent(new CustomEvent('gatehouse-signin', { bubbles: true, composed: true }));
      });
    }
    control.className = [
      'gatehouse-signin',
      `gatehouse-signin--${variant}`,
      `gatehouse-signin--${size}`,
      `gatehouse-signin--${shape}`,
      ...(iconOnly ? ['gatehouse-signin--icon'] : []),
    ].join(' ');
    // A part for layout from the page (width, margin); the brand guide asks not to restyle it.
    control.setAttribute('part', 'button');
    control.append(mark(size));
    if (iconOnly) {
      control.setAttribute('aria-label', label);
      control.title = label;
    } else {
      const text = document.createElement('span');
      text.className = 'gatehouse-signin__label';
      text.textContent = label;
      control.append(text);
    }
    control.hidden = !this.#ready;

    const previous = this.#control;
    const hadFocus = previous !== undefined && this.#root.activeElement === previous;
    if (previous) previous.replaceWith(control);
    else this.#root.append(control);
    this.#control = control;
    if (hadFocus) control.focus();
  }
}

// Loading the script twice (two snippets on one page) must not throw.
if (!customElements.get('gatehouse-signin')) customElements.define('gatehouse-signin', GatehouseSignin);
