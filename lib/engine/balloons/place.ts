/**
 * Balloon placement as map-label placement (MANGA-CRAFT.md "Balloons and lettering"):
 * candidate positions on a grid over each panel, hard constraints, a cost, and a small beam
 * search over the panel's lines in script order.
 *
 * Hard constraints: the balloon lies inside its panel (inset) and the text-safe area; never over
 * the speaker's face; no balloon–balloon overlap; balloons read in script order (for rtl each
 * next balloon is left of and/or below the previous one, for ltr right of and/or below).
 * Cost: high in the panel, first line at the reading start (top-right for rtl), a short tail to
 * the speaker's mouth, no tail crossing another tail or balloon, other faces uncovered.
 * When nothing satisfies the constraints the text is shrunk, then the constraints are relaxed
 * one by one and every relaxation is reported as a LetteringIssue (never silent).
 */
import type {
  BBoxMm, DialogueLine, FacePlacement, LaidPage, LaidPanel, Language, LetteringIssue, PageFormat,
  PlacedBalloon, PointMm, ReadingDirection,
} from '../types';
import type { TextBlock } from '../lettering/block';
import { setTextVariants } from '../lettering/index';
import {
  area, bodiesOverlap, bodyHitsRect, centre, containsRect, ellipseExit, grow, inset, intersect, overlapArea, right,
  segmentHitsBody, segmentsCross,
} from './geom';
import type { Body } from './geom';
import { OVAL_FITS, balloonSize, isOval, maxTextBox } from './shape';
import type { OvalFit } from './shape';

export interface PlaceOptions {
  language: Language;
  readingDirection: ReadingDirection;
  format: PageFormat;
}

export interface PlaceResult {
  balloons: PlacedBalloon[];
  issues: LetteringIssue[];
}

/** Balloons keep this far inside the panel border. */
const PANEL_INSET_MM = 1.5;
/** …and this far from the speaker's face. */
const FACE_CLEARANCE_MM = 0.5;
/** The tail tip sits this far along the way from the balloon to the mouth (50–60 %). */
export const TAIL_FRACTION = 0.55;
/** Reading order: a later balloon is at least this much further along in x or y. */
const ORDER_STEP_MM = 1;
/** Preferred least gap between a balloon and its speaker's head (so the tail shows). */
const MIN_GAP_MM = 4;
/** A tailless follow-up balloon of the same speaker sits at most this far from the previous one. */
const LINK_GAP_MM = 2;
const LINK_COST = 25;
const GRID_X = 12;
const GRID_Y = 10;
const BEAM = 6;
const PER_STATE = 4;
/** Grid step between candidate positions (mm), at most GRID_X × GRID_Y positions. */
const GRID_STEP_MM = 2.5;

interface Candidate {
  line: DialogueLine;
  block: TextBlock;
  box: BBoxMm;
  tail: { base: PointMm; tip: PointMm } | null;
  cost: number;
  /** Relaxations this candidate needed (reported as issues). */
  relaxed: Relax[];
}

type Relax = 'face-touch' | 'border' | 'order' | 'other-face' | 'tails' | 'speaker-face' | 'overlap' | 'region';
/**
 * Relaxation ladder: each level drops one more hard constraint, least important first.
 * 'face-touch' lets a balloon cover ≤ 5 % of another character's face and 'border' lets it run
 * over the panel frame (≥ 90 % inside): both within the quality targets (M8, M10), so not
 * reported. Every later relaxation is reported as a LetteringIssue.
 */
const LADDER: Relax[] = ['face-touch', 'border', 'order', 'other-face', 'tails', 'speaker-face', 'overlap', 'region'];
const LEVELS: Relax[][] = LADDER.map((_, i) => LADDER.slice(0, i)).concat([LADDER]);
/** Another character's face may be covered this much "where unavoidable" (M8: ≤ 5 %). */
const FACE_TOUCH = 0.05;
/**
 * Breaking the panel border (a balloon running over the frame into the gutter, a manga
 * staple): at most this far out, and at least BORDER_INSIDE of the balloon stays in its panel
 * (M10 asks ≥ 90 %). Never outside the text-safe area.
 */
