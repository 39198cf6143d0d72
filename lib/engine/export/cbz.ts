/** CBZ: page images in reading order plus ComicInfo.xml, the format comic readers import. */
import type { ComposedBook } from '../types';
import { extensionFor, type RasterPage } from '../render/raster';
import { comicInfoXml, type ComicInfoMeta } from './comicinfo';
import { rasterizeBook } from './pages';
import { pageFileName, zipEntries } from './zip';

export interface CbzOptions {
  meta?: ComicInfoMeta;
}

/**
 * `pages` are the rasters in reading order (as from `rasterizeBook`); without them every page
 * is rendered at `high` as PNG (lossless line art; readers scale it to the screen).
 */
export async function exportCbz(book: ComposedBook, pages?: RasterPage[], options: CbzOptions = {}): Promise<Uint8Array> {
  const rasters = pages ?? (await rasterizeBook(book, 'high', { mime: 'image/png' }));
  if (rasters.length !== book.pages.length) throw new Error(`exportCbz: ${rasters.length} rasters for ${book.pages.length} pages`);
  const info = comicInfoXml(
    book,
    rasters.map((p) => ({ width: p.width, height: p.height, sizeBytes: p.bytes.byteLength })),
    options.meta,
  );
  return zipEntries([
    ...rasters.map((p, i) => ({ name: pageFileName(i, rasters.length, extensionFor(p.mime)), bytes: p.bytes, compress: false })),
    { name: 'ComicInfo.xml', bytes: new TextEncoder().encode(info), compress: true },
  ]);
}
