import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importanceAreaRho, importanceAreaRhoFor, ranks } from './stats';
import { distribute } from './page';

describe('importanceAreaRhoFor (importances bound once per page)', () => {
  it('returns exactly importanceAreaRho for any areas, call after call', () => {
    fc.assert(
      fc.property(
        // Importances on a coarse grid so that ties (equal levels) are common.
        fc.array(fc.integer({ min: 0, max: 6 }).map((k) => k / 6), { minLength: 1, maxLength: 7 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 40 }).map((a) => a * 37.5), { minLength: 7, maxLength: 7 }), { minLength: 1, maxLength: 4 }),
        (importances, areaSets) => {
          const rho = importanceAreaRhoFor(importances);
          for (const set of areaSets) {
            const areas = set.slice(0, importances.length);
            expect(rho(areas)).toBe(importanceAreaRho(importances, areas));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ranks ties as averages (the property it relies on)', () => {
    expect(ranks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
  });
});

describe('distribute', () => {
  it('splits by weight, keeps minimums, and sums to the total', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 40, noNaN: true }),
        (weights, min) => {
          const total = 200;
          const { sizes, clamped } = distribute(total, weights, min);
          expect(sizes.reduce((s, v) => s + v, 0)).toBeCloseTo(total, 6);
          if (min * weights.length <= total) {
            for (const v of sizes) expect(v).toBeGreaterThanOrEqual(min - 1e-9);
            if (!clamped) {
              const wsum = weights.reduce((s, w) => s + w, 0);
              weights.forEach((w, i) => expect(sizes[i]).toBeCloseTo((w / wsum) * total, 6));
            }
          } else {
            expect(clamped).toBe(true);
          }
        },
      ),
    );
  });
});
