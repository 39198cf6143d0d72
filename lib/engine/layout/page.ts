/**
 * One page as a guillotine split tree: tiers top→bottom; inside a tier, elements side by side
 * (right→left for rtl, left→right for ltr); an element is one panel or a stack of two panels
 * (top then bottom) beside a tall neighbour. Story order is assigned along that tree, so the
 * reading order is correct by construction (MANGA-CRAFT.md "Panel layout", after Cao, Chan &
 * Lau 2012; Kovanen & Aizawa 2015 read Manga109 pages with the same tree).
 *
 * Every composition of the page's panels is sized at a few importance/shape blends and scored;
 * the score trades panel area against importance (M6), panel shape against shot type (wide
 * establishing tiers, tall panels for full figures and falls) and tier count against practice.
 */
import type { BBoxMm, PageFormat, ReadingDirection, ShotInput } from '../types';
import { PREFERRED_ASPECT, areaWeight, importanceWeight, wantsFullWidth } from './shape';
import { importanceAreaRho } from './stats';
import { intersect, area as boxArea } from './geom';

export interface Tile {
  /** Index of the shot within the page (= story order on the page). */
  index: number;
  box: BBoxMm;
  tier: number;
  /** Panels in this tier. */
  tierSize: number;
  /** Part of a two-panel stack. */
  stacked: boolean;
  /** Which frame edges the panel lies on (before any bleed). */
  onEdge: { top: boolean; bottom: boolean; left: boolean; right: boolean };
}

/** A tier is a list of elements in reading order; 1 = a single panel, 2 = a stack of two. */
export type Composition = number[][];

export interface PageCandidate {
  tiers: Composition;
  /** compositionKey(tiers), for stable tie-breaks and comparisons. */
  key: string;
  share: number;
  tiles: Tile[];
  score: number;
}

/** Minimum sizes: smaller panels cannot hold a figure and a balloon (≈ 2 columns of 16Q). */
const MIN_PANEL_W = 24;
const MIN_TIER_H = 30;
const MIN_STACKED_H = 26;
/**
 * How much importance (vs. shot shape) decides sizes: the scorer picks per page. 1 means
 * importance alone, without even the shot type's area factor — for pages where close
 * importances (0.80 vs 0.89) would otherwise be out-ranked by the shot type (M6).
 */
const IMPORTANCE_SHARES = [0.55, 0.75, 0.92, 1];

/** Element patterns of a tier of m panels (a lone stack would just be two tiers: excluded). */
const TIER_PATTERNS: Readonly<Record<number, number[][]>> = {
  1: [[1]],
  2: [[1, 1]],
  3: [[1, 1, 1], [1, 2], [2, 1]],
  // Never two stacks side by side: their gutters could line up into a false tier cut.
  4: [[1, 1, 2], [1, 2, 1], [2, 1, 1]],
};

const compositionCache = new Map<number, Composition[]>();

/** All compositions of k panels: at most 4 tiers (practice: 3–4), tiers of 1–4 panels. */
export function compositions(k: number): Composition[] {
  const cached = compositionCache.get(k);
  if (cached) return cached;
  const out: Composition[] = [];
  const rec = (left: number, acc: Composition): void => {
    if (left === 0) {
      out.push(acc);
      return;
    }
    if (acc.length === 4) return;
    for (let m = 1; m <= Math.min(4, left); m++) for (const pat of TIER_PATTERNS[m]) rec(left - m, [...acc, pat]);
  };
  rec(k, []);
  compositionCache.set(k, out);
  return out;
}

/**
 * Split `total` by `weights`, keeping every share ≥ its minimum when possible (water-filling):
 * shares below their minimum are pinned to it and the rest is re-split among the others.
 */
export function distribute(total: number, weights: readonly number[], min: number | readonly number[]): { sizes: number[]; clamped: boolean } {
  const n = weights.length;
  const mins = typeof min === 'number' ? weights.map(() => min) : min;
  if (total < mins.reduce((s, m) => s + m, 0)) return { sizes: weights.map(() => total / n), clamped: true };
  const fixed = new Array<boolean>(n).fill(false);
  let sizes = weights.slice();
  let clamped = false;
  for (let iter = 0; iter <= n; iter++) {
    const freeW = weights.reduce((s, w, i) => (fixed[i] ? s : s + w), 0);
    const freeTotal = total - mins.reduce((s, m, i) => (fixed[i] ? s + m : s), 0);
    sizes = weights.map((w, i) => (fixed[i] ? mins[i] : (w / freeW) * freeTotal));
    const low = sizes.findIndex((v, i) => !fixed[i] && v < mins[i]);
    if (low < 0) break;
    fixed[low] = true;
    clamped = true;
  }
  return { sizes, clamped };
}