const BORDER_OUT_MM = 8;
const BORDER_INSIDE = 0.9;
/** The levels tried for a whole panel (with shrinking) before going line by line. */
const PANEL_LEVELS = 3;

interface State {
  placed: Candidate[];
  cost: number;
}

/** The speaker's mouth: centre of the face, ¾ of the way down. */
export function mouthOf(face: BBoxMm): PointMm {
  return [face[0] + face[2] / 2, face[1] + face[3] * 0.75];
}

function speakerFace(panel: LaidPanel, speakerId: string | null): FacePlacement | undefined {
  if (speakerId === null) return undefined;
  return panel.faces.find((f) => f.characterId === speakerId);
}

function hasTail(line: DialogueLine, face: FacePlacement | undefined): boolean {
  return face !== undefined && line.kind !== 'narration' && line.kind !== 'sfx';
}

/**
 * Does `cur` read after `prev`? rtl: not right of it and not above it, with a step in at
 * least one direction; ltr mirrored. Checked on both centres and the leading edges, so any
 * sensible order estimator (by rows, by columns, by distance from the start corner) agrees.
 */
export function readsAfter(prev: BBoxMm, cur: BBoxMm, dir: ReadingDirection): boolean {
  // Wholly below: read later, whatever the side (top to bottom comes first).
  if (cur[1] >= prev[1] + prev[3] + ORDER_STEP_MM) return true;
  const [pcx, pcy] = centre(prev);
  const [ccx, ccy] = centre(cur);
  const notAbove = ccy >= pcy - 1e-6 && cur[1] >= prev[1] - 1e-6;
  const along = dir === 'rtl'
    ? ccx <= pcx + 1e-6 && right(cur) <= right(prev) + 1e-6
    : ccx >= pcx - 1e-6 && cur[0] >= prev[0] - 1e-6;
  const step = Math.abs(ccx - pcx) >= ORDER_STEP_MM || ccy - pcy >= ORDER_STEP_MM;
  return notAbove && along && step;
}

function regionOf(panel: LaidPanel, format: PageFormat): BBoxMm {
  const inner = inset(panel.bboxMm, PANEL_INSET_MM);
  return intersect(inner, format.safeMm) ?? inner;
}

/** Text variants with their balloon sizes, biggest text first; shrink steps give smaller ones. */
interface Variant {
  block: TextBlock;
  w: number;
  h: number;
  /** 0 = the preferred setting and shape; higher = less preferred. */
  rank: number;
}

/** Below this many variants per fit, all are kept; beyond, the best few. */
const VARIANTS_PER_FIT = 2;

/**
 * Text settings with their balloon sizes: per oval fit (round first), the best few settings
 * whose balloon fits `shrink` × the region. `fitPenalty` ranks them for the cost.
 */
