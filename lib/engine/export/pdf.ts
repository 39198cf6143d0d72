/**
 * PDF export.
 *
 * Default (vector): each page SVG — where every glyph is already an outline and scene images
 * are embedded — is printed by Chromium's `page.pdf()`, one PDF page per manga page at the
 * bleed canvas size (trim + 2 × bleed). Why this path: the visible lettering needs no font
 * (pdf-lib could only embed a Japanese font whole, 3–4 MB, because its subsetting loses CJK
 * glyphs), it is exactly the shapes the lettering engine set (vertical forms included), and a
 * storyboard page is a few tens of KB. An invisible text layer over each balloon, in a font
 * Chromium subsets, keeps the text searchable and copyable. pdf-lib then adds what Chromium
 * cannot: TrimBox/BleedBox for the printer, the title, the language, and right-to-left page
 * order for viewers of rtl books.
 *
 * Fallback (raster): given page rasters (or `mode: 'raster'`), pdf-lib draws one image a page.
 * Bigger, but needs no browser.
 */
import type { Browser } from 'playwright-core';
import { PDFDocument, PDFName, ReadingDirection as PdfDirection, type PDFPage } from 'pdf-lib';
import sharp from '../../sharp';
import { readFileSync } from 'node:fs';
import type { ComposedBook, PageFormat, PlacedBalloon } from '../types';
import { fontFile } from '../fonts';
import type { RasterPage } from '../render/raster';
import { canvasMm } from '../render/geometry';
import { bookContext, pagesInReadingOrder } from './pages';
import { renderPageSvg } from '../render/svg';
import { fitPageImages } from '../render/fit-images';
import { sha256Hex } from '../render/raster';
import { withBrowser } from './chromium';

export interface PdfOptions {
  /** Reuse a running Chromium (a server keeps one); otherwise one is launched and closed. */
  browser?: Browser;
  mode?: 'vector' | 'raster';
  /**
   * The invisible, searchable text layer (default on). A print shop's PDF may turn it off: it
   * is drawn at 1 % opacity (Chromium drops fully transparent text), i.e. a transparency group.
   */
  textLayer?: boolean;
}

const PT_PER_MM = 72 / 25.4;

export async function exportPdf(book: ComposedBook, pagesRaster?: RasterPage[], options: PdfOptions = {}): Promise<Uint8Array> {
  const mode = options.mode ?? (pagesRaster ? 'raster' : 'vector');
  if (mode === 'raster') {
    if (!pagesRaster) throw new Error('exportPdf: raster mode needs the page rasters');
    return rasterPdf(book, pagesRaster);
  }
  const printed = await withBrowser(options.browser, (b) => chromiumPdf(book, b, options.textLayer ?? true));
  return finishPdf(book, await PDFDocument.load(printed));
}

const ORIGIN = 'http://koma.pdf';

async function chromiumPdf(book: ComposedBook, browser: Browser, withText: boolean): Promise<Uint8Array> {
  const [, , cw, ch] = canvasMm(book.format);
  // Scene images at print resolution, served by request interception rather than inlined.
  const assets = new Map<string, { bytes: Uint8Array; mime: string }>();
  const ctx = bookContext(book);
  const pxPerMmPrint = book.format.dpi / 25.4;
  const svgs: string[] = [];
  const pages = pagesInReadingOrder(book);
  for (const p of pages) {
    const fitted = await fitPageImages(p, book.format, pxPerMmPrint);
    svgs.push(
      renderPageSvg(fitted, ctx, {
        imageHref: (bytes, mime) => {
          const id = sha256Hex(bytes);
          assets.set(id, { bytes, mime });
          return `${ORIGIN}/img/${id}`;
        },
      }),
    );
  }
  // One fixed-size, overflow-hidden box per page and a forced break after each but the last:
  // without that, rounding of mm → CSS px can push a sliver onto an extra blank page.
  const html =
    `<!doctype html><html lang="${book.language}"><head><meta charset="utf-8"><style>` +
    `@page{size:${cw}mm ${ch}mm;margin:0}html,body{margin:0;padding:0;background:#fff}` +
    `.p{width:${cw}mm;height:${ch}mm;overflow:hidden;break-after:page}.p:last-child{break-after:auto}` +
    `.p>svg{display:block;width:${cw}mm;height:${ch}mm}` +
    `@font-face{font-family:KomaText;src:url(${ORIGIN}/font.ttf)}` +
    `.t{position:absolute;font-family:KomaText;color:#000;opacity:0.01;white-space:pre;margin:0;padding:0;line-height:1}` +
    `.t.v{writing-mode:vertical-rl}</style></head><body>` +
    svgs.map((s, i) => `<div class="p" style="position:relative">${s}${withText ? textLayer(pages[i].balloons, book.format.bleedMm) : ''}</div>`).join('') +
    `</body></html>`;
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    // Everything comes from this process: any other request is refused (no network).
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === `${ORIGIN}/book.html`) return route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' });
      if (url === `${ORIGIN}/font.ttf`) return route.fulfill({ body: readFileSync(fontFile(book.language === 'ja' ? 'ja-regular' : 'latin-regular')), contentType: 'font/ttf' });
      const asset = url.startsWith(`${ORIGIN}/img/`) ? assets.get(url.slice(ORIGIN.length + 5)) : undefined;
      if (asset) return route.fulfill({ body: Buffer.from(asset.bytes), contentType: asset.mime });
      return route.abort();
    });
    await page.goto(`${ORIGIN}/book.html`, { waitUntil: 'load' });
    const buf = await page.pdf({ width: `${cw}mm`, height: `${ch}mm`, printBackground: true, preferCSSPageSize: true, margin: { top: '0', right: '0', bottom: '0', left: '0' } });
    return new Uint8Array(buf);
  } finally {
    await context.close();
  }
}

