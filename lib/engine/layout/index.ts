/**
 * layoutBook: story-ordered shots → pages of panels in mm, with reading order and figures.
 *
 *   paginate (3–7 a page, reveals after a page turn, crowded pages shorter)  →  per page, the
 *   best guillotine tier composition (area ∝ importance, shape ∝ shot type, room for balloons
 *   when hinted)  →  facing pages not identical  →  bleed  →  faces and bodies.
 *
 * Deterministic for (shots, options): every random choice comes from a PRNG seeded with
 * options.seed and a label. options.alternative > 0 perturbs pagination and composition choice,
 * and is guaranteed to differ from alternative 0 whenever any page has a second composition.
 */
import type { BBoxMm, BookLayout, CameraAngle, LaidPage, LaidPanel, LayoutOptions, PageFormat, ReadingDirection, ShotInput } from '../types';
import { SHOT_TYPES } from '../types';
import { pageFormat } from '../formats';
import { MAX_PANELS, paginate } from './paginate';
import { applyBleed, pageCandidates, type MinSize, type PageCandidate } from './page';
import { placeFigures } from './figures';
import { makeRng, type Rng } from './rng';
import { r2 } from './geom';

export { estimateReadingOrder, estimateReadingOrderDetailed, cutGaps } from './reading-order';
export type { MinSize } from './page';
export { isAfterPageTurn, pageSide } from './spread';
export { paginate, MIN_PANELS, MAX_PANELS } from './paginate';

function checkDirection(d: unknown): ReadingDirection {
  if (d !== 'rtl' && d !== 'ltr') throw new Error(`readingDirection must be "rtl" or "ltr" (got ${JSON.stringify(d)})`);
  return d;
}

/** Validates and normalises the input: a clear error for what cannot be laid out. */
function normaliseShots(shots: readonly ShotInput[]): ShotInput[] {
  const seen = new Set<string>();
  return shots.map((s, i) => {
    if (!s || typeof s.id !== 'string' || s.id.length === 0) throw new Error(`shot ${i}: id must be a non-empty string`);
    if (seen.has(s.id)) throw new Error(`shot ${i}: duplicate id "${s.id}"`);
    seen.add(s.id);
    if (!SHOT_TYPES.includes(s.shot)) throw new Error(`shot ${s.id}: unknown shot type "${String(s.shot)}"`);
    const importance = Number.isFinite(s.importance) ? Math.min(1, Math.max(0, s.importance)) : 0.5;
    return { ...s, importance, characters: Array.isArray(s.characters) ? s.characters : [] };
  });
}

/**
 * Optional knowledge the layout can use beyond the shots. `minPanelMm`: shot id → the smallest
 * panel (mm) that holds what goes in it — typically its balloons, as the lettering engine
 * measures them. A name artist sizes panels around their dialogue; without this the layout
 * only knows importance and shot type, and a talky low-importance shot may get a panel too
 * small for its balloons (then they cover faces or break reading order: M8, M11).
 * Minimums are soft: capped at the frame (height at half the frame), traded against M6.
 */
export interface LayoutHints {
  minPanelMm?: Readonly<Record<string, MinSize>>;
}

/**
 * The smallest panel that holds these balloons (their bbox sizes in mm, as the lettering engine
 * measures them): side by side across the top with 3 mm between them and 3 mm to the border,
 * and a quarter of the tallest one again below it so the speaker's face can sit under or beside
 * them (MANGA-CRAFT.md: balloons high in the panel, never over the speaker's face).
 */
export function minPanelForBalloons(sizes: ReadonlyArray<{ w: number; h: number }>): MinSize | undefined {
  if (sizes.length === 0) return undefined;
  return {
    w: sizes.reduce((s, b) => s + b.w, 0) + 3 * (sizes.length - 1) + 6,
    h: Math.max(...sizes.map((b) => b.h)) * 1.25,
  };
}

const minSizeOf = (hints: LayoutHints | undefined) =>
  hints?.minPanelMm ? (s: ShotInput): MinSize | undefined => hints.minPanelMm?.[s.id] : undefined;

/** Picks a candidate per page: the best for alternative 0, a noisy best for the others. */
function choose(cands: PageCandidate[], seed: number, alternative: number, pageIndex: number): number {
  if (alternative === 0 || cands.length === 1) return 0;
  const rng = makeRng(seed, `compose:${alternative}:${pageIndex}`);
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  cands.forEach((c, i) => {
    const s = c.score + rng() * 3;
    if (s < bestScore) {
      bestScore = s;
      best = i;
    }
  });
  return best;
}

interface Plan {
  sizes: number[];
  picks: number[];
  cands: PageCandidate[][];
}

/** Candidates of a page depend only on which shots it holds: shared between plans. */
type CandidateCache = Map<string, PageCandidate[]>;

function plan(shots: ShotInput[], options: LayoutOptions, alternative: number, cache: CandidateCache, hints?: LayoutHints): Plan {
  const format = pageFormat(options.format);
  const [, , fw, fh] = format.innerFrameMm;
  const mins = hints?.minPanelMm;
  const demand = mins
    ? (s: ShotInput): number => {
        const m = mins[s.id];
        return m && Number.isFinite(m.w) && Number.isFinite(m.h) ? (Math.min(Math.max(0, m.w), fw) * Math.min(Math.max(0, m.h), fh / 2)) / (fw * fh) : 0;
      }
    : undefined;
  const sizes = paginate(shots, options.seed, alternative, demand);
  const cands: PageCandidate[][] = [];
  const picks: number[] = [];
  let at = 0;
  sizes.forEach((size, p) => {
    const key = `${at}:${size}`;
    let c = cache.get(key);
    if (!c) {
      c = pageCandidates(shots.slice(at, at + size), format, options.readingDirection, minSizeOf(hints));
      cache.set(key, c);
    }
    cands.push(c);
    picks.push(choose(c, options.seed, alternative, p));
    at += size;
  });
  varySpreads(cands, picks);
  return { sizes, picks, cands };
}

