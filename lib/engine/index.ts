/**
 * The manga engine's public surface. Import from '@/lib/engine' rather than from a module's
 * files: the modules' internals may move, these names stay.
 *
 *   formats  → pageFormat, PAGE_FORMATS, mmToPx      layout   → layoutBook
 *   lettering→ setText, textBlockToSvg               balloons → placeBalloons, renderBalloonSvg
 *   quality  → checkPage, checkBook, baselineFixedGrid
 *   render   → renderPageSvg, rasterizePage          export   → exportPdf, exportCbz, exportPngZip,
 *   book     → composeBook                                       exportWebtoon, toLayoutJson
 *
 * lettering and quality share a few helper names (kinsokuViolations, columnCells), so besides
 * their main functions they are also exposed whole as namespaces.
 */
export * from './types';
export * from './formats';
export { layoutBook, layoutPage, estimateReadingOrder } from './layout';
export { setText, textBlockToSvg, phraseBoundaries, blockFromColumns } from './lettering';
export type { TextBlock, SetTextOptions } from './lettering';
export { placeBalloons, renderBalloonSvg, balloonShapeSvg } from './balloons';
export type { PlaceOptions, PlaceResult } from './balloons';
export { checkPage, checkBook, baselineFixedGrid } from './quality';
export type { BookQualityReport, PageQualityReport, Metric, MetricId } from './quality';
export * from './render';
export * from './export';
export { composeBook } from './book';
export type { ComposeBookInput, ComposeBookResult } from './book';
export * as lettering from './lettering';
export * as quality from './quality';
