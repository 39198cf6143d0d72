import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkBook, checkPage, baselineFixedGrid, formatComparison, type Metric, type MetricId } from './index';
import { layoutBook } from '../layout';
import { pageFormat } from '../formats';
import { SHOT_TYPES, type BBoxMm, type LaidPage, type LaidPanel, type PlacedBalloon, type ReadingDirection, type ShotInput } from '../types';

const B5 = pageFormat('B5');
const metric = (ms: Metric[], id: MetricId): Metric => {
  const m = ms.find((x) => x.id === id);
  if (!m) throw new Error(`no metric ${id}`);
  return m;
};

/** A correct rtl B5 page: two tiers, [right, left] on top, one wide panel below. */
function panel(id: string, order: number, bboxMm: BBoxMm, importance: number, faces: LaidPanel['faces'] = []): LaidPanel {
  return { id, shotId: id, order, bboxMm, bleed: false, shot: 'medium', camera: 'eye', importance, characters: faces.map((f) => f.characterId), faces };
}
function goodPage(): LaidPage {
  return {
    index: 0,
    panels: [
      panel('a', 0, [93, 18.5, 73, 100], 0.9, [{ characterId: 'aoi', faceMm: [130, 60, 16, 20], bodyMm: [120, 60, 36, 58.5] }]),
      panel('b', 1, [16, 18.5, 73, 100], 0.5),
      panel('c', 2, [16, 126.5, 150, 112], 0.95),
      panel('d', 3, [16, 242, 150, 0.001], 0.1),
    ].slice(0, 3),
  };
}
function balloon(over: Partial<PlacedBalloon> & { id: string }): PlacedBalloon {
  return {
    lineId: over.id,
    panelId: 'a',
    order: 0,
    kind: 'speech',
    speakerId: 'aoi',
    text: 'はい',
    bboxMm: [96, 22, 20, 28],
    tailTipMm: null,
    columns: ['はい'],
    vertical: true,
    fontSizeMm: 4.5,
    ...over,
  };
}
const check = (page: LaidPage, balloons: PlacedBalloon[] = [], dir: ReadingDirection = 'rtl', extra: Partial<Parameters<typeof checkPage>[0]> = {}) =>
  checkPage({ page, balloons, format: B5, readingDirection: dir, ...extra }).metrics;

describe('checkPage passes a correct page', () => {
  it('all metrics pass on a hand-made correct rtl page with a good balloon', () => {
    const ms = check(goodPage(), [balloon({ id: 'x', tailTipMm: [123.6, 57.4] })]);
    const failing = ms.filter((m) => !m.pass);
    expect(failing).toEqual([]);
    expect(metric(ms, 'M16').value).toBeNull(); // skipped without a segmenter
  });
});

