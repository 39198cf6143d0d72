/**
 * One page as a guillotine split tree: tiers top→bottom, then splits inside a tier, right→left
 * for rtl and left→right for ltr. Story order is assigned along that tree, so the reading order
 * is correct by construction (MANGA-CRAFT.md "Panel layout", after Cao, Chan & Lau 2012).
 *
 * Every composition of the page's panels into tiers of 1–3 panels is sized and scored; the score
 * trades panel area against importance (M6), panel shape against shot type, and tier count
 * against practice (3–4 tiers).
 */
import type { BBoxMm, PageFormat, ReadingDirection, ShotInput } from '../types';
import { PREFERRED_ASPECT, areaWeight, wantsFullWidth } from './shape';
import { spearman } from './stats';

export interface Tile {
  /** Index of the shot within the page (= story order on the page). */
  index: number;
  box: BBoxMm;
  tier: number;
  tierCount: number;
  /** Position in the tier in reading order (0 = read first). */
  pos: number;
  tierSize: number;
  /** Which frame edges the panel lies on (before any bleed). */
  onEdge: { top: boolean; bottom: boolean; left: boolean; right: boolean };
}

export interface PageCandidate {
  tiers: number[];
  tiles: Tile[];
  score: number;
}

/** Minimum panel size: smaller panels cannot hold a figure and a balloon (≈ 2 columns of 16Q). */
const MIN_PANEL_W = 24;
const MIN_TIER_H = 30;
/** How much importance (vs. shot shape) decides sizes. */
const IMPORTANCE_SHARE = 0.65;

/** All ordered splits of k panels into tiers of 1..3 panels, at most 4 tiers (practice: 3–4). */
export function compositions(k: number): number[][] {
  const out: number[][] = [];
  const rec = (left: number, acc: number[]): void => {
    if (left === 0) {
      out.push(acc);
      return;
    }
    if (acc.length === 4) return;
    for (let s = 1; s <= Math.min(3, left); s++) rec(left - s, [...acc, s]);
  };
  rec(k, []);
  return out;
}

/** Split `total` by `weights`, keeping every share ≥ `min` when possible (water-filling). */
export function distribute(total: number, weights: readonly number[], min: number): { sizes: number[]; clamped: boolean } {
  const n = weights.length;
  if (total < n * min) return { sizes: weights.map(() => total / n), clamped: true };
  const fixed = new Array<boolean>(n).fill(false);
  let sizes = weights.slice();
  let clamped = false;
  for (let iter = 0; iter <= n; iter++) {
    const freeW = weights.reduce((s, w, i) => (fixed[i] ? s : s + w), 0);
    const freeTotal = total - fixed.reduce((s, f) => (f ? s + min : s), 0);
    sizes = weights.map((w, i) => (fixed[i] ? min : (w / freeW) * freeTotal));
    const low = sizes.findIndex((v, i) => !fixed[i] && v < min);
    if (low < 0) break;
    fixed[low] = true;
    clamped = true;
  }
  return { sizes, clamped };
}

