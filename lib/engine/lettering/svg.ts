/**
 * TextBlock → SVG: every glyph as an outline path in mm, so resvg, Chromium and PDF draw the
 * same thing without any system font (STACK.md gotcha 8: resvg has no fonts and ignores `vert`).
 *
 * Vertical text (JLReq §3.1, JIS X 4051 §5): each character sits in a 1 em cell, top to bottom;
 * columns run right to left, ¼–½ em apart. Glyphs are shaped with the OpenType `vert` feature
 * so brackets, ー, …, small kana and punctuation take their vertical forms (JLReq §3.1.1).
 * Tate-chu-yoko cells are shaped horizontally and compressed to one em (JLReq §3.1.9).
 */
import { shapeRun } from '../fonts';
import type { TextBlock } from './block';
import { emitOutline, fmt } from './outline';
import { COLUMN_GAP_EM, LINE_PITCH_EM } from './style';
import { cellsOf } from './tategaki';

/** Noto CJK's ideographic em box runs from −120 to 880 units: the baseline sits 0.88 em below the cell top. */
const CJK_BASELINE_EM = 0.88;
/** Noto Sans cap height (714/1000): rows are centred on their capitals. */
const LATIN_CAP_EM = 0.714;

const toFullwidth = (ch: string): string => {
  const c = ch.codePointAt(0) ?? 0;
  return c >= 0x30 && c <= 0x39 ? String.fromCodePoint(c + 0xfee0) : ch;
};

function verticalColumnD(block: TextBlock, column: string, colLeft: number, top: number): string {
  const size = block.fontSizeMm;
  const out: string[] = [];
  cellsOf(column).forEach((cell, j) => {
    const cellTop = top + j * size;
    const baseline = cellTop + CJK_BASELINE_EM * size;
    if (cell.kind === 'tcy') {
      // Tate-chu-yoko: horizontal run compressed into the cell's width.
      const run = shapeRun(block.face, cell.text);
      const s = size / run.unitsPerEm;
      const width = run.advanceWidth * s;
      const sx = width > size ? (s * size) / width : s;
      let pen = colLeft + (size - run.advanceWidth * sx) / 2;
      run.glyphs.forEach((g, i) => {
        emitOutline(g.commands, pen + run.offsets[i][0] * sx, baseline - run.offsets[i][1] * s, sx, s, out);
        pen += run.advances[i] * sx;
      });
      return;
    }
    // Upright: single digits in their full-width form; `vert` for vertical alternates.
    const run = shapeRun(block.face, toFullwidth(cell.text), ['vert']);
    const s = size / run.unitsPerEm;
    let pen = colLeft + (size - run.advanceWidth * s) / 2;
    run.glyphs.forEach((g, i) => {
      emitOutline(g.commands, pen + run.offsets[i][0] * s, baseline - run.offsets[i][1] * s, s, s, out);
      pen += run.advances[i] * s;
    });
  });
  return out.join('');
}

function horizontalRowD(block: TextBlock, row: string, x: number, rowTop: number): string {
  const size = block.fontSizeMm;
  const run = shapeRun(block.face, row);
  const s = size / run.unitsPerEm;
  const width = run.advanceWidth * s;
  let pen = x + (block.widthMm - width) / 2;
  const baseline = rowTop + (LINE_PITCH_EM * size) / 2 + (LATIN_CAP_EM * size) / 2;
  const out: string[] = [];
  run.glyphs.forEach((g, i) => {
    emitOutline(g.commands, pen + run.offsets[i][0] * s, baseline - run.offsets[i][1] * s, s, s, out);
    pen += run.advances[i] * s;
  });
  return out.join('');
}

/**
 * The block as an SVG `<g>` of `<path>`s (one per column/row), black, in mm, with its text box's
 * top-left at `originMm`. Columns are top-aligned (天揃え), rows centred.
 */
export interface TextStyle {
  fill?: string;
  /** An outline around every glyph (e.g. a white halo for SFX). */
  stroke?: string;
  strokeWidthMm?: number;
}

export function textBlockToSvg(block: TextBlock, originMm: [number, number], style: TextStyle = {}): string {
  const [x, y] = originMm;
  const size = block.fontSizeMm;
  const paths: string[] = [];
  block.columns.forEach((col, i) => {
    const d = block.vertical
      ? verticalColumnD(block, col, x + block.widthMm - size - i * size * (1 + COLUMN_GAP_EM), y)
      : horizontalRowD(block, col, x, y + i * LINE_PITCH_EM * size);
    if (d) paths.push(`<path d="${d}"/>`);
  });
  const stroke = style.stroke ? ` stroke="${style.stroke}" stroke-width="${fmt(style.strokeWidthMm ?? 0.5)}" stroke-linejoin="round"` : '';
  return `<g class="lettering" fill="${style.fill ?? '#000'}"${stroke} data-size-mm="${fmt(size)}">${paths.join('')}</g>`;
}