describe('checkPage catches broken pages', () => {
  it('M1: overlapping panels', () => {
    const p = goodPage();
    p.panels[1].bboxMm = [16, 18.5, 80, 100];
    expect(metric(check(p), 'M1').pass).toBe(false);
  });

  it('M2: equal gutters inside and between tiers', () => {
    const p = goodPage();
    p.panels[2].bboxMm = [16, 122.5, 150, 116];
    const m = metric(check(p), 'M2');
    expect(m.pass).toBe(false);
    expect(m.detail).toMatch(/tier gutter/);
  });

  it('M3: an edge between trim and bleed, and text outside the safe area', () => {
    const p = goodPage();
    p.panels[0].bboxMm = [93, -1.5, 73, 120];
    expect(metric(check(p), 'M3').pass).toBe(false);
    p.panels[0].bboxMm = [93, 0, 73, 118.5]; // stops exactly on the trim line
    expect(metric(check(p), 'M3').pass).toBe(false);
    p.panels[0].bboxMm = [93, -3, 76, 121.5]; // runs to the bleed line: fine
    expect(metric(check(p), 'M3').pass).toBe(true);
    const q = goodPage();
    expect(metric(check(q, [balloon({ id: 'x', bboxMm: [150, 5, 20, 20] })]), 'M3').pass).toBe(false);
  });

  it('M4: the intended order disagrees with the geometry (an ltr order on an rtl page)', () => {
    const p = goodPage();
    p.panels[0].order = 1;
    p.panels[1].order = 0;
    const m = metric(check(p), 'M4');
    expect(m.pass).toBe(false);
    expect(metric(check(p, [], 'ltr'), 'M4').pass).toBe(true);
  });

  it('M4: a non-guillotine (pinwheel) page is flagged', () => {
    const page: LaidPage = {
      index: 0,
      panels: [
        panel('p0', 0, [16, 18.5, 100, 60], 0.5),
        panel('p1', 1, [120, 18.5, 46, 150], 0.5),
        panel('p2', 2, [66, 172.5, 100, 66], 0.5),
        panel('p3', 3, [16, 82.5, 46, 156], 0.5),
        panel('p4', 4, [66, 82.5, 50, 86], 0.5),
      ],
    };
    expect(metric(check(page, [], 'ltr'), 'M4').pass).toBe(false);
  });

  it('M6: area against importance', () => {
    const p = goodPage();
    p.panels[0].importance = 0.1;
    p.panels[1].importance = 0.5;
    p.panels[2].importance = 0.05;
    expect(metric(check(p), 'M6').pass).toBe(false);
  });

  it('M7: too many and too few panels', () => {
    const many: LaidPage = { index: 0, panels: Array.from({ length: 8 }, (_, i) => panel(`p${i}`, i, [16, 18.5 + i * 27, 150, 23], 0.5)) };
    expect(metric(check(many), 'M7').pass).toBe(false);
    const few: LaidPage = { index: 0, panels: [panel('p', 0, [16, 18.5, 150, 220], 0.5)] };
    expect(metric(check(few), 'M7').pass).toBe(false);
    expect(metric(check(few, [], 'rtl', { allowShortPage: true }), 'M7').pass).toBe(true);
  });

  it('M8: a balloon over its speaker’s face', () => {
    const ms = check(goodPage(), [balloon({ id: 'x', bboxMm: [128, 58, 22, 26] })]);
    expect(metric(ms, 'M8.speaker').pass).toBe(false);
    expect(metric(ms, 'M8.anyFace').pass).toBe(false);
  });

  it('M8: an oval whose bbox corner grazes the face but whose outline does not', () => {
    // Ellipse centred at (120, 42) with semi-axes 12 × 16: the corner (131.5, 57.5) is outside it.
    const ms = check(goodPage(), [balloon({ id: 'x', bboxMm: [108, 26, 24, 32] })]);
    expect(metric(ms, 'M8.speaker').value).toBe(0);
  });

  it('M9: overlapping balloons', () => {
    const ms = check(goodPage(), [balloon({ id: 'x' }), balloon({ id: 'y', order: 1, bboxMm: [100, 24, 20, 28] })]);
    expect(metric(ms, 'M9').pass).toBe(false);
  });

  it('M10: a balloon mostly outside its panel', () => {
    expect(metric(check(goodPage(), [balloon({ id: 'x', bboxMm: [80, 22, 20, 28] })]), 'M10').pass).toBe(false);
  });

  it('M11: balloons set left-first on an rtl page', () => {
    const left = balloon({ id: 'x', order: 0, bboxMm: [96, 22, 20, 28] });
    const right = balloon({ id: 'y', order: 1, bboxMm: [140, 22, 20, 28] });
    expect(metric(check(goodPage(), [left, right]), 'M11').pass).toBe(false);
    expect(metric(check(goodPage(), [left, right], 'ltr'), 'M11').pass).toBe(true);
    expect(metric(check(goodPage(), [{ ...left, order: 1 }, { ...right, order: 0 }]), 'M11').pass).toBe(true);
  });

  it('M12: a tail pointing away from the speaker, and crossing tails', () => {
    expect(metric(check(goodPage(), [balloon({ id: 'x', tailTipMm: [96, 60] })]), 'M12.angle').pass).toBe(false);
    const a = balloon({ id: 'x', bboxMm: [96, 22, 20, 28], tailTipMm: [150, 70], speakerId: null });
    const b = balloon({ id: 'y', order: 1, bboxMm: [140, 22, 20, 28], tailTipMm: [100, 70], speakerId: null });
    expect(metric(check(goodPage(), [a, b]), 'M12.crossings').value).toBe(1);
  });

  it('M14: overflow, small type, long columns', () => {
    const over = balloon({ id: 'x', columns: ['あいうえおかきくけ', 'あいうえおかきくけ', 'あいうえおかきくけ'], bboxMm: [96, 22, 14, 30] });
    expect(metric(check(goodPage(), [over]), 'M14.overflow').pass).toBe(false);
    expect(metric(check(goodPage(), [balloon({ id: 'x', fontSizeMm: 3 })]), 'M14.font').pass).toBe(false);
    const long = balloon({ id: 'x', columns: ['あいうえおかきくけこさ'], bboxMm: [96, 22, 20, 90] });
    expect(metric(check(goodPage(), [long]), 'M14.columns').pass).toBe(false);
    // Tate-chu-yoko: "2026" is one cell, so 9 kana + "2026" = 10 cells.
    const tcy = balloon({ id: 'x', columns: ['あいうえおかきくけ2026'], bboxMm: [96, 22, 20, 90] });
    expect(metric(check(goodPage(), [tcy]), 'M14.columns').pass).toBe(true);
  });

  it('M15: kinsoku at column breaks', () => {
    const bad = (columns: string[]) => metric(check(goodPage(), [balloon({ id: 'x', columns, bboxMm: [96, 22, 30, 40] })]), 'M15');
    expect(bad(['そうだ', '」と']).pass).toBe(false);
    expect(bad(['「そう', 'だ']).pass).toBe(true);
    expect(bad(['そう「', 'だ']).pass).toBe(false);
    expect(bad(['ちょ', 'っと']).pass).toBe(false);
    expect(bad(['まて…', '…']).pass).toBe(false);
    expect(bad(['ほんとうに', 'いいの？']).pass).toBe(true);
  });

  it('M16: column breaks off the phrase boundaries (injected segmenter)', () => {
    const seg = (t: string) => (t === 'きょうはいい' ? [3] : []);
    const at = (columns: string[]) => metric(check(goodPage(), [balloon({ id: 'x', columns, bboxMm: [96, 22, 30, 40] })], 'rtl', { phraseBoundaries: seg }), 'M16');
    expect(at(['きょう', 'はいい']).pass).toBe(true);
    expect(at(['きょうは', 'いい']).pass).toBe(false);
  });

  it('M16: a break where the setter dropped 、 counts as a phrase boundary of the source text', () => {
    // The segmenter sees the source, where 、 ends the clause at offset 3.
    const seg = (t: string) => (t === 'はい、そうです。' ? [3] : []);
    const b = balloon({ id: 'x', text: 'はい、そうです。', columns: ['はい', 'そうです'], bboxMm: [96, 22, 30, 40] });
    expect(metric(check(goodPage(), [b], 'rtl', { phraseBoundaries: seg }), 'M16').value).toBe(1);
  });

  it('M17: horizontal-only glyphs in a vertical column', () => {
    const at = (c: string) => metric(check(goodPage(), [balloon({ id: 'x', columns: [c], bboxMm: [96, 22, 20, 60] })]), 'M17');
    expect(at('(あ)').value).toBe(2);
    expect(at('（あ）').pass).toBe(true);
    expect(at('えー!?').pass).toBe(true);
    expect(at('あ-い').pass).toBe(false);
  });

  it('M18: too many text boxes', () => {
    const many = Array.from({ length: 13 }, (_, i) => balloon({ id: `b${i}`, order: i, bboxMm: [17 + (i % 6) * 24, 20 + Math.floor(i / 6) * 70, 6, 6], columns: ['あ'] }));
    expect(metric(check(goodPage(), many), 'M18').pass).toBe(false);
  });
});