function sizeComposition(
  shots: readonly ShotInput[],
  tiers: readonly number[],
  format: PageFormat,
  direction: ReadingDirection,
): { tiles: Tile[]; clamped: number } {
  const [fx, fy, fw, fh] = format.innerFrameMm;
  const g = format.gutterMm.intraTier;
  const G = format.gutterMm.interTier;
  const T = tiers.length;
  const availH = fh - (T - 1) * G;
  let clamped = 0;

  // Per tier: importance-driven share and shape-driven ideal height (the height at which the
  // tier's panels, at their preferred aspect ratios, exactly fill the width).
  const groups: number[][] = [];
  let at = 0;
  for (const size of tiers) {
    groups.push(Array.from({ length: size }, (_, i) => at + i));
    at += size;
  }
  const weights = shots.map(areaWeight);
  const totalW = weights.reduce((s, w) => s + w, 0);
  const tierWeights = groups.map((grp) => {
    const tierW = fw - (grp.length - 1) * g;
    const aspectSum = grp.reduce((s, i) => s + PREFERRED_ASPECT[shots[i].shot], 0);
    const shapeH = tierW / aspectSum;
    const impH = (grp.reduce((s, i) => s + weights[i], 0) / totalW) * availH;
    return IMPORTANCE_SHARE * impH + (1 - IMPORTANCE_SHARE) * shapeH;
  });
  const hs = distribute(availH, tierWeights, MIN_TIER_H);
  if (hs.clamped) clamped++;

  const tiles: Tile[] = [];
  let y = fy;
  groups.forEach((grp, t) => {
    const h = hs.sizes[t];
    const tierW = fw - (grp.length - 1) * g;
    const tw = grp.reduce((s, i) => s + weights[i], 0);
    const ta = grp.reduce((s, i) => s + PREFERRED_ASPECT[shots[i].shot], 0);
    const ws = distribute(
      tierW,
      grp.map((i) => IMPORTANCE_SHARE * (weights[i] / tw) + (1 - IMPORTANCE_SHARE) * (PREFERRED_ASPECT[shots[i].shot] / ta)),
      MIN_PANEL_W,
    );
    if (ws.clamped) clamped++;
    // Reading order inside a tier: rtl starts at the right edge, ltr at the left.
    let edge = direction === 'rtl' ? fx + fw : fx;
    grp.forEach((shotIdx, pos) => {
      const w = ws.sizes[pos];
      const x = direction === 'rtl' ? edge - w : edge;
      edge = direction === 'rtl' ? x - g : x + w + g;
      const first = pos === 0;
      const last = pos === grp.length - 1;
      tiles.push({
        index: shotIdx,
        box: [x, y, w, h],
        tier: t,
        tierCount: T,
        pos,
        tierSize: grp.length,
        onEdge: {
          top: t === 0,
          bottom: t === T - 1,
          left: direction === 'rtl' ? last : first,
          right: direction === 'rtl' ? first : last,
        },
      });
    });
    y += h + G;
  });
  return { tiles, clamped };
}

function scoreTiles(shots: readonly ShotInput[], tiles: readonly Tile[], tiers: readonly number[], clamped: number): number {
  let score = 0;
  for (const t of tiles) {
    const s = shots[t.index];
    const aspect = t.box[2] / t.box[3];
    score += Math.log(aspect / PREFERRED_ASPECT[s.shot]) ** 2;
    // Establishing/wide shots read best as a whole-width tier.
    if (wantsFullWidth(s.shot) && t.tierSize > 1) score += 0.6;
    // A bleed panel must touch the page edge to run off it.
    if (s.bleed && !(t.onEdge.top || t.onEdge.bottom || t.onEdge.left || t.onEdge.right)) score += 1.5;
  }
  const rho = spearman(
    tiles.map((t) => shots[t.index].importance),
    tiles.map((t) => t.box[2] * t.box[3]),
  );
  if (rho !== null) score += 4 * (1 - rho) + (rho < 0.7 ? 2 : 0);
  const k = shots.length;
  const idealTiers = k <= 2 ? k : k <= 4 ? 2.5 : k <= 6 ? 3 : 3.5;
  score += 0.5 * (tiers.length - idealTiers) ** 2;
  score += 1.5 * clamped;
  return score;
}

/** Every composition, sized and scored; best (lowest score) first. */
export function pageCandidates(
  shots: readonly ShotInput[],
  format: PageFormat,
  direction: ReadingDirection,
): PageCandidate[] {
  const out = compositions(shots.length).map((tiers) => {
    const { tiles, clamped } = sizeComposition(shots, tiers, format, direction);
    return { tiers, tiles, score: scoreTiles(shots, tiles, tiers, clamped) };
  });
  // Stable sort on score, then on the composition itself: deterministic on ties.
  return out.sort((a, b) => a.score - b.score || a.tiers.join().localeCompare(b.tiers.join()));
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
