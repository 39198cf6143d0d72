/**
 * One call from a composed page to a raster: images fitted to the level, SVG, raster. This is
 * what servers and exports should use; `renderPageSvg` + `rasterizePage` stay available for
 * callers that need the SVG itself.
 */
import type { ComposedPage, QualityLevel } from '../types';
import { fitPageImages, pxPerMm } from './fit-images';
import { rasterizePage, type RasterizeOptions, type RasterPage } from './raster';
import { renderPageSvg, type RenderBookContext, type RenderPageOptions } from './svg';

export async function renderPage(
  page: ComposedPage,
  book: RenderBookContext,
  quality: QualityLevel,
  options: RasterizeOptions & RenderPageOptions = {},
): Promise<RasterPage> {
  const fitted = await fitPageImages(page, book.format, pxPerMm(quality, book.format, options));
  return rasterizePage(renderPageSvg(fitted, book, options), quality, book.format, options);
}
