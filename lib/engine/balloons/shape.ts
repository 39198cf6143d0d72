/**
 * Balloon shapes by kind (MANGA-CRAFT.md "Balloons and lettering"): speech = oval with a
 * pointed tail to the mouth; shout = burst; thought = cloud with a chain of small ovals;
 * whisper = dotted oval; broadcast/phone = angular; narration = box; SFX = no balloon.
 *
 * `bboxMm` of a PlacedBalloon is the balloon body (spikes and bumps included, tail excluded);
 * the text box is centred in it.
 */
import type { BBoxMm, BalloonKind, PlacedBalloon, PointMm } from '../types';
import { fmt } from '../lettering/outline';
import { centre } from './geom';

/** Space between the text box and the balloon line. */
const PAD_MM = 1.5;
const BURST_SPIKE_MM = 3.5;
const CLOUD_BUMP_MM = 2;
const BOX_PAD_MM = 2.5;
export const STROKE_MM = 0.35;

/**
 * How an oval holds its text box. An ellipse with semi-axes fx·w/2, fy·h/2 contains a w × h
 * box when 1/fx² + 1/fy² ≤ 1: 'round' (fx = fy = √2) has the least area; 'flat' spends width
 * to save height (short panels); 'tall' the opposite (narrow panels).
 */
export type OvalFit = 'round' | 'flat' | 'tall';
export const OVAL_FITS: readonly OvalFit[] = ['round', 'flat', 'tall'];
const FIT: Record<OvalFit, [number, number]> = {
  round: [Math.SQRT2, Math.SQRT2],
  // 1/1.82² + 1/1.2² ≈ 0.996: the box fits, with a little room on the tight axis for measures
  // cruder than ours (the quality checker estimates row widths per character).
  flat: [1.82, 1.2],
  tall: [1.2, 1.82],
};

/** Does this kind's outline grow around an inscribing oval (so an OvalFit applies)? */
export function isOval(kind: BalloonKind): boolean {
  return kind === 'speech' || kind === 'whisper' || kind === 'thought' || kind === 'shout';
}

/** Balloon body size for a text box of w × h. */
export function balloonSize(kind: BalloonKind, w: number, h: number, fit: OvalFit = 'round'): { w: number; h: number } {
  const [fx, fy] = FIT[fit];
  const ow = w * fx + 2 * PAD_MM;
  const oh = h * fy + 2 * PAD_MM;
  switch (kind) {
    case 'narration':
      return { w: w + 2 * BOX_PAD_MM, h: h + 2 * BOX_PAD_MM };
    case 'broadcast':
      // An octagon with corners cut at 20 % of the short side still holds the text box.
      return { w: w * 1.2 + 2 * PAD_MM + 2, h: h * 1.2 + 2 * PAD_MM + 2 };
    case 'shout':
      return { w: ow + 2 * BURST_SPIKE_MM, h: oh + 2 * BURST_SPIKE_MM };
    case 'thought':
      return { w: ow + 2 * CLOUD_BUMP_MM, h: oh + 2 * CLOUD_BUMP_MM };
    case 'sfx':
      return { w: w + 1, h: h + 1 };
    default:
      return { w: ow, h: oh };
  }
}

/** Inverse of balloonSize: the largest text box a balloon of w × h holds. */
export function maxTextBox(kind: BalloonKind, w: number, h: number, fit: OvalFit = 'round'): { w: number; h: number } {
  const [fx, fy] = FIT[fit];
  switch (kind) {
    case 'narration':
      return { w: w - 2 * BOX_PAD_MM, h: h - 2 * BOX_PAD_MM };
    case 'broadcast':
      return { w: (w - 2 * PAD_MM - 2) / 1.2, h: (h - 2 * PAD_MM - 2) / 1.2 };
    case 'shout':
      return { w: (w - 2 * BURST_SPIKE_MM - 2 * PAD_MM) / fx, h: (h - 2 * BURST_SPIKE_MM - 2 * PAD_MM) / fy };
    case 'thought':
      return { w: (w - 2 * CLOUD_BUMP_MM - 2 * PAD_MM) / fx, h: (h - 2 * CLOUD_BUMP_MM - 2 * PAD_MM) / fy };
    case 'sfx':
      return { w: w - 1, h: h - 1 };
    default:
      return { w: (w - 2 * PAD_MM) / fx, h: (h - 2 * PAD_MM) / fy };
  }
}

const P = (p: PointMm): string => `${fmt(p[0])} ${fmt(p[1])}`;
const lerp = (a: PointMm, b: PointMm, t: number): PointMm => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];