/** How much worse (in score) a page may get to avoid repeating its facing page's grid. */
const SPREAD_VARIETY_SLACK = 1;

/**
 * Facing pages are seen together (MANGA-CRAFT.md: plan in two-page spreads): two identical
 * grids side by side read as a form, not a story. If the second page of a spread repeats the
 * first's composition, take its next candidate when that costs little.
 */
function varySpreads(cands: PageCandidate[][], picks: number[]): void {
  for (let p = 1; p + 1 < cands.length; p += 2) {
    const first = cands[p][picks[p]];
    const second = cands[p + 1];
    if (second[picks[p + 1]].key !== first.key) continue;
    const limit = second[picks[p + 1]].score + SPREAD_VARIETY_SLACK;
    const other = second.findIndex((c) => c.key !== first.key && c.score <= limit);
    if (other >= 0) picks[p + 1] = other;
  }
}

const signature = (p: Plan): string => p.sizes.map((s, i) => `${s}:${p.cands[i][p.picks[i]].key}`).join('|');

function buildPage(
  pageShots: readonly ShotInput[],
  cand: PageCandidate,
  pageIndex: number,
  format: PageFormat,
  direction: ReadingDirection,
  figRng: Rng,
): LaidPage {
  const panels: LaidPanel[] = cand.tiles.map((tile) => {
    const shot = pageShots[tile.index];
    const { box, bled } = shot.bleed ? applyBleed(tile, format) : { box: tile.box, bled: false };
    // Round edges (not sizes) so neighbours keep their exact gutters.
    const x0 = r2(box[0]);
    const y0 = r2(box[1]);
    const bboxMm: BBoxMm = [x0, y0, r2(r2(box[0] + box[2]) - x0), r2(r2(box[1] + box[3]) - y0)];
    const camera: CameraAngle = shot.camera ?? 'eye';
    const faces = placeFigures(bboxMm, shot.characters, shot.shot, format, direction, figRng).map((f) => ({
      characterId: f.characterId,
      faceMm: f.faceMm.map(r2) as BBoxMm,
      bodyMm: f.bodyMm.map(r2) as BBoxMm,
    }));
    const panel: LaidPanel = {
      id: `panel-${shot.id}`,
      shotId: shot.id,
      order: tile.index,
      bboxMm,
      bleed: bled,
      shot: shot.shot,
      camera,
      importance: shot.importance,
      characters: [...shot.characters],
      faces,
    };
    if (shot.beatId !== undefined) panel.beatId = shot.beatId;
    if (shot.description !== undefined) panel.description = shot.description;
    return panel;
  });
  panels.sort((a, b) => a.order - b.order);
  return { index: pageIndex, panels };
}

/**
 * Lays out exactly these shots as one page (no pagination): for re-laying a single page after
 * a person moved shots between pages on the canvas. Up to 7 shots (MANGA-CRAFT.md M7).
 */
export function layoutPage(shotsIn: readonly ShotInput[], options: LayoutOptions & { pageIndex?: number }, hints?: LayoutHints): LaidPage {
  const format = pageFormat(options.format);
  const direction = checkDirection(options.readingDirection);
  const shots = normaliseShots(shotsIn);
  if (shots.length > MAX_PANELS) throw new Error(`a page holds at most ${MAX_PANELS} panels (got ${shots.length})`);
  const pageIndex = Math.max(0, Math.trunc(options.pageIndex ?? 0));
  if (shots.length === 0) return { index: pageIndex, panels: [] };
  const seed = Number.isFinite(options.seed) ? Math.trunc(options.seed) : 0;
  const alternative = Math.max(0, Math.trunc(options.alternative ?? 0));
  const cands = pageCandidates(shots, format, direction, minSizeOf(hints));
  const pick = alternative === 0 ? 0 : Math.max(1, choose(cands, seed, alternative, pageIndex)) % cands.length;
  return buildPage(shots, cands[pick], pageIndex, format, direction, makeRng(seed, `figures:${alternative}:${pageIndex}`));
}

export function layoutBook(shotsIn: readonly ShotInput[], options: LayoutOptions, hints?: LayoutHints): BookLayout {
  const format = pageFormat(options.format);
  const direction = checkDirection(options.readingDirection);
  const seed = Number.isFinite(options.seed) ? Math.trunc(options.seed) : 0;
  const alternative = Math.max(0, Math.trunc(options.alternative ?? 0));
  const shots = normaliseShots(shotsIn);

  const cache: CandidateCache = new Map();
  const p = plan(shots, { ...options, seed }, alternative, cache, hints);
  if (alternative > 0) {
    // A branch must not come back identical to the preferred layout: if the perturbation landed
    // on the same plan, take the runner-up composition of the page with the most choices.
    const base = plan(shots, { ...options, seed }, 0, cache, hints);
    if (signature(base) === signature(p)) {
      let page = -1;
      p.cands.forEach((c, i) => {
        if (c.length > 1 && (page < 0 || c.length > p.cands[page].length)) page = i;
      });
      if (page >= 0) p.picks[page] = 1 + ((alternative - 1) % (p.cands[page].length - 1));
    }
  }

  const pages: LaidPage[] = [];
  let at = 0;
  p.sizes.forEach((size, pageIndex) => {
    const pageShots = shots.slice(at, at + size);
    at += size;
    pages.push(buildPage(pageShots, p.cands[pageIndex][p.picks[pageIndex]], pageIndex, format, direction, makeRng(seed, `figures:${alternative}:${pageIndex}`)));
  });
  return { format, readingDirection: direction, pages };
}
