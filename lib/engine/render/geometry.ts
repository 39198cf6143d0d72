import type { BBoxMm, LaidPanel, PageFormat } from '../types';

/** The bleed canvas in trim coordinates: [-bleed, -bleed, w + 2·bleed, h + 2·bleed]. */
export function canvasMm(format: PageFormat): BBoxMm {
  const b = format.bleedMm;
  return [-b, -b, format.trimMm.w + 2 * b, format.trimMm.h + 2 * b];
}

/** Which edges of a panel run off the page. */
export interface BledEdges {
  top: boolean;
  right: boolean;
  bottom: boolean;
  left: boolean;
}

const EPS = 0.01;

/**
 * A bleed (tachikiri) panel must reach the bleed line on every side that faces the page edge:
 * a frame stopping between trim and bleed is a print error (M3). Edges on the outer border of
 * the inner frame (or already outside the trim) are pushed to the bleed line; inner edges stay.
 */
export function bleedPanelBox(panel: LaidPanel, format: PageFormat): { box: BBoxMm; edges: BledEdges } {
  const [x, y, w, h] = panel.bboxMm;
  const none: BledEdges = { top: false, right: false, bottom: false, left: false };
  if (!panel.bleed) return { box: [x, y, w, h], edges: none };
  const [fx, fy, fw, fh] = format.innerFrameMm;
  const b = format.bleedMm;
  const W = format.trimMm.w;
  const H = format.trimMm.h;
  const edges: BledEdges = {
    left: x <= fx + EPS,
    top: y <= fy + EPS,
    right: x + w >= fx + fw - EPS,
    bottom: y + h >= fy + fh - EPS,
  };
  const x0 = edges.left ? -b : x;
  const y0 = edges.top ? -b : y;
  const x1 = edges.right ? W + b : x + w;
  const y1 = edges.bottom ? H + b : y + h;
  return { box: [x0, y0, x1 - x0, y1 - y0], edges };
}