const shotsArb = fc
  .array(fc.record({ importance: fc.double({ min: 0, max: 1, noNaN: true }), shot: fc.constantFrom(...SHOT_TYPES), bleed: fc.boolean(), reveal: fc.boolean() }), { minLength: 3, maxLength: 50 })
  .map((arr) => arr.map((s, i): ShotInput => ({ id: `s${i}`, importance: s.importance, shot: s.shot, characters: ['aoi', 'ren'].slice(0, i % 3), bleed: s.bleed && i % 4 === 0, reveal: s.reveal && i % 5 === 0 })));

describe('checkBook on generated layouts', () => {
  it('every generated page passes the panel metrics M1–M4 and M7, both directions', () => {
    fc.assert(
      fc.property(shotsArb, fc.constantFrom('rtl' as const, 'ltr' as const), fc.constantFrom('B5' as const, 'A5' as const, 'B6' as const, 'US' as const), fc.integer(), (shots, dir, fmt, seed) => {
        const book = layoutBook(shots, { format: fmt, readingDirection: dir, seed });
        const r = checkBook({ book });
        for (const p of r.pages) for (const id of ['M1', 'M2', 'M3', 'M4', 'M7'] as const) expect(metric(p.metrics, id).pass, `${id} ${metric(p.metrics, id).detail ?? ''}`).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('panel area follows importance (M6 ρ ≥ 0.7) on ≥ 95 % of pages of a fixed corpus', () => {
    let pages = 0;
    let passing = 0;
    // Importances as a planner writes them (two decimals): fc.double's bias to 0, 1 and 1e-300
    // would make most pages all-equal, where ρ is undefined.
    const planned = fc
      .array(fc.record({ importance: fc.integer({ min: 0, max: 100 }), shot: fc.constantFrom(...SHOT_TYPES), bleed: fc.boolean() }), { minLength: 8, maxLength: 40 })
      .map((arr) => arr.map((s, i): ShotInput => ({ id: `s${i}`, importance: s.importance / 100, shot: s.shot, characters: ['aoi'], bleed: s.bleed && i % 4 === 0, reveal: i % 11 === 5 })));
    for (let seed = 0; seed < 40; seed++) {
      const shots = fc.sample(planned, { seed, numRuns: 1 })[0];
      const book = layoutBook(shots, { format: 'B5', readingDirection: seed % 2 ? 'ltr' : 'rtl', seed });
      for (const p of checkBook({ book }).pages) {
        const m = metric(p.metrics, 'M6');
        if (m.value === null) continue;
        pages++;
        if (m.pass) passing++;
      }
    }
    expect(pages).toBeGreaterThan(40);
    expect(passing / pages).toBeGreaterThanOrEqual(0.95);
  });

  it('reports balloon metrics as not applicable on a page without balloons', () => {
    const r = checkBook({ book: layoutBook(fc.sample(shotsArb, { seed: 1, numRuns: 1 })[0], { format: 'B5', readingDirection: 'rtl', seed: 1 }) });
    expect(metric(r.pages[0].metrics, 'M9').value).toBeNull();
    expect(r.summary.find((s) => s.id === 'M9')?.value).toBeNull();
  });

  it('the fixed-grid baseline fails what it ignores (tier gutters, rtl order)', () => {
    const shots: ShotInput[] = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, importance: (i * 7) % 10 / 10, shot: SHOT_TYPES[i % 9], characters: ['aoi'] }));
    const { book, balloons } = baselineFixedGrid(shots, B5, 3, [], 'rtl');
    expect(book.pages.every((p) => p.panels.length <= 4)).toBe(true);
    const r = checkBook({ book, balloons });
    expect(r.summary.find((s) => s.id === 'M2')?.pass).toBe(false);
    expect(r.summary.find((s) => s.id === 'M4')?.pass).toBe(false);
    expect(r.pass).toBe(false);
    const table = formatComparison([{ name: 'base', report: r }]);
    expect(table).toMatch(/\| M2 \| every page \| \d+(\.\d)? % ✗ \|/);
    expect(table).not.toMatch(/100 % ✗/);
  });
});

describe('checkPage robustness', () => {
  const box = fc.tuple(fc.double({ min: -20, max: 200, noNaN: true }), fc.double({ min: -20, max: 280, noNaN: true }), fc.double({ min: 0, max: 120, noNaN: true }), fc.double({ min: 0, max: 120, noNaN: true }));
  const pageArb = fc.array(fc.tuple(box, fc.double({ min: 0, max: 1, noNaN: true }), fc.array(box, { maxLength: 3 })), { minLength: 0, maxLength: 9 }).map(
    (ps): LaidPage => ({ index: 0, panels: ps.map(([b, imp, faces], i) => panel(`p${i}`, i, b as BBoxMm, imp, faces.map((f, k) => ({ characterId: `c${k}`, faceMm: f as BBoxMm, bodyMm: f as BBoxMm })))) }),
  );
  const balloonsArb = fc.array(
    fc.record({
      box,
      panel: fc.integer({ min: 0, max: 9 }),
      kind: fc.constantFrom('speech', 'thought', 'shout', 'whisper', 'narration', 'broadcast', 'sfx' as const),
      tail: fc.option(fc.tuple(fc.double({ min: -10, max: 200, noNaN: true }), fc.double({ min: -10, max: 270, noNaN: true }))),
      columns: fc.array(fc.string({ maxLength: 14 }), { maxLength: 7 }),
      vertical: fc.boolean(),
      font: fc.double({ min: 0, max: 10, noNaN: true }),
    }),
    { maxLength: 14 },
  );

  it('never throws and gives finite values (or null) on arbitrary geometry and text', () => {
    fc.assert(
      fc.property(pageArb, balloonsArb, fc.constantFrom('rtl' as const, 'ltr' as const), (page, bs, dir) => {
        const balloons = bs.map((b, i) => balloon({ id: `b${i}`, order: i, panelId: `p${b.panel}`, kind: b.kind, speakerId: 'c0', bboxMm: b.box as BBoxMm, tailTipMm: b.tail, columns: b.columns, text: b.columns.join(''), vertical: b.vertical, fontSizeMm: b.font }));
        const seg = (t: string) => Array.from({ length: t.length }, (_, k) => k);
        const r = checkPage({ page, balloons, format: B5, readingDirection: dir, phraseBoundaries: seg });
        expect(r.metrics.length).toBe(20);
        for (const m of r.metrics) expect(m.value === null || Number.isFinite(m.value), m.id).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
