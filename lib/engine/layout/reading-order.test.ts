import { describe, expect, it } from 'vitest';
import { estimateReadingOrder, estimateReadingOrderDetailed, cutGaps } from './reading-order';
import { isAfterPageTurn, pageSide } from './spread';
import type { BBoxMm } from '../types';

describe('estimateReadingOrder (independent, geometry only)', () => {
  // A classic rtl page: a wide top tier; then a tall panel on the right beside a stack of two;
  // then two panels in the bottom tier.
  const page: BBoxMm[] = [
    [16, 18.5, 150, 50], // 0 top tier
    [100, 76.5, 66, 100], // 1 tall, right
    [16, 76.5, 80, 48], // 2 stack top, left
    [16, 128.5, 80, 48], // 3 stack bottom, left
    [94, 184.5, 72, 54], // 4 bottom tier, right
    [16, 184.5, 74, 54], // 5 bottom tier, left
  ];

  it('reads tiers top to bottom, right to left, and a stack top to bottom (rtl)', () => {
    expect(estimateReadingOrder(page, 'rtl')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(estimateReadingOrderDetailed(page, 'rtl').ambiguous).toBe(false);
  });

  it('mirrors for ltr: the same boxes read left first', () => {
    expect(estimateReadingOrder(page, 'ltr')).toEqual([0, 2, 3, 1, 5, 4]);
  });

  it('does not depend on the input order of the boxes', () => {
    const shuffled = [3, 5, 0, 2, 4, 1];
    const order = estimateReadingOrder(shuffled.map((i) => page[i]), 'rtl').map((i) => shuffled[i]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('calls the page-top cuts tier gutters and the rest intra-tier gutters', () => {
    const gaps = cutGaps(page);
    expect(gaps.filter((g) => g.kind === 'inter-tier').map((g) => g.gap)).toEqual([8, 8]);
    expect(gaps.filter((g) => g.kind === 'intra-tier').map((g) => g.gap).sort()).toEqual([4, 4, 4]);
  });

  it('flags a pinwheel (no guillotine cut) as ambiguous', () => {
    const pinwheel: BBoxMm[] = [
      [0, 0, 60, 20],
      [64, 0, 20, 60],
      [24, 64, 60, 20],
      [0, 24, 20, 60],
      [24, 24, 36, 36],
    ];
    expect(estimateReadingOrderDetailed(pinwheel, 'rtl').ambiguous).toBe(true);
  });
});

describe('spreads', () => {
  it('page turns come before page 0 and every odd page; sides mirror with the direction', () => {
    expect([0, 1, 2, 3, 4, 5].map(isAfterPageTurn)).toEqual([true, true, false, true, false, true]);
    expect([0, 1, 2].map((i) => pageSide(i, 'rtl'))).toEqual(['left', 'right', 'left']);
    expect([0, 1, 2].map((i) => pageSide(i, 'ltr'))).toEqual(['right', 'left', 'right']);
  });
});

describe('estimateReadingOrder on hand-drawn geometry', () => {
  it('still finds the tiers when edges overlap by a millimetre', () => {
    const sloppy: BBoxMm[] = [
      [90, 18, 76, 101], // top right, bottom edge 1 mm into the next tier
      [16, 19, 70, 99],
      [16, 118, 150, 120],
    ];
    expect(estimateReadingOrder(sloppy, 'rtl')).toEqual([0, 1, 2]);
  });
});

describe('distribute (water-filling with minimums)', () => {
  it('splits by weight, pins shares below their minimum, and keeps the total', async () => {
    const { distribute } = await import('./page');
    expect(distribute(100, [1, 1], 10).sizes).toEqual([50, 50]);
    const r = distribute(100, [1, 9], 30);
    expect(r.sizes).toEqual([30, 70]);
    expect(r.clamped).toBe(true);
    const m = distribute(100, [1, 1, 8], [10, 40, 10]);
    expect(m.sizes[1]).toBe(40);
    expect(m.sizes.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9);
  });
});
