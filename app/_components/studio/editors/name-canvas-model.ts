/**
 * Pure mapping between the name's canvas records (lib/doc/canvas.ts) and canvas geometry:
 * where each page sits on the board, and a panel's bbox in millimetres ↔ a box in canvas
 * pixels. Kept free of tldraw and React so it can be reasoned about (and tested) alone.
 */
import type { CanvasPanelRecord, CanvasRecord } from '../../../../lib/doc/canvas';

/** Canvas pixels per millimetre. */
export const PX_PER_MM = 3;
/** Space between pages on the board, in mm. */
export const PAGE_GAP_MM = 24;

export interface TrimMm {
  w: number;
  h: number;
}

/** Top-left of a page on the board, in px. Right-to-left books lay pages out leftwards, as they are read. */
export function pageOrigin(index: number, trim: TrimMm, direction: 'rtl' | 'ltr'): { x: number; y: number } {
  const step = (trim.w + PAGE_GAP_MM) * PX_PER_MM;
  return { x: (direction === 'rtl' ? -index : index) * step, y: 0 };
}

export interface PanelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function panelBox(rec: CanvasPanelRecord, pageIndex: number, trim: TrimMm, direction: 'rtl' | 'ltr'): PanelBox {
  const o = pageOrigin(pageIndex, trim, direction);
  const [x, y, w, h] = rec.bboxMm;
  return { x: o.x + x * PX_PER_MM, y: o.y + y * PX_PER_MM, w: w * PX_PER_MM, h: h * PX_PER_MM };
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/** A panel box back to a bbox in mm relative to its page (0.01 mm precision: no visible jitter on echo). */
export function bboxFromBox(box: PanelBox, pageIndex: number, trim: TrimMm, direction: 'rtl' | 'ltr'): [number, number, number, number] {
  const o = pageOrigin(pageIndex, trim, direction);
  return [r2((box.x - o.x) / PX_PER_MM), r2((box.y - o.y) / PX_PER_MM), r2(Math.max(1, box.w / PX_PER_MM)), r2(Math.max(1, box.h / PX_PER_MM))];
}

/** The page index each page key stands for. */
export function pageIndexByKey(records: Map<string, CanvasRecord>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, rec] of records) if (rec?.kind === 'page') out.set(key, rec.index);
  return out;
}

/** The page (key and index) whose slot on the board contains x, for panels dropped or created elsewhere. */
export function nearestPage(x: number, pages: Map<string, number>, trim: TrimMm, direction: 'rtl' | 'ltr'): { key: string; index: number } | null {
  let best: { key: string; index: number; d: number } | null = null;
  for (const [key, index] of pages) {
    const o = pageOrigin(index, trim, direction);
    const d = Math.abs(x - (o.x + (trim.w * PX_PER_MM) / 2));
    if (!best || d < best.d) best = { key, index, d };
  }
  return best ? { key: best.key, index: best.index } : null;
}

/** Orders 0..n-1 for the panels of one page, keeping their current relative order. */
export function renumber(panels: CanvasPanelRecord[]): CanvasPanelRecord[] {
  return [...panels].sort((a, b) => a.order - b.order).map((p, i) => (p.order === i ? p : { ...p, order: i }));
}
