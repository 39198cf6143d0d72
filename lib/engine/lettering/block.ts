/**
 * TextBlock: the lettering engine's output for one line of dialogue, and its geometry.
 */
import type { BalloonKind, Language } from '../types';
import type { LetteringFace } from '../fonts';
import { textWidthEm } from './latin';
import { COLUMN_GAP_EM, LINE_PITCH_EM, faceFor } from './style';
import { columnCells } from './tategaki';

export interface TextBlock {
  /** The lines exactly as set: columns (right to left) for vertical text, rows for horizontal. */
  columns: string[];
  vertical: boolean;
  /** Em size in mm (18Q = 4.5 mm). */
  fontSizeMm: number;
  /** Size of the text box (the em boxes of all glyphs), in mm. */
  widthMm: number;
  heightMm: number;
  /** True when the text could not be set within the limits (≤ 10 chars a column, ≤ 6 columns,
   *  the given box, ≥ 16Q, kinsoku). The caller must report it; it is never silent. */
  overflow: boolean;
  language: Language;
  kind: BalloonKind;
  face: LetteringFace;
}

/** Width and height of columns/rows as set at a size. */
export function measure(columns: readonly string[], vertical: boolean, sizeMm: number, face: LetteringFace): { widthMm: number; heightMm: number } {
  if (columns.length === 0) return { widthMm: 0, heightMm: 0 };
  if (vertical) {
    const k = columns.length;
    const maxCells = Math.max(...columns.map(columnCells));
    return { widthMm: sizeMm * (k + (k - 1) * COLUMN_GAP_EM), heightMm: sizeMm * maxCells };
  }
  const widest = Math.max(...columns.map((r) => textWidthEm(face, r)));
  return { widthMm: widest * sizeMm, heightMm: sizeMm * (columns.length * LINE_PITCH_EM) };
}

/** Rebuild a TextBlock from lines already set (e.g. a PlacedBalloon's `columns`). */
export function blockFromColumns(
  columns: readonly string[],
  o: { language: Language; kind: BalloonKind; fontSizeMm: number; vertical: boolean; overflow?: boolean },
): TextBlock {
  const face = faceFor(o.language, o.kind);
  const { widthMm, heightMm } = measure(columns, o.vertical, o.fontSizeMm, face);
  return {
    columns: [...columns],
    vertical: o.vertical,
    fontSizeMm: o.fontSizeMm,
    widthMm,
    heightMm,
    overflow: o.overflow ?? false,
    language: o.language,
    kind: o.kind,
    face,
  };
}

/** Width of one row of horizontal text in mm. */
export function rowWidthMm(face: LetteringFace, row: string, sizeMm: number): number {
  return textWidthEm(face, row) * sizeMm;
}
