/** A zip of PNG pages (print masters by default: ultra, the full bleed canvas at 350 dpi). */
import type { ComposedBook, QualityLevel } from '../types';
import { rasterizeBook } from './pages';
import { pageFileName, zipEntries } from './zip';

export async function exportPngZip(book: ComposedBook, quality: QualityLevel = 'ultra'): Promise<Uint8Array> {
  const pages = await rasterizeBook(book, quality, { mime: 'image/png' });
  return zipEntries(pages.map((p, i) => ({ name: pageFileName(i, pages.length, 'png'), bytes: p.bytes, compress: false })));
}
