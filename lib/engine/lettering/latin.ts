/**
 * English (and any Latin-script) lettering: horizontal rows, word wrap without hyphenation,
 * each row centred (comic lettering practice). Widths come from the real font (fontkit), so
 * the rows are exactly what the outlines will occupy.
 */
import type { LetteringFace } from '../fonts';
import { advanceEm } from '../fonts';

/**
 * Width of `text` in em at the given face: the sum of its words and spaces (each word shaped
 * and cached; kerning across a space is negligible and this keeps measuring cheap).
 */
export function textWidthEm(face: LetteringFace, text: string): number {
  if (text.length === 0) return 0;
  const words = text.split(' ');
  if (words.length === 1) return advanceEm(face, text);
  let w = advanceEm(face, ' ') * (words.length - 1);
  for (const word of words) w += advanceEm(face, word);
  return w;
}

export interface RowChoice {
  rows: string[];
  /** Widest row in em. */
  widthEm: number;
  cost: number;
}

/** Words of the text; a newline is a forced break (represented by a '\n' word). */
export function wordsOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.normalize('NFC').replace(/\r\n?/g, '\n').split('\n')) {
    if (out.length > 0) out.push('\n');
    out.push(...line.split(/\s+/u).filter((w) => w.length > 0));
  }
  return out;
}

/**
 * Balanced wrap of words into rows no wider than `limitEm`: dynamic programming minimising the
 * squared slack of every row but the last (Knuth–Plass style, without hyphenation). Returns
 * null when a single word is wider than the limit.
 */
export function wrapRows(face: LetteringFace, words: string[], limitEm: number, maxRows: number): RowChoice | null {
  const segs: string[][] = [[]];
  for (const w of words) {
    if (w === '\n') segs.push([]);
    else segs[segs.length - 1].push(w);
  }
  const space = textWidthEm(face, ' ');
  const rows: string[] = [];
  let cost = 0;
  let widest = 0;
  for (const seg of segs) {
    if (seg.length === 0) continue;
    const widths = seg.map((w) => textWidthEm(face, w));
    if (widths.some((w) => w > limitEm + 1e-9)) return null;
    const n = seg.length;
    const best = new Array<number>(n + 1).fill(Infinity);
    const from = new Array<number>(n + 1).fill(-1);
    best[0] = 0;
    for (let j = 1; j <= n; j++) {
      let width = -space;
      for (let i = j - 1; i >= 0; i--) {
        width += widths[i] + space;
        if (width > limitEm + 1e-9) break;
        const slack = limitEm - width;
        const c = best[i] + 2 + (j === n ? 0 : slack * slack * 4);
        if (c < best[j]) { best[j] = c; from[j] = i; }
      }
    }
    const segRows: string[] = [];
    for (let j = n; j > 0; j = from[j]) segRows.unshift(seg.slice(from[j], j).join(' '));
    cost += best[n];
    rows.push(...segRows);
  }
  if (rows.length > maxRows) return null;
  for (const r of rows) widest = Math.max(widest, textWidthEm(face, r));
  return { rows, widthEm: widest, cost };
}
