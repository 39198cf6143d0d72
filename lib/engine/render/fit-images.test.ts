import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fitImage, fitPageImages, pxPerMm } from './fit-images';
import { renderPage } from './page';
import { fixtureBook } from './fixtures/book';
import { toGray } from './fixtures/pixels';

async function bigJpeg(w: number, h: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: w, height: h, channels: 3, background: '#335577' } }).jpeg().toBuffer());
}

describe('fitting scene images to the quality level', () => {
  it('shrinks an image to just cover the target box, keeping its aspect', async () => {
    const out = await fitImage(await bigJpeg(2000, 1000), 100, 100);
    const m = await sharp(out).metadata();
    expect(m.height).toBe(100);
    expect(m.width).toBe(200);
  });

  it('never enlarges, and passes through an image already near the size', async () => {
    const small = await bigJpeg(120, 120);
    expect(await fitImage(small, 400, 400)).toBe(small);
    expect(await fitImage(small, 100, 100)).toBe(small);
  });

  it('fits a page for preview: the raster still shows the art in its panel', async () => {
    const book = fixtureBook(1);
    const page = book.pages[0];
    const panel = page.page.panels[3];
    page.images.set(panel.id, await bigJpeg(2400, 2400));
    const fitted = await fitPageImages(page, book.format, pxPerMm('preview', book.format));
    const m = await sharp(fitted.images.get(panel.id)!).metadata();
    expect(m.width).toBeLessThan(200);
    const ctx = { format: book.format, readingDirection: book.readingDirection, language: book.language, characters: book.characters };
    const r = await renderPage(page, ctx, 'preview', { mime: 'image/png' });
    const g = await toGray(r.bytes);
    const k = r.width / 182;
    const [x, y, w, h] = panel.bboxMm;
    // The fill colour #335577 → grey ≈ 78 at the panel's centre.
    const v = g.data[Math.round((y + h / 2) * k) * g.width + Math.round((x + w / 2) * k)];
    expect(v).toBeGreaterThan(60);
    expect(v).toBeLessThan(100);
  });

  it('pxPerMm: ultra is the print resolution, preview the 400 px trim', () => {
    const f = fixtureBook(1).format;
    expect(pxPerMm('ultra', f)).toBeCloseTo(2591 / 188, 5);
    expect(pxPerMm('preview', f)).toBeCloseTo(283 / 182, 5);
  });
});
