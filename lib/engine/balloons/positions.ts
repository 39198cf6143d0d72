/**
 * The state-independent half of balloon placement (see place.ts): every grid position of every
 * text variant of one line in its panel, with its cost and the tests that do not depend on the
 * other balloons (speaker's face, other faces, panel border, region).
 *
 * Why it is shaped like this: a 200-page book builds ~700 000 such positions and the beam
 * search reads only a few per state, so positions live column-wise in typed arrays (scalars
 * only, no per-position arrays or objects), are sorted once, and a `Base` object is built only
 * when the search visits it. The positions that a set of allowed relaxations can never accept
 * (e.g. on the speaker's face while that is forbidden) are dropped once per set, not re-tested
 * on every visit of every beam state.
 *
 * Every number here is computed with the same operations in the same order as the direct
 * per-position formulas (positions.test.ts asserts exact equality with them), so these
 * shortcuts change no placement.
 */
import type { BBoxMm, DialogueLine, FacePlacement, LaidPanel, PointMm, ReadingDirection } from '../types';
import type { TextBlock } from '../lettering/block';
import type { Body } from './geom';
import { isOval } from './shape';

/** Text variants with their balloon sizes; `rank` 0 = the preferred setting and shape. */
export interface Variant {
  block: TextBlock;
  w: number;
  h: number;
  rank: number;
}

export type Tail = { base: PointMm; tip: PointMm } | null;

/** A position for one text variant, with everything that does not depend on other balloons. */
export interface Base {
  v: Variant;
  box: BBoxMm;
  body: Body;
  tail: Tail;
  /** Larger than the region (only when the whole balloon cannot fit). */
  outside: boolean;
  /** Runs over the panel border (still ≥ 90 % inside the panel). */
  border: boolean;
  onSpeaker: boolean;
  /** Largest share of another character's face the balloon covers (bbox estimate). */
  onOther: number;
  /** Tailless, joined to the previous balloon of the same speaker. */
  linked: boolean;
  cost: number;
}

/** What the positions of one panel share. */
export interface PanelGeometry {
  panel: LaidPanel;
  region: BBoxMm;
  /** The region a border-breaking balloon may use (panel grown, within the safe area). */
  wide: BBoxMm;
  dir: ReadingDirection;
  /** Lines in the panel. */
  count: number;
}

/** The tail tip sits this far along the way from the balloon to the mouth (50–60 %). */
export const TAIL_FRACTION = 0.55;
/** …and this far from the speaker's face. */
export const FACE_CLEARANCE_MM = 0.5;
/** Preferred least gap between a balloon and its speaker's head (so the tail shows). */
const MIN_GAP_MM = 4;
export const LINK_COST = 25;
const GRID_X = 12;
const GRID_Y = 10;
/** Grid step between candidate positions (mm), at most GRID_X × GRID_Y positions. */
const GRID_STEP_MM = 2.5;
/** A border-breaking balloon keeps at least this share inside its panel (M10 asks ≥ 90 %). */
export const BORDER_INSIDE = 0.9;
const BORDER_COST = 15;
/**
 * Cost per share of the speaker's own face really covered. Positions on the speaker's face are
 * only used when no other exists (a reported issue); then the one covering least should win,
 * whatever the other terms say: without this a balloon could sit on the whole face (389 mm² in
 * the benchmark book) where one touching 7 mm² of it existed.
 */
const SPEAKER_COVER_COST = 2000;
/** Another character's face may be covered this much "where unavoidable" (M8: ≤ 5 %). */
export const FACE_TOUCH = 0.05;

/** The speaker's mouth: centre of the face, ¾ of the way down. */
export function mouthOf(face: BBoxMm): PointMm {
  return [face[0] + face[2] / 2, face[1] + face[3] * 0.75];
}

/** Candidate coordinates from lo to hi: about every GRID_STEP_MM, at most `max`, ends included. */
export function grid(lo: number, hi: number, max: number): number[] {
  if (hi <= lo) return [lo];
  const n = Math.min(max, 2 + Math.floor((hi - lo) / GRID_STEP_MM));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(lo + ((hi - lo) * i) / (n - 1));
  return out;
}