/** Point on the ellipse inscribed in `box` at parametric angle φ. */
function onEllipse(box: BBoxMm, phi: number, shrink = 0): PointMm {
  const [cx, cy] = centre(box);
  return [cx + (box[2] / 2 - shrink) * Math.cos(phi), cy + (box[3] / 2 - shrink) * Math.sin(phi)];
}

/** Parametric angle of the ellipse point on the ray from the centre toward `p`. */
function paramToward(box: BBoxMm, p: PointMm): number {
  const [cx, cy] = centre(box);
  return Math.atan2((p[1] - cy) / (box[3] / 2 || 1), (p[0] - cx) / (box[2] / 2 || 1));
}

/** Half the parametric angle spanned by a tail base of about `baseMm`. */
function tailHalfAngle(box: BBoxMm, baseMm: number): number {
  const r = Math.max(1, Math.min(box[2], box[3]) / 2);
  return Math.min(0.5, baseMm / 2 / r);
}

/** Oval with a curved, pointed tail: one closed path. */
function ovalPath(box: BBoxMm, tip: PointMm | null): string {
  const a = box[2] / 2;
  const b = box[3] / 2;
  if (!tip) {
    const [cx, cy] = centre(box);
    return `M${P([cx - a, cy])}A${fmt(a)} ${fmt(b)} 0 1 1 ${P([cx + a, cy])}A${fmt(a)} ${fmt(b)} 0 1 1 ${P([cx - a, cy])}Z`;
  }
  const phi = paramToward(box, tip);
  const d = tailHalfAngle(box, Math.min(6, Math.min(box[2], box[3]) * 0.3));
  const p2 = onEllipse(box, phi + d);
  const p1 = onEllipse(box, phi - d);
  // Bend the tail a little (a straight wedge looks mechanical).
  const nx = -(tip[1] - (p1[1] + p2[1]) / 2);
  const ny = tip[0] - (p1[0] + p2[0]) / 2;
  const len = Math.hypot(nx, ny) || 1;
  const bend = 0.12 * len;
  const c1 = lerp(p1, tip, 0.5);
  const c2 = lerp(p2, tip, 0.5);
  c1[0] += (nx / len) * bend; c1[1] += (ny / len) * bend;
  c2[0] += (nx / len) * bend; c2[1] += (ny / len) * bend;
  // From p2 the long way round (sweep 1 = clockwise on screen) to p1, then out to the tip and back.
  return `M${P(p2)}A${fmt(a)} ${fmt(b)} 0 1 1 ${P(p1)}Q${P(c1)} ${P(tip)}Q${P(c2)} ${P(p2)}Z`;
}

/** Burst (shout): spikes between the outer box and the oval around the text. */
function burstPath(box: BBoxMm, tip: PointMm | null): string {
  const [cx, cy] = centre(box);
  const n = Math.max(12, Math.round((box[2] + box[3]) / 5));
  const inner = BURST_SPIKE_MM;
  const pts: PointMm[] = [];
  const tipPhi = tip ? paramToward(box, tip) : null;
  let tipIndex = -1;
  let best = Infinity;
  for (let i = 0; i < 2 * n; i++) {
    const phi = (Math.PI * i) / n;
    const spike = i % 2 === 0;
    // Irregular spikes, deterministic (no randomness: same input, same page).
    const jitter = spike ? 0.75 + 0.25 * Math.abs(Math.sin(i * 12.9898)) : 0;
    const rx = spike ? box[2] / 2 - inner * (1 - jitter) : box[2] / 2 - inner;
    const ry = spike ? box[3] / 2 - inner * (1 - jitter) : box[3] / 2 - inner;
    pts.push([cx + rx * Math.cos(phi), cy + ry * Math.sin(phi)]);
    if (spike && tipPhi !== null) {
      const diff = Math.abs(Math.atan2(Math.sin(phi - tipPhi), Math.cos(phi - tipPhi)));
      if (diff < best) { best = diff; tipIndex = i; }
    }
  }
  if (tip && tipIndex >= 0) pts[tipIndex] = tip;
  return `M${pts.map(P).join('L')}Z`;
}

