import { describe, expect, it } from 'vitest';
import type { BBoxMm } from '../types';
import { renderPageSvg } from './svg';
import { rasterizePage, printCanvasPx, outputSize } from './raster';
import { canvasSizePx, pageFormat } from '../formats';
import { PAGE_FORMAT_NAMES } from '../types';
import { bleedPanelBox } from './geometry';
import { blockFromColumns } from '../lettering';
import { sniffImageMime } from './image';
import { fixtureBook, scenePng } from './fixtures/book';
import { darkFraction, minGray, mmRect, toGray } from './fixtures/pixels';

const book = fixtureBook(1);
const page = book.pages[0];
const ctx = { format: book.format, readingDirection: book.readingDirection, language: book.language, characters: book.characters };

describe('renderPageSvg', () => {
  const svg = renderPageSvg(page, ctx);

  it('is an mm SVG whose viewBox is the bleed canvas', () => {
    expect(svg).toMatch(/^<svg [^>]*width="188mm" height="263mm" viewBox="-3 -3 188 263"/);
  });

  it('has no text elements and no external references (glyphs are outlines, images inline)', () => {
    expect(svg).not.toMatch(/<text[\s>]/);
    expect(svg).not.toMatch(/href="(?!data:)/);
  });

  it('runs a bleed panel to the bleed line on its outer sides and keeps the inner side', () => {
    const a = page.page.panels.find((p) => p.bleed)!;
    const { box, edges } = bleedPanelBox(a, book.format);
    expect(edges).toEqual({ top: true, left: true, right: true, bottom: false });
    expect(box[0]).toBe(-3);
    expect(box[1]).toBe(-3);
    expect(box[0] + box[2]).toBe(185);
    expect(box[1] + box[3]).toBeCloseTo(a.bboxMm[1] + a.bboxMm[3]);
    expect(svg).toContain(`<rect x="-3" y="-3" width="188"`);
  });

  it('embeds a scene image as a data URI clipped to its panel', async () => {
    const png = await scenePng();
    const images = new Map([[page.page.panels[3].id, png]]);
    const s = renderPageSvg({ ...page, images }, ctx);
    expect(s).toMatch(/<g clip-path="url\(#clip-p0-3\)"[^>]*><image [^>]*xlink:href="data:image\/png;base64,/);
  });

  it('carries the page text in reading order in <desc> for screen readers', () => {
    expect(svg).toContain('<title>Page 1</title>');
    expect(svg).toContain('<desc>「はい、そうです…ー」 / 本当？ウソ！</desc>');
  });

  it('widens the canvas for crop marks only when asked', () => {
    expect(renderPageSvg(page, ctx, { cropMarks: true })).toMatch(/viewBox="-13 -13 208 283"/);
  });

  it('sniffs image types from bytes', async () => {
    expect(sniffImageMime(await scenePng())).toBe('image/png');
    expect(sniffImageMime(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('image/svg+xml');
    expect(sniffImageMime(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});

describe('rasterizePage', () => {
  const svg = renderPageSvg(page, ctx);

  it('ultra is exactly the 350 dpi bleed canvas (2591×3624 for B5) as PNG', async () => {
    const r = await rasterizePage(svg, 'ultra', book.format);
    expect([r.width, r.height]).toEqual([2591, 3624]);
    expect(printCanvasPx(book.format)).toEqual({ width: 2591, height: 3624 });
    expect(r.mime).toBe('image/png');
    const g = await toGray(r.bytes);
    expect([g.width, g.height]).toEqual([2591, 3624]);
  });

  it.each(PAGE_FORMAT_NAMES)('ultra of %s is its print canvas in whole pixels (formats.canvasSizePx)', (name) => {
    const f = pageFormat(name);
    const c = canvasSizePx(f);
    expect(outputSize('ultra', f)).toEqual({ width: c.w, height: c.h });
  });

  it.each([
    ['high', 1600],
    ['medium', 1200],
    ['low', 800],
    ['preview', 400],
  ] as const)('%s is a WebP %i px tall', async (q, h) => {
    const r = await rasterizePage(svg, q, book.format);
    expect(r.mime).toBe('image/webp');
    expect(r.height).toBe(h);
    expect(r.width).toBe(Math.round((h * 182) / 257));
    const g = await toGray(r.bytes);
    expect([g.width, g.height]).toEqual([r.width, r.height]);
  });

  it('an SVG with crop marks rasterises to the same bleed canvas (the marks lie outside it)', async () => {
    const marked = renderPageSvg(page, ctx, { cropMarks: true });
    const a = await rasterizePage(svg, 'low', book.format, { area: 'bleed' });
    const b = await rasterizePage(marked, 'low', book.format, { area: 'bleed' });
    expect([b.width, b.height]).toEqual([a.width, a.height]);
    const ga = await toGray(a.bytes);
    const gb = await toGray(b.bytes);
    let differ = 0;
    for (let i = 0; i < ga.data.length; i++) if (Math.abs(ga.data[i] - gb.data[i]) > 48) differ++;
    expect(differ / ga.data.length).toBeLessThan(0.002);
  });

  it('hash is the sha256 of the bytes, stable for the same input, different for a different page', async () => {
    const a = await rasterizePage(svg, 'preview', book.format);
    const b = await rasterizePage(svg, 'preview', book.format);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    const other = renderPageSvg({ ...page, balloons: page.balloons.slice(1) }, ctx);
    expect((await rasterizePage(other, 'preview', book.format)).hash).not.toBe(a.hash);
  });

  it('puts ink where the balloon text is and leaves gutters and margins white', async () => {
    const r = await rasterizePage(svg, 'high', book.format, { mime: 'image/png' });
    const g = await toGray(r.bytes);
    const pxPerMm = r.width / 182; // 'high' shows the trim
    const origin: [number, number] = [0, 0];
    for (const b of page.balloons) {
      // The text box exactly as the lettering engine sets it, centred in the balloon.
      const block = blockFromColumns(b.columns, { language: 'ja', kind: b.kind, fontSizeMm: b.fontSizeMm, vertical: b.vertical });
      const [x, y, w, h] = b.bboxMm;
      const tx = x + (w - block.widthMm) / 2;
      const ty = y + (h - block.heightMm) / 2;
      // Inside the text box: ink.
      expect(darkFraction(g, ...mmRect([tx, ty, block.widthMm, block.heightMm], pxPerMm, origin))).toBeGreaterThan(0.05);
      // Just above and below it, still inside the balloon: white paper.
      expect(minGray(g, ...mmRect([tx, ty - 1.2, block.widthMm, 0.8], pxPerMm, origin))).toBeGreaterThan(200);
      expect(minGray(g, ...mmRect([tx, ty + block.heightMm + 0.4, block.widthMm, 0.8], pxPerMm, origin))).toBeGreaterThan(200);
    }
    // The tier gutter between the first and second tier, and the page margin, are paper.
    const gutter: BBoxMm = [20, 89.5, 140, 6];
    expect(minGray(g, ...mmRect(gutter, pxPerMm, origin))).toBeGreaterThan(250);
    const margin: BBoxMm = [2, 100, 12, 140];
    expect(minGray(g, ...mmRect(margin, pxPerMm, origin))).toBeGreaterThan(250);
  });

  it('encodes a grey page as a one-channel PNG and a page with colour art as RGB', async () => {
    const sharp = (await import('sharp')).default;
    const grey = await rasterizePage(svg, 'preview', book.format, { mime: 'image/png' });
    expect((await sharp(grey.bytes).metadata()).channels).toBe(1);
    const colour = renderPageSvg({ ...page, images: new Map([[page.page.panels[1].id, await scenePng()]]) }, ctx);
    const c = await rasterizePage(colour, 'preview', book.format, { mime: 'image/png' });
    expect((await sharp(c.bytes).metadata()).channels).toBe(3);
  });

  it('draws a WebP scene image (resvg cannot: it is re-encoded on the way)', async () => {
    const sharp = (await import('sharp')).default;
    const webp = new Uint8Array(await sharp(await scenePng()).webp().toBuffer());
    const panel = page.page.panels[4];
    const s = renderPageSvg({ ...page, images: new Map([[panel.id, webp]]) }, ctx);
    const r = await rasterizePage(s, 'low', book.format, { mime: 'image/png' });
    const g = await toGray(r.bytes);
    const pxPerMm = r.width / 182;
    const [x, y, w, h] = panel.bboxMm;
    // The scene's dark blue background (gray ≈ 85) fills the panel's corner.
    expect(darkFraction(g, ...mmRect([x + 2, y + 2, w * 0.1, h * 0.1], pxPerMm, [0, 0]), 128)).toBeGreaterThan(0.9);
  });
});
