/**
 * Text → SVG path outlines, for the renderer's own labels (shot type, panel number) and the
 * vertical-form tests. resvg has no fonts of its own and we never want system fonts (a page
 * must render the same on every machine), so every glyph becomes a path here. Fonts come from
 * the lettering engine's loader (npm Noto packages, one parse per process).
 */
import { fontFile, loadFont as loadLetteringFont, type LetteringFace } from '../fonts';
import type * as fontkit from 'fontkit';

/** The faces the renderer's own labels use; parsed and cached once by the lettering's loader. */
export type FontFace = Extract<LetteringFace, 'latin-bold' | 'ja-bold' | 'ja-regular'>;

export function fontPath(face: FontFace): string {
  return fontFile(face);
}

export function loadFont(face: FontFace): fontkit.Font {
  return loadLetteringFont(face);
}

/** Round to 0.001 mm: enough for 350 dpi (1 px ≈ 0.073 mm) and keeps the SVG short. */
export function r(n: number): string {
  return (Math.round(n * 1000) / 1000).toString();
}

export interface HorizontalTextOptions {
  face?: FontFace;
  sizeMm: number;
  /** Anchor point in mm. */
  x: number;
  /** Baseline y in mm. */
  y: number;
  anchor?: 'start' | 'middle' | 'end';
}

/** Horizontal text as one SVG path `d` (mm). Returns the path and its advance width in mm. */
export function horizontalTextPath(text: string, o: HorizontalTextOptions): { d: string; widthMm: number } {
  const font = loadFont(o.face ?? 'latin-bold');
  const run = font.layout(text);
  const s = o.sizeMm / font.unitsPerEm;
  const width = run.advanceWidth * s;
  let penX = o.x - (o.anchor === 'middle' ? width / 2 : o.anchor === 'end' ? width : 0);
  const parts: string[] = [];
  run.glyphs.forEach((g, i) => {
    const p = run.positions[i];
    const gx = penX + p.xOffset * s;
    const gy = o.y - p.yOffset * s;
    // Font units are y-up; SVG is y-down, hence the -s on y.
    const d = transformPathData(g.path.toSVG(), s, -s, gx, gy);
    if (d) parts.push(d);
    penX += p.xAdvance * s;
  });
  return { d: parts.join(''), widthMm: width };
}

export interface VerticalTextOptions {
  face?: FontFace;
  sizeMm: number;
  /** Centre x of the column in mm. */
  cx: number;
  /** Top of the column in mm. */
  top: number;
  /** OpenType features; defaults to the vertical forms. Tests pass [] to get the wrong (horizontal) forms. */
  features?: string[];
}

/**
 * One vertical column (tategaki): each character on a 1 em cell, centred, with the OpenType
 * `vert` feature so brackets, ー and 、。 take their vertical forms (resvg would not apply it).
 */
export function verticalColumnPath(text: string, o: VerticalTextOptions): string {
  const font = loadFont(o.face ?? 'ja-bold');
  const s = o.sizeMm / font.unitsPerEm;
  const run = font.layout(text, o.features ?? ['vert', 'vrt2']);
  const parts: string[] = [];
  // The em box's top sits at ascender-ish; centre glyphs on the 1 em cell using a fixed
  // baseline at 0.88 em (Noto CJK's ideographic layout puts the em box from -0.12 to 0.88).
  run.glyphs.forEach((g, i) => {
    const cellTop = o.top + i * o.sizeMm;
    const adv = g.advanceWidth * s;
    const gx = o.cx - adv / 2;
    const gy = cellTop + 0.88 * o.sizeMm;
    const d = transformPathData(g.path.toSVG(), s, -s, gx, gy);
    if (d) parts.push(d);
  });
  return parts.join('');
}

/**
 * Apply x' = sx·x + tx, y' = sy·y + ty to absolute SVG path data as fontkit emits it
 * (M, L, Q, C, Z only, absolute). Doing it on the numbers, not with a transform attribute,
 * keeps every coordinate in mm so the page SVG stays one flat coordinate system.
 */
export function transformPathData(d: string, sx: number, sy: number, tx: number, ty: number): string {
  const tokens = d.match(/[MLQCZ]|-?\d*\.?\d+(?:e[-+]?\d+)?/gi);
  if (!tokens) return '';
  let out = '';
  let isX = true;
  for (const t of tokens) {
    if (/^[MLQCZ]$/i.test(t)) {
      out += t.toUpperCase();
      isX = true;
      continue;
    }
    const n = Number(t);
    const v = isX ? n * sx + tx : n * sy + ty;
    out += (out.endsWith('M') || out.endsWith('L') || out.endsWith('Q') || out.endsWith('C') ? '' : ' ') + r(v);
    isX = !isX;
  }
  return out;
}
