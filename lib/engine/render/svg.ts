/**
 * A composed page → one self-contained SVG in mm. The viewBox covers the bleed canvas
 * (x/y = -bleed), so the same file serves print (full canvas), screen (cropped to trim) and
 * Chromium's PDF path. Everything is paths and embedded images: no fonts, no external refs.
 */
import type { BookCharacter, ComposedPage, Language, PageFormat, PlacedBalloon, ReadingDirection } from '../types';
import { bleedPanelBox, canvasMm } from './geometry';
import { sniffImageMime, toDataUri, type ImageMime } from './image';
import { placeholderSvg } from './placeholder';
import { r } from './outline';
import { defaultBalloonRenderer } from './balloons';

export interface RenderBookContext {
  format: PageFormat;
  readingDirection: ReadingDirection;
  language: Language;
  characters: BookCharacter[];
}

export type BalloonRenderer = (balloon: PlacedBalloon, language: Language) => string;

export interface RenderPageOptions {
  /** Trim marks (tombo) outside the bleed; widens the canvas by `cropMarginMm`. Off by default. */
  cropMarks?: boolean;
  cropMarginMm?: number;
  /** Override how balloons are drawn (tests, or shapes without the lettering engine). */
  balloonRenderer?: BalloonRenderer;
  /**
   * Reference scene images by URL instead of embedding them (the PDF exporter serves them to
   * Chromium, so a 48-page book does not become a gigabyte of base64 HTML). Default: data URI.
   */
  imageHref?: (bytes: Uint8Array, mime: ImageMime) => string;
}

const FRAME_MM = 0.5;

export function renderPageSvg(page: ComposedPage, book: RenderBookContext, options: RenderPageOptions = {}): string {
  const { format } = book;
  const margin = options.cropMarks ? (options.cropMarginMm ?? 10) : 0;
  const [cx, cy, cw, ch] = canvasMm(format);
  const vx = cx - margin;
  const vy = cy - margin;
  const vw = cw + 2 * margin;
  const vh = ch + 2 * margin;
  const drawBalloon = options.balloonRenderer ?? defaultBalloonRenderer;

  const defs: string[] = [];
  const body: string[] = [];
  body.push(`<rect x="${r(vx)}" y="${r(vy)}" width="${r(vw)}" height="${r(vh)}" fill="#fff"/>`);

  // Panels in reading order, so the SVG's document order is also the reading order
  // (screen readers and anyone diffing SVGs get a meaningful sequence).
  const panels = [...page.page.panels].sort((a, b) => a.order - b.order);
  panels.forEach((panel, i) => {
    const { box, edges } = bleedPanelBox(panel, format);
    const [x, y, w, h] = box;
    const clipId = `clip-p${page.page.index}-${i}`;
    defs.push(`<clipPath id="${clipId}"><rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}"/></clipPath>`);
    const img = page.images.get(panel.id);
    const mime = img ? sniffImageMime(img) : null;
    body.push(`<g clip-path="url(#${clipId})" data-panel="${escapeXml(panel.id)}">`);
    if (img && mime) {
      // slice = cover the panel and crop the overflow, like a frame over a larger drawing.
      body.push(
        `<image x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" preserveAspectRatio="xMidYMid slice" xlink:href="${escapeXml(options.imageHref ? options.imageHref(img, mime) : toDataUri(img, mime))}"/>`,
      );
    } else {
      body.push(placeholderSvg(panel, box, visibleBox(box, format), String(panel.order + 1)));
    }
    body.push('</g>');
    // Frame: only the edges that stay on the page. A bled edge has no frame line (tachikiri).
    const x1 = x + w;
    const y1 = y + h;
    const stroke = `stroke="#000" stroke-width="${FRAME_MM}" fill="none"`;
    if (!edges.top && !edges.right && !edges.bottom && !edges.left) {
      body.push(`<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" ${stroke}/>`);
    } else {
      const seg: string[] = [];
      if (!edges.top) seg.push(`M${r(x)} ${r(y)}H${r(x1)}`);
      if (!edges.right) seg.push(`M${r(x1)} ${r(y)}V${r(y1)}`);
      if (!edges.bottom) seg.push(`M${r(x)} ${r(y1)}H${r(x1)}`);
      if (!edges.left) seg.push(`M${r(x)} ${r(y)}V${r(y1)}`);
      if (seg.length) body.push(`<path d="${seg.join('')}" ${stroke} stroke-linecap="square"/>`);
    }
  });

  // Balloons above every panel: a balloon may break its border on purpose.
  const balloons = [...page.balloons].sort((a, b) => panelOrder(a, panels) - panelOrder(b, panels) || a.order - b.order);
  for (const b of balloons) body.push(drawBalloon(b, book.language));

  if (options.cropMarks) body.push(cropMarksSvg(format));

  const unit = (n: number) => `${r(n)}mm`;
  // The lettering is outlines, which nobody can read out: title and desc carry the page's text
  // in reading order for screen readers and search (renderers do not draw them).
  const transcript = balloons.map((b) => b.columns.join(b.vertical ? '' : ' ')).join(' / ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${unit(vw)}" height="${unit(vh)}" viewBox="${r(vx)} ${r(vy)} ${r(vw)} ${r(vh)}" role="img" lang="${book.language}">` +
    `<title>${escapeXml(`Page ${page.page.index + 1}`)}</title>` +
    (transcript ? `<desc>${escapeXml(transcript)}</desc>` : '') +
    (defs.length ? `<defs>${defs.join('')}</defs>` : '') +
    body.join('') +
    `</svg>`
  );
}

/** The part of a box inside the trim, inset by 3 mm for bled sides (the cutter drifts). */
function visibleBox(box: [number, number, number, number], format: PageFormat): [number, number, number, number] {
  const x0 = Math.max(box[0], 3);
  const y0 = Math.max(box[1], 3);
  const x1 = Math.min(box[0] + box[2], format.trimMm.w - 3);
  const y1 = Math.min(box[1] + box[3], format.trimMm.h - 3);
  return [x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
}

function panelOrder(b: PlacedBalloon, panels: { id: string; order: number }[]): number {
  return panels.find((p) => p.id === b.panelId)?.order ?? 0;
}

/** Corner trim marks: a line on the trim and one on the bleed, outside the canvas. */
function cropMarksSvg(format: PageFormat): string {
  const W = format.trimMm.w;
  const H = format.trimMm.h;
  const b = format.bleedMm;
  const len = 8;
  const d: string[] = [];
  for (const [x, sx] of [[0, -1], [W, 1]] as const) {
    for (const [y, sy] of [[0, -1], [H, 1]] as const) {
      // Horizontal marks at the trim and bleed y, vertical marks at the trim and bleed x.
      for (const off of [0, b]) {
        const yy = y + sy * off;
        d.push(`M${r(x + sx * b)} ${r(yy)}h${r(sx * len)}`);
        const xx = x + sx * off;
        d.push(`M${r(xx)} ${r(y + sy * b)}v${r(sy * len)}`);
      }
    }
  }
  return `<path d="${d.join('')}" stroke="#000" stroke-width="0.1" fill="none"/>`;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
