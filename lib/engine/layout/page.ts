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
import { importanceAreaRhoFor } from './stats';
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
  // Plain loops, no closures: this runs ~100 000 times for a 200-page book. Every sum is taken
  // in index order from 0, as the reduce() it replaces did, so the results are bit-identical.
  const n = weights.length;
  const mins: readonly number[] = typeof min === 'number' ? new Array<number>(n).fill(min) : min;
  let minSum = 0;
  for (let i = 0; i < n; i++) minSum += mins[i];
  const sizes = new Array<number>(n);
  if (total < minSum) {
    for (let i = 0; i < n; i++) sizes[i] = total / n;
    return { sizes, clamped: true };
  }
  const fixed = new Array<boolean>(n).fill(false);
  let clamped = false;
  for (let iter = 0; iter <= n; iter++) {
    let freeW = 0;
    let fixedSum = 0;
    for (let i = 0; i < n; i++) {
      if (fixed[i]) fixedSum += mins[i];
      else freeW += weights[i];
    }
    const freeTotal = total - fixedSum;
    let low = -1;
    for (let i = 0; i < n; i++) {
      sizes[i] = fixed[i] ? mins[i] : (weights[i] / freeW) * freeTotal;
      if (low < 0 && !fixed[i] && sizes[i] < mins[i]) low = i;
    }
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
  /** M6's ρ for this page's importances (importanceAreaRho with the importances bound). */
  rho: (areas: readonly number[]) => number | null;
}

/** A panel's requested minimum size, in mm (see LayoutHints in index.ts). */
export interface MinSize {
  w: number;
  h: number;
}

/** Shots of each element of each tier, in story order: depends on the composition alone. */
const elementCache = new WeakMap<Composition, number[][][]>();
function elementsOf(comp: Composition): number[][][] {
  const hit = elementCache.get(comp);
  if (hit) return hit;
  let at = 0;
  const tiers = comp.map((pattern) =>
    pattern.map((size) => {
      const shots: number[] = [];
      for (let i = 0; i < size; i++) shots.push(at + i);
      at += size;
      return shots;
    }),
  );
  elementCache.set(comp, tiers);
  return tiers;
}

/**
 * An element's "aspect" in units of tier height: a single panel is r·h wide at its ideal
 * shape; a stack's panels are ≈ (h − g)/2 tall, so its ideal width is ≈ mean(r)·h/2.
 */
function elAspect(aspect: readonly number[], el: readonly number[]): number {
  return el.length === 1 ? aspect[el[0]] : (aspect[el[0]] + aspect[el[1]]) / 4;
}

function elWeight(weights: readonly number[], el: readonly number[]): number {
  let s = 0;
  for (const i of el) s += weights[i];
  return s;
}

const stackedMin = (ctx: PageContext, i: number): number => Math.max(MIN_STACKED_H, ctx.minH[i]);

/**
 * Sizes one composition at one importance share. Called ~25 000 times for 200 pages, so it is
 * written with loops over precomputed elements rather than closures; sums run in the same
 * order as before, so the tiles are bit-identical.
 */
function sizeComposition(ctx: PageContext, comp: Composition, share: number): { tiles: Tile[]; clamped: number } {
  const { weights, aspect, totalW, format, direction } = ctx;
  const [fx, fy, fw, fh] = format.innerFrameMm;
  const g = format.gutterMm.intraTier;
  const G = format.gutterMm.interTier;
  const T = comp.length;
  const availH = fh - (T - 1) * G;
  let clamped = 0;
  const tiers = elementsOf(comp);

  const tierHeights = new Array<number>(T);
  const minH = new Array<number>(T);
  for (let t = 0; t < T; t++) {
    const els = tiers[t];
    const tierW = fw - (els.length - 1) * g;
    let aspSum = 0;
    let wSum = 0;
    let mh = 0;
    for (const el of els) {
      aspSum += elAspect(aspect, el);
      wSum += elWeight(weights, el);
      const elMinH = el.length === 2 ? stackedMin(ctx, el[0]) + stackedMin(ctx, el[1]) + g : Math.max(MIN_TIER_H, ctx.minH[el[0]]);
      mh = Math.max(mh, elMinH);
    }
    const shapeH = tierW / aspSum;
    const impH = (wSum / totalW) * availH;
    tierHeights[t] = share * impH + (1 - share) * shapeH;
    minH[t] = mh;
  }
  const hs = distribute(availH, tierHeights, minH);
  if (hs.clamped) clamped++;

  const tiles: Tile[] = [];
  let y = fy;
  for (let t = 0; t < T; t++) {
    const els = tiers[t];
    const h = hs.sizes[t];
    const tierW = fw - (els.length - 1) * g;
    let tw = 0;
    let ta = 0;
    let tierSize = 0;
    for (const el of els) {
      tw += elWeight(weights, el);
      ta += elAspect(aspect, el);
      tierSize += el.length;
    }
    const elShares = new Array<number>(els.length);
    const elMinW = new Array<number>(els.length);
    for (let e = 0; e < els.length; e++) {
      const el = els[e];
      elShares[e] = share * (elWeight(weights, el) / tw) + (1 - share) * (elAspect(aspect, el) / ta);
      let m = MIN_PANEL_W;
      for (const i of el) m = Math.max(m, ctx.minW[i]);
      elMinW[e] = m;
    }
    const ws = distribute(tierW, elShares, elMinW);
    if (ws.clamped) clamped++;
    // Reading order inside a tier: rtl starts at the right edge, ltr at the left.
    let edge = direction === 'rtl' ? fx + fw : fx;
    for (let pos = 0; pos < els.length; pos++) {
      const el = els[pos];
      const w = ws.sizes[pos];
      const x = direction === 'rtl' ? edge - w : edge;
      edge = direction === 'rtl' ? x - g : x + w + g;
      const first = pos === 0;
      const last = pos === els.length - 1;
      const left = direction === 'rtl' ? last : first;
      const right = direction === 'rtl' ? first : last;
      if (el.length === 1) {
        tiles.push({ index: el[0], box: [x, y, w, h], tier: t, tierSize, stacked: false, onEdge: { top: t === 0, bottom: t === T - 1, left, right } });
        continue;
      }
      // A stack: top panel read before bottom panel; taller share for the more important or
      // the more upright shot.
      const [a, b] = el;
      const ia = 1 / aspect[a];
      const ib = 1 / aspect[b];
      const split = distribute(
        h - g,
        [share * (weights[a] / (weights[a] + weights[b])) + (1 - share) * (ia / (ia + ib)), share * (weights[b] / (weights[a] + weights[b])) + (1 - share) * (ib / (ia + ib))],
        [stackedMin(ctx, a), stackedMin(ctx, b)],
      );
      if (split.clamped) clamped++;
      const [ha, hb] = split.sizes;
      tiles.push({ index: a, box: [x, y, w, ha], tier: t, tierSize, stacked: true, onEdge: { top: t === 0, bottom: false, left, right } });
      tiles.push({ index: b, box: [x, y + ha + g, w, hb], tier: t, tierSize, stacked: true, onEdge: { top: false, bottom: t === T - 1, left, right } });
    }
    y += h + G;
  }
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
  const rho = ctx.rho(visible); // tiles are in shot order
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
    rho: importanceAreaRhoFor(shots.map((s) => s.importance)),
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
