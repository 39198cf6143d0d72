/**
 * Text metrics M14–M17 over the lines exactly as set (`columns`), never over the source text,
 * so the checker judges what the reader will see.
 *
 * Character classes come from JIS X 4051 / W3C JLReq as summarised in MANGA-CRAFT.md.
 */
import type { BBoxMm, PlacedBalloon } from '../types';
import type { PhraseBoundaries } from './types';

/** 16Q = 4 mm: the minimum dialogue size (MANGA-CRAFT.md "Page geometry"). */
export const MIN_FONT_MM = 4;
export const MAX_CELLS_PER_COLUMN = 10;
export const MAX_COLUMNS = 6;
/** Tightest column gap MANGA-CRAFT.md allows (¼ em): the overflow check gives the setter that. */
const MIN_COLUMN_GAP_EM = 0.25;
/** Tightest leading for horizontal rows. */
const MIN_LEADING_EM = 1.15;

/** May not start a line (gyoto kinsoku): closing brackets, small kana, ー, ？！, 。、・…. */
export const LINE_START_FORBIDDEN = new Set(Array.from('」』）)】〉》〕］｝ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶーｰ？！?!。、・…‥，．,.:;：；'));
/** May not end a line (gyomatsu kinsoku): opening brackets. */
export const LINE_END_FORBIDDEN = new Set(Array.from('「『（(【〈《〔［｛'));
/** Runs that may never be split across lines: leaders (……, ‥‥), dashes (――) and numbers. */
const INSEPARABLE: ReadonlyArray<RegExp> = [/[…‥]/, /[―—]/, /[0-9０-９]/];

/**
 * Characters that have a vertical form: the renderer maps them (OpenType `vert`, or the Unicode
 * vertical presentation forms U+FE10–FE4F) so they are correct in a vertical column.
 */
export const VERTICAL_FORMS: Readonly<Record<string, string>> = {
  '、': '︑', '。': '︒', '，': '︐', '：': '︓', '；': '︔', '！': '︕', '？': '︖',
  '「': '﹁', '」': '﹂', '『': '﹃', '』': '﹄', '（': '︵', '）': '︶', '【': '︻', '】': '︼',
  '〈': '︿', '〉': '﹀', '《': '︽', '》': '︾', '〔': '︹', '〕': '︺', '［': '﹇', '］': '﹈',
  '｛': '︷', '｝': '︸', '…': '︙', '‥': '︰', '—': '︱', '–': '︲', '＿': '︳',
  // No presentation form, but every Japanese font's `vert` feature rotates these.
  'ー': 'ー', '〜': '〜', '～': '～', '―': '―',
};

/**
 * M17 "mis-oriented vertical glyph": a character in a vertical column that is drawn for
 * horizontal text (it points along the line: brackets, dashes, tildes, ASCII punctuation) and
 * has NO vertical-form mapping, so a renderer sets it upright and it reads sideways. The fix is
 * to convert it to its full-width form, which has one (e.g. "(" → "（", "-" → "ー"/"―").
 * Tate-chu-yoko runs (≤ 4 half-width digits or !?) are set horizontally on purpose and excluded.
 */
export const HORIZONTAL_ONLY = new Set(Array.from('()[]{}<>-~_=|:;,.\'"‐‑−〰'));

/** Tate-chu-yoko: up to 4 half-width digits or !? sit horizontally in one cell. */
const TCY = /^[0-9!?]{1,4}/;

/** Cells a vertical column occupies: characters, with a tate-chu-yoko run as one cell. */
export function columnCells(col: string): number {
  let cells = 0;
  let i = 0;
  const chars = Array.from(col);
  while (i < chars.length) {
    const m = TCY.exec(chars.slice(i, i + 5).join(''));
    // A TCY run must be a whole run: "12345" is not TCY (it is set one digit per cell).
    if (m && !/[0-9!?]/.test(chars[i + m[0].length] ?? '')) {
      i += m[0].length;
    } else {
      i += 1;
    }
    cells++;
  }
  return cells;
}

function misorientedIn(col: string): number {
  let n = 0;
  const chars = Array.from(col);
  let i = 0;
  while (i < chars.length) {
    const m = TCY.exec(chars.slice(i, i + 5).join(''));
    if (m && !/[0-9!?]/.test(chars[i + m[0].length] ?? '')) {
      i += m[0].length;
      continue;
    }
    if (HORIZONTAL_ONLY.has(chars[i])) n++;
    i++;
  }
  return n;
}

/** Rough advance of a horizontal row, in em: full-width 1, half-width 0.55, space 0.3. */
function rowEm(row: string): number {
  let em = 0;
  for (const ch of row) {
    const c = ch.codePointAt(0) ?? 0;
    em += ch === ' ' ? 0.3 : c < 0x2e80 ? 0.55 : 1;
  }
  return em;
}