/** Overlap area of box (x, y, w, h) with rectangle r; 0 when they only touch. */
function overlapXywh(x: number, y: number, w: number, h: number, r: BBoxMm): number {
  const x0 = Math.max(r[0], x);
  const y0 = Math.max(r[1], y);
  const x1 = Math.min(r[0] + r[2], x + w);
  const y1 = Math.min(r[1] + r[3], y + h);
  return x1 > x0 && y1 > y0 ? Math.max(0, x1 - x0) * Math.max(0, y1 - y0) : 0;
}

const areaOf = (r: BBoxMm): number => Math.max(0, r[2]) * Math.max(0, r[3]);

const CUTS = new Float64Array(6);

/** Insert u into the first n (sorted) entries of CUTS; returns the new count. */
function addCut(n: number, u: number): number {
  let i = n;
  while (i > 0 && CUTS[i - 1] > u) {
    CUTS[i] = CUTS[i - 1];
    i--;
  }
  CUTS[i] = u;
  return n + 1;
}

/** ∫ √(1 − u²) du: the area under the upper half of the unit circle, from 0 to u (|u| ≤ 1). */
const halfDisk = (u: number): number => (u * Math.sqrt(Math.max(0, 1 - u * u)) + Math.asin(u)) / 2;

/**
 * Exact area of the ellipse inscribed in box (x, y, w, h) that lies inside rectangle r — what
 * the quality checker's M8 estimates by sampling. Scaled to the unit disk, the area is
 * ∫ (min(y1, s(u)) − max(y0, −s(u)))⁺ du with s(u) = √(1 − u²); between the points where
 * s(u) crosses y1 or −y0 the integrand is one closed form, integrated piece by piece.
 */
export function ellipseRectArea(x: number, y: number, w: number, h: number, r: BBoxMm): number {
  const a = w / 2;
  const b = h / 2;
  if (a <= 0 || b <= 0) return 0;
  const cx = x + a;
  const cy = y + b;
  const u0 = Math.max(-1, (r[0] - cx) / a);
  const u1 = Math.min(1, (r[0] + r[2] - cx) / a);
  const y0 = Math.max(-1, (r[1] - cy) / b);
  const y1 = Math.min(1, (r[1] + r[3] - cy) / b);
  if (u1 <= u0 || y1 <= y0) return 0;
  // Breakpoints: where the circle meets the lines v = y1 and v = y0 (scratch array, sorted by
  // insertion: this runs for every candidate position that touches a face).
  const cuts = CUTS;
  let n = addCut(0, u0);
  n = addCut(n, u1);
  const c0 = Math.sqrt(Math.max(0, 1 - y0 * y0));
  const c1 = Math.sqrt(Math.max(0, 1 - y1 * y1));
  if (-c0 > u0 && -c0 < u1) n = addCut(n, -c0);
  if (c0 > u0 && c0 < u1) n = addCut(n, c0);
  if (-c1 > u0 && -c1 < u1) n = addCut(n, -c1);
  if (c1 > u0 && c1 < u1) n = addCut(n, c1);
  let total = 0;
  for (let i = 0; i + 1 < n; i++) {
    const p = cuts[i];
    const q = cuts[i + 1];
    if (q <= p) continue;
    const m = (p + q) / 2;
    const s = Math.sqrt(Math.max(0, 1 - m * m));
    const top = Math.min(y1, s);
    const bot = Math.max(y0, -s);
    if (top <= bot) continue;
    // Each bound is either the constant line or the circle on the whole piece.
    const topInt = y1 < s ? y1 * (q - p) : halfDisk(q) - halfDisk(p);
    const botInt = y0 > -s ? y0 * (q - p) : -(halfDisk(q) - halfDisk(p));
    total += topInt - botInt;
  }
  return total * a * b;
}

/**
 * For each coordinate in `at` (a box from there, `size` long) and each rectangle: the length of
 * their overlap along that axis (≤ 0: none), computed exactly as the full overlap test does.
 */
