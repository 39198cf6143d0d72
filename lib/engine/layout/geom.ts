/** Plain rectangle helpers on BBoxMm ([x, y, w, h] in mm). */
import type { BBoxMm } from '../types';

export const right = (b: BBoxMm): number => b[0] + b[2];
export const bottom = (b: BBoxMm): number => b[1] + b[3];
export const area = (b: BBoxMm): number => Math.max(0, b[2]) * Math.max(0, b[3]);
export const centre = (b: BBoxMm): [number, number] => [b[0] + b[2] / 2, b[1] + b[3] / 2];

export function intersect(a: BBoxMm, b: BBoxMm): BBoxMm | null {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(right(a), right(b));
  const y1 = Math.min(bottom(a), bottom(b));
  return x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : null;
}

export function overlapArea(a: BBoxMm, b: BBoxMm): number {
  const i = intersect(a, b);
  return i ? area(i) : 0;
}

/** Is `inner` inside `outer` (with a tolerance for floating-point rounding)? */
export function contains(outer: BBoxMm, inner: BBoxMm, eps = 1e-6): boolean {
  return (
    inner[0] >= outer[0] - eps &&
    inner[1] >= outer[1] - eps &&
    right(inner) <= right(outer) + eps &&
    bottom(inner) <= bottom(outer) + eps
  );
}

/** Round to 0.01 mm: stable JSON, and far below a printer's dot (0.07 mm at 350 dpi). */
export const r2 = (v: number): number => Math.round(v * 100) / 100;
export const roundBox = (b: BBoxMm): BBoxMm => [r2(b[0]), r2(b[1]), r2(b[2]), r2(b[3])];