interface Element {
  shots: number[]; // 1 or 2 shot indices, top first
}

/** Per-page constants, computed once for all candidate compositions. */
interface PageContext {
  shots: readonly ShotInput[];
  weights: number[];
  /** Importance alone (used at share 1). */
  pureWeights: number[];
  aspect: number[];
  totalW: number;
  importances: number[];
  /** Per-shot minimum panel size (mm), e.g. room for its balloons; 0 when none asked. */
  minW: number[];
  minH: number[];
  format: PageFormat;
  direction: ReadingDirection;
}

/** A panel's requested minimum size, in mm (see LayoutHints in index.ts). */
export interface MinSize {
  w: number;
  h: number;
}

function sizeComposition(ctx: PageContext, comp: Composition, share: number): { tiles: Tile[]; clamped: number } {
  const { weights, aspect, totalW, format, direction } = ctx;
  const [fx, fy, fw, fh] = format.innerFrameMm;
  const g = format.gutterMm.intraTier;
  const G = format.gutterMm.interTier;
  const T = comp.length;
  const availH = fh - (T - 1) * G;
  let clamped = 0;

  // Assign shots to elements in story order.
  let at = 0;
  const tiers: Element[][] = comp.map((pattern) =>
    pattern.map((size) => {
      const el = { shots: Array.from({ length: size }, (_, i) => at + i) };
      at += size;
      return el;
    }),
  );
  // An element's "aspect" in units of tier height: a single panel is r·h wide at its ideal
  // shape; a stack's panels are ≈ (h − g)/2 tall, so its ideal width is ≈ mean(r)·h/2.
  const elAspect = (el: Element): number =>
    el.shots.length === 1 ? aspect[el.shots[0]] : (aspect[el.shots[0]] + aspect[el.shots[1]]) / 4;
  const elWeight = (el: Element): number => el.shots.reduce((s, i) => s + weights[i], 0);

  const tierHeights = tiers.map((els) => {
    const tierW = fw - (els.length - 1) * g;
    const shapeH = tierW / els.reduce((s, el) => s + elAspect(el), 0);
    const impH = (els.reduce((s, el) => s + elWeight(el), 0) / totalW) * availH;
    return share * impH + (1 - share) * shapeH;
  });
  const stackedMin = (i: number) => Math.max(MIN_STACKED_H, ctx.minH[i]);
  const elMinH = (el: Element): number =>
    el.shots.length === 2 ? stackedMin(el.shots[0]) + stackedMin(el.shots[1]) + g : Math.max(MIN_TIER_H, ctx.minH[el.shots[0]]);
  const elMinW = (el: Element): number => {
    let m = MIN_PANEL_W;
    for (const i of el.shots) m = Math.max(m, ctx.minW[i]);
    return m;
  };
  const minH = tiers.map((els) => els.reduce((m, el) => Math.max(m, elMinH(el)), 0));
  const hs = distribute(availH, tierHeights, minH);
  if (hs.clamped) clamped++;

  const tiles: Tile[] = [];
  let y = fy;
  tiers.forEach((els, t) => {
    const h = hs.sizes[t];
    const tierW = fw - (els.length - 1) * g;
    const tw = els.reduce((s, el) => s + elWeight(el), 0);
    const ta = els.reduce((s, el) => s + elAspect(el), 0);
    const ws = distribute(tierW, els.map((el) => share * (elWeight(el) / tw) + (1 - share) * (elAspect(el) / ta)), els.map(elMinW));
    if (ws.clamped) clamped++;
    const tierSize = els.reduce((s, el) => s + el.shots.length, 0);
    // Reading order inside a tier: rtl starts at the right edge, ltr at the left.
    let edge = direction === 'rtl' ? fx + fw : fx;
    els.forEach((el, pos) => {
      const w = ws.sizes[pos];
      const x = direction === 'rtl' ? edge - w : edge;
      edge = direction === 'rtl' ? x - g : x + w + g;
      const first = pos === 0;
      const last = pos === els.length - 1;
      const left = direction === 'rtl' ? last : first;
      const right = direction === 'rtl' ? first : last;
      if (el.shots.length === 1) {
        tiles.push({ index: el.shots[0], box: [x, y, w, h], tier: t, tierSize, stacked: false, onEdge: { top: t === 0, bottom: t === T - 1, left, right } });
        return;
      }
      // A stack: top panel read before bottom panel; taller share for the more important or
      // the more upright shot.
      const [a, b] = el.shots;
      const inv = (i: number) => 1 / aspect[i];
      const split = distribute(
        h - g,
        [a, b].map((i) => share * (weights[i] / (weights[a] + weights[b])) + (1 - share) * (inv(i) / (inv(a) + inv(b)))),
        [stackedMin(a), stackedMin(b)],
      );
      if (split.clamped) clamped++;
      const [ha, hb] = split.sizes;
      tiles.push({ index: a, box: [x, y, w, ha], tier: t, tierSize, stacked: true, onEdge: { top: t === 0, bottom: false, left, right } });
      tiles.push({ index: b, box: [x, y + ha + g, w, hb], tier: t, tierSize, stacked: true, onEdge: { top: false, bottom: t === T - 1, left, right } });
    });
    y += h + G;
  });
  tiles.sort((p, q) => p.index - q.index);
  return { tiles, clamped };
}