function spans(at: readonly number[], size: number, rects: readonly BBoxMm[], vertical = false): Float64Array {
  const out = new Float64Array(at.length * rects.length);
  const o = vertical ? 1 : 0;
  for (let i = 0; i < at.length; i++) {
    for (let r = 0; r < rects.length; r++) {
      const rect = rects[r];
      out[i * rects.length + r] = Math.min(rect[o] + rect[o + 2], at[i] + size) - Math.max(rect[o], at[i]);
    }
  }
  return out;
}

/** Does the body (box x, y, w, h; an ellipse when `oval`) touch rectangle r? As geom.bodyHitsRect. */
function hitsRect(x: number, y: number, w: number, h: number, oval: boolean, r: BBoxMm): boolean {
  if (overlapXywh(x, y, w, h, r) <= 0) return false;
  if (!oval) return true;
  const a = w / 2;
  const c = h / 2;
  const cx = x + a;
  const cy = y + c;
  const x0 = (r[0] - cx) / a;
  const x1 = (r[0] + r[2] - cx) / a;
  const y0 = (r[1] - cy) / c;
  const y1 = (r[1] + r[3] - cy) / c;
  const nx = Math.max(x0, Math.min(0, x1));
  const ny = Math.max(y0, Math.min(0, y1));
  return nx * nx + ny * ny < 1;
}

/**
 * The tail aims at the speaker's mouth; its tip stops TAIL_FRACTION of the way from the
 * balloon to the head (the face box). Writes base x, y and tip x, y into `out` (no allocation:
 * this runs for every candidate position).
 */
export function tailInto(x: number, y: number, w: number, h: number, face: BBoxMm, out: Float64Array): void {
  const mx = face[0] + face[2] / 2;
  const my = face[1] + face[3] * 0.75;
  // Where the ray from the ellipse's centre toward the mouth leaves the ellipse in the box.
  const cx = x + w / 2;
  const cy = y + h / 2;
  const a = w / 2;
  const b = h / 2;
  let bx = cx;
  let by = cy;
  const ex = mx - cx;
  const ey = my - cy;
  const len = Math.hypot(ex, ey);
  if (!(len === 0 || a === 0 || b === 0)) {
    const ux = ex / len;
    const uy = ey / len;
    const t = 1 / Math.sqrt((ux / a) ** 2 + (uy / b) ** 2);
    bx = cx + ux * t;
    by = cy + uy * t;
  }
  // Where the segment base → mouth enters the face box.
  const dx = mx - bx;
  const dy = my - by;
  let s = 0;
  if (dx !== 0) {
    const tx = ((dx > 0 ? face[0] : face[0] + face[2]) - bx) / dx;
    if (tx > s) s = tx;
  }
  if (dy !== 0) {
    const ty = ((dy > 0 ? face[1] : face[1] + face[3]) - by) / dy;
    if (ty > s) s = ty;
  }
  s = Math.min(1, Math.max(0, s));
  const hx = bx + dx * s;
  const hy = by + dy * s;
  out[0] = bx;
  out[1] = by;
  out[2] = bx + (hx - bx) * TAIL_FRACTION;
  out[3] = by + (hy - by) * TAIL_FRACTION;
}

/** The tail of a balloon in `box` toward the speaker `face` (see tailInto). */
export function tailFor(box: BBoxMm, face: FacePlacement): { base: PointMm; tip: PointMm } {
  const o = new Float64Array(4);
  tailInto(box[0], box[1], box[2], box[3], face.faceMm, o);
  return { base: [o[0], o[1]], tip: [o[2], o[3]] };
}

/**
 * The face and body terms of the cost (in that order: floating-point sums depend on it) and
 * the text variant's rank. A plain function, not a closure made per position: closures in this
 * loop cost more than the arithmetic.
 */
function addTerms(acc: number, faceTerms: Float64Array, rank: number): number {
  for (let i = 0; i < faceTerms.length; i++) acc += faceTerms[i];
  return acc + 20 * rank;
}

/** Relaxations that decide, per position and without the other balloons, whether it may be used. */
export interface StaticRelax {
  region: boolean;
  border: boolean;
  speakerFace: boolean;
  faceTouch: boolean;
  otherFace: boolean;
}

