/**
 * Lettering: set one line of dialogue as a TextBlock (Japanese vertical or English horizontal)
 * and draw it as outlines. See MANGA-CRAFT.md "Balloons and lettering".
 *
 *   setText(text, { language, kind, maxWidthMm?, maxHeightMm? }) → TextBlock
 *   textBlockToSvg(block, [x, y]) → '<g>…</g>' (mm)
 *   phraseBoundaries(text) → number[]
 */
import type { BalloonKind, Language } from '../types';
import type { TextBlock } from './block';
import { measure } from './block';
import { textWidthEm, wordsOf, wrapRows } from './latin';
import {
  COLUMN_GAP_EM, LINE_PITCH_EM, MAX_COLUMNS, MAX_COLUMN_CHARS, MAX_ROWS, MIN_SIZE_MM,
  dropsStops, faceFor, sizeLadder,
} from './style';
import { atomize, breakColumns, greedyColumns, normalizeJa } from './tategaki';
import type { ColumnChoice } from './tategaki';

export type { TextBlock } from './block';
export { blockFromColumns, measure } from './block';
export { textBlockToSvg } from './svg';
export { phraseBoundaries } from './phrases';
export { kinsokuViolations, cannotEndLine, cannotStartLine } from './kinsoku';
export type { KinsokuViolation } from './kinsoku';
export { cellsOf, columnCells, columnLength } from './tategaki';
export { BASE_SIZE_MM, MIN_SIZE_MM, MAX_COLUMNS, MAX_COLUMN_CHARS, MAX_ROWS, COLUMN_GAP_EM } from './style';

export interface SetTextOptions {
  language: Language;
  kind: BalloonKind;
  /** The text box (not the balloon) may be at most this wide / tall. */
  maxWidthMm?: number;
  maxHeightMm?: number;
  /** At most this many column breaks inside a phrase (default: as few as possible, any number). */
  maxNonPhraseBreaks?: number;
}

/** Preferred height/width of the text box: a 6 × 3 vertical block, a wide English block. */
const TARGET_RATIO_VERTICAL = 1.5;
const TARGET_RATIO_HORIZONTAL = 0.7;
const SHAPE_COST = 120;
const MAX_VARIANTS = 6;
/** A variant is offered when its score is within this of the best one. */
const VARIANT_SLACK = 150;

interface Scored {
  block: TextBlock;
  score: number;
  /** Column breaks inside a phrase (M16 wants ≥ 95 % of breaks between phrases). */
  nonPhrase: number;
}

function shapeCost(w: number, h: number, target: number): number {
  if (w <= 0 || h <= 0) return 0;
  return SHAPE_COST * Math.abs(Math.log(h / w / target));
}

const breakCache = new Map<string, ColumnChoice[]>();

/** Every kinsoku-clean breaking into ≤ 6 columns of ≤ 10 (independent of the type size). */
function verticalBreakings(text: string, kind: BalloonKind): ColumnChoice[] {
  const key = `${kind === 'narration' ? 'keep' : 'drop'}\u0000${text}`;
  const hit = breakCache.get(key);
  if (hit) return hit;
  const atoms = atomize(normalizeJa(text, dropsStops(kind)));
  const out: ColumnChoice[] = [];
  const seen = new Set<string>();
  for (let limit = 1; limit <= MAX_COLUMN_CHARS; limit++) {
    for (const choice of breakColumns(atoms, limit, MAX_COLUMNS)) {
      const k = choice.columns.join('\n');
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(choice);
    }
  }
  if (breakCache.size >= CACHE_MAX) breakCache.clear();
  breakCache.set(key, out);
  return out;
}

/** Every way to set the text vertically at `size` (≤ 10 a column, ≤ 6 columns), scored. */
function verticalCandidates(text: string, o: SetTextOptions, size: number): Scored[] {
  const face = faceFor(o.language, o.kind);
  const target = o.kind === 'sfx' ? 4 : TARGET_RATIO_VERTICAL;
  return verticalBreakings(text, o.kind).map((choice) => {
    const k = choice.columns.length;
    const widthMm = k === 0 ? 0 : size * (k + (k - 1) * COLUMN_GAP_EM);
    const heightMm = size * choice.maxCells;
    return {
      score: choice.cost + shapeCost(widthMm, heightMm, target),
      nonPhrase: choice.nonPhraseBreaks,
      block: { columns: choice.columns, vertical: true, fontSizeMm: size, widthMm, heightMm, overflow: false, language: o.language, kind: o.kind, face },
    };
  });
}

