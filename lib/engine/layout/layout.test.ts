import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { layoutBook, layoutPage, estimateReadingOrder, cutGaps, isAfterPageTurn, minPanelForBalloons } from './index';
import { pageFormat, canvasBoxMm } from '../formats';
import { contains, overlapArea, intersect } from './geom';
import { PAGE_FORMAT_NAMES, SHOT_TYPES, type BBoxMm, type ShotInput } from '../types';

const shotArb = fc.record({
  importance: fc.double({ min: 0, max: 1, noNaN: true }),
  shot: fc.constantFrom(...SHOT_TYPES),
  characters: fc.array(fc.constantFrom('aoi', 'ren', 'kai', 'mio'), { maxLength: 4 }).map((c) => [...new Set(c)]),
  bleed: fc.boolean(),
  beat: fc.integer({ min: 0, max: 5 }),
});
const shotsArb = (min: number, max: number) =>
  fc.array(shotArb, { minLength: min, maxLength: max }).map((arr) =>
    arr.map((s, i): ShotInput => ({ id: `s${i}`, importance: s.importance, shot: s.shot, characters: s.characters, bleed: s.bleed && i % 3 === 0, beatId: `b${s.beat}` })),
  );
const optsArb = fc.record({
  format: fc.constantFrom(...PAGE_FORMAT_NAMES),
  readingDirection: fc.constantFrom('rtl' as const, 'ltr' as const),
  seed: fc.integer(),
  alternative: fc.integer({ min: 0, max: 3 }),
});
const RUNS = { numRuns: 120 };