const F_OUTSIDE = 1;
const F_BORDER = 2;
const F_SPEAKER = 4;
const F_LINKED = 8;
const F_TAIL = 16;

/**
 * The positions some relaxations allow, cheapest first (ties in generation order), sorted
 * lazily: a binary heap hands them out in order as the search asks for them. The search
 * usually stops after a handful, so most positions are never sorted at all.
 */
export class SortedView {
  /** How many positions the view holds. */
  readonly size: number;
  private readonly heap: Int32Array;
  private heapSize: number;
  private readonly sorted: Int32Array;
  private ready = 0;

  constructor(private readonly owner: Positions, slots: Int32Array, private readonly costs: Float64Array) {
    this.size = slots.length;
    this.heap = slots;
    this.heapSize = slots.length;
    this.sorted = new Int32Array(slots.length);
    for (let i = (this.heapSize >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Cost first, then generation order (what a stable sort by cost gives). */
  private less(a: number, b: number): boolean {
    const ca = this.costs[a];
    const cb = this.costs[b];
    return ca < cb || (ca === cb && a < b);
  }

  private down(i: number): void {
    const h = this.heap;
    const n = this.heapSize;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[m], h[i])) return;
      const t = h[i];
      h[i] = h[m];
      h[m] = t;
      i = m;
    }
  }

  /** The k-th cheapest position of the view (k < size). */
  at(k: number): Base {
    while (this.ready <= k) {
      const h = this.heap;
      this.sorted[this.ready++] = h[0];
      h[0] = h[--this.heapSize];
      this.down(0);
    }
    return this.owner.slot(this.sorted[k]);
  }
}

/**
 * Every position of every variant for one line. `usable(relax)` gives, cheapest first, the
 * positions the given relaxations allow, so the search never revisits the others.
 */
export class Positions {
  readonly length: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly variant: Uint16Array;
  private readonly flags: Uint8Array;
  private readonly onOther: Float64Array;
  private readonly costs: Float64Array;
  private readonly built: Array<Base | undefined>;
  private readonly views = new Map<number, SortedView>();