function variantsFor(line: DialogueLine, region: BBoxMm, language: Language, shrink: number, maxNonPhraseBreaks = Infinity): Variant[] {
  const fits: readonly OvalFit[] = isOval(line.kind) ? OVAL_FITS : ['round'];
  const out: Variant[] = [];
  const seen = new Set<string>();
  fits.forEach((fit, fi) => {
    const maxText = maxTextBox(line.kind, region[2] * shrink, region[3] * shrink, fit);
    const blocks = setTextVariants(line.text, {
      language,
      kind: line.kind,
      maxWidthMm: Math.max(1, maxText.w),
      maxHeightMm: Math.max(1, maxText.h),
      maxNonPhraseBreaks,
    });
    blocks.slice(0, VARIANTS_PER_FIT).forEach((block, bi) => {
      const key = `${fit}|${block.fontSizeMm}|${block.columns.join('\n')}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ block, ...balloonSize(line.kind, block.widthMm, block.heightMm, fit), rank: bi + fi * 2 });
    });
  });
  // Overflowing text only when nothing fits (the caller reports it).
  const ok = out.filter((v) => !v.block.overflow);
  return ok.length > 0 ? ok : out.slice(0, 1);
}

/**
 * The tail aims at the speaker's mouth; its tip stops 50–60 % (TAIL_FRACTION) of the way from
 * the balloon to the head (the face box), so it points at the speaker without touching them.
 */
function tailFor(box: BBoxMm, face: FacePlacement): { base: PointMm; tip: PointMm } {
  const mouth = mouthOf(face.faceMm);
  const base = ellipseExit(box, mouth);
  const head = rayEntersRect(base, mouth, face.faceMm);
  const tip: PointMm = [base[0] + (head[0] - base[0]) * TAIL_FRACTION, base[1] + (head[1] - base[1]) * TAIL_FRACTION];
  return { base, tip };
}

/** Where the segment from `from` (outside) to `to` (inside `r`) enters rectangle `r`. */
function rayEntersRect(from: PointMm, to: PointMm, r: BBoxMm): PointMm {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  let t = 0;
  if (dx !== 0) {
    const tx = ((dx > 0 ? r[0] : right(r)) - from[0]) / dx;
    if (tx > t) t = tx;
  }
  if (dy !== 0) {
    const ty = ((dy > 0 ? r[1] : r[1] + r[3]) - from[1]) / dy;
    if (ty > t) t = ty;
  }
  t = Math.min(1, Math.max(0, t));
  return [from[0] + dx * t, from[1] + dy * t];
}

interface Ctx {
  panel: LaidPanel;
  /** Balloons already placed in other panels of the page (only met when a balloon outgrows its panel). */
  others: Body[];
  region: BBoxMm;
  /** The region a border-breaking balloon may use (panel grown, within the safe area). */
  wide: BBoxMm;
  dir: ReadingDirection;
  count: number;
}

/** A position for one text variant, with everything that does not depend on other balloons. */
interface Base {
  v: Variant;
  box: BBoxMm;
  tail: Candidate['tail'];
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

/** Every grid position of every variant, cheapest first (state-independent part of the search). */
function baseCandidates(ctx: Ctx, line: DialogueLine, index: number, variants: Variant[], withBorder: boolean, prevLine?: DialogueLine): Base[] {
  const { panel, region } = ctx;
  const face = speakerFace(panel, line.speakerId);
  const tail = hasTail(line, face);
  // SFX are art, not speech: the speaker's face is like any other face to them.
  const faceBox = face && line.kind !== 'sfx' ? grow(face.faceMm, FACE_CLEARANCE_MM) : null;
  const oval = isOval(line.kind);
  const out: Base[] = [];
  for (const v of variants) {
    const outside = v.w > region[2] + 1e-6 || v.h > region[3] + 1e-6;
    const positions: Array<[number, number, boolean]> = [];
    for (const x of grid(region[0], region[0] + region[2] - v.w, GRID_X)) for (const y of grid(region[1], region[1] + region[3] - v.h, GRID_Y)) positions.push([x, y, false]);
    // Border-breaking positions: over the frame, ≥ 90 % inside the panel, inside the safe area.
    const { wide } = ctx;
    if (withBorder && v.w <= wide[2] && v.h <= wide[3]) {
      for (const x of grid(wide[0], wide[0] + wide[2] - v.w, GRID_X)) {
        for (const y of grid(wide[1], wide[1] + wide[3] - v.h, GRID_Y)) {
          const box: BBoxMm = [x, y, v.w, v.h];
          if (containsRect(region, box)) continue;
          if (overlapArea(box, panel.bboxMm) / area(box) >= BORDER_INSIDE) positions.push([x, y, true]);
        }
      }
    }
    for (const [x, y, border] of positions) {
      {
        const box: BBoxMm = [x, y, v.w, v.h];
        const body: Body = { box, oval };
        const onSpeaker = faceBox !== null && bodyHitsRect(body, faceBox);
        let onOther = 0;
        for (const f of panel.faces) {
          if ((f === face && faceBox) || !bodyHitsRect(body, f.faceMm)) continue;
          onOther = Math.max(onOther, overlapArea(box, f.faceMm) / Math.max(1e-9, area(f.faceMm)));
        }
        const t = tail && face ? tailFor(box, face) : null;
        out.push({ v, box, tail: t, outside, border, onSpeaker, onOther, linked: false, cost: cost(ctx, line, index, box, t, v.rank) + (border ? 15 : 0) });
        // Manga joins consecutive balloons of one speaker: the later one may go without a tail
        // when it butts against the earlier one (checked per state in candidatesFor).
        if (t && prevLine && prevLine.speakerId === line.speakerId && hasTail(prevLine, face)) {
          out.push({ v, box, tail: null, outside, border, onSpeaker, onOther, linked: true, cost: cost(ctx, line, index, box, null, v.rank) + (border ? 15 : 0) + LINK_COST });
        }
      }
    }
  }
  out.sort((a, b) => a.cost - b.cost);
  return out;
}

/** Penalties for constraints a relaxed search broke, so it breaks as few as it can. */
const BROKEN_COST: Record<Relax, number> = { 'face-touch': 0, 'other-face': 100, border: 0, order: 150, tails: 200, 'speaker-face': 400, overlap: 600, region: 800 };

/**
 * The best positions for a line given the balloons already placed in this state: hard
 * constraints not in `relax` filter, broken relaxed ones cost. With nothing relaxed that
 * depends on the state, the first valid bases (they are sorted) are the answer.
 */
function candidatesFor(ctx: Ctx, line: DialogueLine, bases: Base[], state: State, relax: Relax[]): Candidate[] {
  const allow = (r: Relax): boolean => relax.includes(r);
  const early = !allow('order') && !allow('other-face') && !allow('tails') && !allow('overlap') && !allow('speaker-face') && !allow('region');
  const out: Candidate[] = [];
  for (const b of bases) {
    if (b.outside && !allow('region')) continue;
    if (b.border && !allow('border')) continue;
    if (b.linked) {
      const prev = state.placed[state.placed.length - 1];
      if (!prev || !prev.tail || gapBetween(prev.box, b.box) > LINK_GAP_MM) continue;
    }
    if (b.onSpeaker && !allow('speaker-face')) continue;
    if (b.onOther > 0 && !allow('face-touch')) continue;
    if (b.onOther > FACE_TOUCH && !allow('other-face')) continue;
    // No balloon–balloon overlap (butting is fine), in this panel or (outgrown) the page.
    const body: Body = { box: b.box, oval: isOval(line.kind) };
    let overlaps = false;
    for (const p of state.placed) if (bodiesOverlap(bodyOf(p), body)) { overlaps = true; break; }
    if (!overlaps) for (const ob of ctx.others) if (bodiesOverlap(ob, body)) { overlaps = true; break; }
    if (overlaps && !allow('overlap')) continue;
    // Script order = reading order.
    // Checked against every earlier balloon: "wholly below" is not transitive with "left of".
    let disorder = false;
    for (const p of state.placed) if (!readsAfter(p.box, b.box, ctx.dir)) { disorder = true; break; }
    if (disorder && !allow('order')) continue;
    // Tails never cross each other or run through a balloon.
    const crossing = tailsClash(body, b.tail, state.placed);
    if (crossing && !allow('tails')) continue;
    const relaxed: Relax[] = [];
    if (b.outside) relaxed.push('region');
    if (b.onSpeaker) relaxed.push('speaker-face');
    if (b.onOther > FACE_TOUCH) relaxed.push('other-face');
    if (overlaps) relaxed.push('overlap');
    if (disorder) relaxed.push('order');
    if (crossing) relaxed.push('tails');
    let c = b.cost + relaxed.reduce((acc, r) => acc + BROKEN_COST[r], 0);
    // An unavoidable overlap should at least be small.
    if (overlaps) for (const p of state.placed) c += 2000 * (overlapArea(p.box, b.box) / Math.min(area(p.box), area(b.box)));
    out.push({ line, block: b.v.block, box: b.box, tail: b.tail, relaxed, cost: c });
    // Bases come cheapest first: with nothing state-dependent relaxed the first valid ones are
    // the best; otherwise a generous prefix is enough (relaxation penalties are large steps).
    if (out.length >= (early ? PER_STATE : PER_STATE * 8)) break;
  }
  if (!early) out.sort((a, b) => a.cost - b.cost);
  return out.slice(0, PER_STATE);
}

/** Do two variant lists hold the same settings at the same sizes? */
function sameVariants(a: Variant[], b: Variant[]): boolean {
  return a.length === b.length && a.every((x, i) => x.block === b[i].block && x.w === b[i].w && x.h === b[i].h);
}

/** Gap between two boxes (0 when they touch or overlap). */
function gapBetween(a: BBoxMm, b: BBoxMm): number {
  const dx = Math.max(0, a[0] - right(b), b[0] - right(a));
  const dy = Math.max(0, a[1] - (b[1] + b[3]), b[1] - (a[1] + a[3]));
  return Math.hypot(dx, dy);
}

/** Does this balloon's tail cross a placed tail or balloon, or a placed tail run through it? */
function tailsClash(body: Body, tail: Candidate['tail'], placed: Candidate[]): boolean {
  for (const p of placed) {
    if (p.tail && segmentHitsBody(p.tail.base, p.tail.tip, body)) return true;
    if (tail) {
      if (p.tail && segmentsCross(p.tail.base, p.tail.tip, tail.base, tail.tip)) return true;
      if (segmentHitsBody(tail.base, tail.tip, bodyOf(p))) return true;
    }
  }
  return false;
}

const bodyOf = (c: Candidate): Body => ({ box: c.box, oval: isOval(c.line.kind) });

/** Candidate coordinates from lo to hi: about every GRID_STEP_MM, at most `max`, ends included. */
function grid(lo: number, hi: number, max: number): number[] {
  if (hi <= lo) return [lo];
  const n = Math.min(max, 2 + Math.floor((hi - lo) / GRID_STEP_MM));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(lo + ((hi - lo) * i) / (n - 1));
  return out;
}

function cost(ctx: Ctx, line: DialogueLine, index: number, box: BBoxMm, tail: Candidate['tail'], variant: number): number {
  const { panel, region, dir, count } = ctx;
  let c = 0;
  const fy = region[3] > box[3] ? (box[1] - region[1]) / (region[3] - box[3]) : 0;
  const slackX = region[2] - box[2];
  // 0 at the reading start side (right for rtl), 1 at the far side.
  const fx = slackX > 0 ? (dir === 'rtl' ? right(region) - right(box) : box[0] - region[0]) / slackX : 0;
  // High in the panel (MANGA-CRAFT.md: "Place balloons high").
  c += (line.kind === 'sfx' ? 5 : 40) * fy;
  // Reading order: the k-th of n lines wants to sit at k/n of the way across.
  const want = count > 1 ? index / (count - 1) : 0;
  c += (line.kind === 'narration' ? 30 : 12) * Math.abs(fx - want);
  // Short tail toward the mouth.
  if (tail) {
    const len = Math.hypot(tail.tip[0] - tail.base[0], tail.tip[1] - tail.base[1]) / TAIL_FRACTION;
    c += 0.8 * len;
    // …but long enough to be seen (a tail under ~2 mm reads as a bump).
    if (len < MIN_GAP_MM) c += (MIN_GAP_MM - len) * 3;
  }
  // Any face where avoidable (M8: ≤ 5 % of any face); bodies mildly.
  for (const f of panel.faces) {
    const fa = area(f.faceMm);
    if (fa > 0) c += 400 * (overlapArea(f.faceMm, box) / fa);
    const ba = area(f.bodyMm);
    if (ba > 0) c += 15 * (overlapArea(f.bodyMm, box) / ba);
  }
  // Bigger text (earlier variants) first.
  c += 20 * variant;
  return c;
}

function issueFor(c: Candidate, panelId: string): LetteringIssue[] {
  const out: LetteringIssue[] = [];
  const base = { lineId: c.line.id, panelId };
  if (c.block.overflow) out.push({ ...base, code: 'overflow', message: `text does not fit at 16Q within ${c.block.columns.length} ${c.block.vertical ? 'columns' : 'rows'} (≤ 10 chars a column, ≤ 6 columns)` });
  for (const r of c.relaxed) {
    if (r === 'speaker-face') out.push({ ...base, code: 'face-overlap', message: "no position off the speaker's face" });
    if (r === 'other-face') out.push({ ...base, code: 'face-overlap', message: "covers more than 5 % of another character's face" });
    if (r === 'order') out.push({ ...base, code: 'no-position', message: 'no position keeps the reading order of the script' });
    if (r === 'overlap') out.push({ ...base, code: 'no-position', message: 'balloon overlaps another balloon' });
    if (r === 'tails') out.push({ ...base, code: 'no-position', message: 'tail crosses another tail or balloon' });
    if (r === 'region') out.push({ ...base, code: 'too-long', message: 'balloon is larger than the panel' });
  }
  return out;
}

/** Shrink steps for a whole panel: the largest text box a line may take, as a fraction of the panel. */
const PANEL_SHRINK = [1, 0.8, 0.65, 0.5, 0.4];
const LINE_SHRINK = [1, 0.75, 0.55, 0.4];

/** Beam search keeping every hard constraint not in `relax`; null when some line has no valid position. */
function strictBeam(ctx: Ctx, lines: DialogueLine[], variants: Variant[][], relax: Relax[], basesOf: (i: number, v: Variant[], withBorder: boolean) => Base[]): Candidate[] | null {
  let beam: State[] = [{ placed: [], cost: 0 }];
  for (let index = 0; index < lines.length; index++) {
    const next: State[] = [];
    const bases = basesOf(index, variants[index], relax.includes('border'));
    for (const s of beam) {
      for (const c of candidatesFor(ctx, lines[index], bases, s, relax)) next.push({ placed: [...s.placed, c], cost: s.cost + c.cost });
    }
    if (next.length === 0) return null;
    next.sort((a, b) => a.cost - b.cost);
    beam = next.slice(0, BEAM);
  }
  return beam[0].placed;
}

function placePanel(panel: LaidPanel, lines: DialogueLine[], o: PlaceOptions, others: Body[]): { placed: Candidate[] } {
  const region = regionOf(panel, o.format);
  const grown = grow(panel.bboxMm, BORDER_OUT_MM);
  const wide = intersect(grown, o.format.safeMm) ?? region;
  const ctx: Ctx = { panel, others, region, wide, dir: o.readingDirection, count: lines.length };
  const vCache = new Map<string, Variant[]>();
  const variants = (i: number, shrink: number, phrasesOnly: boolean): Variant[] => {
    const key = `${i}|${shrink}|${phrasesOnly}`;
    let v = vCache.get(key);
    if (!v) {
      v = variantsFor(lines[i], region, o.language, shrink, phrasesOnly ? 0 : Infinity);
      // Same settings as an already-built list (e.g. with and without the phrase rule): reuse it,
      // so its candidates and any search over it are not repeated.
      for (const other of vCache.values()) if (sameVariants(other, v)) { v = other; break; }
      vCache.set(key, v);
    }
    return v;
  };
  const ids = new Map<Variant[], number>();
  const idOf = (v: Variant[]): number => {
    const hit = ids.get(v);
    if (hit !== undefined) return hit;
    ids.set(v, ids.size);
    return ids.size - 1;
  };
  const tried = new Set<string>();
  const bCache = [new WeakMap<Variant[], Base[]>(), new WeakMap<Variant[], Base[]>()];
  const bases = (i: number, v: Variant[], withBorder: boolean): Base[] => {
    const cache = bCache[withBorder ? 1 : 0];
    let b = cache.get(v);
    if (!b) {
      b = baseCandidates(ctx, lines[i], i, v, withBorder, lines[i - 1]);
      cache.set(v, b);
    }
    return b;
  };
  // 1. Every constraint kept; when the lines do not fit together, shrink all of them (smaller
  //    type down to 16Q, other column shapes) and try again. Column breaks between phrases
  //    first (M16), then anywhere kinsoku allows; covering another character's face last.
  // Phrases only matter to Japanese columns; English rows never break inside a word.
  const phrasePasses = o.language === 'ja' ? [true, false] : [false];
  for (const phrasesOnly of phrasePasses) {
    for (const relax of LEVELS.slice(0, PANEL_LEVELS)) {
      const fitted: Array<Variant[] | null> = lines.map(() => null);
      for (const shrink of PANEL_SHRINK) {
        // A line that would overflow at this shrink keeps its last text that fit (overflow is
        // reported; it must not be chosen just because the overflow block has another shape).
        const perLine = lines.map((_, i) => {
          const v = variants(i, shrink, phrasesOnly);
          if (v.some((x) => x.block.overflow) && fitted[i]) return fitted[i] as Variant[];
          fitted[i] = v;
          return v;
        });
        if (phrasesOnly && perLine.some((v) => v.some((x) => x.block.overflow))) continue;
        const key = `${relax.join(',')}|${perLine.map(idOf).join(',')}`;
        if (tried.has(key)) continue;
        tried.add(key);
        const placed = strictBeam(ctx, lines, perLine, relax, bases);
        if (placed) return { placed };
      }
    }
  }
  // 2. Best effort: line by line, shrinking that line, then dropping constraints one at a time
  //    (each one dropped becomes a LetteringIssue).
  let beam: State[] = [{ placed: [], cost: 0 }];
  lines.forEach((line, index) => {
    let next: State[] = [];
    // Breaks inside a phrase are tried only once the harmless relaxations (face touch, border)
    // are in; before an order or face violation, though.
    const passes: Array<[Relax[], boolean]> = LEVELS.flatMap((relax, i): Array<[Relax[], boolean]> => (i < PANEL_LEVELS && o.language === 'ja' ? [[relax, true], [relax, false]] : [[relax, false]]));
    search: for (const [relax, phrasesOnly] of passes) {
      for (const shrink of LINE_SHRINK) {
        const v = variants(index, shrink, phrasesOnly);
        if (phrasesOnly && v.some((x) => x.block.overflow)) continue;
        const vs = v.some((x) => x.block.overflow) && shrink < 1 ? variants(index, 1, false) : v;
        const bs = bases(index, vs, relax.includes('border'));
        for (const st of beam) {
          for (const c of candidatesFor(ctx, line, bs, st, relax)) next.push({ placed: [...st.placed, c], cost: st.cost + c.cost });
        }
        if (next.length > 0) break search;
      }
    }
    if (next.length === 0) {
      // Cannot happen (the last level accepts any position); keep a defined result anyway.
      const v = variants(index, 1, false)[0];
      const c: Candidate = { line, block: v.block, box: [region[0], region[1], v.w, v.h], tail: null, cost: 0, relaxed: ['region'] };
      next = beam.map((st) => ({ placed: [...st.placed, c], cost: st.cost }));
    }
    next.sort((a, b) => a.cost - b.cost);
    beam = next.slice(0, BEAM);
  });
  return { placed: beam[0].placed };
}

/**
 * Place the balloons of one page. Lines are grouped by panel and placed in script order
 * (`order`); the result's `order` is the reading order within the panel, equal to the script
 * order (a relaxation of that is reported as an issue).
 */
export function placeBalloons(page: LaidPage, lines: DialogueLine[], o: PlaceOptions): PlaceResult {
  const balloons: PlacedBalloon[] = [];
  const issues: LetteringIssue[] = [];
  const byPanel = new Map<string, DialogueLine[]>();
  for (const l of lines) {
    const list = byPanel.get(l.panelId) ?? [];
    list.push(l);
    byPanel.set(l.panelId, list);
  }
  const panels = [...page.panels].sort((a, b) => a.order - b.order);
  for (const panel of panels) {
    const panelLines = (byPanel.get(panel.id) ?? []).slice().sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
    byPanel.delete(panel.id);
    if (panelLines.length === 0) continue;
    const { placed } = placePanel(panel, panelLines, o, balloons.map((b) => ({ box: b.bboxMm, oval: isOval(b.kind) })));
    placed.forEach((c, i) => {
      balloons.push({
        id: `balloon-${c.line.id}`,
        lineId: c.line.id,
        panelId: panel.id,
        order: i,
        kind: c.line.kind,
        speakerId: c.line.speakerId,
        text: c.line.text,
        bboxMm: c.box,
        tailTipMm: c.tail ? c.tail.tip : null,
        columns: c.block.columns,
        vertical: c.block.vertical,
        fontSizeMm: c.block.fontSizeMm,
      });
      issues.push(...issueFor(c, panel.id));
    });
  }
  for (const [panelId, rest] of byPanel) {
    for (const l of rest) issues.push({ lineId: l.id, panelId, code: 'no-position', message: `panel ${panelId} is not on this page` });
  }
  return { balloons, issues };
}

/** True when `b` lies inside `panel` (for tests and the quality checker). */
export function insidePanel(b: BBoxMm, panel: BBoxMm): boolean {
  return containsRect(panel, b);
}

