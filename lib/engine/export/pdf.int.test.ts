/** The vector PDF (Chromium `page.pdf()` + pdf-lib boxes), read back by poppler's tools. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBook } from '../render/fixtures/book';
import { darkFraction, toGray } from '../render/fixtures/pixels';
import { launchChromium } from './chromium';
import { exportPdf } from './pdf';
import { renderPageSvg } from '../render/svg';
import { rasterizePage } from '../render/raster';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PT = 72 / 25.4;

describe('exportPdf (vector, Chromium)', () => {
  it('has one page per manga page at trim + bleed, a TrimBox, no fonts, and pages in reading order', async () => {
    const book = fixtureBook(4);
    // Page i keeps i balloons (0, 1, 2, 2): the order is visible in the rendered pages.
    book.pages.forEach((p, i) => (p.balloons = p.balloons.slice(0, i)));
    const pdf = await exportPdf(book, undefined, { browser });
    const dir = mkdtempSync(path.join(tmpdir(), 'koma-pdf-'));
    const file = path.join(dir, 'book.pdf');
    writeFileSync(file, pdf);

    const info = execFileSync('pdfinfo', ['-box', file], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+4\n/);
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    expect(Number(w)).toBeCloseTo(188 * PT, 1);
    expect(Number(h)).toBeCloseTo(263 * PT, 1);
    const trim = /TrimBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(info)!.slice(1).map(Number);
    expect(trim[2] - trim[0]).toBeCloseTo(182 * PT, 1);
    expect(trim[3] - trim[1]).toBeCloseTo(257 * PT, 1);
    expect(info).toMatch(/Title:\s+Fixture/);

    // The visible lettering is outlines; the only font is the invisible text layer's, subset.
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBe(1);
    expect(fonts[0]).toMatch(/^[A-Z]{6}\+NotoSansJP-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    // …which makes the Japanese searchable and copyable, in reading order within a column.
    const text = execFileSync('pdftotext', ['-raw', '-f', '2', '-l', '2', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain('「はい、そうです…ー」');
    // Small: a storyboard page is tens of KB.
    expect(pdf.byteLength / 4).toBeLessThan(120_000);

    // Every page rasterises and is not blank; the balloon of page 2 is where page 2 has it.
    execFileSync('pdftoppm', ['-r', '50', '-png', file, path.join(dir, 'pg')]);
    const pxPerMm = 50 / 25.4;
    for (let i = 1; i <= 4; i++) {
      const g = await toGray(readFileSync(path.join(dir, `pg-${i}.png`)));
      expect(Math.abs(g.width - Math.round(188 * pxPerMm))).toBeLessThanOrEqual(1);
      expect(darkFraction(g, 0, 0, g.width, g.height)).toBeGreaterThan(0.005);
      // Balloon b1 (page's index ≥ 1 only) sits at x 140–162, y 100–136 mm of the trim.
      const [x, y] = [(140 + 3 + 5) * pxPerMm, (100 + 3 + 9) * pxPerMm];
      const ink = darkFraction(g, x, y, x + 12 * pxPerMm, y + 18 * pxPerMm);
      if (i === 1) expect(ink, `page ${i}`).toBeLessThan(0.01);
      else expect(ink, `page ${i}`).toBeGreaterThan(0.03);
    }
  });

  it('carries scene images (served to Chromium, not inlined) into the page, clipped to the panel', async () => {
    const book = fixtureBook(2);
    const sharp = (await import('sharp')).default;
    const jpeg = new Uint8Array(await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#202020' } }).jpeg().toBuffer());
    const panel = book.pages[1].page.panels[3];
    book.pages[1].images.set(panel.id, jpeg);
    const pdf = await exportPdf(book, undefined, { browser });
    const dir = mkdtempSync(path.join(tmpdir(), 'koma-pdf-'));
    const file = path.join(dir, 'art.pdf');
    writeFileSync(file, pdf);
    const list = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' });
    expect(list.trim().split('\n').length).toBe(3); // header, rule, one image
    execFileSync('pdftoppm', ['-r', '40', '-f', '2', '-l', '2', '-png', file, path.join(dir, 'pg')]);
    const g = await toGray(readFileSync(path.join(dir, 'pg-2.png')));
    const k = 40 / 25.4;
    const [x, y, w, h] = panel.bboxMm;
    // Inside the panel: the dark art; in the gutter next to it: paper.
    expect(darkFraction(g, (x + 3 + 2) * k, (y + 3 + 2) * k, (x + 3 + w - 2) * k, (y + 3 + h - 2) * k)).toBeGreaterThan(0.95);
    expect(darkFraction(g, (x + 3 - 3.5) * k, (y + 3 + 2) * k, (x + 3 - 1) * k, (y + 3 + h - 2) * k)).toBeLessThan(0.01);
  });

  it('prints the same page our rasteriser draws (pdftoppm vs resvg at 300 dpi, < 1 % of pixels differ)', async () => {
    const book = fixtureBook(1);
    const pdf = await exportPdf(book, undefined, { browser });
    const dir = mkdtempSync(path.join(tmpdir(), 'koma-pdf-'));
    writeFileSync(path.join(dir, 'one.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', '300', '-gray', '-png', path.join(dir, 'one.pdf'), path.join(dir, 'one')]);
    const printed = await toGray(readFileSync(path.join(dir, 'one-1.png')));
    const ours = await toGray(
      (await rasterizePage(renderPageSvg(book.pages[0], { format: book.format, readingDirection: 'rtl', language: 'ja', characters: book.characters }), 'low', book.format, { area: 'bleed', widthPx: printed.width, mime: 'image/png' })).bytes,
    );
    const h = Math.min(printed.height, ours.height);
    let differ = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < printed.width; x++) if (Math.abs(printed.data[y * printed.width + x] - ours.data[y * ours.width + x]) > 64) differ++;
    // At 300 dpi the two agree to ~0.3 %: same geometry, the print boxes do not shift the page.
    expect(differ / (printed.width * h)).toBeLessThan(0.01);
  });

  it('can leave the text layer out (a print PDF): then it has no font at all', async () => {
    const pdf = await exportPdf(fixtureBook(1), undefined, { browser, textLayer: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'koma-pdf-'));
    writeFileSync(path.join(dir, 'p.pdf'), pdf);
    expect(execFileSync('pdffonts', [path.join(dir, 'p.pdf')], { encoding: 'utf8' }).trim().split('\n').length).toBe(2);
  });

  it('marks a right-to-left book for viewers (ViewerPreferences /Direction /R2L)', async () => {
    const rtl = await exportPdf(fixtureBook(1, 'rtl'), undefined, { browser });
    const ltr = await exportPdf(fixtureBook(1, 'ltr'), undefined, { browser });
    const { PDFDocument, PDFName } = await import('pdf-lib');
    const dir = async (bytes: Uint8Array) =>
      (await PDFDocument.load(bytes)).catalog.getOrCreateViewerPreferences().dict.get(PDFName.of('Direction'))?.toString();
    expect(await dir(rtl)).toBe('/R2L');
    expect(await dir(ltr)).toBe('/L2R');
  });
});
