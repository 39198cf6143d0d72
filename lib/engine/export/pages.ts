/** Render every page of a book once, in reading order, for the raster exports. */
import type { ComposedBook, QualityLevel } from '../types';
import { renderPageSvg, type RenderPageOptions } from '../render/svg';
import { type RasterizeOptions, type RasterPage } from '../render/raster';
import { renderPage } from '../render/page';

export function bookContext(book: ComposedBook) {
  return { format: book.format, readingDirection: book.readingDirection, language: book.language, characters: book.characters };
}

/** Pages sorted by index: the index is the reading order (page 1 is the first page read). */
export function pagesInReadingOrder(book: ComposedBook) {
  return [...book.pages].sort((a, b) => a.page.index - b.page.index);
}

export function bookSvgs(book: ComposedBook, options: RenderPageOptions = {}): string[] {
  const ctx = bookContext(book);
  return pagesInReadingOrder(book).map((p) => renderPageSvg(p, ctx, options));
}

/**
 * Two pages at a time: resvg runs on libuv's pool and sharp has its own threads, so more
 * concurrency only adds memory on a 2-core machine (an ultra page is ~38 MB of RGBA).
 */
export async function rasterizeBook(
  book: ComposedBook,
  quality: QualityLevel,
  options: RasterizeOptions = {},
  concurrency = 2,
): Promise<RasterPage[]> {
  const pages = pagesInReadingOrder(book);
  const ctx = bookContext(book);
  const out: RasterPage[] = new Array(pages.length);
  let next = 0;
  const worker = async () => {
    while (next < pages.length) {
      const i = next++;
      // Images fitted to the level first: a CBZ at 'high' must not decode 2k scene images.
      out[i] = await renderPage(pages[i], ctx, quality, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pages.length) }, worker));
  return out;
}
