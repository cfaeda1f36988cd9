/**
 * The button as SVG images, for places where neither the element nor the stylesheet can go
 * (an email, a native app, a design file): the mark alone, and each variant as a full button or
 * an icon, square or pill. Built from the same colours and geometry as gatehouse-signin.css.
 */

export type Variant = 'light' | 'dark' | 'neutral';
export type Shape = 'rect' | 'pill';

export const VARIANTS: readonly Variant[] = ['light', 'dark', 'neutral'];
export const SHAPES: readonly Shape[] = ['rect', 'pill'];

/** gatehouse-signin.css has the same values (a test keeps them in step). */
export const PALETTE: Record<Variant, { background: string; border: string; text: string; mark: string }> = {
  light: { background: '#fff', border: '#747a82', text: '#1b1f24', mark: '#3b5bdb' },
  dark: { background: '#1b1f24', border: '#6e7681', text: '#fff', mark: '#fff' },
  neutral: { background: '#eef0f3', border: '#eef0f3', text: '#1b1f24', mark: '#3b5bdb' },
};

export const BRAND_BLUE = '#3b5bdb';
export const LABEL = 'Sign in with Gatehouse';

/** The house of the page logo (src/ui/layout.ts), on a 24-unit grid, drawn as a 2-unit stroke. */
export const MARK_PATHS = ['M4 21V9l8-6 8 6v12', 'M9 21v-6h6v6'] as const;

// The medium button: 44 px high, 16 px side padding, a 20 px mark, 10 px gap, 16 px text.
const HEIGHT = 44;
const PADDING = 16;
const MARK = 20;
const GAP = 10;
const FONT_SIZE = 16;
/*
 * The words are live text in the system font (no font file is shipped); textLength pins their
 * width to what the common system fonts (Segoe UI, San Francisco, Roboto) take, so the button
 * keeps its size whatever font the viewer has.
 */
const TEXT_WIDTH = 180;
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

const markGroup = (x: number, y: number, size: number, color: string) =>
  `<g transform="translate(${x} ${y}) scale(${size / 24})" fill="none" stroke="${color}" stroke-width="2">` +
  MARK_PATHS.map((d) => `<path d="${d}"/>`).join('') +
  '</g>';

export function markSvg(color = BRAND_BLUE): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 24 24" role="img">` +
    `<title>Gatehouse</title>${markGroup(0, 0, 24, color)}</svg>\n`
  );
}

export function buttonSvg(variant: Variant, options: { iconOnly?: boolean; shape?: Shape } = {}): string {
  const colours = PALETTE[variant];
  const width = options.iconOnly ? HEIGHT : PADDING + MARK + GAP + TEXT_WIDTH + PADDING;
  const radius = options.shape === 'pill' ? HEIGHT / 2 : 8;
  const markX = options.iconOnly ? (HEIGHT - MARK) / 2 : PADDING;
  // The border is drawn inside the edge, as CSS draws it (box-sizing: border-box).
  const frame = `<rect x="0.5" y="0.5" width="${width - 1}" height="${HEIGHT - 1}" rx="${radius - 0.5}" fill="${colours.background}" stroke="${colours.border}"/>`;
  const text = options.iconOnly
    ? ''
    : `<text x="${PADDING + MARK + GAP}" y="${HEIGHT / 2}" dominant-baseline="central" textLength="${TEXT_WIDTH}" lengthAdjust="spacingAndGlyphs" font-family="${FONT}" font-size="${FONT_SIZE}" font-weight="600" fill="${colours.text}">${LABEL}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img">` +
    `<title>${LABEL}</title>${frame}${markGroup(markX, (HEIGHT - MARK) / 2, MARK, colours.mark)}${text}</svg>\n`
  );
}

export interface SvgFile {
  name: string;
  /** What the file is, for the brand page's download list. */
  description: string;
  body: string;
}

/** Every SVG under /ui/button/, in the order the brand page lists them. */
export function svgFiles(): SvgFile[] {
  const files: SvgFile[] = [
    { name: 'gatehouse-mark.svg', description: 'The mark, brand blue', body: markSvg() },
    { name: 'gatehouse-mark-white.svg', description: 'The mark, white (for dark backgrounds)', body: markSvg('#fff') },
  ];
  const title = (s: string) => s[0]?.toUpperCase() + s.slice(1);
  for (const variant of VARIANTS) {
    for (const shape of SHAPES) {
      const suffix = shape === 'pill' ? '-pill' : '';
      const shapeName = shape === 'pill' ? ', pill' : '';
      files.push({
        name: `gatehouse-signin-${variant}${suffix}.svg`,
        description: `${title(variant)} button${shapeName}`,
        body: buttonSvg(variant, { shape }),
      });
      files.push({
        name: `gatehouse-icon-${variant}${suffix}.svg`,
        description: `${title(variant)} icon button${shape === 'pill' ? ', round' : ''}`,
        body: buttonSvg(variant, { shape, iconOnly: true }),
      });
    }
  }
  return files;
}
