export { renderPageSvg } from './svg';
export type { RenderBookContext, RenderPageOptions, BalloonRenderer } from './svg';
export { rasterizePage, printCanvasPx, QUALITY_SPECS, sha256Hex, extensionFor } from './raster';
export type { RasterPage, RasterMime, RasterizeOptions } from './raster';
export { canvasMm, bleedPanelBox } from './geometry';
export { fallbackBalloonSvg } from './balloon-fallback';