/** Cloud (thought): bumps bulging outward around an oval. */
function cloudPath(box: BBoxMm): string {
  const n = Math.max(9, Math.round((box[2] + box[3]) / 6));
  const pts: PointMm[] = [];
  for (let i = 0; i < n; i++) pts.push(onEllipse(box, (2 * Math.PI * i) / n, CLOUD_BUMP_MM));
  let d = `M${P(pts[0])}`;
  for (let i = 0; i < n; i++) {
    const a = pts[i];
    const b = pts[(i + 1) % n];
    // Radius 0.75 × chord: each bump rises ~0.19 chord, inside the CLOUD_BUMP_MM margin.
    const r = Math.hypot(b[0] - a[0], b[1] - a[1]) * 0.75;
    // Travelling clockwise, sweep 1 puts each arc's centre inside the balloon: bumps point out.
    d += `A${fmt(r)} ${fmt(r)} 0 0 1 ${P(b)}`;
  }
  return d + 'Z';
}

/** Thought-balloon tail: a chain of shrinking ovals from the cloud toward the speaker. */
function thoughtChain(box: BBoxMm, tip: PointMm): string[] {
  const start = onEllipse(box, paramToward(box, tip));
  const out: string[] = [];
  // Short tails get smaller bubbles so they do not pile up on each other.
  const k = Math.min(1, Math.hypot(tip[0] - start[0], tip[1] - start[1]) / 8);
  const radii = [2.0, 1.4, 0.9].map((r) => Math.max(0.4, r * k));
  radii.forEach((r, i) => {
    const p = lerp(start, tip, (i + 1) / radii.length);
    out.push(`<ellipse cx="${fmt(p[0])}" cy="${fmt(p[1])}" rx="${fmt(r * 1.3)}" ry="${fmt(r)}"/>`);
  });
  return out;
}

/** Angular (broadcast, phone): an octagon, with a zig-zag tail. */
function angularPath(box: BBoxMm, tip: PointMm | null): string {
  const [x, y, w, h] = box;
  const c = Math.min(w, h) * 0.2;
  const pts: PointMm[] = [[x + c, y], [x + w - c, y], [x + w, y + c], [x + w, y + h - c], [x + w - c, y + h], [x + c, y + h], [x, y + h - c], [x, y + c]];
  if (!tip) return `M${pts.map(P).join('L')}Z`;
  // Insert the zig-zag tail at the edge whose midpoint is closest to the tip.
  let bestEdge = 0;
  let bestD = Infinity;
  for (let i = 0; i < pts.length; i++) {
    const m = lerp(pts[i], pts[(i + 1) % pts.length], 0.5);
    const dd = Math.hypot(m[0] - tip[0], m[1] - tip[1]);
    if (dd < bestD) { bestD = dd; bestEdge = i; }
  }
  const a = pts[bestEdge];
  const b = pts[(bestEdge + 1) % pts.length];
  const base1 = lerp(a, b, 0.35);
  const base2 = lerp(a, b, 0.6);
  const mid = lerp(lerp(base1, base2, 0.5), tip, 0.5);
  const zig: PointMm[] = [base1, [mid[0] + (b[0] - a[0]) * 0.15, mid[1] + (b[1] - a[1]) * 0.15], tip, [mid[0] + (b[0] - a[0]) * 0.05, mid[1] + (b[1] - a[1]) * 0.05], base2];
  const seq = [...pts.slice(0, bestEdge + 1), ...zig, ...pts.slice(bestEdge + 1)];
  return `M${seq.map(P).join('L')}Z`;
}

/**
 * The balloon outline as SVG (mm units): white fill, black stroke. Empty for SFX.
 */
export function balloonShapeSvg(b: Pick<PlacedBalloon, 'kind' | 'bboxMm' | 'tailTipMm'>): string {
  const box = b.bboxMm;
  const tip = b.tailTipMm;
  const style = `fill="#fff" stroke="#000" stroke-width="${STROKE_MM}" stroke-linejoin="round"`;
  switch (b.kind) {
    case 'sfx':
      return '';
    case 'narration':
      return `<rect x="${fmt(box[0])}" y="${fmt(box[1])}" width="${fmt(box[2])}" height="${fmt(box[3])}" ${style}/>`;
    case 'shout':
      return `<path d="${burstPath(box, tip)}" ${style}/>`;
    case 'broadcast':
      return `<path d="${angularPath(box, tip)}" ${style}/>`;
    case 'thought':
      return `<g ${style}><path d="${cloudPath(box)}"/>${tip ? thoughtChain(box, tip).join('') : ''}</g>`;
    case 'whisper':
      return `<path d="${ovalPath(box, tip)}" ${style} stroke-dasharray="1.2 0.9"/>`;
    default:
      return `<path d="${ovalPath(box, tip)}" ${style}/>`;
  }
}
