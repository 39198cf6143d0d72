/**
 * Page formats of the manga engine (MANGA-CRAFT.md, "Page geometry").
 *
 * B5 is the reference: trim 182 × 257 mm, 3 mm bleed, an inner frame of about 150 × 220 mm
 * centred in the trim, a text-safe area 10 mm inside the trim, gutters 4 mm inside a tier and
 * 8 mm between tiers, drawn at 350 dpi. The other formats use "the same formula": the inner
 * frame keeps B5's proportion of the trim, the safe area stays 10 mm inside the trim.
 */
import type { BBoxMm, PageFormat, PageFormatName } from './types';

export const MM_PER_INCH = 25.4;
/** Print resolution of manga manuscripts (MANGA-CRAFT.md: 350 dpi). */
export const PRINT_DPI = 350;
/** Bleed (tachikiri margin) beyond the trim on every side. */
export const BLEED_MM = 3;
/** Text must stay at least this far inside the trim (MANGA-CRAFT.md: ≥ 10 mm). */
export const SAFE_INSET_MM = 10;

/** B5's inner frame as a fraction of its trim: 150/182 by 220/257. */
const FRAME_W_RATIO = 150 / 182;
const FRAME_H_RATIO = 220 / 257;

const round1 = (v: number): number => Math.round(v * 10) / 10;

function makeFormat(
  name: PageFormatName,
  w: number,
  h: number,
  gutter: { intraTier: number; interTier: number },
  defaultDirection: 'rtl' | 'ltr',
): PageFormat {
  // The B5 frame is given as ≈150 × 220: use it exactly; scale the others by B5's ratio.
  const fw = name === 'B5' ? 150 : round1(w * FRAME_W_RATIO);
  const fh = name === 'B5' ? 220 : round1(h * FRAME_H_RATIO);
  // Exactly centred (no rounding of the margins): rtl and ltr pages must mirror each other.
  const innerFrameMm: BBoxMm = [(w - fw) / 2, (h - fh) / 2, fw, fh];
  const safeMm: BBoxMm = [SAFE_INSET_MM, SAFE_INSET_MM, w - 2 * SAFE_INSET_MM, h - 2 * SAFE_INSET_MM];
  return {
    name,
    trimMm: { w, h },
    bleedMm: BLEED_MM,
    innerFrameMm,
    safeMm,
    gutterMm: gutter,
    dpi: PRINT_DPI,
    defaultDirection,
  };
}

/**
 * Gutters: MANGA-CRAFT.md gives 3.5–5 mm (default 4) inside a tier and 6.5–8.5 mm (default 8)
 * between tiers for B5; the small B6 page takes the low end of both ranges so the panels keep
 * their area, still keeping the tier gutter clearly wider (the eye follows that difference).
 */
export const PAGE_FORMATS: Readonly<Record<PageFormatName, PageFormat>> = {
  B5: makeFormat('B5', 182, 257, { intraTier: 4, interTier: 8 }, 'rtl'),
  A5: makeFormat('A5', 148, 210, { intraTier: 4, interTier: 7.5 }, 'rtl'),
  B6: makeFormat('B6', 128, 182, { intraTier: 3.5, interTier: 6.5 }, 'rtl'),
  // US comics are read left to right.
  US: makeFormat('US', 168, 259, { intraTier: 4, interTier: 8 }, 'ltr'),
};

export const DEFAULT_PAGE_FORMAT: PageFormatName = 'B5';

/** The format by name; B5 when no name is given. Throws on an unknown name (a clear error). */
export function pageFormat(name: PageFormatName | string = DEFAULT_PAGE_FORMAT): PageFormat {
  const f = (PAGE_FORMATS as Record<string, PageFormat | undefined>)[name];
  if (!f) throw new Error(`unknown page format "${name}" (known: ${Object.keys(PAGE_FORMATS).join(', ')})`);
  return f;
}

/** Webtoon delivery (MANGA-CRAFT.md, "Comic-reader conventions"): 800 px wide, slices ≤ 1280 px. */
export interface WebtoonSpec {
  widthPx: number;
  maxSliceHeightPx: number;
  /** Vertical space between pages stacked into the strip. */
  pageGapPx: number;
}
export const WEBTOON: Readonly<WebtoonSpec> = { widthPx: 800, maxSliceHeightPx: 1280, pageGapPx: 40 };

/** mm → px at a resolution: px = mm / 25.4 × dpi (MANGA-CRAFT.md). */
export function mmToPx(mm: number, dpi: number = PRINT_DPI): number {
  return (mm / MM_PER_INCH) * dpi;
}

export function pxToMm(px: number, dpi: number = PRINT_DPI): number {
  return (px / dpi) * MM_PER_INCH;
}

/** The full canvas including bleed, in mm, in trim coordinates (so it starts at −bleed). */
export function canvasBoxMm(format: PageFormat): BBoxMm {
  const b = format.bleedMm;
  return [-b, -b, format.trimMm.w + 2 * b, format.trimMm.h + 2 * b];
}

/** Canvas size with bleed in whole pixels (B5 at 350 dpi: 2591 × 3624). */
export function canvasSizePx(format: PageFormat, dpi: number = format.dpi): { w: number; h: number } {
  const [, , w, h] = canvasBoxMm(format);
  return { w: Math.round(mmToPx(w, dpi)), h: Math.round(mmToPx(h, dpi)) };
}

/** Trim size in whole pixels (B5 at 350 dpi: 2508 × 3541). */
export function trimSizePx(format: PageFormat, dpi: number = format.dpi): { w: number; h: number } {
  return { w: Math.round(mmToPx(format.trimMm.w, dpi)), h: Math.round(mmToPx(format.trimMm.h, dpi)) };
}

/**
 * Webtoon page height in px when a page's trim is scaled to the strip width; the strip is cut
 * into slices of at most `maxSliceHeightPx` (the WEBTOON platform limit).
 */
export function webtoonSlices(totalHeightPx: number, spec: WebtoonSpec = WEBTOON): Array<{ y: number; h: number }> {
  const out: Array<{ y: number; h: number }> = [];
  for (let y = 0; y < totalHeightPx; y += spec.maxSliceHeightPx) {
    out.push({ y, h: Math.min(spec.maxSliceHeightPx, totalHeightPx - y) });
  }
  return out;
}
