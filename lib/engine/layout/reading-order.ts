/**
 * An INDEPENDENT reading-order estimator, from geometry only, for the quality checker (M4).
 * It shares no code with the generator's ordering: it rebuilds a guillotine tree from the boxes
 * the way Kovanen & Aizawa (2015) order Manga109 panels — if a horizontal line crosses the set
 * without cutting a panel, everything above it is read first; otherwise if a vertical line does,
 * the right side is read first for rtl (left first for ltr); recurse on each part.
 * A set with neither cut (not a guillotine layout) falls back to a top-then-side sort and is
 * reported as ambiguous.
 */
import type { BBoxMm, ReadingDirection } from '../types';

export interface ReadingOrderEstimate {
  /** Panel indices (into the input array) in estimated reading order. */
  order: number[];
  /** True when some part of the page had no guillotine cut (order there is a guess). */
  ambiguous: boolean;
}

/**
 * Boxes may touch or overlap by this much and still be cut apart: rounding, and panels drawn by
 * hand on the storyboard canvas, whose edges rarely line up to the tenth of a millimetre. Well
 * under the narrowest gutter (3.5 mm), so a real gutter is never mistaken for an overlap.
 */
const TOLERANCE_MM = 1.5;

/** Split positions along one axis: groups of indices separated by empty bands. */
function bands(boxes: readonly BBoxMm[], ids: readonly number[], axis: 0 | 1): number[][] {
  const sorted = [...ids].sort((a, b) => boxes[a][axis] - boxes[b][axis] || a - b);
  const groups: number[][] = [];
  let current: number[] = [];
  let reach = Number.NEGATIVE_INFINITY;
  for (const id of sorted) {
    const start = boxes[id][axis];
    const end = start + boxes[id][axis + 2];
    if (current.length > 0 && start >= reach - TOLERANCE_MM) {
      groups.push(current);
      current = [];
    }
    current.push(id);
    reach = Math.max(reach, end);
  }
  if (current.length) groups.push(current);
  return groups;
}

function orderSet(boxes: readonly BBoxMm[], ids: number[], dir: ReadingDirection, out: number[]): boolean {
  if (ids.length <= 1) {
    out.push(...ids);
    return false;
  }
  const rows = bands(boxes, ids, 1);
  if (rows.length > 1) {
    let amb = false;
    for (const r of rows) amb = orderSet(boxes, r, dir, out) || amb;
    return amb;
  }
  const cols = bands(boxes, ids, 0);
  if (cols.length > 1) {
    if (dir === 'rtl') cols.reverse();
    let amb = false;
    for (const c of cols) amb = orderSet(boxes, c, dir, out) || amb;
    return amb;
  }
  // No guillotine cut: top first, then the reading-first side.
  const rest = [...ids].sort((a, b) => {
    const dy = boxes[a][1] - boxes[b][1];
    if (Math.abs(dy) > TOLERANCE_MM) return dy;
    const ra = boxes[a][0] + boxes[a][2];
    const rb = boxes[b][0] + boxes[b][2];
    return dir === 'rtl' ? rb - ra : boxes[a][0] - boxes[b][0];
  });
  out.push(...rest);
  return true;
}

export function estimateReadingOrderDetailed(panels: readonly BBoxMm[], direction: ReadingDirection): ReadingOrderEstimate {
  const order: number[] = [];
  const ambiguous = orderSet(panels, panels.map((_, i) => i), direction, order);
  return { order, ambiguous };
}

/** Panel indices in estimated reading order. */
export function estimateReadingOrder(panels: readonly BBoxMm[], direction: ReadingDirection): number[] {
  return estimateReadingOrderDetailed(panels, direction).order;
}

/**
 * Cut tree levels, for the gutter metric (M2): the gaps at the page's top-level horizontal cuts
 * are tier gutters; every other cut is inside a tier.
 */
export interface CutGap {
  gap: number;
  kind: 'inter-tier' | 'intra-tier';
  axis: 'horizontal' | 'vertical';
}

function gapsOf(boxes: readonly BBoxMm[], groups: number[][], axis: 0 | 1): number[] {
  const out: number[] = [];
  for (let i = 1; i < groups.length; i++) {
    const end = Math.max(...groups[i - 1].map((id) => boxes[id][axis] + boxes[id][axis + 2]));
    const start = Math.min(...groups[i].map((id) => boxes[id][axis]));
    out.push(start - end);
  }
  return out;
}

function collectGaps(boxes: readonly BBoxMm[], ids: number[], top: boolean, out: CutGap[]): void {
  if (ids.length <= 1) return;
  const rows = bands(boxes, ids, 1);
  if (rows.length > 1) {
    for (const gap of gapsOf(boxes, rows, 1)) out.push({ gap, kind: top ? 'inter-tier' : 'intra-tier', axis: 'horizontal' });
    for (const r of rows) collectGaps(boxes, r, false, out);
    return;
  }
  const cols = bands(boxes, ids, 0);
  if (cols.length > 1) {
    for (const gap of gapsOf(boxes, cols, 0)) out.push({ gap, kind: 'intra-tier', axis: 'vertical' });
    // A page with no horizontal cut at the top is one tier: its cuts are all inside that tier.
    for (const c of cols) collectGaps(boxes, c, false, out);
  }
}

export function cutGaps(panels: readonly BBoxMm[]): CutGap[] {
  const out: CutGap[] = [];
  collectGaps(panels, panels.map((_, i) => i), true, out);
  return out;
}
