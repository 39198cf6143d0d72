export { renderPageSvg } from './svg';
export type { RenderBookContext, RenderPageOptions, BalloonRenderer } from './svg';
export { rasterizePage, renderRgb, outputSize, printCanvasPx, QUALITY_SPECS, sha256Hex, extensionFor } from './raster';
export type { RasterPage, RasterMime, RasterizeOptions, RgbImage } from './raster';
export { canvasMm, bleedPanelBox } from './geometry';
export { fallbackBalloonSvg } from './balloon-fallback';
export { renderPage } from './page';
export { fitPageImages, fitImage, pxPerMm } from './fit-images';
