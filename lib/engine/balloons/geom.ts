/** Small rectangle/segment helpers for balloon placement (mm, y down). */
import type { BBoxMm, PointMm } from '../types';

export const right = (b: BBoxMm): number => b[0] + b[2];
export const bottom = (b: BBoxMm): number => b[1] + b[3];
export const centre = (b: BBoxMm): PointMm => [b[0] + b[2] / 2, b[1] + b[3] / 2];
export const area = (b: BBoxMm): number => Math.max(0, b[2]) * Math.max(0, b[3]);

export function intersect(a: BBoxMm, b: BBoxMm): BBoxMm | null {
  const x = Math.max(a[0], b[0]);
  const y = Math.max(a[1], b[1]);
  const x2 = Math.min(right(a), right(b));
  const y2 = Math.min(bottom(a), bottom(b));
  return x2 > x && y2 > y ? [x, y, x2 - x, y2 - y] : null;
}

export function overlapArea(a: BBoxMm, b: BBoxMm): number {
  const i = intersect(a, b);
  return i ? area(i) : 0;
}

export function inset(b: BBoxMm, d: number): BBoxMm {
  return [b[0] + d, b[1] + d, Math.max(0, b[2] - 2 * d), Math.max(0, b[3] - 2 * d)];
}

export function grow(b: BBoxMm, d: number): BBoxMm {
  return [b[0] - d, b[1] - d, b[2] + 2 * d, b[3] + 2 * d];
}

export function containsRect(outer: BBoxMm, inner: BBoxMm, eps = 1e-6): boolean {
  return inner[0] >= outer[0] - eps && inner[1] >= outer[1] - eps && right(inner) <= right(outer) + eps && bottom(inner) <= bottom(outer) + eps;
}

/** Do segments p1–p2 and q1–q2 properly cross? */
export function segmentsCross(p1: PointMm, p2: PointMm, q1: PointMm, q2: PointMm): boolean {
  const cross = (o: PointMm, a: PointMm, b: PointMm): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Does segment a–b pass through rectangle r (Liang–Barsky clipping)? */
export function segmentHitsRect(a: PointMm, b: PointMm, r: BBoxMm): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const p = [-dx, dx, -dy, dy];
  const q = [a[0] - r[0], right(r) - a[0], a[1] - r[1], bottom(r) - a[1]];
  for (let i = 0; i < 4; i++) {
    if (p[i] === 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const t = q[i] / p[i];
    if (p[i] < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return t1 - t0 > 1e-9;
}

/** Where the ray from an ellipse's centre toward `toward` leaves the ellipse inscribed in `box`. */
export function ellipseExit(box: BBoxMm, toward: PointMm): PointMm {
  const [cx, cy] = centre(box);
  const a = box[2] / 2;
  const b = box[3] / 2;
  const dx = toward[0] - cx;
  const dy = toward[1] - cy;
  const len = Math.hypot(dx, dy);
  if (len === 0 || a === 0 || b === 0) return [cx, cy];
  const ux = dx / len;
  const uy = dy / len;
  const t = 1 / Math.sqrt((ux / a) ** 2 + (uy / b) ** 2);
  return [cx + ux * t, cy + uy * t];
}
