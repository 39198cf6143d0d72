/**
 * Scene images scaled to what a quality level can show. An AI scene image is ~1–2k px and
 * several MB; a 400 px preview of a page needs ~100 px of it. Decoding five full images costs
 * far more than drawing the page (≈ 700 ms vs 20 ms for a preview), so before rendering,
 * each image is shrunk to cover its panel at the target resolution (never enlarged).
 */
import { createHash } from 'node:crypto';
import sharp from '../../sharp';
import type { ComposedPage, PageFormat, QualityLevel } from '../types';
import { bleedPanelBox } from './geometry';
import { sniffImageMime } from './image';
import { outputSize, QUALITY_SPECS, type RasterizeOptions } from './raster';

/** Small LRU: the same image at the same size is reused across renders (previews re-render often). */
const CACHE_MAX = 256;
const cache = new Map<string, Uint8Array>();
/** Same bytes object → its content hash, so a re-render does not re-hash megabytes. */
const hashes = new WeakMap<Uint8Array, string>();

function contentHash(bytes: Uint8Array): string {
  let h = hashes.get(bytes);
  if (!h) {
    h = createHash('sha1').update(bytes).digest('hex');
    hashes.set(bytes, h);
  }
  return h;
}

function remember(key: string, value: Uint8Array): Uint8Array {
  cache.set(key, value);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
  return value;
}

/** px per mm of the page at a quality level (and its options). */
export function pxPerMm(quality: QualityLevel, format: PageFormat, options: RasterizeOptions = {}): number {
  const { width } = outputSize(quality, format, options);
  const area = options.area ?? QUALITY_SPECS[quality].area;
  return width / (format.trimMm.w + (area === 'bleed' ? 2 * format.bleedMm : 0));
}

export async function fitPageImages(page: ComposedPage, format: PageFormat, pxPerMmTarget: number): Promise<ComposedPage> {
  if (page.images.size === 0) return page;
  const images = new Map<string, Uint8Array>();
  for (const panel of page.page.panels) {
    const bytes = page.images.get(panel.id);
    if (!bytes) continue;
    const { box } = bleedPanelBox(panel, format);
    images.set(panel.id, await fitImage(bytes, Math.ceil(box[2] * pxPerMmTarget), Math.ceil(box[3] * pxPerMmTarget)));
  }
  // Images of ids that are not panels are kept as given (the renderer ignores them anyway).
  for (const [id, b] of page.images) if (!images.has(id)) images.set(id, b);
  return { ...page, images };
}

/** Shrink so the image still covers w×h (slice fit), keeping its aspect; small images pass through. */
export async function fitImage(bytes: Uint8Array, w: number, h: number): Promise<Uint8Array> {
  const mime = sniffImageMime(bytes);
  if (!mime || mime === 'image/svg+xml' || w <= 0 || h <= 0) return bytes;
  const key = `${contentHash(bytes)}:${w}x${h}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const meta = await sharp(bytes).metadata();
  if (!meta.width || !meta.height) return bytes;
  const scale = Math.max(w / meta.width, h / meta.height);
  // Within 25 % of the needed size: re-encoding would cost more than it saves.
  if (scale >= 0.8) return remember(key, bytes);
  const tw = Math.max(1, Math.ceil(meta.width * scale));
  const th = Math.max(1, Math.ceil(meta.height * scale));
  const pipe = sharp(bytes).resize(tw, th, { fit: 'fill' });
  // PNG stays PNG (line art, transparency); photos and WebP become JPEG, which resvg draws.
  const out = mime === 'image/png' || meta.hasAlpha ? await pipe.png({ compressionLevel: 3 }).toBuffer() : await pipe.jpeg({ quality: 88 }).toBuffer();
  return remember(key, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
}
