/**
 * Webtoon strip: every page's trim scaled to 800 px wide, stacked top to bottom with a white
 * gap, cut into slices of at most 1280 px (the WEBTOON platform limit). Cuts prefer an all-white
 * row (a tier gutter or the gap between pages) so a slice boundary does not split a panel.
 */
import sharp from '../../sharp';
import type { ComposedBook } from '../types';
import { WEBTOON } from '../formats';
import { renderRgb, sha256Hex } from '../render/raster';
import { bookContext, pagesInReadingOrder } from './pages';
import { renderPageSvg } from '../render/svg';
import { fitPageImages } from '../render/fit-images';

export interface WebtoonOptions {
  widthPx?: number;
  maxSliceHeightPx?: number;
  pageGapPx?: number;
  mime?: 'image/png' | 'image/jpeg';
}

export interface WebtoonSlice {
  bytes: Uint8Array;
  width: number;
  height: number;
  hash: string;
}

export interface WebtoonStrip {
  slices: Uint8Array[];
  /** The same slices with their sizes (what an upload form asks for). */
  meta: Array<Omit<WebtoonSlice, 'bytes'>>;
  mime: 'image/png' | 'image/jpeg';
  totalHeight: number;
}

export async function exportWebtoon(book: ComposedBook, options: WebtoonOptions = {}): Promise<WebtoonStrip> {
  const width = options.widthPx ?? WEBTOON.widthPx;
  const maxH = options.maxSliceHeightPx ?? WEBTOON.maxSliceHeightPx;
  const gap = options.pageGapPx ?? WEBTOON.pageGapPx;
  const mime = options.mime ?? 'image/png';
  const pageH = Math.round((width * book.format.trimMm.h) / book.format.trimMm.w);

  const pages = pagesInReadingOrder(book);
  const ctx = bookContext(book);
  const total = pages.length * pageH + Math.max(0, pages.length - 1) * gap;
  const strip = Buffer.alloc(total * width * 3, 0xff);
  for (let i = 0; i < pages.length; i++) {
    const fitted = await fitPageImages(pages[i], book.format, width / book.format.trimMm.w);
    const img = await renderRgb(renderPageSvg(fitted, ctx), book.format, 'trim', width, pageH);
    img.data.copy(strip, i * (pageH + gap) * width * 3);
  }

  const cuts = sliceBoundaries(strip, width, total, maxH);
  const slices: Uint8Array[] = [];
  const meta: WebtoonStrip['meta'] = [];
  for (let k = 0; k < cuts.length - 1; k++) {
    const y0 = cuts[k];
    const h = cuts[k + 1] - y0;
    const raw = strip.subarray(y0 * width * 3, (y0 + h) * width * 3);
    const pipe = sharp(raw, { raw: { width, height: h, channels: 3 } });
    const buf = await (mime === 'image/png' ? pipe.png({ compressionLevel: 6 }) : pipe.jpeg({ quality: 90, mozjpeg: true })).toBuffer();
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    slices.push(bytes);
    meta.push({ width, height: h, hash: sha256Hex(bytes) });
  }
  return { slices, meta, mime, totalHeight: total };
}

/**
 * Slice boundaries [0, …, total]: from each start, the lowest all-white row within the allowed
 * height, if one lies in the lower half of the window; otherwise a hard cut at the limit.
 */
export function sliceBoundaries(rgb: Buffer, width: number, total: number, maxH: number): number[] {
  const cuts = [0];
  let start = 0;
  while (total - start > maxH) {
    let cut = start + maxH;
    for (let y = start + maxH; y > start + maxH / 2; y--) {
      if (isWhiteRow(rgb, width, y)) {
        cut = y;
        break;
      }
    }
    cuts.push(cut);
    start = cut;
  }
  cuts.push(total);
  return cuts;
}

function isWhiteRow(rgb: Buffer, width: number, y: number): boolean {
  const row = y * width * 3;
  for (let i = 0; i < width * 3; i++) if (rgb[row + i] < 250) return false;
  return true;
}
