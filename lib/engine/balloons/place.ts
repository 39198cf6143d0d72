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
  PlacedBalloon, ReadingDirection,
} from '../types';
import type { TextBlock } from '../lettering/block';
import { setTextVariants } from '../lettering/index';
import {
  area, bodiesOverlap, centre, containsRect, grow, inset, intersect, overlapArea, right,
  segmentHitsBody, segmentsCross,
} from './geom';
import type { Body } from './geom';
import { OVAL_FITS, balloonSize, isOval, maxTextBox } from './shape';
import type { OvalFit } from './shape';
import { FACE_TOUCH, Positions } from './positions';
import type { PanelGeometry, StaticRelax, Tail, Variant } from './positions';

export { TAIL_FRACTION, mouthOf } from './positions';

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
/** Reading order: a later balloon is at least this much further along in x or y. */
const ORDER_STEP_MM = 1;
/** A tailless follow-up balloon of the same speaker sits at most this far from the previous one. */
const LINK_GAP_MM = 2;
const BEAM = 6;
const PER_STATE = 4;

interface Candidate {
  line: DialogueLine;
  block: TextBlock;
  box: BBoxMm;
  body: Body;
  tail: Tail;
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
/**
 * Breaking the panel border (a balloon running over the frame into the gutter, a manga
 * staple): at most this far out, and at least BORDER_INSIDE of the balloon stays in its panel
 * (M10 asks ≥ 90 %). Never outside the text-safe area.
 */
const BORDER_OUT_MM = 8;
/** The levels tried for a whole panel (with shrinking) before going line by line. */
const PANEL_LEVELS = 3;

interface State {
  placed: Candidate[];
  cost: number;
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

interface Ctx extends PanelGeometry {
  /** Balloons already placed in other panels of the page (only met when a balloon outgrows its panel). */
  others: Body[];
}

/** Penalties for constraints a relaxed search broke, so it breaks as few as it can. */
const BROKEN_COST: Record<Relax, number> = { 'face-touch': 0, 'other-face': 100, border: 0, order: 150, tails: 200, 'speaker-face': 400, overlap: 600, region: 800 };

/**
 * The best positions for a line given the balloons already placed in this state: hard
 * constraints not in `relax` filter, broken relaxed ones cost. With nothing relaxed that
 * depends on the state, the first valid bases (they are sorted) are the answer.
 */
function candidatesFor(ctx: Ctx, line: DialogueLine, bases: Positions, state: State, relax: Relax[]): Candidate[] {
  const allow = (r: Relax): boolean => relax.includes(r);
  const allowOrder = allow('order');
  const allowOverlap = allow('overlap');
  const allowTails = allow('tails');
  const early = !allowOrder && !allow('other-face') && !allowTails && !allowOverlap && !allow('speaker-face') && !allow('region');
  // Positions the state-independent constraints forbid are never visited (filtered once per set).
  const usable = bases.usable(staticRelax(relax));
  const placed = state.placed;
  const prev = placed[placed.length - 1];
  const out: Candidate[] = [];
  for (let k = 0; k < usable.size; k++) {
    const b = usable.at(k);
    if (b.linked && (!prev || !prev.tail || gapBetween(prev.box, b.box) > LINK_GAP_MM)) continue;
    const body = b.body;
    // Script order = reading order. Checked against every earlier balloon: "wholly below" is
    // not transitive with "left of". Cheap, so tested before the overlap when both are hard.
    let disorder = false;
    for (const p of placed) if (!readsAfter(p.box, b.box, ctx.dir)) { disorder = true; break; }
    if (disorder && !allowOrder) continue;
    // No balloon–balloon overlap (butting is fine), in this panel or (outgrown) the page.
    let overlaps = false;
    for (const p of placed) if (bodiesOverlap(p.body, body)) { overlaps = true; break; }
    if (!overlaps) for (const ob of ctx.others) if (bodiesOverlap(ob, body)) { overlaps = true; break; }
    if (overlaps && !allowOverlap) continue;
    // Tails never cross each other or run through a balloon.
    const crossing = tailsClash(body, b.tail, placed);
    if (crossing && !allowTails) continue;
    const relaxed: Relax[] = [];
    if (b.outside) relaxed.push('region');
    if (b.onSpeaker) relaxed.push('speaker-face');
    if (b.onOther > FACE_TOUCH) relaxed.push('other-face');
    if (overlaps) relaxed.push('overlap');
    if (disorder) relaxed.push('order');
    if (crossing) relaxed.push('tails');
    let c = b.cost;
    let broken = 0;
    for (const r of relaxed) broken += BROKEN_COST[r];
    c += broken;
    // An unavoidable overlap should at least be small.
    if (overlaps) for (const p of placed) c += 2000 * (overlapArea(p.box, b.box) / Math.min(area(p.box), area(b.box)));
    out.push({ line, block: b.v.block, box: b.box, body, tail: b.tail, relaxed, cost: c });
    // Bases come cheapest first: with nothing state-dependent relaxed the first valid ones are
    // the best; otherwise a generous prefix is enough (relaxation penalties are large steps).
    if (out.length >= (early ? PER_STATE : PER_STATE * 8)) break;
  }
  if (!early) out.sort((a, b) => a.cost - b.cost);
  return out.slice(0, PER_STATE);
}

function staticRelax(relax: Relax[]): StaticRelax {
  return {
    region: relax.includes('region'),
    border: relax.includes('border'),
    speakerFace: relax.includes('speaker-face'),
    faceTouch: relax.includes('face-touch'),
    otherFace: relax.includes('other-face'),
  };
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
function tailsClash(body: Body, tail: Tail, placed: Candidate[]): boolean {
  for (const p of placed) {
    if (p.tail && segmentHitsBody(p.tail.base, p.tail.tip, body)) return true;
    if (tail) {
      if (p.tail && segmentsCross(p.tail.base, p.tail.tip, tail.base, tail.tip)) return true;
      if (segmentHitsBody(tail.base, tail.tip, p.body)) return true;
    }
  }
  return false;
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
function strictBeam(ctx: Ctx, lines: DialogueLine[], variants: Variant[][], relax: Relax[], basesOf: (i: number, v: Variant[], withBorder: boolean) => Positions): Candidate[] | null {
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
      // Same settings as an already-built list of this line (e.g. with and without the phrase
      // rule): reuse it, so its candidates and any search over it are not repeated. Only this
      // line's: positions are cached per list, and they hold the line's speaker and neighbour.
      for (const [otherKey, other] of vCache) if (otherKey.startsWith(`${i}|`) && sameVariants(other, v)) { v = other; break; }
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
  const bCache = [new WeakMap<Variant[], Positions>(), new WeakMap<Variant[], Positions>()];
  const bases = (i: number, v: Variant[], withBorder: boolean): Positions => {
    const cache = bCache[withBorder ? 1 : 0];
    let b = cache.get(v);
    if (!b) {
      const face = speakerFace(panel, lines[i].speakerId);
      b = new Positions(ctx, lines[i], i, v, withBorder, lines[i - 1], face, hasTail(lines[i], face));
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
      const box: BBoxMm = [region[0], region[1], v.w, v.h];
      const c: Candidate = { line, block: v.block, box, body: { box, oval: isOval(line.kind) }, tail: null, cost: 0, relaxed: ['region'] };
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