/**
 * An invisible text layer over each balloon, so the PDF can be searched and copied and read
 * aloud: the visible lettering is outlines (exactly as set), this is real text in a font that
 * Chromium subsets into the PDF. Nearly transparent rather than transparent: fully
 * transparent text may be dropped from the PDF.
 */
function textLayer(balloons: readonly PlacedBalloon[], bleedMm: number): string {
  return balloons
    .map((b) => {
      const [x, y, w, h] = b.bboxMm;
      const style = `left:${x + bleedMm}mm;top:${y + bleedMm}mm;width:${w}mm;height:${h}mm;font-size:${b.fontSizeMm}mm`;
      const text = b.columns.map(escapeHtml).join('\n');
      return `<p class="t${b.vertical ? ' v' : ''}" style="${style}">${text}</p>`;
    })
    .join('');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function rasterPdf(book: ComposedBook, rasters: RasterPage[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const [, , cw, ch] = canvasMm(book.format);
  for (const r of rasters) {
    // pdf-lib embeds PNG and JPEG only; WebP is re-encoded as JPEG.
    const image =
      r.mime === 'image/png'
        ? await doc.embedPng(r.bytes)
        : await doc.embedJpg(r.mime === 'image/jpeg' ? r.bytes : new Uint8Array(await sharp(r.bytes).jpeg({ quality: 90 }).toBuffer()));
    // A raster of the whole canvas keeps its bleed; a screen raster (trim only) gets a trim-size page.
    const isCanvas = Math.abs(r.width / r.height - cw / ch) < Math.abs(r.width / r.height - book.format.trimMm.w / book.format.trimMm.h);
    const wMm = isCanvas ? cw : book.format.trimMm.w;
    const hMm = isCanvas ? ch : book.format.trimMm.h;
    const page = doc.addPage([wMm * PT_PER_MM, hMm * PT_PER_MM]);
    page.drawImage(image, { x: 0, y: 0, width: wMm * PT_PER_MM, height: hMm * PT_PER_MM });
    if (!isCanvas) page.setTrimBox(0, 0, wMm * PT_PER_MM, hMm * PT_PER_MM);
  }
  return finishPdf(book, doc, false);
}

/** Print boxes, metadata and reading direction, then save with object streams (smaller). */
async function finishPdf(book: ComposedBook, doc: PDFDocument, setBoxes = true): Promise<Uint8Array> {
  if (setBoxes) for (const page of doc.getPages()) setPrintBoxes(page, book.format);
  doc.setTitle(book.title, { showInWindowTitleBar: true });
  doc.setLanguage(book.language);
  doc.setProducer('Koma manga engine');
  doc.setCreator('Koma');
  // Fixed dates: the same book gives the same bytes.
  const epoch = new Date('2020-01-01T00:00:00Z');
  doc.setCreationDate(epoch);
  doc.setModificationDate(epoch);
  const prefs = doc.catalog.getOrCreateViewerPreferences();
  prefs.setReadingDirection(book.readingDirection === 'rtl' ? PdfDirection.R2L : PdfDirection.L2R);
  // Two-up viewers start a Japanese book with a single cover page on the right.
  doc.catalog.set(PDFName.of('PageLayout'), PDFName.of('TwoPageRight'));
  return doc.save({ useObjectStreams: true });
}

/**
 * MediaBox = BleedBox = the bleed canvas, TrimBox = the trim inside it. Chromium rounds the
 * page to whole CSS px (B5: 533.04 × 745.92 pt instead of 532.91 × 745.51), so the box is reset
 * to the exact size, anchored at the top-left where Chromium anchors the content.
 */
function setPrintBoxes(page: PDFPage, format: PageFormat): void {
  const [, , cw, ch] = canvasMm(format);
  const W = cw * PT_PER_MM;
  const H = ch * PT_PER_MM;
  const { height } = page.getSize();
  const y0 = height - H;
  const b = format.bleedMm * PT_PER_MM;
  page.setMediaBox(0, y0, W, H);
  page.setCropBox(0, y0, W, H);
  page.setBleedBox(0, y0, W, H);
  page.setTrimBox(b, y0 + b, W - 2 * b, H - 2 * b);
}
