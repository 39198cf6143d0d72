/**
 * Page SVG → raster at one of five quality levels: resvg draws (no system fonts — every glyph
 * is already an outline, so loading fonts would only cost time), sharp crops and encodes.
 * The output is content-hashed so a URL built from the hash can be cached forever.
 */
import { createHash } from 'node:crypto';
import { renderAsync } from '@resvg/resvg-js';
import sharp from '../../sharp';
import type { PageFormat, QualityLevel } from '../types';

export type RasterMime = 'image/png' | 'image/webp' | 'image/jpeg';

export interface RasterPage {
  bytes: Uint8Array;
  mime: RasterMime;
  width: number;
  height: number;
  /** sha256 of `bytes`, hex. */
  hash: string;
}

interface LevelSpec {
  /** Target height in px of the trim (screen levels) — ultra is exact print size instead. */
  heightPx: number | null;
  mime: RasterMime;
  webpQuality: number;
  /** Print keeps the bleed canvas; screens show what a reader sees: the trim. */
  area: 'bleed' | 'trim';
}

export const QUALITY_SPECS: Record<QualityLevel, LevelSpec> = {
  ultra: { heightPx: null, mime: 'image/png', webpQuality: 90, area: 'bleed' },
  high: { heightPx: 1600, mime: 'image/webp', webpQuality: 86, area: 'trim' },
  medium: { heightPx: 1200, mime: 'image/webp', webpQuality: 82, area: 'trim' },
  low: { heightPx: 800, mime: 'image/webp', webpQuality: 78, area: 'trim' },
  preview: { heightPx: 400, mime: 'image/webp', webpQuality: 72, area: 'trim' },
};

export interface RasterizeOptions {
  /** Force an encoding (CBZ and the PNG zip want PNG at screen sizes). */
  mime?: RasterMime;
  /** Override the area: 'bleed' keeps the full canvas, 'trim' crops to the trim box. */
  area?: 'bleed' | 'trim';
  /** Override the target height in px of the chosen area (webtoon, custom thumbnails). */
  widthPx?: number;
}

/** Pixel size of the full bleed canvas at the format's print resolution (2591×3624 for B5). */
export function printCanvasPx(format: PageFormat): { width: number; height: number } {
  const px = (mm: number) => Math.round((mm / 25.4) * format.dpi);
  return { width: px(format.trimMm.w + 2 * format.bleedMm), height: px(format.trimMm.h + 2 * format.bleedMm) };
}

export async function rasterizePage(
  svg: string,
  quality: QualityLevel,
  format: PageFormat,
  options: RasterizeOptions = {},
): Promise<RasterPage> {
  const spec = QUALITY_SPECS[quality];
  const mime = options.mime ?? spec.mime;
  const { width, height } = outputSize(quality, format, options);
  const raw = await renderRgb(svg, format, options.area ?? spec.area, width, height);
  let pipe = sharp(raw.data, { raw: { width, height, channels: 3 } });
  // Storyboard pages and inked manga are grey: one channel instead of three makes the PNG
  // ~40 % smaller and faster to encode. (WebP is YUV anyway, so it gains nothing.)
  if (mime === 'image/png' && isGrey(raw.data)) pipe = pipe.extractChannel(1);
  const encoded =
    mime === 'image/png'
      ? pipe.png({ compressionLevel: 6, adaptiveFiltering: false })
      : mime === 'image/webp'
        ? pipe.webp({ quality: spec.webpQuality, effort: 2 })
        : pipe.jpeg({ quality: 88, mozjpeg: true });
  const buf = await encoded.toBuffer();
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return { bytes, mime, width, height, hash: sha256Hex(bytes) };
}

/** Pixel size of a level's output (ultra: the exact print canvas; others: a target height). */
export function outputSize(quality: QualityLevel, format: PageFormat, options: RasterizeOptions = {}): { width: number; height: number } {
  const spec = QUALITY_SPECS[quality];
  const area = options.area ?? spec.area;
  const b = area === 'bleed' ? format.bleedMm : 0;
  const areaW = format.trimMm.w + 2 * b;
  const areaH = format.trimMm.h + 2 * b;
  if (options.widthPx) return { width: options.widthPx, height: Math.round((options.widthPx * areaH) / areaW) };
  if (spec.heightPx === null) {
    const dpmm = format.dpi / 25.4;
    return { width: Math.round(areaW * dpmm), height: Math.round(areaH * dpmm) };
  }
  return { width: Math.round((spec.heightPx * areaW) / areaH), height: spec.heightPx };
}

