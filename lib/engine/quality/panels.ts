/** Panel metrics M1–M4, M6, M7: from the panel boxes alone. */
import type { LaidPage, PageFormat, ReadingDirection } from '../types';
import { area, bottom, intersect, overlapArea, right } from '../layout/geom';
import { cutGaps, estimateReadingOrderDetailed } from '../layout/reading-order';
import { importanceAreaRho, median } from '../layout/stats';
import type { Metric } from './types';

const EPS = 0.05; // mm: a twentieth of a millimetre is "on the line"
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** M1: total pairwise overlap area of panels (mm²). */
export function m1Overlap(page: LaidPage): Metric {
  let total = 0;
  const ps = page.panels;
  for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) total += overlapArea(ps[i].bboxMm, ps[j].bboxMm);
  return { id: 'M1', value: r3(total), target: '0 mm²', pass: total < 0.01 };
}

/**
 * M2: gutters in range, and median intra-tier < median inter-tier. Tiers are recovered from the
 * geometry (the top-level horizontal cuts of the guillotine tree), not from the generator. The
 * ranges are MANGA-CRAFT.md's B5 ranges (3.5–5 and 6.5–8.5 mm) scaled by the format's defaults.
 */
export function m2Gutters(page: LaidPage, format: PageFormat): Metric {
  const gaps = cutGaps(page.panels.map((p) => p.bboxMm));
  const si = format.gutterMm.intraTier / 4;
  const se = format.gutterMm.interTier / 8;
  const intra = gaps.filter((g) => g.kind === 'intra-tier').map((g) => g.gap);
  const inter = gaps.filter((g) => g.kind === 'inter-tier').map((g) => g.gap);
  const bad = [
    ...intra.filter((g) => g < 3.5 * si - EPS || g > 5 * si + EPS).map((g) => `intra-tier gutter ${g.toFixed(2)} mm`),
    ...inter.filter((g) => g < 6.5 * se - EPS || g > 8.5 * se + EPS).map((g) => `tier gutter ${g.toFixed(2)} mm`),
  ];
  const mi = median(intra);
  const me = median(inter);
  if (mi !== null && me !== null && !(mi < me)) bad.push(`median intra-tier gutter ${mi.toFixed(2)} ≥ median tier gutter ${me.toFixed(2)}`);
  const total = gaps.length;
  const inRange = total === 0 ? 1 : (total - bad.filter((b) => !b.startsWith('median')).length) / total;
  return {
    id: 'M2',
    value: r3(inRange),
    target: 'all gutters in range; median intra < median inter',
    pass: bad.length === 0,
    ...(bad.length ? { detail: bad.join('; ') } : {}),
  };
}

/**
 * M3: frame compliance. A panel edge may not stop between the trim and the bleed line (art
 * there is cut unevenly), nor lie outside the canvas; text must stay ≥ 10 mm inside the trim.
 * `textBoxes` are the balloons' boxes (SFX excluded: they are art).
 */
export function m3Frame(page: LaidPage, format: PageFormat, textBoxes: ReadonlyArray<[number, number, number, number]>): Metric {
  const { w: W, h: H } = format.trimMm;
  const b = format.bleedMm;
  const bad: string[] = [];
  // The trim line itself is in the forbidden band: the guillotine cuts within a fraction of a
  // millimetre of it, so art stopping exactly there leaves white slivers (that is what bleed is for).
  const offEdge = (v: number, size: number) =>
    (v > -b + EPS && v < EPS) || (v > size - EPS && v < size + b - EPS) || v < -b - EPS || v > size + b + EPS;
  for (const p of page.panels) {
    const box = p.bboxMm;
    for (const x of [box[0], right(box)]) if (offEdge(x, W)) bad.push(`${p.id} edge x=${x.toFixed(2)}`);
    for (const y of [box[1], bottom(box)]) if (offEdge(y, H)) bad.push(`${p.id} edge y=${y.toFixed(2)}`);
  }
  const [sx, sy, sw, sh] = format.safeMm;
  textBoxes.forEach((t, i) => {
    if (t[0] < sx - EPS || t[1] < sy - EPS || right(t) > sx + sw + EPS || bottom(t) > sy + sh + EPS) bad.push(`text box ${i} outside the safe area`);
  });
  return { id: 'M3', value: bad.length, target: '0 violations', pass: bad.length === 0, ...(bad.length ? { detail: bad.join('; ') } : {}) };
}

/** M4: the independent estimator's order equals the intended order (panel.order). */
export function m4ReadingOrder(page: LaidPage, dir: ReadingDirection): { metric: Metric; estimated: string[] } {
  const est = estimateReadingOrderDetailed(page.panels.map((p) => p.bboxMm), dir);
  const estimated = est.order.map((i) => page.panels[i].id);
  const intended = [...page.panels].sort((a, b) => a.order - b.order).map((p) => p.id);
  const ok = estimated.join('\u0000') === intended.join('\u0000') && !est.ambiguous;
  const detail = ok ? undefined : `${est.ambiguous ? 'no guillotine cut somewhere; ' : ''}estimated ${estimated.join(' → ')}; intended ${intended.join(' → ')}`;
  return { metric: { id: 'M4', value: ok ? 1 : 0, target: '1 (orders agree)', pass: ok, ...(detail ? { detail } : {}) }, estimated };
}

/**
 * M6: Spearman ρ between importance (at 0.01 resolution) and visible panel area (what is inside
 * the trim), equal importances judged as a group (see importanceAreaRho).
 */
export function m6Importance(page: LaidPage, format: PageFormat): Metric {
  const trim: [number, number, number, number] = [0, 0, format.trimMm.w, format.trimMm.h];
  const rho = importanceAreaRho(
    page.panels.map((p) => p.importance),
    page.panels.map((p) => {
      const v = intersect(p.bboxMm, trim);
      return v ? area(v) : 0;
    }),
  );
  return rho === null
    ? { id: 'M6', value: null, target: 'ρ ≥ 0.7', pass: true, detail: 'undefined: fewer than 2 panels or equal importances (at 0.01)' }
    : { id: 'M6', value: r3(rho), target: 'ρ ≥ 0.7', pass: rho >= 0.7 };
}

/** M7: panels per page, 3–7. */
export function m7PanelCount(page: LaidPage, allowShort: boolean): Metric {
  const n = page.panels.length;
  return { id: 'M7', value: n, target: '3–7', pass: (n >= 3 || (allowShort && n > 0)) && n <= 7 };
}
