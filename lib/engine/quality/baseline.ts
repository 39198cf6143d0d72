/**
 * The baseline the benchmark compares against: AI Comic Factory's approach as MANGA-CRAFT.md
 * describes it — one of five hard-coded 4-panel grids picked at random per page, equal gutters
 * everywhere, panels read top-left first whatever the book's direction, no bleed, no
 * importance or shot-type sizing, and the text as a horizontal caption in a band across the
 * bottom of each panel, wrapped by character count. Written from that description (not from
 * its code) so both pipelines can be scored by the same checker.
 */
import type { BBoxMm, BookLayout, DialogueLine, LaidPage, PageFormat, PlacedBalloon, ReadingDirection, ShotInput } from '../types';
import { placeFigures } from '../layout/figures';
import { makeRng } from '../layout/rng';
import { r2 } from '../layout/geom';

/** Five grids in unit coordinates [x, y, w, h], in their (left-to-right) DOM order. */
const GRIDS: ReadonlyArray<ReadonlyArray<readonly [number, number, number, number]>> = [
  [[0, 0, 0.5, 0.5], [0.5, 0, 0.5, 0.5], [0, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]],
  [[0, 0, 1, 0.4], [0, 0.4, 1 / 3, 0.6], [1 / 3, 0.4, 1 / 3, 0.6], [2 / 3, 0.4, 1 / 3, 0.6]],
  [[0, 0, 0.5, 1], [0.5, 0, 0.5, 1 / 3], [0.5, 1 / 3, 0.5, 1 / 3], [0.5, 2 / 3, 0.5, 1 / 3]],
  [[0, 0, 1 / 3, 0.5], [1 / 3, 0, 1 / 3, 0.5], [2 / 3, 0, 1 / 3, 0.5], [0, 0.5, 1, 0.5]],
  [[0, 0, 1 / 3, 0.5], [1 / 3, 0, 2 / 3, 0.5], [0, 0.5, 2 / 3, 0.5], [2 / 3, 0.5, 1 / 3, 0.5]],
];
/** One gutter for every gap, as in a CSS grid `gap`. */
const GAP_MM = 4;
const CAPTION_FONT_MM = 4;
const CAPTION_PAD_MM = 1.5;

function cell(u: readonly [number, number, number, number], frame: BBoxMm): BBoxMm {
  const [fx, fy, fw, fh] = frame;
  // Half a gap on each inner side, none on the frame edge.
  const x0 = fx + u[0] * fw + (u[0] > 0 ? GAP_MM / 2 : 0);
  const y0 = fy + u[1] * fh + (u[1] > 0 ? GAP_MM / 2 : 0);
  const x1 = fx + (u[0] + u[2]) * fw - (u[0] + u[2] < 1 - 1e-9 ? GAP_MM / 2 : 0);
  const y1 = fy + (u[1] + u[3]) * fh - (u[1] + u[3] < 1 - 1e-9 ? GAP_MM / 2 : 0);
  return [r2(x0), r2(y0), r2(x1 - x0), r2(y1 - y0)];
}

/** Naive wrap: fixed characters per row (Japanese) or greedy words (English); no kinsoku. */
function wrap(text: string, width: number): string[] {
  const perRow = Math.max(1, Math.floor(width / CAPTION_FONT_MM));
  if (/\s/.test(text) && !/[\u3040-\u9fff]/.test(text)) {
    const rows: string[] = [];
    let row = '';
    for (const w of text.split(/\s+/).filter(Boolean)) {
      const next = row ? `${row} ${w}` : w;
      if (next.length * 0.55 * CAPTION_FONT_MM > width && row) {
        rows.push(row);
        row = w;
      } else row = next;
    }
    if (row) rows.push(row);
    return rows;
  }
  const chars = Array.from(text);
  const rows: string[] = [];
  for (let i = 0; i < chars.length; i += perRow) rows.push(chars.slice(i, i + perRow).join(''));
  return rows;
}

export function baselineFixedGrid(
  shots: readonly ShotInput[],
  format: PageFormat,
  seed: number,
  lines: readonly DialogueLine[] = [],
  readingDirection: ReadingDirection = format.defaultDirection,
): { book: BookLayout; balloons: PlacedBalloon[] } {
  const rng = makeRng(seed, 'baseline');
  const pages: LaidPage[] = [];
  const balloons: PlacedBalloon[] = [];
  for (let at = 0, p = 0; at < shots.length; at += 4, p++) {
    const grid = GRIDS[Math.floor(rng() * GRIDS.length)];
    const chunk = shots.slice(at, at + 4);
    const panels = chunk.map((s, i) => {
      const bboxMm = cell(grid[i], format.innerFrameMm);
      const id = `panel-${s.id}`;
      const faces = placeFigures(bboxMm, s.characters, s.shot, format, 'ltr', rng);
      const text = lines.filter((l) => l.panelId === id || l.panelId === s.id).sort((a, b) => a.order - b.order).map((l) => l.text).join(' ') || (s.description ?? '');
      if (text) {
        const rows = wrap(text, bboxMm[2] - 2 * CAPTION_PAD_MM);
        const h = Math.min(bboxMm[3], rows.length * CAPTION_FONT_MM * 1.2 + 2 * CAPTION_PAD_MM);
        balloons.push({
          id: `caption-${s.id}`,
          lineId: `caption-${s.id}`,
          panelId: id,
          order: 0,
          kind: 'narration',
          speakerId: null,
          text,
          bboxMm: [bboxMm[0], r2(bboxMm[1] + bboxMm[3] - h), bboxMm[2], r2(h)],
          tailTipMm: null,
          columns: rows,
          vertical: false,
          fontSizeMm: CAPTION_FONT_MM,
        });
      }
      return {
        id,
        shotId: s.id,
        order: i,
        bboxMm,
        bleed: false,
        shot: s.shot,
        camera: s.camera ?? 'eye',
        importance: s.importance,
        characters: [...s.characters],
        faces,
      };
    });
    pages.push({ index: p, panels });
  }
  // The baseline has no reading direction: its order is always the grid's top-left-first order,
  // and the book is judged in the direction it will actually be read.
  return { book: { format, readingDirection, pages }, balloons };
}