  constructor(
    private readonly g: PanelGeometry,
    private readonly line: DialogueLine,
    index: number,
    private readonly variants: readonly Variant[],
    withBorder: boolean,
    prevLine: DialogueLine | undefined,
    private readonly face: FacePlacement | undefined,
    tail: boolean,
  ) {
    const { panel, region, wide, dir, count } = g;
    const oval = isOval(line.kind);
    // SFX are art, not speech: the speaker's face is like any other face to them.
    const faceBox: BBoxMm | null = face && line.kind !== 'sfx'
      ? [face.faceMm[0] - FACE_CLEARANCE_MM, face.faceMm[1] - FACE_CLEARANCE_MM, face.faceMm[2] + 2 * FACE_CLEARANCE_MM, face.faceMm[3] + 2 * FACE_CLEARANCE_MM]
      : null;
    const linkable = tail && face !== undefined && prevLine !== undefined && prevLine.speakerId === line.speakerId && prevLine.kind !== 'narration' && prevLine.kind !== 'sfx';
    const faces = panel.faces;
    const faceAreas = faces.map((f) => areaOf(f.faceMm));
    const bodyAreas = faces.map((f) => areaOf(f.bodyMm));
    const want = count > 1 ? index / (count - 1) : 0;
    const yWeight = line.kind === 'sfx' ? 5 : 40;
    const xWeight = line.kind === 'narration' ? 30 : 12;
    const regionRight = region[0] + region[2];

    // The grids per variant, and room for every position they may give.
    const grids: Array<{ xs: number[]; ys: number[]; bxs: number[]; bys: number[] }> = [];
    let capacity = 0;
    for (const v of variants) {
      const border = withBorder && v.w <= wide[2] && v.h <= wide[3];
      const gr = {
        xs: grid(region[0], region[0] + region[2] - v.w, GRID_X),
        ys: grid(region[1], region[1] + region[3] - v.h, GRID_Y),
        bxs: border ? grid(wide[0], wide[0] + wide[2] - v.w, GRID_X) : [],
        bys: border ? grid(wide[1], wide[1] + wide[3] - v.h, GRID_Y) : [],
      };
      grids.push(gr);
      capacity += gr.xs.length * gr.ys.length + gr.bxs.length * gr.bys.length;
    }
    if (linkable) capacity *= 2;
    this.xs = new Float64Array(capacity);
    this.ys = new Float64Array(capacity);
    this.variant = new Uint16Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.onOther = new Float64Array(capacity);
    this.costs = new Float64Array(capacity);

    // The rectangles every position is tested against: the speaker's face with its clearance,
    // then each face and each body. Overlap area = overlap in x × overlap in y, so the spans
    // are computed once per grid column and row instead of once per position.
    const rects: BBoxMm[] = [faceBox ?? [0, 0, 0, 0], ...faces.map((f) => f.faceMm), ...faces.map((f) => f.bodyMm)];
    const nf = faces.length;
    const t4 = new Float64Array(4);
    const faceTerms = new Float64Array(nf * 2);
    let n = 0;
    for (let vi = 0; vi < variants.length; vi++) {
      const v = variants[vi];
      const w = v.w;
      const h = v.h;
      const outside = w > region[2] + 1e-6 || h > region[3] + 1e-6;
      const slackX = region[2] - w;
      const { xs, ys, bxs, bys } = grids[vi];
      const va = Math.max(0, w) * Math.max(0, h);
      for (let pass = 0; pass < 2; pass++) {
        const border = pass === 1;
        const gx = border ? bxs : xs;
        const gy = border ? bys : ys;
        if (gx.length === 0) continue;
        const sx = spans(gx, w, rects);
        const sy = spans(gy, h, rects, true);
        for (let xi = 0; xi < gx.length; xi++) {
          const x = gx[xi];
          // The k-th of n lines wants to sit k/n of the way across from the reading start.
          const fx = slackX > 0 ? (dir === 'rtl' ? regionRight - (x + w) : x - region[0]) / slackX : 0;
          const xTerm = xWeight * Math.abs(fx - want);
          for (let yi = 0; yi < gy.length; yi++) {
            const y = gy[yi];
            if (border) {
              // Border-breaking positions: over the frame, ≥ 90 % inside the panel, inside the safe area.
              const inRegion = x >= region[0] - 1e-6 && y >= region[1] - 1e-6 && x + w <= regionRight + 1e-6 && y + h <= region[1] + region[3] + 1e-6;
              if (inRegion || !(overlapXywh(x, y, w, h, panel.bboxMm) / va >= BORDER_INSIDE)) continue;
            }
            const ox = xi * rects.length;
            const oy = yi * rects.length;
            const onSpeaker = faceBox !== null && sx[ox] > 0 && sy[oy] > 0 && hitsRect(x, y, w, h, oval, faceBox);
            let other = 0;
            for (let i = 0; i < nf; i++) {
              const dx = sx[ox + 1 + i];
              const dy = sy[oy + 1 + i];
              const boxCovered = dx > 0 && dy > 0 ? dx * dy : 0;
              faceTerms[2 * i] = faceAreas[i] > 0 ? 400 * (boxCovered / faceAreas[i]) : 0;
              const bx = sx[ox + 1 + nf + i];
              const by = sy[oy + 1 + nf + i];
              faceTerms[2 * i + 1] = bodyAreas[i] > 0 ? 15 * ((bx > 0 && by > 0 ? bx * by : 0) / bodyAreas[i]) : 0;
              if (boxCovered <= 0 || !hitsRect(x, y, w, h, oval, faces[i].faceMm)) continue;
              // What the balloon really covers: an oval leaves its box corners empty (M8 measures
              // the ellipse too), so a face in a corner of the box may be untouched. Only worked
              // out when the ellipse touches the face at all.
              const covered = oval ? ellipseRectArea(x, y, w, h, faces[i].faceMm) : boxCovered;
              if (faces[i] === face && faceBox) {
                // On the speaker's own face (only ever used once that constraint is relaxed):
                // cover as little of it as possible, ideally only the clearance around it.
                if (covered > 0 && faceAreas[i] > 0) faceTerms[2 * i] += SPEAKER_COVER_COST * (covered / faceAreas[i]);
                continue;
              }
              other = Math.max(other, covered / Math.max(1e-9, faceAreas[i]));
            }
            // The cost (MANGA-CRAFT.md): high in the panel, across by script order (xTerm), a
            // short but visible tail, faces uncovered, bigger text.
            const c = yWeight * (region[3] > h ? (y - region[1]) / (region[3] - h) : 0) + xTerm;
            let fl = (outside ? F_OUTSIDE : 0) | (border ? F_BORDER : 0) | (onSpeaker ? F_SPEAKER : 0);
            if (tail && face) {
              tailInto(x, y, w, h, face.faceMm, t4);
              const len = Math.hypot(t4[2] - t4[0], t4[3] - t4[1]) / TAIL_FRACTION;
              let ct = c + 0.8 * len;
              // …but long enough to be seen (a tail under ~2 mm reads as a bump).
              if (len < MIN_GAP_MM) ct += (MIN_GAP_MM - len) * 3;
              fl |= F_TAIL;
              this.put(n++, x, y, vi, fl, other, addTerms(ct, faceTerms, v.rank) + (border ? BORDER_COST : 0));
              // Manga joins consecutive balloons of one speaker: the later one may go without a
              // tail when it butts against the earlier one (checked per state by the search).
              if (linkable) this.put(n++, x, y, vi, (fl & ~F_TAIL) | F_LINKED, other, addTerms(c, faceTerms, v.rank) + (border ? BORDER_COST : 0) + LINK_COST);
            } else {
              this.put(n++, x, y, vi, fl, other, addTerms(c, faceTerms, v.rank) + (border ? BORDER_COST : 0));
            }
          }
        }
      }
    }
    this.length = n;
    this.built = new Array<Base | undefined>(n);
  }