interface Wrapping {
  rows: string[];
  /** Widest row, em. */
  widthEm: number;
  /** Size-independent score (raggedness + shape: a block keeps its proportions at every size). */
  score: number;
}

const wrapCache = new Map<string, Wrapping[]>();

/** Every balanced wrap of the text into ≤ MAX_ROWS rows, in em (independent of the type size). */
function horizontalWrappings(text: string, kind: BalloonKind, language: Language): Wrapping[] {
  const face = faceFor(language, kind);
  const key = `${face}\u0000${text}`;
  const hit = wrapCache.get(key);
  if (hit) return hit;
  const words = wordsOf(text);
  const out: Wrapping[] = [];
  const plain = words.filter((w) => w !== '\n');
  if (plain.length > 0) {
    const widest = Math.max(0, ...plain.map((w) => textWidthEm(face, w)));
    const total = textWidthEm(face, plain.join(' '));
    const seen = new Set<string>();
    const steps = 24;
    for (let s = 0; s <= steps; s++) {
      const limit = widest + ((total - widest) * s) / steps;
      const r = wrapRows(face, words, limit + 1e-6, MAX_ROWS);
      if (!r) continue;
      const k = r.rows.join('\n');
      if (seen.has(k)) continue;
      seen.add(k);
      const widths = r.rows.map((row) => textWidthEm(face, row));
      // Raggedness against the block's own width (rows are centred, so only balance matters).
      let ragged = 0;
      for (let i = 0; i < widths.length - 1; i++) ragged += 2 + (r.widthEm - widths[i]) ** 2;
      out.push({ rows: r.rows, widthEm: r.widthEm, score: ragged + shapeCost(r.widthEm, r.rows.length * LINE_PITCH_EM, TARGET_RATIO_HORIZONTAL) });
    }
  }
  if (wrapCache.size >= CACHE_MAX) wrapCache.clear();
  wrapCache.set(key, out);
  return out;
}

/** Ways to wrap the text horizontally at `size` (≤ MAX_ROWS rows), scored. */
function horizontalCandidates(text: string, o: SetTextOptions, size: number): Scored[] {
  const face = faceFor(o.language, o.kind);
  return horizontalWrappings(text, o.kind, o.language).map((w) => ({
    score: w.score,
    nonPhrase: 0,
    block: {
      columns: w.rows, vertical: false, fontSizeMm: size, widthMm: w.widthEm * size, heightMm: w.rows.length * LINE_PITCH_EM * size,
      overflow: false, language: o.language, kind: o.kind, face,
    },
  }));
}

const candidateCache = new Map<string, Scored[]>();

/** All candidates at one size, best first; cached per text, language, kind and size. */
function candidatesAt(text: string, o: SetTextOptions, size: number): Scored[] {
  const key = `${o.language}\u0000${o.kind}\u0000${size}\u0000${text}`;
  const hit = candidateCache.get(key);
  if (hit) return hit;
  const c = o.language === 'ja' ? verticalCandidates(text, o, size) : horizontalCandidates(text, o, size);
  c.sort((a, b) => a.score - b.score);
  if (candidateCache.size >= CACHE_MAX) candidateCache.clear();
  candidateCache.set(key, c);
  return c;
}

const overflowCache = new Map<string, readonly string[]>();

/**
 * Japanese overflow columns depend on the text alone (not on the box that was too small), and
 * the placer asks for them at every shrink step of every panel: computed once per text.
 */
function overflowColumnsJa(text: string, drop: boolean): string[] {
  const key = `${drop ? 'drop' : 'keep'}\u0000${text}`;
  const hit = overflowCache.get(key);
  if (hit) return [...hit];
  const n = normalizeJa(text, drop);
  const choices = breakColumns(atomize(n), MAX_COLUMN_CHARS, 64);
  choices.sort((a, b) => a.cost - b.cost);
  // No kinsoku-clean breaking at all (e.g. a run of ー longer than a column): character by character.
  const columns = choices[0]?.columns ?? greedyColumns(n.chars, MAX_COLUMN_CHARS);
  if (overflowCache.size >= CACHE_MAX) overflowCache.clear();
  overflowCache.set(key, columns);
  return [...columns];
}

