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

/**
 * A balloon body for overlap tests: oval kinds are the ellipse inscribed in their box (the box
 * corners are empty paper), the others their box. The quality checker (M8–M10) measures the same.
 */
export interface Body {
  box: BBoxMm;
  oval: boolean;
}

/** Is (x, y) strictly inside the body, shrunk by `eps` mm? */
export function insideBody(b: Body, x: number, y: number, eps = 0): boolean {
  const [bx, by, bw, bh] = b.box;
  if (!b.oval) return x > bx + eps && x < bx + bw - eps && y > by + eps && y < by + bh - eps;
  const a = bw / 2 - eps;
  const c = bh / 2 - eps;
  if (a <= 0 || c <= 0) return false;
  const dx = (x - (bx + bw / 2)) / a;
  const dy = (y - (by + bh / 2)) / c;
  return dx * dx + dy * dy < 1;
}

/** Does the body touch rectangle r (with positive area)? Exact for ellipses. */
export function bodyHitsRect(b: Body, r: BBoxMm): boolean {
  if (overlapArea(b.box, r) <= 0) return false;
  if (!b.oval) return true;
  // Scale so the ellipse is the unit circle; the rectangle stays axis-aligned.
  const [cx, cy] = centre(b.box);
  const a = b.box[2] / 2;
  const c = b.box[3] / 2;
  const x0 = (r[0] - cx) / a;
  const x1 = (right(r) - cx) / a;
  const y0 = (r[1] - cy) / c;
  const y1 = (bottom(r) - cy) / c;
  const nx = Math.max(x0, Math.min(0, x1));
  const ny = Math.max(y0, Math.min(0, y1));
  return nx * nx + ny * ny < 1;
}

/** Is any of `n` points around body a's outline strictly inside body b (shrunk by eps)? */
function outlineInside(a: Body, b: Body, n: number, eps: number): boolean {
  const [x, y, w, h] = a.box;
  if (!a.oval) {
    const per = Math.max(1, Math.floor(n / 4));
    for (let i = 0; i < per; i++) {
      const t = i / per;
      if (insideBody(b, x + w * t, y, eps) || insideBody(b, x + w, y + h * t, eps) || insideBody(b, x + w * (1 - t), y + h, eps) || insideBody(b, x, y + h * (1 - t), eps)) return true;
    }
    return false;
  }
  const cx = x + w / 2;
  const cy = y + h / 2;
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    if (insideBody(b, cx + (w / 2) * Math.cos(t), cy + (h / 2) * Math.sin(t), eps)) return true;
  }
  return false;
}

/**
 * Do two bodies overlap by more than butting (`eps` mm of give)? Boxes exactly; ellipses by
 * testing 48 outline points of each against the other (and the centres).
 */
export function bodiesOverlap(a: Body, b: Body, eps = 0.15): boolean {
  if (overlapArea(a.box, b.box) <= 1e-6) return false;
  if (!a.oval && !b.oval) return true;
  const [acx, acy] = centre(a.box);
  const [bcx, bcy] = centre(b.box);
  if (insideBody(b, acx, acy) || insideBody(a, bcx, bcy)) return true;
  return outlineInside(a, b, 48, eps) || outlineInside(b, a, 48, eps);
}

/** Does segment p–q pass through the body (more than grazing it)? */
export function segmentHitsBody(p: PointMm, q: PointMm, b: Body): boolean {
  if (!segmentHitsRect(p, q, b.box)) return false;
  if (!b.oval) return true;
  for (let i = 1; i < 16; i++) {
    const t = i / 16;
    if (insideBody(b, p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t, 0.1)) return true;
  }
  return false;
}