describe('layoutBook properties', () => {
  it('keeps every story shot, in order, once', () => {
    fc.assert(
      fc.property(shotsArb(0, 40), optsArb, (shots, opts) => {
        const book = layoutBook(shots, opts);
        expect(book.pages.flatMap((p) => p.panels.map((x) => x.shotId))).toEqual(shots.map((s) => s.id));
        book.pages.forEach((p, i) => expect(p.index).toBe(i));
      }),
      RUNS,
    );
  });

  it('never overlaps panels; all inside the canvas; non-bleed inside the inner frame; bleed reaches the bleed line', () => {
    fc.assert(
      fc.property(shotsArb(1, 40), optsArb, (shots, opts) => {
        const book = layoutBook(shots, opts);
        const f = pageFormat(opts.format);
        const [fx, fy, fw, fh] = f.innerFrameMm;
        const b = f.bleedMm;
        for (const page of book.pages) {
          const ps = page.panels;
          for (let i = 0; i < ps.length; i++) {
            for (let j = i + 1; j < ps.length; j++) expect(overlapArea(ps[i].bboxMm, ps[j].bboxMm)).toBeLessThan(1e-6);
            const box = ps[i].bboxMm;
            expect(contains(canvasBoxMm(f), box, 1e-6)).toBe(true);
            if (!ps[i].bleed) {
              expect(contains(f.innerFrameMm, box, 1e-6)).toBe(true);
            } else {
              // Every edge is either on the bleed line or inside the frame: never in the margin.
              const [x, y, w, h] = box;
              const ok = (v: number, lo: number, hi: number, bleedLine: number) =>
                Math.abs(v - bleedLine) < 1e-6 || (v >= lo - 1e-6 && v <= hi + 1e-6);
              expect(ok(x, fx, fx + fw, -b)).toBe(true);
              expect(ok(x + w, fx, fx + fw, f.trimMm.w + b)).toBe(true);
              expect(ok(y, fy, fy + fh, -b)).toBe(true);
              expect(ok(y + h, fy, fy + fh, f.trimMm.h + b)).toBe(true);
              const onBleed = [Math.abs(x + b), Math.abs(y + b), Math.abs(x + w - f.trimMm.w - b), Math.abs(y + h - f.trimMm.h - b)];
              expect(Math.min(...onBleed)).toBeLessThan(1e-6);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('reading order estimated from geometry alone equals the intended order on every page', () => {
    fc.assert(
      fc.property(shotsArb(1, 40), optsArb, (shots, opts) => {
        const book = layoutBook(shots, opts);
        for (const page of book.pages) {
          const sorted = [...page.panels].sort((a, c) => a.order - c.order);
          expect(sorted.map((p) => p.order)).toEqual(sorted.map((_, i) => i));
          expect(estimateReadingOrder(sorted.map((p) => p.bboxMm), opts.readingDirection)).toEqual(sorted.map((_, i) => i));
        }
      }),
      RUNS,
    );
  });

  it('puts 3–7 panels on every page (fewer only when the whole book has fewer than 3 shots)', () => {
    fc.assert(
      fc.property(shotsArb(0, 60), optsArb, (shots, opts) => {
        const book = layoutBook(shots, opts);
        if (shots.length === 0) expect(book.pages).toHaveLength(0);
        else if (shots.length < 3) expect(book.pages.map((p) => p.panels.length)).toEqual([shots.length]);
        else for (const p of book.pages) expect(p.panels.length).toBeGreaterThanOrEqual(3), expect(p.panels.length).toBeLessThanOrEqual(7);
      }),
      RUNS,
    );
  });

  it('makes gutters between tiers wider than gutters inside a tier', () => {
    fc.assert(
      fc.property(shotsArb(3, 40), optsArb, (shots, opts) => {
        const book = layoutBook(shots, opts);
        const f = pageFormat(opts.format);
        for (const page of book.pages) {
          const gaps = cutGaps(page.panels.map((p) => p.bboxMm));
          const intra = gaps.filter((g) => g.kind === 'intra-tier').map((g) => g.gap);
          const inter = gaps.filter((g) => g.kind === 'inter-tier').map((g) => g.gap);
          for (const g of intra) expect(g).toBeCloseTo(f.gutterMm.intraTier, 1);
          for (const g of inter) expect(g).toBeCloseTo(f.gutterMm.interTier, 1);
          if (intra.length && inter.length) expect(Math.max(...intra)).toBeLessThan(Math.min(...inter));
        }
      }),
      RUNS,
    );
  });

  it('lands every feasible reveal on the first panel after a page turn', () => {
    // Build inputs where a valid pagination honouring all reveals exists: page sizes 3..7 and
    // reveals only at the starts of pages that follow a page turn.
    const arb = fc.tuple(fc.array(fc.integer({ min: 3, max: 7 }), { minLength: 1, maxLength: 10 }), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), fc.array(shotArb, { minLength: 70, maxLength: 70 }), optsArb);
    fc.assert(
      fc.property(arb, ([sizes, revealPick, pool, opts]) => {
        const shots: ShotInput[] = [];
        sizes.forEach((size, p) => {
          for (let k = 0; k < size; k++) {
            const s = pool[shots.length];
            shots.push({ id: `s${shots.length}`, importance: s.importance, shot: s.shot, characters: s.characters, reveal: k === 0 && p > 0 && isAfterPageTurn(p) && revealPick[p] });
          }
        });
        const book = layoutBook(shots, opts);
        for (const page of book.pages) {
          page.panels.forEach((panel) => {
            const shot = shots.find((s) => s.id === panel.shotId);
            if (shot?.reveal) {
              expect(panel.order).toBe(0);
              expect(isAfterPageTurn(page.index)).toBe(true);
            }
          });
        }
      }),
      RUNS,
    );
  });

  it('is deterministic for (input, seed) and gives different alternatives', () => {
    fc.assert(
      fc.property(shotsArb(4, 30), optsArb, (shots, opts) => {
        const a = layoutBook(shots, { ...opts, alternative: 0 });
        expect(layoutBook(shots, { ...opts, alternative: 0 })).toEqual(a);
        const alt = layoutBook(shots, { ...opts, alternative: 1 + (opts.alternative ?? 0) });
        const geo = (bk: typeof a) => JSON.stringify(bk.pages.map((p) => p.panels.map((x) => x.bboxMm)));
        expect(geo(alt)).not.toEqual(geo(a));
      }),
      RUNS,
    );
  });

  it('places each character face and body inside the visible panel, first on the reading-first side', () => {
    fc.assert(
      fc.property(shotsArb(1, 25), optsArb, (shots, opts) => {
        const book = layoutBook(shots, opts);
        const f = pageFormat(opts.format);
        for (const panel of book.pages.flatMap((p) => p.panels)) {
          expect(panel.faces.map((x) => x.characterId)).toEqual(panel.characters);
          const vis = intersect(panel.bboxMm, [0, 0, f.trimMm.w, f.trimMm.h]) as BBoxMm;
          for (const face of panel.faces) {
            expect(contains(vis, face.faceMm, 0.02)).toBe(true);
            expect(contains(vis, face.bodyMm, 0.02)).toBe(true);
          }
          if (panel.faces.length >= 2) {
            const cx = (i: number) => panel.faces[i].faceMm[0] + panel.faces[i].faceMm[2] / 2;
            if (opts.readingDirection === 'rtl') expect(cx(0)).toBeGreaterThan(cx(1));
            else expect(cx(0)).toBeLessThan(cx(1));
          }
        }
      }),
      RUNS,
    );
  });
});

describe('layout hints (minimum panel sizes)', () => {
  const hintsArb = (shots: ShotInput[]) =>
    fc.array(fc.tuple(fc.nat({ max: Math.max(0, shots.length - 1) }), fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 300, noNaN: true })), { maxLength: 12 });

  it('keeps every invariant with arbitrary minimums (even impossible ones)', () => {
    fc.assert(
      fc.property(
        shotsArb(1, 30).chain((shots) => fc.tuple(fc.constant(shots), hintsArb(shots))),
        optsArb,
        ([shots, hs], opts) => {
          const minPanelMm: Record<string, { w: number; h: number }> = {};
          for (const [i, w, h] of hs) if (shots[i]) minPanelMm[shots[i].id] = { w, h };
          const book = layoutBook(shots, opts, { minPanelMm });
          expect(book.pages.flatMap((p) => p.panels.map((x) => x.shotId))).toEqual(shots.map((s) => s.id));
          for (const page of book.pages) {
            if (shots.length >= 3) expect(page.panels.length).toBeGreaterThanOrEqual(3);
            expect(page.panels.length).toBeLessThanOrEqual(7);
            expect(estimateReadingOrder(page.panels.map((p) => p.bboxMm), opts.readingDirection)).toEqual(page.panels.map((_, i) => i));
            for (let i = 0; i < page.panels.length; i++)
              for (let j = i + 1; j < page.panels.length; j++) expect(overlapArea(page.panels[i].bboxMm, page.panels[j].bboxMm)).toBeLessThan(1e-6);
          }
        },
      ),
      RUNS,
    );
  });

  it('gives a talky shot more room than it gets without the hint, and talky pages fewer panels', () => {
    const shots: ShotInput[] = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, importance: 0.5, shot: 'medium', characters: ['a'] }));
    const opts = { format: 'B5' as const, readingDirection: 'rtl' as const, seed: 3 };
    const panelOf = (b: ReturnType<typeof layoutBook>, id: string) => b.pages.flatMap((p) => p.panels).find((p) => p.shotId === id)!;
    const plain = layoutBook(shots, opts);
    const hinted = layoutBook(shots, opts, { minPanelMm: { s2: { w: 120, h: 90 } } });
    const a = panelOf(plain, 's2').bboxMm;
    const b = panelOf(hinted, 's2').bboxMm;
    expect(b[2]).toBeGreaterThanOrEqual(120 - 0.01);
    expect(b[3]).toBeGreaterThanOrEqual(90 - 0.01);
    expect(b[2] * b[3]).toBeGreaterThan(a[2] * a[3]);
    expect(minPanelForBalloons([])).toBeUndefined();
    expect(minPanelForBalloons([{ w: 20, h: 40 }, { w: 18, h: 30 }])).toEqual({ w: 20 + 18 + 3 + 6, h: 50 });
    const everyone = Object.fromEntries(shots.map((s) => [s.id, { w: 60, h: 60 }]));
    expect(layoutBook(shots, opts, { minPanelMm: everyone }).pages.length).toBeGreaterThan(plain.pages.length);
  });
});

describe('reading direction', () => {
  it('an ltr book is the mirror image of the rtl book (same shots, seed and alternative)', () => {
    fc.assert(
      fc.property(shotsArb(1, 30), optsArb, (shots, opts) => {
        const rtl = layoutBook(shots, { ...opts, readingDirection: 'rtl' });
        const ltr = layoutBook(shots, { ...opts, readingDirection: 'ltr' });
        const W = pageFormat(opts.format).trimMm.w;
        expect(ltr.pages.map((p) => p.panels.length)).toEqual(rtl.pages.map((p) => p.panels.length));
        rtl.pages.forEach((page, i) =>
          page.panels.forEach((panel, j) => {
            const [x, y, w, h] = ltr.pages[i].panels[j].bboxMm;
            expect(W - x - w).toBeCloseTo(panel.bboxMm[0], 1);
            expect([y, w, h]).toEqual([panel.bboxMm[1], panel.bboxMm[2], panel.bboxMm[3]].map((v, k) => (k === 0 ? v : expect.closeTo(v, 1))));
          }),
        );
      }),
      RUNS,
    );
  });
});

describe('layoutPage', () => {
  it('lays out exactly the given shots on one valid page; alternatives differ', () => {
    fc.assert(
      fc.property(shotsArb(1, 7), optsArb, (shots, opts) => {
        const page = layoutPage(shots, { ...opts, alternative: 0, pageIndex: 4 });
        expect(page.index).toBe(4);
        expect(page.panels.map((p) => p.shotId)).toEqual(shots.map((s) => s.id));
        expect(estimateReadingOrder(page.panels.map((p) => p.bboxMm), opts.readingDirection)).toEqual(page.panels.map((_, i) => i));
        if (shots.length >= 2) {
          const alt = layoutPage(shots, { ...opts, alternative: 1 + (opts.alternative ?? 0) });
          expect(JSON.stringify(alt.panels.map((p) => p.bboxMm))).not.toEqual(JSON.stringify(page.panels.map((p) => p.bboxMm)));
        }
      }),
      RUNS,
    );
  });

  it('refuses more than 7 panels', () => {
    const shots: ShotInput[] = Array.from({ length: 8 }, (_, i) => ({ id: `s${i}`, importance: 0.5, shot: 'medium', characters: [] }));
    expect(() => layoutPage(shots, { format: 'B5', readingDirection: 'rtl', seed: 0 })).toThrow(/at most 7/);
  });
});

describe('layoutBook shapes', () => {
  const base = (over: Partial<ShotInput>[]): ShotInput[] => over.map((o, i) => ({ id: `s${i}`, importance: 0.5, shot: 'medium', characters: ['a'], ...o }));

  it('gives an establishing shot a full-width wide tier and a close-up a big face', () => {
    const book = layoutBook(base([{ shot: 'establishing', importance: 0.8 }, {}, { shot: 'closeup', characters: ['a'] }, {}, {}]), { format: 'B5', readingDirection: 'rtl', seed: 1 });
    const [est, , close] = book.pages[0].panels;
    expect(est.bboxMm[2]).toBeCloseTo(150, 0);
    expect(est.bboxMm[2] / est.bboxMm[3]).toBeGreaterThan(1.5);
    expect(close.faces[0].faceMm[3] / close.bboxMm[3]).toBeGreaterThan(0.3);
  });

  it('gives a reveal of ordinary importance the biggest panel of its page', () => {
    const shots = base([{}, {}, {}, { reveal: true }, {}, {}, {}]);
    const book = layoutBook(shots, { format: 'B5', readingDirection: 'rtl', seed: 2 });
    const page = book.pages.find((p) => p.panels.some((x) => x.shotId === 's3'))!;
    expect(page.panels[0].shotId).toBe('s3');
    const area = (b: BBoxMm) => b[2] * b[3];
    expect(Math.max(...page.panels.map((x) => area(x.bboxMm)))).toBeCloseTo(area(page.panels[0].bboxMm), 6);
  });

  it('rejects bad input with a clear error', () => {
    expect(() => layoutBook(base([{ id: 'x' }, { id: 'x' }]), { format: 'B5', readingDirection: 'rtl', seed: 1 })).toThrow(/duplicate/);
    expect(() => layoutBook(base([{ shot: 'nope' as never }]), { format: 'B5', readingDirection: 'rtl', seed: 1 })).toThrow(/shot type/);
    expect(() => layoutBook(base([{}]), { format: 'XX' as never, readingDirection: 'rtl', seed: 1 })).toThrow(/unknown page format/);
    expect(() => layoutBook(base([{}]), { format: 'B5', readingDirection: 'ttb' as never, seed: 1 })).toThrow(/readingDirection/);
    expect(() => layoutPage(base([{}]), { format: 'B5', readingDirection: 'ttb' as never, seed: 1 })).toThrow(/readingDirection/);
    expect(() => layoutBook([{ id: '', importance: 0.5, shot: 'medium', characters: [] }], { format: 'B5', readingDirection: 'rtl', seed: 1 })).toThrow(/id/);
  });
});
