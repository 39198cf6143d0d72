/**
 * Japanese vertical setting (tategaki): normalisation, unbreakable units and column breaking.
 *
 * - Breaks go between BudouX phrases (see phrases.ts); a break inside a phrase costs extra.
 * - Kinsoku (JIS X 4051 §6.1, JLReq §3.1.7): see kinsoku.ts; a prohibited break is never taken
 *   unless there is no other way, and then the block is reported as overflowing.
 * - Unbreakable units (JLReq §3.1.10, cl-08 and cl-23): …… ‥‥ ―― runs, numbers, Latin words,
 *   and tate-chu-yoko runs.
 * - Tate-chu-yoko (JLReq §3.1.9, "縦中横"): 2–4 half-width digits, or 2–3 of !?, sit
 *   horizontally in one character cell; single digits use their full-width (upright) form.
 * - 。 and 、 are dropped in balloons (manga practice, MANGA-CRAFT.md); where one stood the
 *   breaker strongly prefers to start a new column.
 */
import { cannotEndLine, cannotStartLine, isDigit, isInseparable } from './kinsoku';
import { phraseBoundaries } from './phrases';

export interface Atom {
  text: string;
  /** Characters (code points) it counts for the ≤ 10-a-column limit. */
  len: number;
  /** Character cells it takes in a column (a tate-chu-yoko run takes one). */
  cells: number;
  /** Cost of a column break just before this atom; Infinity when kinsoku forbids it. */
  before: number;
  /** The writer asked for a break here (a newline). */
  forced: boolean;
  /** A dropped 。/、, a space or a sentence end stood here: breaking here is strongly preferred. */
  strong: boolean;
}

/** Break costs (arbitrary units; see chooseColumns for the others). */
export const NON_PHRASE_COST = 400;
export const STRONG_BREAK_BONUS = -250;

