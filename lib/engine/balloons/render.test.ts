/**
 * Render check: a balloon drawn by renderBalloonSvg through resvg with NO fonts at all
 * (STACK.md gotcha 8: resvg has no built-in fonts and would draw <text> blank). The text is
 * outlines, so there must be ink where the text box is, and vertical punctuation must be in its
 * vertical form.
 */
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import type { Language, PlacedBalloon } from '../types';
import { setText } from '../lettering/index';
import { balloonSize, renderBalloonSvg } from './index';

const PX_PER_MM = 10;

function balloonFor(text: string, language: Language, kind: PlacedBalloon['kind'] = 'speech'): { b: PlacedBalloon; textBox: [number, number, number, number] } {
  const block = setText(text, { language, kind });
  const size = balloonSize(kind, block.widthMm, block.heightMm);
  const x = 5;
  const y = 5;
  const b: PlacedBalloon = {
    id: 'b1', lineId: 'l1', panelId: 'p1', order: 0, kind, speakerId: 'a', text,
    bboxMm: [x, y, size.w, size.h], tailTipMm: [x + size.w / 2, y + size.h + 4],
    columns: block.columns, vertical: block.vertical, fontSizeMm: block.fontSizeMm,
  };
  const textBox: [number, number, number, number] = [x + (size.w - block.widthMm) / 2, y + (size.h - block.heightMm) / 2, block.widthMm, block.heightMm];
  return { b, textBox };
}

function render(svgInner: string, wMm: number, hMm: number): { px: Uint8Array; w: number; h: number } {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${wMm}mm" height="${hMm}mm" viewBox="0 0 ${wMm} ${hMm}"><rect width="${wMm}" height="${hMm}" fill="#fff"/>${svgInner}</svg>`;
  const r = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [] }, fitTo: { mode: 'width', value: Math.round(wMm * PX_PER_MM) } }).render();
  return { px: r.pixels, w: r.width, h: r.height };
}

/** Dark pixels inside a mm box and the ink's bounding box (mm). */
function ink(img: { px: Uint8Array; w: number; h: number }, box: [number, number, number, number]): { dark: number; total: number; bbox: [number, number, number, number] | null } {
  const [bx, by, bw, bh] = box.map((v) => v * PX_PER_MM);
  let dark = 0;
  let total = 0;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let y = Math.floor(by); y < Math.ceil(by + bh); y++) {
    for (let x = Math.floor(bx); x < Math.ceil(bx + bw); x++) {
      if (x < 0 || y < 0 || x >= img.w || y >= img.h) continue;
      total++;
      const i = (y * img.w + x) * 4;
      if (img.px[i] < 100 && img.px[i + 1] < 100 && img.px[i + 2] < 100) {
        dark++;
        minX = Math.min(minX, x); minY = Math.min(minY, y); maxX = Math.max(maxX, x); maxY = Math.max(maxY, y);
      }
    }
  }
  const bbox: [number, number, number, number] | null = dark > 0 ? [minX / PX_PER_MM, minY / PX_PER_MM, (maxX - minX + 1) / PX_PER_MM, (maxY - minY + 1) / PX_PER_MM] : null;
  return { dark, total, bbox };
}

describe('renderBalloonSvg through resvg without fonts', () => {
  for (const [text, language] of [['ちょっと待って、それはどういうことなの？', 'ja'], ['Wait, what do you mean by that?', 'en']] as const) {
    it(`has ink where the text is (${language})`, () => {
      const { b, textBox } = balloonFor(text, language);
      const W = b.bboxMm[0] + b.bboxMm[2] + 5;
      const H = b.bboxMm[1] + b.bboxMm[3] + 10;
      const withText = ink(render(renderBalloonSvg(b, language), W, H), textBox);
      // A balloon with no text: the same box is white.
      const blank = ink(render(renderBalloonSvg({ ...b, columns: [] }, language), W, H), textBox);
      expect(blank.dark).toBe(0);
      expect(withText.dark / withText.total).toBeGreaterThan(0.08);
      // Ink spans most of the text box (not a dot in a corner).
      const bb = withText.bbox;
      expect(bb).not.toBeNull();
      if (bb) {
        expect(bb[2]).toBeGreaterThan(textBox[2] * 0.7);
        expect(bb[3]).toBeGreaterThan(textBox[3] * 0.6);
      }
    });
  }

  it('draws 「 in its vertical form (wider than tall, in the lower half of its cell, next to the text it opens)', () => {
    const { b, textBox } = balloonFor('「あ', 'ja');
    const W = b.bboxMm[0] + b.bboxMm[2] + 5;
    const H = b.bboxMm[1] + b.bboxMm[3] + 10;
    const size = b.fontSizeMm;
    const cell: [number, number, number, number] = [textBox[0], textBox[1], size, size];
    const mark = ink(render(renderBalloonSvg(b, 'ja'), W, H), cell).bbox;
    expect(mark).not.toBeNull();
    if (mark) {
      // Horizontal 「 is a tall, thin corner; the vertical form (┐-like) is wide and short.
      expect(mark[2]).toBeGreaterThan(mark[3]);
      expect(mark[1] + mark[3] / 2).toBeGreaterThan(cell[1] + size / 2);
    }
  });

  it('draws an SFX without a balloon but with ink', () => {
    const { b, textBox } = balloonFor('ドン', 'ja', 'sfx');
    const svg = renderBalloonSvg({ ...b, tailTipMm: null }, 'ja');
    const img = render(svg, b.bboxMm[0] + b.bboxMm[2] + 5, b.bboxMm[1] + b.bboxMm[3] + 5);
    expect(ink(img, textBox).dark).toBeGreaterThan(0);
  });
});