export interface RgbImage {
  /** Packed RGB, 3 bytes a pixel, row-major, no padding. */
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Draw the page SVG and return exactly `outW`×`outH` RGB pixels of the chosen area (the full
 * bleed canvas, or the trim box). Used by every raster output, webtoon strips included.
 */
export async function renderRgb(svg: string, format: PageFormat, area: 'bleed' | 'trim', outW: number, outH: number): Promise<RgbImage> {
  const b = format.bleedMm;
  // Draw exactly the wanted area: the root viewBox is set to it, so the page lands on whole
  // pixels whatever the SVG's own extent (crop marks widen it) and nothing outside is drawn.
  const box: [number, number, number, number] =
    area === 'bleed' ? [-b, -b, format.trimMm.w + 2 * b, format.trimMm.h + 2 * b] : [0, 0, format.trimMm.w, format.trimMm.h];
  const img = await renderAsync(await resvgCompatibleImages(withViewBox(svg, box)), {
    fitTo: { mode: 'width', value: outW },
    font: { loadSystemFonts: false },
    background: '#ffffff',
    shapeRendering: 2,
    imageRendering: 0,
    logLevel: 'off',
  });
  // resvg rounds the height on its own; crop (or pad with white) to the exact size so ultra is
  // always exactly the print size.
  const w = Math.min(outW, img.width);
  const h = Math.min(outH, img.height);
  let pipe = sharp(img.pixels, { raw: { width: img.width, height: img.height, channels: 4 } })
    .extract({ left: 0, top: 0, width: w, height: h })
    .flatten({ background: '#ffffff' });
  if (w < outW || h < outH) {
    pipe = sharp(await pipe.raw().toBuffer(), { raw: { width: w, height: h, channels: 3 } }).extend({
      right: outW - w,
      bottom: outH - h,
      background: '#ffffff',
    });
  }
  const data = await pipe.removeAlpha().raw().toBuffer();
  return { data, width: outW, height: outH };
}

/** The SVG with its root viewBox (and mm size) replaced by `box`. */
export function withViewBox(svg: string, box: [number, number, number, number]): string {
  const m = /<svg\b[^>]*>/.exec(svg);
  if (!m) throw new Error('rasterizePage: not an SVG');
  const rnd = (n: number) => String(Math.round(n * 1000) / 1000);
  const root = m[0]
    .replace(/\s(viewBox|width|height)="[^"]*"/g, '')
    .replace(/^<svg\b/, `<svg width="${rnd(box[2])}mm" height="${rnd(box[3])}mm" viewBox="${box.map(rnd).join(' ')}"`);
  return svg.slice(0, m.index) + root + svg.slice(m.index + m[0].length);
}

/**
 * resvg 2.6 draws PNG, JPEG and GIF but silently skips WebP (a blank panel). Chromium draws all
 * of them, so the SVG keeps the original bytes and only the resvg path re-encodes WebP as PNG.
 */
async function resvgCompatibleImages(svg: string): Promise<string> {
  const re = /data:image\/webp;base64,([A-Za-z0-9+/=]+)/g;
  const found = [...new Set([...svg.matchAll(re)].map((m) => m[1]))];
  if (found.length === 0) return svg;
  const swaps = new Map<string, string>();
  for (const b64 of found) {
    const png = await sharp(Buffer.from(b64, 'base64')).png({ compressionLevel: 1 }).toBuffer();
    swaps.set(b64, png.toString('base64'));
  }
  return svg.replace(re, (_m, b64: string) => `data:image/png;base64,${swaps.get(b64) ?? b64}`);
}

/** True when every pixel has R = G = B; stops at the first coloured pixel. */
export function isGrey(rgb: Buffer): boolean {
  for (let i = 0; i + 2 < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function extensionFor(mime: RasterMime): string {
  return mime === 'image/png' ? 'png' : mime === 'image/webp' ? 'webp' : 'jpg';
}
