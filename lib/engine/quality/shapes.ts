/**
 * Balloon outlines for area metrics. Oval kinds (speech, thought, whisper, shout) are taken as
 * the ellipse inscribed in their bbox — the bbox corners are empty paper, so counting them would
 * report a face "covered" by a balloon that does not touch it. Boxes (narration, broadcast, SFX)
 * are their bbox. Curved overlaps are measured by sampling only the region where the two shapes'
 * boxes intersect, so the error scales with the overlap itself (0 stays exactly 0).
 */
import type { BBoxMm, BalloonKind } from '../types';
import { area, intersect } from '../layout/geom';

export interface Shape {
  box: BBoxMm;
  ellipse: boolean;
}

const OVAL_KINDS: ReadonlySet<BalloonKind> = new Set(['speech', 'thought', 'whisper', 'shout']);
export const balloonShape = (box: BBoxMm, kind: BalloonKind): Shape => ({ box, ellipse: OVAL_KINDS.has(kind) });
export const rectShape = (box: BBoxMm): Shape => ({ box, ellipse: false });

const GRID = 24;

export function insideShape(s: Shape, x: number, y: number): boolean {
  const [bx, by, bw, bh] = s.box;
  if (!s.ellipse) return x >= bx && x <= bx + bw && y >= by && y <= by + bh;
  const dx = (x - (bx + bw / 2)) / (bw / 2);
  const dy = (y - (by + bh / 2)) / (bh / 2);
  return dx * dx + dy * dy <= 1;
}

export function shapeArea(s: Shape): number {
  return s.ellipse ? (Math.PI / 4) * s.box[2] * s.box[3] : area(s.box);
}

/** Area of the intersection of two shapes (mm²). */
export function overlap(a: Shape, b: Shape): number {
  const region = intersect(a.box, b.box);
  if (!region) return 0;
  if (!a.ellipse && !b.ellipse) return area(region);
  const [rx, ry, rw, rh] = region;
  let hits = 0;
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      const x = rx + ((i + 0.5) / GRID) * rw;
      const y = ry + ((j + 0.5) / GRID) * rh;
      if (insideShape(a, x, y) && insideShape(b, x, y)) hits++;
    }
  }
  return (area(region) * hits) / (GRID * GRID);
}

/** Where the ray from the shape's centre towards (x, y) leaves the shape. */
export function boundaryToward(s: Shape, x: number, y: number): [number, number] {
  const [bx, by, bw, bh] = s.box;
  const cx = bx + bw / 2;
  const cy = by + bh / 2;
  const dx = x - cx;
  const dy = y - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const t = s.ellipse
    ? 1 / Math.sqrt((dx / (bw / 2)) ** 2 + (dy / (bh / 2)) ** 2)
    : Math.min(dx === 0 ? Infinity : bw / 2 / Math.abs(dx), dy === 0 ? Infinity : bh / 2 / Math.abs(dy));
  return [cx + dx * Math.min(1, t), cy + dy * Math.min(1, t)];
}

/** Proper intersection of segments p1p2 and p3p4 (touching at an end does not count). */
export function segmentsCross(p1: [number, number], p2: [number, number], p3: [number, number], p4: [number, number]): boolean {
  const d = (a: [number, number], b: [number, number], c: [number, number]) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const d1 = d(p3, p4, p1);
  const d2 = d(p3, p4, p2);
  const d3 = d(p1, p2, p3);
  const d4 = d(p1, p2, p4);
  return d1 * d2 < 0 && d3 * d4 < 0;
}
