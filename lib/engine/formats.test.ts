import { describe, expect, it } from 'vitest';
import { PAGE_FORMATS, pageFormat, mmToPx, canvasSizePx, trimSizePx, WEBTOON, webtoonSlices } from './formats';
import { PAGE_FORMAT_NAMES } from './types';

describe('page formats', () => {
  it('matches the B5 table of MANGA-CRAFT.md at 350 dpi', () => {
    const b5 = pageFormat();
    expect(b5.name).toBe('B5');
    expect(canvasSizePx(b5)).toEqual({ w: 2591, h: 3624 });
    expect(trimSizePx(b5)).toEqual({ w: 2508, h: 3541 });
    expect(b5.innerFrameMm).toEqual([16, 18.5, 150, 220]);
    expect(b5.safeMm).toEqual([10, 10, 162, 237]);
    expect(Math.round(mmToPx(4, 350))).toBe(55);
    expect(Math.round(mmToPx(8, 350))).toBe(110);
  });

  it('centres the frame inside the safe area for every format; US reads ltr', () => {
    for (const name of PAGE_FORMAT_NAMES) {
      const f = PAGE_FORMATS[name];
      const [x, y, w, h] = f.innerFrameMm;
      expect(x + w / 2).toBeCloseTo(f.trimMm.w / 2, 1);
      expect(y + h / 2).toBeCloseTo(f.trimMm.h / 2, 1);
      expect(x).toBeGreaterThanOrEqual(f.safeMm[0]);
      expect(f.gutterMm.intraTier).toBeLessThan(f.gutterMm.interTier);
    }
    expect(pageFormat('US').defaultDirection).toBe('ltr');
    expect(pageFormat('US').trimMm).toEqual({ w: 168, h: 259 });
    expect(() => pageFormat('A4')).toThrow(/unknown page format/);
  });

  it('slices a webtoon strip into ≤ 1280 px pieces', () => {
    const s = webtoonSlices(3000);
    expect(s.map((x) => x.h)).toEqual([1280, 1280, 440]);
    expect(WEBTOON.widthPx).toBe(800);
  });
});