function scoreTiles(ctx: PageContext, tiles: readonly Tile[], comp: Composition, clamped: number): number {
  const { shots, format } = ctx;
  let score = 0;
  const trim: BBoxMm = [0, 0, format.trimMm.w, format.trimMm.h];
  const visible: number[] = [];
  for (const t of tiles) {
    const s = shots[t.index];
    const aspect = t.box[2] / t.box[3];
    score += Math.log(aspect / PREFERRED_ASPECT[s.shot]) ** 2;
    // Establishing/wide shots read best as a whole-width tier.
    if (wantsFullWidth(s.shot) && t.tierSize > 1) score += 0.6;
    const touches = t.onEdge.top || t.onEdge.bottom || t.onEdge.left || t.onEdge.right;
    // A bleed panel must touch the page edge to run off it.
    if (s.bleed && !touches) score += 1.5;
    const box = s.bleed && touches ? applyBleed(t, format).box : t.box;
    const v = intersect(box, trim);
    visible.push(v ? boxArea(v) : 0);
  }
  // M6 is judged on the visible area, so score it the same way.
  const rho = importanceAreaRho(ctx.importances, visible); // tiles are in shot order
  // M6 asks ρ ≥ 0.7 on every page: below that is nearly a hard failure.
  if (rho !== null) score += 4 * (1 - rho) + (rho < 0.7 ? 8 : 0);
  // "A big reveal belongs on the first panel after a page turn" (MANGA-CRAFT.md): a reveal
  // wants the biggest panel of its page, unless importance (M6, above) says otherwise.
  const biggest = Math.max(...visible);
  tiles.forEach((t, i) => {
    if (shots[t.index].reveal && biggest > 0) score += 1.5 * (1 - visible[i] / biggest);
  });
  const k = shots.length;
  const idealTiers = k <= 2 ? k : k <= 4 ? 2.5 : k <= 6 ? 3 : 3.5;
  score += 0.5 * (comp.length - idealTiers) ** 2;
  // Stacks are a spice, not the default: only when a tall shot earns them.
  score += 0.15 * comp.reduce((s, tier) => s + tier.filter((e) => e === 2).length, 0);
  score += 1.5 * clamped;
  // A panel smaller than asked (its balloons will not fit): 1 point per 10 mm short.
  for (const t of tiles) {
    score += Math.max(0, ctx.minW[t.index] - t.box[2]) / 10 + Math.max(0, ctx.minH[t.index] - t.box[3]) / 10;
  }
  return score;
}

export const compositionKey = (c: Composition): string => c.map((t) => t.join('')).join('/');

/** Compositions re-sized at the other importance shares (the rest keep the middle share). */
const REFINE_TOP = 16;

