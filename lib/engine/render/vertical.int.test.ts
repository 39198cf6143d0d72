/**
 * Rendered pages compared with Chromium:
 * 1. the same page SVG drawn by resvg (our rasteriser) and by Chromium gives the same pixels;
 * 2. our vertical column (fontkit + `vert`, as outlines) puts every glyph — brackets, 、 and ー
 *    included — where Chromium's own `writing-mode: vertical-rl` typesetting puts it, and the
 *    test can tell: the horizontal forms (no `vert`) fail the same comparison.
 */
import { Resvg } from '@resvg/resvg-js';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../export/chromium';
import { renderPageSvg } from './svg';
import { renderRgb } from './raster';
import { verticalColumnPath } from './outline';
import { blockFromColumns, textBlockToSvg } from '../lettering';
import { fixtureBook, scenePng } from './fixtures/book';
import { chromiumPage } from './fixtures/chromium-page';
import { toGray, type Gray } from './fixtures/pixels';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const EM = 100;
const TEXT = '「はい、そうですー」';

async function chromiumVertical(text: string): Promise<Gray> {
  const html =
    `<!doctype html><meta charset="utf-8"><style>@font-face{font-family:K;src:url(/ja-bold.ttf)}` +
    `html,body{margin:0;background:#fff}#c{position:absolute;left:0;top:0;width:${EM}px;height:${EM * text.length}px;` +
    `writing-mode:vertical-rl;font:${EM}px/1 K;color:#000}</style><div id="c">${text}</div>`;
  const page = await chromiumPage(browser, html, { width: EM * 2, height: EM * text.length });
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: EM, height: EM * text.length } });
  await page.context().close();
  return toGray(png);
}

async function oursVertical(text: string, features?: string[]): Promise<Gray> {
  const h = EM * text.length;
  const d = verticalColumnPath(text, { face: 'ja-bold', sizeMm: EM, cx: EM / 2, top: 0, features });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${EM}" height="${h}" viewBox="0 0 ${EM} ${h}"><rect width="${EM}" height="${h}" fill="#fff"/><path d="${d}"/></svg>`;
  return toGray(new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng());
}

/** The lettering engine's own column (what balloons draw), rendered by resvg. */
async function letteringVertical(text: string): Promise<Gray> {
  const h = EM * text.length;
  const block = blockFromColumns([text], { language: 'ja', kind: 'speech', fontSizeMm: EM, vertical: true });
  const g = textBlockToSvg(block, [0, 0]);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${EM}" height="${h}" viewBox="0 0 ${EM} ${h}"><rect width="${EM}" height="${h}" fill="#fff"/>${g}</svg>`;
  return toGray(new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng());
}

/** Ink centroid and ink box of one em cell, in px relative to the cell; null for an empty cell. */
function cellInk(img: Gray, i: number): { c: [number, number]; box: [number, number, number, number] } | null {
  let sx = 0;
  let sy = 0;
  let n = 0;
  const box: [number, number, number, number] = [EM, EM, -1, -1];
  for (let y = i * EM; y < (i + 1) * EM; y++) {
    for (let x = 0; x < EM; x++) {
      const ink = 255 - img.data[y * img.width + x];
      if (ink > 64) {
        const cy = y - i * EM;
        sx += x * ink;
        sy += cy * ink;
        n += ink;
        box[0] = Math.min(box[0], x);
        box[1] = Math.min(box[1], cy);
        box[2] = Math.max(box[2], x);
        box[3] = Math.max(box[3], cy);
      }
    }
  }
  return n ? { c: [sx / n, sy / n], box } : null;
}

/**
 * Per cell: the larger of the centroid distance and the largest ink-box edge difference. The
 * box catches a rotated-in-place glyph (ー keeps its centroid but not its shape).
 */
function worstCellError(a: Gray, b: Gray, cells: number): { worst: number; perCell: number[] } {
  const perCell: number[] = [];
  for (let i = 0; i < cells; i++) {
    const ia = cellInk(a, i);
    const ib = cellInk(b, i);
    if (!ia || !ib) {
      perCell.push(ia || ib ? EM : 0);
      continue;
    }
    const dc = Math.hypot(ia.c[0] - ib.c[0], ia.c[1] - ib.c[1]);
    const db = Math.max(...ia.box.map((v, k) => Math.abs(v - ib.box[k])));
    perCell.push(Math.max(dc, db));
  }
  return { worst: Math.max(...perCell), perCell };
}

describe('vertical glyph forms against Chromium writing-mode: vertical-rl', () => {
  it('places every glyph where Chromium does (≤ 6 % of an em), punctuation included', async () => {
    const chrome = await chromiumVertical(TEXT);
    const ours = await oursVertical(TEXT);
    const { worst, perCell } = worstCellError(chrome, ours, TEXT.length);
    expect(perCell.every((e) => e <= EM * 0.06), `per-cell errors ${perCell.map((e) => e.toFixed(1)).join(' ')}`).toBe(true);
    expect(worst).toBeLessThanOrEqual(EM * 0.06);
  });

  it('the lettering engine (textBlockToSvg, what balloons draw) matches Chromium too', async () => {
    const chrome = await chromiumVertical(TEXT);
    const ours = await letteringVertical(TEXT);
    const { perCell } = worstCellError(chrome, ours, TEXT.length);
    expect(perCell.every((e) => e <= EM * 0.06), `per-cell errors ${perCell.map((e) => e.toFixed(1)).join(' ')}`).toBe(true);
  });

  it('would catch horizontal forms: without `vert` the brackets, 、 and ー are far off', async () => {
    const chrome = await chromiumVertical(TEXT);
    const wrong = await oursVertical(TEXT, []);
    const { perCell } = worstCellError(chrome, wrong, TEXT.length);
    const chars = [...TEXT];
    for (const p of ['「', '、', 'ー', '」']) expect(perCell[chars.indexOf(p)], p).toBeGreaterThan(EM * 0.15);
  });
});

describe('a whole page: resvg against Chromium on the same SVG', () => {
  it('differs in well under 1 % of pixels', async () => {
    const book = fixtureBook(1);
    const page = book.pages[0];
    page.images.set(page.page.panels[3].id, await scenePng());
    const svg = renderPageSvg(page, { format: book.format, readingDirection: 'rtl', language: 'ja', characters: book.characters });
    const W = 564;
    const H = Math.round((W * 263) / 188);
    const ours = await renderRgb(svg, book.format, 'bleed', W, H);
    const oursGray = await toGray(await sharp(ours.data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    const html = `<!doctype html><meta charset="utf-8"><style>html,body{margin:0;background:#fff}img{display:block;width:${W}px;height:${H}px}</style><img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`;
    const cp = await chromiumPage(browser, html, { width: W, height: H });
    const chrome = await toGray(await cp.screenshot({ clip: { x: 0, y: 0, width: W, height: H } }));
    await cp.context().close();
    let differ = 0;
    for (let i = 0; i < W * H; i++) if (Math.abs(oursGray.data[i] - chrome.data[i]) > 64) differ++;
    expect(differ / (W * H)).toBeLessThan(0.01);
  });
});
