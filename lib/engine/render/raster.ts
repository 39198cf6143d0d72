/**
 * Page SVG → raster at one of five quality levels: resvg draws (no system fonts — every glyph
 * is already an outline, so loading fonts would only cost time), sharp crops and encodes.
 * The output is content-hashed so a URL built from the hash can be cached forever.
 */
import { createHash } from 'node:crypto';
import { renderAsync } from '@resvg/resvg-js';
import sharp from 'sharp';
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
  const area = options.area ?? spec.area;
  const mime = options.mime ?? spec.mime;
  const b = format.bleedMm;
  const canvasW = format.trimMm.w + 2 * b;
  const canvasH = format.trimMm.h + 2 * b;
  const areaW = area === 'bleed' ? canvasW : format.trimMm.w;
  const areaH = area === 'bleed' ? canvasH : format.trimMm.h;

  // Output size of the chosen area in px, then px per mm for the whole canvas.
  let outW: number;
  let outH: number;
  if (options.widthPx) {
    outW = options.widthPx;
    outH = Math.round((options.widthPx * areaH) / areaW);
  } else if (spec.heightPx === null) {
    const dpmm = format.dpi / 25.4;
    outW = Math.round(areaW * dpmm);
    outH = Math.round(areaH * dpmm);
  } else {
    outH = spec.heightPx;
    outW = Math.round((spec.heightPx * areaW) / areaH);
  }
  const scale = outW / areaW;
  const renderW = Math.round(canvasW * scale);

  const img = await renderAsync(await resvgCompatibleImages(svg), {
    fitTo: { mode: 'width', value: renderW },
    font: { loadSystemFonts: false },
    background: '#ffffff',
    shapeRendering: 2,
    imageRendering: 0,
    logLevel: 'off',
  });
  const left = area === 'bleed' ? 0 : Math.round(b * scale);
  const top = area === 'bleed' ? 0 : Math.round(b * scale);
  let pipe = sharp(img.pixels, { raw: { width: img.width, height: img.height, channels: 4 } });
  // resvg rounds the canvas height on its own; crop (or pad by a pixel) to the exact size so
  // ultra is always exactly the print size.
  const w = Math.min(outW, img.width - left);
  const h = Math.min(outH, img.height - top);
  pipe = pipe.extract({ left, top, width: w, height: h });
  if (w < outW || h < outH) {
    pipe = sharp(await pipe.raw().toBuffer(), { raw: { width: w, height: h, channels: 4 } }).extend({
      right: outW - w,
      bottom: outH - h,
      background: '#ffffff',
    });
  }
  pipe = pipe.flatten({ background: '#ffffff' });
  const encoded =
    mime === 'image/png'
      ? pipe.png({ compressionLevel: 6, adaptiveFiltering: false })
      : mime === 'image/webp'
        ? pipe.webp({ quality: spec.webpQuality, effort: 2 })
        : pipe.jpeg({ quality: 88, mozjpeg: true });
  const buf = await encoded.toBuffer();
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return { bytes, mime, width: outW, height: outH, hash: sha256Hex(bytes) };
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

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function extensionFor(mime: RasterMime): string {
  return mime === 'image/png' ? 'png' : mime === 'image/webp' ? 'webp' : 'jpg';
}