  private put(i: number, x: number, y: number, v: number, flags: number, other: number, cost: number): void {
    this.xs[i] = x;
    this.ys[i] = y;
    this.variant[i] = v;
    this.flags[i] = flags;
    this.onOther[i] = other;
    this.costs[i] = cost;
  }

  /** The k-th cheapest of all positions. */
  at(k: number): Base {
    return this.usable({ region: true, border: true, speakerFace: true, faceTouch: true, otherFace: true }).at(k);
  }

  /** The position in slot i (generation order), built on first use. */
  slot(i: number): Base {
    const hit = this.built[i];
    if (hit) return hit;
    const v = this.variants[this.variant[i]];
    const box: BBoxMm = [this.xs[i], this.ys[i], v.w, v.h];
    const f = this.flags[i];
    const base: Base = {
      v,
      box,
      body: { box, oval: isOval(this.line.kind) },
      tail: f & F_TAIL && this.face ? tailFor(box, this.face) : null,
      outside: (f & F_OUTSIDE) !== 0,
      border: (f & F_BORDER) !== 0,
      onSpeaker: (f & F_SPEAKER) !== 0,
      onOther: this.onOther[i],
      linked: (f & F_LINKED) !== 0,
      cost: this.costs[i],
    };
    this.built[i] = base;
    return base;
  }

  /** The positions these relaxations allow, cheapest first. */
  usable(r: StaticRelax): SortedView {
    const key = (r.region ? 1 : 0) | (r.border ? 2 : 0) | (r.speakerFace ? 4 : 0) | (r.faceTouch ? 8 : 0) | (r.otherFace ? 16 : 0);
    const hit = this.views.get(key);
    if (hit) return hit;
    const out = new Int32Array(this.length);
    let m = 0;
    for (let i = 0; i < this.length; i++) {
      const f = this.flags[i];
      const other = this.onOther[i];
      if (f & F_OUTSIDE && !r.region) continue;
      if (f & F_BORDER && !r.border) continue;
      if (f & F_SPEAKER && !r.speakerFace) continue;
      if (other > 0 && !r.faceTouch) continue;
      if (other > FACE_TOUCH && !r.otherFace) continue;
      out[m++] = i;
    }
    const view = new SortedView(this, out.subarray(0, m), this.costs);
    this.views.set(key, view);
    return view;
  }
}
