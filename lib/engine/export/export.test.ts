import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { fixtureBook } from '../render/fixtures/book';
import { toGray } from '../render/fixtures/pixels';
import { exportCbz } from './cbz';
import { exportPngZip } from './png-zip';
import { exportWebtoon, sliceBoundaries } from './webtoon';
import { exportPdf } from './pdf';
import { rasterizeBook } from './pages';
import { LayoutJsonSchema, toLayoutJson } from './layout-json';

const XSD = path.resolve(import.meta.dirname, '../../../schema/ComicInfo.xsd');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'koma-export-'));

/** A book whose pages are told apart by their balloon count, so order is visible in pixels. */
function numberedBook(n: number, dir: 'rtl' | 'ltr' = 'rtl') {
  const book = fixtureBook(n, dir);
  book.pages.forEach((p, i) => {
    p.balloons = p.balloons.slice(0, i % 3);
  });
  return book;
}

describe('exportCbz', () => {
  it('zips pages 001.png… in reading order with a ComicInfo.xml that validates against v2.0', async () => {
    const book = numberedBook(3);
    const rasters = await rasterizeBook(book, 'low', { mime: 'image/png' });
    const cbz = await exportCbz(book, rasters);
    const files = unzipSync(cbz);
    expect(Object.keys(files)).toEqual(['001.png', '002.png', '003.png', 'ComicInfo.xml']);
    rasters.forEach((r, i) => expect(Buffer.from(files[`00${i + 1}.png`]).equals(Buffer.from(r.bytes))).toBe(true));

    const xml = strFromU8(files['ComicInfo.xml']);
    expect(xml).toContain('<Manga>YesAndRightToLeft</Manga>');
    expect(xml).toContain('<PageCount>3</PageCount>');
    expect(xml).toMatch(/<Page Image="0" Type="FrontCover"[^>]* ImageWidth="567" ImageHeight="800"\/>/);
    expect(xml).toMatch(/<Page Image="2" Type="Story"/);
    const dir = tmp();
    writeFileSync(path.join(dir, 'ComicInfo.xml'), xml);
    // xmllint exits non-zero on a schema violation, which fails the test.
    const out = execFileSync('xmllint', ['--noout', '--schema', XSD, path.join(dir, 'ComicInfo.xml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });

  it('says Manga=No for a left-to-right English book, and the XSD rejects a bad Manga value', async () => {
    const book = { ...numberedBook(1, 'ltr'), language: 'en' as const };
    const files = unzipSync(await exportCbz(book, await rasterizeBook(book, 'preview', { mime: 'image/png' })));
    const xml = strFromU8(files['ComicInfo.xml']);
    expect(xml).toContain('<Manga>No</Manga>');
    const dir = tmp();
    writeFileSync(path.join(dir, 'bad.xml'), xml.replace('<Manga>No</Manga>', '<Manga>RightToLeft</Manga>'));
    expect(() => execFileSync('xmllint', ['--noout', '--schema', XSD, path.join(dir, 'bad.xml')], { stdio: 'pipe' })).toThrow();
  });

  it('orders pages by their index even when the book lists them out of order', async () => {
    const book = numberedBook(3);
    const shuffled = { ...book, pages: [book.pages[2], book.pages[0], book.pages[1]] };
    const files = unzipSync(await exportCbz(shuffled, undefined));
    const inOrder = await rasterizeBook(book, 'high', { mime: 'image/png' });
    inOrder.forEach((r, i) => expect(Buffer.from(files[`00${i + 1}.png`]).equals(Buffer.from(r.bytes)), `page ${i + 1}`).toBe(true));
  });

  it('is byte-identical for the same book (fixed timestamps)', async () => {
    const book = numberedBook(2);
    const r = await rasterizeBook(book, 'preview', { mime: 'image/png' });
    expect(Buffer.from(await exportCbz(book, r)).equals(Buffer.from(await exportCbz(book, r)))).toBe(true);
  });
});

describe('exportPngZip', () => {
  it('holds one PNG per page in reading order', async () => {
    const book = numberedBook(2);
    const files = unzipSync(await exportPngZip(book, 'preview'));
    expect(Object.keys(files)).toEqual(['001.png', '002.png']);
    const g = await toGray(files['001.png']);
    expect(g.height).toBe(400);
  });
});

describe('exportWebtoon', () => {
  it('gives slices 800 px wide and at most 1280 px tall covering the whole strip', async () => {
    const book = numberedBook(3);
    const strip = await exportWebtoon(book);
    expect(strip.slices.length).toBeGreaterThanOrEqual(3);
    let sum = 0;
    for (const s of strip.slices) {
      const g = await toGray(s);
      expect(g.width).toBe(800);
      expect(g.height).toBeLessThanOrEqual(1280);
      sum += g.height;
    }
    const pageH = Math.round((800 * 257) / 182);
    expect(sum).toBe(3 * pageH + 2 * 40);
    expect(strip.totalHeight).toBe(sum);
  });

  it('cuts at an all-white row when one is near the limit, else hard at the limit', () => {
    const w = 4;
    const total = 3000;
    const rgb = Buffer.alloc(w * total * 3, 0);
    // White rows at 1000 and 2100 only.
    for (const y of [1000, 2100]) rgb.fill(255, y * w * 3, (y + 1) * w * 3);
    expect(sliceBoundaries(rgb, w, total, 1280)).toEqual([0, 1000, 2100, 3000]);
    const black = Buffer.alloc(w * total * 3, 0);
    expect(sliceBoundaries(black, w, total, 1280)).toEqual([0, 1280, 2560, 3000]);
  });
});

describe('exportPdf (raster, pdf-lib)', () => {
  it('makes one page per raster at the bleed canvas size, read back by pdfinfo', async () => {
    const book = numberedBook(2);
    const rasters = await rasterizeBook(book, 'preview', { mime: 'image/png', area: 'bleed' });
    const pdf = await exportPdf(book, rasters);
    const dir = tmp();
    writeFileSync(path.join(dir, 'b.pdf'), pdf);
    const info = execFileSync('pdfinfo', [path.join(dir, 'b.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+2/);
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info)!;
    expect(Number(w)).toBeCloseTo((188 * 72) / 25.4, 0);
    expect(Number(h)).toBeCloseTo((263 * 72) / 25.4, 0);
  });
});

describe('toLayoutJson', () => {
  it('produces a document that validates against its zod schema, in mm from the trim top-left', () => {
    const book = fixtureBook(2);
    const report = { pages: [{ pageIndex: 0, m1: 0 }, { pageIndex: 1, m1: 0 }], meanPanels: 5 };
    const doc = toLayoutJson(book, report);
    expect(LayoutJsonSchema.safeParse(JSON.parse(JSON.stringify(doc))).success).toBe(true);
    expect(doc.format).toMatchObject({ name: 'B5', trimMm: { w: 182, h: 257 }, bleedMm: 3 });
    expect(doc.readingDirection).toBe('rtl');
    expect(doc.characters).toEqual([{ id: 'aki', name: 'Aki' }]);
    expect(doc.pages.map((p) => p.index)).toEqual([0, 1]);
    const b = doc.pages[0].balloons[0];
    expect(b).toMatchObject({ panelId: 'p0-b', kind: 'speech', speakerId: 'aki', columns: ['「はい、', 'そうです', '…ー」'] });
    expect(b.bboxMm).toEqual([140, 100, 22, 36]);
    expect(doc.pages[0].panels[0].faces[0].characterId).toBe('aki');
    expect(doc.pages[0].quality).toEqual({ pageIndex: 0, m1: 0 });
    expect(doc.quality).toEqual({ meanPanels: 5 });
  });

  it('rejects a balloon that points at a panel not on its page', () => {
    const doc = JSON.parse(JSON.stringify(toLayoutJson(fixtureBook(1))));
    doc.pages[0].balloons[0].panelId = 'nope';
    expect(LayoutJsonSchema.safeParse(doc).success).toBe(false);
  });
});