function overflowBlock(text: string, o: SetTextOptions): TextBlock {
  const face = faceFor(o.language, o.kind);
  const size = MIN_SIZE_MM;
  let columns: string[];
  let vertical: boolean;
  if (o.language === 'ja') {
    vertical = true;
    columns = overflowColumnsJa(text, dropsStops(o.kind));
  } else {
    vertical = false;
    const words = wordsOf(text);
    const widest = Math.max(0, ...words.map((w) => textWidthEm(face, w)));
    const limit = Math.max(widest, o.maxWidthMm !== undefined ? o.maxWidthMm / size : 12);
    columns = wrapRows(face, words, limit + 1e-6, 1000)?.rows ?? [words.join(' ')];
  }
  const { widthMm, heightMm } = measure(columns, vertical, size, face);
  return { columns, vertical, fontSizeMm: size, widthMm, heightMm, overflow: true, language: o.language, kind: o.kind, face };
}

const cache = new Map<string, TextBlock[]>();
const CACHE_MAX = 5000;

/**
 * Every good way to set the text, best first, at the largest size (from the kind's base size
 * down to 16Q) where any fits the limits. When nothing fits even at 16Q, one block with
 * `overflow: true` (set at 16Q, ≤ 10 characters a column, kinsoku kept where possible).
 */
export function setTextVariants(text: string, o: SetTextOptions): TextBlock[] {
  const key = JSON.stringify([text, o.language, o.kind, o.maxWidthMm ?? null, o.maxHeightMm ?? null, o.maxNonPhraseBreaks ?? null]);
  const hit = cache.get(key);
  if (hit) return hit;
  const face = faceFor(o.language, o.kind);
  let result: TextBlock[] = [];
  if (text.trim().length === 0) {
    result = [{ columns: [], vertical: o.language === 'ja', fontSizeMm: sizeLadder(o.kind, 0)[0], widthMm: 0, heightMm: 0, overflow: false, language: o.language, kind: o.kind, face }];
  } else {
    const length = [...text.replace(/\s/gu, '')].length;
    const maxW = (o.maxWidthMm ?? Infinity) + 1e-6;
    const maxH = (o.maxHeightMm ?? Infinity) + 1e-6;
    // Smaller type (down to 16Q) before a break inside a phrase: first look for a setting with
    // every break between phrases at any size, then allow one break inside a phrase, then two…
    const cap = o.maxNonPhraseBreaks ?? Infinity;
    const ladder = sizeLadder(o.kind, length);
    const smallest = ladder[ladder.length - 1];
    const fits = (s: Scored, allowed: number): boolean => s.block.widthMm <= maxW && s.block.heightMm <= maxH && s.nonPhrase <= allowed;
    search: for (const allowed of [0, 1, 2, Infinity].filter((a) => a <= cap)) {
      // A block only grows with the type size: when none fits at the smallest size, none fits
      // at any (a third of the placer's requests overflow; this skips their whole ladder).
      if (!candidatesAt(text, o, smallest).some((s) => fits(s, allowed))) continue;
      for (const size of ladder) {
        const c = candidatesAt(text, o, size).filter((s) => fits(s, allowed));
        if (c.length > 0) {
          // Alternatives (other shapes for the placer) only when they are nearly as good.
          const bestScore = c[0].score;
          result = c.filter((s) => s.score <= bestScore + VARIANT_SLACK).slice(0, MAX_VARIANTS).map((s) => s.block);
          break search;
        }
      }
    }
    if (result.length === 0) result = [overflowBlock(text, o)];
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, result);
  return result;
}

/**
 * Forget every cached setting (breakings, wraps, candidates, overflow columns, results). The
 * caches only ever hold what a fresh computation gives; tests use this to prove it.
 */
export function clearLetteringCaches(): void {
  breakCache.clear();
  wrapCache.clear();
  candidateCache.clear();
  overflowCache.clear();
  cache.clear();
}

/** Set one line of dialogue (see setTextVariants); the best variant. */
export function setText(text: string, o: SetTextOptions): TextBlock {
  return setTextVariants(text, o)[0];
}