/** Every composition, sized and scored; best (lowest score) first. */
export function pageCandidates(
  shots: readonly ShotInput[],
  format: PageFormat,
  direction: ReadingDirection,
  minSize?: (shot: ShotInput) => MinSize | undefined,
): PageCandidate[] {
  const weights = shots.map(areaWeight);
  // A minimum can never ask for more than the frame (or the layout could not exist at all).
  const [, , fw, fh] = format.innerFrameMm;
  const mins = shots.map((s) => minSize?.(s));
  const clampMin = (v: number | undefined, max: number) => (Number.isFinite(v) ? Math.min(Math.max(0, v as number), max) : 0);
  const ctx: PageContext = {
    shots,
    weights,
    pureWeights: shots.map(importanceWeight),
    aspect: shots.map((s) => PREFERRED_ASPECT[s.shot]),
    totalW: weights.reduce((s, w) => s + w, 0),
    importances: shots.map((s) => s.importance),
    minW: mins.map((m) => clampMin(m?.w, fw)),
    minH: mins.map((m) => clampMin(m?.h, fh / 2)),
    format,
    direction,
  };
  const hasBleed = shots.some((s) => s.bleed);
  const trim: BBoxMm = [0, 0, format.trimMm.w, format.trimMm.h];
  const pureCtx: PageContext = { ...ctx, weights: ctx.pureWeights, totalW: ctx.pureWeights.reduce((s, w) => s + w, 0) };
  const evaluate = (tiers: Composition, share: number): PageCandidate => {
    const base = share === 1 ? pureCtx : ctx;
    let sized = sizeComposition(base, tiers, share);
    if (hasBleed) {
      // A bleed panel gains the margin it runs into, and the reader sees that area (M6 counts
      // it): give it less of the frame so its visible area still follows its importance.
      const weights = base.weights.slice();
      let changed = false;
      for (const t of sized.tiles) {
        if (!shots[t.index].bleed) continue;
        const bled = applyBleed(t, format);
        const v = intersect(bled.box, trim);
        if (!bled.bled || !v) continue;
        weights[t.index] *= boxArea(t.box) / boxArea(v);
        changed = true;
      }
      if (changed) sized = sizeComposition({ ...base, weights, totalW: weights.reduce((a, w) => a + w, 0) }, tiers, share);
    }
    const { tiles, clamped } = sized;
    // Rounded so that floating-point noise (rtl and ltr place boxes by different sums) cannot
    // break a tie differently in the two directions: an ltr page mirrors its rtl twin exactly.
    const score = Math.round(scoreTiles(ctx, tiles, tiers, clamped) * 1e6) / 1e6;
    return { tiers, key: compositionKey(tiers), share, tiles, score };
  };
  const order = (a: PageCandidate, b: PageCandidate): number =>
    a.score - b.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  // Size every composition at the middle share, then refine only the promising ones: the share
  // moves a score by far less than the composition does, and this keeps 200 pages well < 1 s.
  const mid = IMPORTANCE_SHARES[1];
  const out = compositions(shots.length).map((t) => evaluate(t, mid)).sort(order);
  for (let i = 0; i < Math.min(REFINE_TOP, out.length); i++) {
    for (const share of IMPORTANCE_SHARES) {
      if (share === mid) continue;
      const c = evaluate(out[i].tiers, share);
      if (c.score < out[i].score) out[i] = c;
    }
  }
  // Stable sort on score, then on the composition itself: deterministic on ties.
  return out.sort(order);
}

/**
 * Tachikiri: a bleed panel's edges that lie on the inner frame are pushed out to the bleed
 * line, so no edge ever stops between the trim and the bleed line (MANGA-CRAFT.md).
 */
export function applyBleed(tile: Tile, format: PageFormat): { box: BBoxMm; bled: boolean } {
  const b = format.bleedMm;
  let [x, y, w, h] = tile.box;
  let x1 = x + w;
  let y1 = y + h;
  const e = tile.onEdge;
  if (e.top) y = -b;
  if (e.bottom) y1 = format.trimMm.h + b;
  if (e.left) x = -b;
  if (e.right) x1 = format.trimMm.w + b;
  w = x1 - x;
  h = y1 - y;
  return { box: [x, y, w, h], bled: e.top || e.bottom || e.left || e.right };
}