const DROPPED = new Set(['。', '、', '．', '，', '｡', '､']);
const SPACE = /[\s\u3000]/u;
const BANG = /[!?！？]/u;
const ASCII_DIGIT = /^[0-9]$/;
const FULLWIDTH_DIGIT = /^[０-９]$/u;
const LATIN = /^[A-Za-z'’]$/u;

const toAscii = (ch: string): string => {
  const c = ch.codePointAt(0) ?? 0;
  return c >= 0xff01 && c <= 0xff5e ? String.fromCodePoint(c - 0xfee0) : ch;
};
const toFullwidth = (ch: string): string => {
  const c = ch.codePointAt(0) ?? 0;
  return c >= 0x21 && c <= 0x7e ? String.fromCodePoint(c + 0xfee0) : ch;
};

type Mark = 'none' | 'strong' | 'forced';

/**
 * Half-width punctuation that only exists in a horizontal orientation, mapped to the full-width
 * form whose `vert` alternate is correct in a column (JLReq §3.1.1; M17 counts leftovers).
 */
const TO_VERTICAL_CAPABLE: Readonly<Record<string, string>> = {
  '(': '（', ')': '）', '[': '［', ']': '］', '{': '｛', '}': '｝', '<': '〈', '>': '〉',
  '~': '〜', '〰': '〜', '_': '＿', '=': '＝', '|': '｜', ':': '：', ';': '；', ',': '、', '.': '。',
  '‐': '―', '‑': '―', '−': '―', '–': '―', '—': '―', "'": '’',
};
const KANA = /[\u3040-\u30ff]/u;

/** Characters as set, each with the break mark that precedes it. */
export interface Normalized {
  chars: string[];
  marks: Mark[];
  /** The source after the `...` → `……` rewrite, and where each set character came from in it
   *  (UTF-16 offsets: start and end), so phrase boundaries can be taken from the source with its
   *  punctuation (BudouX needs the 。、 that the setter drops). */
  source: string;
  starts: number[];
  ends: number[];
}

/**
 * Normalise Japanese text for vertical setting: `...` → `……`, 。、 dropped (when `drop`),
 * whitespace removed (both become strong break points), !? runs normalised (one mark →
 * full-width ！？, 2–3 marks → half-width tate-chu-yoko), 2–4 full-width digits → half-width
 * (for tate-chu-yoko).
 */
export function normalizeJa(text: string, drop: boolean): Normalized {
  const source = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\.{3,}|・{3,}/g, '……');
  const src = [...source];
  const off: number[] = [];
  let o = 0;
  for (const ch of src) { off.push(o); o += ch.length; }
  off.push(o);
  const chars: string[] = [];
  const marks: Mark[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const from = (k: number): void => { starts.push(off[k]); ends.push(off[k + 1]); };
  let pending: Mark = 'none';
  let quoteOpen = false;
  const raise = (m: Mark): void => {
    if (m === 'forced' || (m === 'strong' && pending === 'none')) pending = m;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\n') { raise('forced'); continue; }
    if (SPACE.test(ch)) { raise('strong'); continue; }
    const betweenDigits = isDigit(src[i - 1] ?? '') && isDigit(src[i + 1] ?? '');
    if (drop && (DROPPED.has(ch) || ((ch === '.' || ch === ',') && !betweenDigits))) { raise('strong'); continue; }
    if (BANG.test(ch)) {
      let j = i;
      while (j < src.length && BANG.test(src[j])) j++;
      const run = src.slice(i, j);
      const set = run.length >= 2 && run.length <= 3 ? run.map(toAscii) : run.map(toFullwidth);
      set.forEach((c, k) => { chars.push(c); marks.push(k === 0 ? pending : 'none'); from(i + k); });
      pending = 'none';
      // A sentence ends after ？！: prefer a new column for what follows (manga practice),
      // unless the marks open the line (a lone "？" column would be odd).
      if (chars.length > set.length) raise('strong');
      i = j - 1;
      continue;
    }
    if (FULLWIDTH_DIGIT.test(ch)) {
      let j = i;
      while (j < src.length && FULLWIDTH_DIGIT.test(src[j])) j++;
      const run = src.slice(i, j);
      const set = run.length >= 2 && run.length <= 4 ? run.map(toAscii) : run;
      set.forEach((c, k) => { chars.push(c); marks.push(k === 0 ? pending : 'none'); from(i + k); });
      pending = 'none';
      i = j - 1;
      continue;
    }
    from(i);
    chars.push(betweenDigits && (ch === '.' || ch === ',') ? (ch === '.' ? '．' : '，') : vertical(ch, src[i - 1] ?? '', quoteOpen));
    if (ch === '"') quoteOpen = !quoteOpen;
    marks.push(pending);
    pending = 'none';
  }
  return { chars, marks, source, starts, ends };
}

/** A character as set in a column: half-width punctuation becomes its vertical-capable form. */
function vertical(ch: string, prev: string, quoteOpen: boolean): string {
  // After kana, "-" is a prolonged sound mark (ー); elsewhere a dash.
  if (ch === '-') return KANA.test(prev) ? 'ー' : '―';
  // ASCII double quotes become corner brackets, opening then closing.
  if (ch === '"') return quoteOpen ? '」' : '「';
  return TO_VERTICAL_CAPABLE[ch] ?? ch;
}

/** Kind of a cell run inside a column, for rendering. */
export type CellKind = 'upright' | 'tcy';
export interface Cell {
  text: string;
  kind: CellKind;
}

/**
 * Split a column (as set) into character cells: 2–4 half-width digits or 2–3 half-width !?
 * form one tate-chu-yoko cell, everything else one cell per character. The same rule the
 * breaker used, so `columns` alone are enough to render.
 */
export function cellsOf(column: string): Cell[] {
  const chars = [...column];
  const out: Cell[] = [];
  for (let i = 0; i < chars.length; ) {
    const ch = chars[i];
    if (ASCII_DIGIT.test(ch) || ch === '!' || ch === '?') {
      const digit = ASCII_DIGIT.test(ch);
      let j = i;
      while (j < chars.length && (digit ? ASCII_DIGIT.test(chars[j]) : chars[j] === '!' || chars[j] === '?')) j++;
      const run = chars.slice(i, j);
      const tcy = digit ? run.length >= 2 && run.length <= 4 : run.length >= 2 && run.length <= 3;
      if (tcy) out.push({ text: run.join(''), kind: 'tcy' });
      else run.forEach((c) => out.push({ text: c, kind: 'upright' }));
      i = j;
      continue;
    }
    out.push({ text: ch, kind: 'upright' });
    i++;
  }
  return out;
}

/** Number of character cells a column takes. */
export function columnCells(column: string): number {
  return cellsOf(column).length;
}

/** Characters a column counts for the ≤ 10 limit (code points). */
export function columnLength(column: string): number {
  return [...column].length;
}

function unitEnd(chars: string[], i: number): number {
  const ch = chars[i];
  let j = i + 1;
  if (isDigit(ch)) {
    // A number, with , or . between digits, is one unit (JLReq cl-23, grouped numerals).
    while (j < chars.length && (isDigit(chars[j]) || ((chars[j] === ',' || chars[j] === '.') && isDigit(chars[j + 1] ?? '')))) j++;
  } else if (ch === '!' || ch === '?') {
    while (j < chars.length && (chars[j] === '!' || chars[j] === '?')) j++;
  } else if (LATIN.test(ch)) {
    while (j < chars.length && LATIN.test(chars[j])) j++;
  } else if (isInseparable(ch)) {
    // JLReq cl-08: …… and ―― are never split.
    while (j < chars.length && chars[j] === ch) j++;
  }
  return j;
}

/** Cut normalised text into atoms with the cost of breaking before each. */
export function atomize(n: Normalized): Atom[] {
  const bounds = phraseBoundaries(n.source);
  // A break before chars[i] is on a phrase boundary when one lies between the end of the
  // previous set character and the start of this one in the source (dropped 、。 lie there).
  const onPhrase = (i: number): boolean => bounds.some((b) => b >= n.ends[i - 1] && b <= n.starts[i]);
  const atoms: Atom[] = [];
  for (let i = 0; i < n.chars.length; ) {
    const j = unitEnd(n.chars, i);
    const text = n.chars.slice(i, j).join('');
    const mark = n.marks[i];
    const prev = atoms[atoms.length - 1];
    const prevLast = prev ? [...prev.text].pop() ?? '' : '';
    const prohibited = prev !== undefined && (cannotStartLine(n.chars[i]) || cannotEndLine(prevLast));
    const strong = mark === 'strong';
    const before = prohibited ? Infinity : strong ? STRONG_BREAK_BONUS : i > 0 && onPhrase(i) ? 0 : NON_PHRASE_COST;
    atoms.push({ text, len: j - i, cells: columnCells(text), before, forced: mark === 'forced' && !prohibited, strong });
    i = j;
  }
  return atoms;
}

export interface ColumnChoice {
  columns: string[];
  /** Longest column in cells. */
  maxCells: number;
  cost: number;
  nonPhraseBreaks: number;
}

const COLUMN_COST = 100;
const RAGGED_COST = 4;

/**
 * Best breaking into at most `maxCols` columns of at most `limit` characters, by dynamic
 * programming over (atoms, columns). Returns one choice per column count that works.
 */
export function breakColumns(atoms: Atom[], limit: number, maxCols: number): ColumnChoice[] {
  const n = atoms.length;
  if (n === 0) return [{ columns: [], maxCells: 0, cost: 0, nonPhraseBreaks: 0 }];
  // best[k][j]: cost of setting atoms[0..j) in exactly k columns; from[k][j]: start of the last one.
  const best: number[][] = Array.from({ length: maxCols + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const from: number[][] = Array.from({ length: maxCols + 1 }, () => new Array<number>(n + 1).fill(-1));
  best[0][0] = 0;
  // forcedBefore[i]: forced breaks among atoms[1..i] (a column [i, j) may not contain one after its start).
  const forcedBefore = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) forcedBefore[i] = forcedBefore[i - 1] + (i < n && atoms[i].forced ? 1 : 0);
  for (let j = 1; j <= n; j++) {
    let len = 0;
    for (let i = j - 1; i >= 0; i--) {
      len += atoms[i].len;
      if (len > limit) break;
      // A forced break strictly inside [i, j) makes this column impossible.
      if (forcedBefore[j - 1] - forcedBefore[i] > 0) break;
      const breakCost = i === 0 ? 0 : atoms[i].before;
      if (breakCost === Infinity) continue;
      const isLast = j === n;
      const colCost = COLUMN_COST + (isLast ? 1 : RAGGED_COST) * (limit - len) * (limit - len) * (limit > 6 ? 1 : 2);
      for (let k = 1; k <= maxCols; k++) {
        const prev = best[k - 1][i];
        if (prev === Infinity) continue;
        const c = prev + breakCost + colCost;
        if (c < best[k][j]) { best[k][j] = c; from[k][j] = i; }
      }
    }
  }
  const out: ColumnChoice[] = [];
  for (let k = 1; k <= maxCols; k++) {
    if (best[k][n] === Infinity) continue;
    const columns: string[] = [];
    let nonPhrase = 0;
    let maxCells = 0;
    for (let j = n, kk = k; kk > 0; kk--) {
      const i = from[kk][j];
      const col = atoms.slice(i, j);
      columns.unshift(col.map((a) => a.text).join(''));
      maxCells = Math.max(maxCells, col.reduce((s, a) => s + a.cells, 0));
      if (i > 0 && atoms[i].before === NON_PHRASE_COST) nonPhrase++;
      j = i;
    }
    out.push({ columns, maxCells, cost: best[k][n], nonPhraseBreaks: nonPhrase });
  }
  return out;
}

/** Last resort when no kinsoku-clean breaking exists: fill columns greedily, character by character. */
export function greedyColumns(chars: string[], limit: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += limit) out.push(chars.slice(i, i + limit).join(''));
  return out;
}