/** Text block size (mm) of a balloon as set. */
export function textBlockMm(b: PlacedBalloon): { w: number; h: number } {
  const f = b.fontSizeMm;
  const n = b.columns.length;
  if (n === 0) return { w: 0, h: 0 };
  if (b.vertical) {
    const cells = Math.max(...b.columns.map(columnCells));
    return { w: n * f + (n - 1) * f * MIN_COLUMN_GAP_EM, h: cells * f };
  }
  return { w: Math.max(...b.columns.map(rowEm)) * f, h: f + (n - 1) * f * MIN_LEADING_EM };
}

/** Does the text block fit inside the balloon outline? Ovals take the inscribed ellipse. */
export function overflows(b: PlacedBalloon, oval: boolean, tolerance = 0.02): boolean {
  const { w, h } = textBlockMm(b);
  const [, , bw, bh] = b.bboxMm as BBoxMm;
  if (w === 0) return false;
  if (!oval) return w > bw * (1 + tolerance) || h > bh * (1 + tolerance);
  return (w / bw) ** 2 + (h / bh) ** 2 > 1 + tolerance; // (w/2 / (bw/2))² + (h/2 / (bh/2))²
}

export function columnsCompliant(b: PlacedBalloon): boolean {
  if (!b.vertical) return true; // the 10-character column is a rule of vertical Japanese
  return b.columns.length <= MAX_COLUMNS && b.columns.every((c) => columnCells(c) <= MAX_CELLS_PER_COLUMN);
}

/** Kinsoku violations at the breaks between a balloon's lines. */
export function kinsokuViolations(columns: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < columns.length; i++) {
    const chars = Array.from(columns[i]);
    if (chars.length === 0) continue;
    if (i > 0 && LINE_START_FORBIDDEN.has(chars[0])) out.push(`line ${i + 1} starts with "${chars[0]}"`);
    const last = chars[chars.length - 1];
    if (i < columns.length - 1) {
      if (LINE_END_FORBIDDEN.has(last)) out.push(`line ${i + 1} ends with "${last}"`);
      const next = Array.from(columns[i + 1])[0] ?? '';
      for (const re of INSEPARABLE) {
        if (re.test(last) && re.test(next)) out.push(`"${last}${next}" split between lines ${i + 1} and ${i + 2}`);
      }
    }
  }
  return out;
}

const norm = (ch: string): string => ch.normalize('NFKC');

/**
 * Where each column break falls in the SOURCE text: the span of source offsets between the last
 * character set in column i and the first set in column i+1 (dropped 。、 and spaces lie in that
 * span). null when the columns cannot be aligned to the source (then the set text is used).
 */
function breakSpans(text: string, columns: readonly string[]): Array<[number, number]> | null {
  const src = Array.from(text);
  const offsets: number[] = []; // UTF-16 offset of each source code point
  let o = 0;
  for (const ch of src) {
    offsets.push(o);
    o += ch.length;
  }
  offsets.push(o);
  let at = 0;
  const spans: Array<[number, number]> = [];
  for (let c = 0; c < columns.length; c++) {
    const chars = Array.from(columns[c]);
    const startSearch = at;
    for (const ch of chars) {
      // Allow a few dropped characters (punctuation, spaces) between set characters.
      let k = at;
      while (k < src.length && k - at <= 3 && norm(src[k]) !== norm(ch)) k++;
      if (k >= src.length || norm(src[k]) !== norm(ch)) return null;
      at = k + 1;
    }
    if (c > 0 && chars.length > 0) {
      // The previous span ends where this column's first character starts.
      const firstIdx = (() => {
        let k = startSearch;
        while (norm(src[k]) !== norm(chars[0])) k++;
        return k;
      })();
      spans[spans.length - 1][1] = offsets[firstIdx];
    }
    if (c < columns.length - 1) spans.push([offsets[at], offsets[at]]);
  }
  return spans;
}

/**
 * Column breaks of one balloon: [breaks on a phrase boundary, all breaks]. Phrases come from
 * the source text (BudouX needs the 。、 the setter drops: they end clauses); a break counts as
 * on a boundary when a boundary lies anywhere in the dropped span between the two columns.
 */
export function phraseBreaks(columns: readonly string[], seg: PhraseBoundaries, sourceText?: string): [number, number] {
  if (columns.length < 2) return [0, 0];
  const spans = sourceText ? breakSpans(sourceText, columns) : null;
  if (spans && sourceText !== undefined) {
    const bounds = seg(sourceText);
    const good = spans.filter(([a, b]) => bounds.some((x) => x >= a && x <= b)).length;
    return [good, spans.length];
  }
  const text = columns.join('');
  const ok = new Set(seg(text));
  let at = 0;
  let good = 0;
  for (let i = 0; i < columns.length - 1; i++) {
    at += columns[i].length;
    if (ok.has(at)) good++;
  }
  return [good, columns.length - 1];
}

export function misorientedGlyphs(b: PlacedBalloon): number {
  return b.vertical ? b.columns.reduce((s, c) => s + misorientedIn(c), 0) : 0;
}
