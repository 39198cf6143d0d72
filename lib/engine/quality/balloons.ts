/** Balloon metrics M8–M12 from balloon and face geometry. SFX are art, not balloons: skipped. */
import type { DialogueLine, LaidPage, PlacedBalloon, PointMm, ReadingDirection } from '../types';
import { area, bottom, centre } from '../layout/geom';
import { balloonShape, boundaryToward, overlap, rectShape, segmentsCross, shapeArea, type Shape } from './shapes';
import type { Metric } from './types';

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
export const isLettered = (b: PlacedBalloon): boolean => b.kind !== 'sfx';
const shapeOf = (b: PlacedBalloon): Shape => balloonShape(b.bboxMm, b.kind);

/** M8: balloon area over the speaker's own face (mm², target 0) and share of all face area covered. */
export function m8Faces(page: LaidPage, balloons: readonly PlacedBalloon[]): Metric[] {
  const panelById = new Map(page.panels.map((p) => [p.id, p]));
  let speaker = 0;
  const bad: string[] = [];
  for (const b of balloons) {
    const face = b.speakerId ? panelById.get(b.panelId)?.faces.find((f) => f.characterId === b.speakerId) : undefined;
    if (!face) continue;
    const o = overlap(shapeOf(b), rectShape(face.faceMm));
    if (o > 0) bad.push(`${b.id} covers ${o.toFixed(1)} mm² of ${b.speakerId}'s face`);
    speaker += o;
  }
  const faces = page.panels.flatMap((p) => p.faces.map((f) => f.faceMm));
  const faceArea = faces.reduce((s, f) => s + area(f), 0);
  let covered = 0;
  for (const f of faces) for (const b of balloons) covered += overlap(shapeOf(b), rectShape(f));
  const share = faceArea > 0 ? covered / faceArea : 0;
  return [
    { id: 'M8.speaker', value: r3(speaker), target: '0 mm²', pass: speaker < 0.01, ...(bad.length ? { detail: bad.join('; ') } : {}) },
    { id: 'M8.anyFace', value: r3(share), target: '≤ 0.05 of face area', pass: share <= 0.05 },
  ];
}

/** M9: worst balloon–balloon overlap, as a share of the smaller balloon. */
export function m9BalloonOverlap(balloons: readonly PlacedBalloon[]): Metric {
  let worst = 0;
  let pair = '';
  for (let i = 0; i < balloons.length; i++) {
    for (let j = i + 1; j < balloons.length; j++) {
      const a = shapeOf(balloons[i]);
      const c = shapeOf(balloons[j]);
      const share = overlap(a, c) / Math.max(1e-9, Math.min(shapeArea(a), shapeArea(c)));
      if (share > worst) {
        worst = share;
        pair = `${balloons[i].id} × ${balloons[j].id}`;
      }
    }
  }
  return { id: 'M9', value: r3(worst), target: '≤ 0.02', pass: worst <= 0.02, ...(worst > 0.02 ? { detail: pair } : {}) };
}

/** M10: the least share of a balloon that lies inside its own panel. */
export function m10InsidePanel(page: LaidPage, balloons: readonly PlacedBalloon[]): Metric {
  const panelById = new Map(page.panels.map((p) => [p.id, p]));
  let worst = 1;
  const bad: string[] = [];
  for (const b of balloons) {
    const panel = panelById.get(b.panelId);
    const s = shapeOf(b);
    const share = panel ? overlap(s, rectShape(panel.bboxMm)) / Math.max(1e-9, shapeArea(s)) : 0;
    if (share < 0.9) bad.push(`${b.id}: ${(share * 100).toFixed(0)} % inside ${panel ? b.panelId : 'an unknown panel'}`);
    worst = Math.min(worst, share);
  }
  return { id: 'M10', value: balloons.length ? r3(Math.min(1, worst)) : null, target: '≥ 0.9 of each balloon', pass: bad.length === 0, ...(bad.length ? { detail: bad.join('; ') } : {}) };
}

/**
 * Reading order of balloons estimated from geometry: a balloon wholly above another is read
 * first; otherwise the one further to the reading-first side (right for rtl) is read first
 * (MANGA-CRAFT.md: "in reading order (right/top first for RTL)").
 */
export function estimateBalloonOrder(boxes: ReadonlyArray<[number, number, number, number]>, dir: ReadingDirection): number[] {
  const idx = boxes.map((_, i) => i);
  const before = (a: number, b: number): number => {
    const A = boxes[a];
    const B = boxes[b];
    if (bottom(A) <= B[1]) return -1;
    if (bottom(B) <= A[1]) return 1;
    const ca = centre(A)[0];
    const cb = centre(B)[0];
    if (Math.abs(ca - cb) > 1e-6) return dir === 'rtl' ? cb - ca : ca - cb;
    return A[1] - B[1] || a - b;
  };
  return idx.sort(before);
}

/** M11: share of panels (with ≥ 2 balloons) whose estimated balloon order is the script order. */
export function m11BalloonOrder(balloons: readonly PlacedBalloon[], dir: ReadingDirection, lines?: readonly DialogueLine[]): Metric {
  const scriptOrder = new Map((lines ?? []).map((l) => [l.id, l.order]));
  const byPanel = new Map<string, PlacedBalloon[]>();
  for (const b of balloons) byPanel.set(b.panelId, [...(byPanel.get(b.panelId) ?? []), b]);
  let judged = 0;
  let good = 0;
  const bad: string[] = [];
  for (const [panelId, bs] of byPanel) {
    if (bs.length < 2) continue;
    judged++;
    const script = [...bs].sort((a, b) => (scriptOrder.get(a.lineId) ?? a.order) - (scriptOrder.get(b.lineId) ?? b.order)).map((b) => b.id);
    const est = estimateBalloonOrder(bs.map((b) => b.bboxMm), dir).map((i) => bs[i].id);
    if (est.join('\u0000') === script.join('\u0000')) good++;
    else bad.push(`${panelId}: read ${est.join(' → ')}, script ${script.join(' → ')}`);
  }
  return {
    id: 'M11',
    value: judged ? r3(good / judged) : null,
    target: '1 (every panel)',
    pass: good === judged,
    ...(bad.length ? { detail: bad.join('; ') } : {}),
  };
}

const angleBetween = (u: PointMm, v: PointMm): number => {
  const a = Math.atan2(u[1], u[0]) - Math.atan2(v[1], v[0]);
  const d = Math.abs(((a + Math.PI) % (2 * Math.PI) + 2 * Math.PI) % (2 * Math.PI) - Math.PI);
  return (d * 180) / Math.PI;
};

/**
 * M12: the tail points at the speaker's mouth (worst angle error between balloon-centre→tip and
 * balloon-centre→mouth, mouth ≈ ¾ down the face box), and tails never cross.
 */
export function m12Tails(page: LaidPage, balloons: readonly PlacedBalloon[]): Metric[] {
  const panelById = new Map(page.panels.map((p) => [p.id, p]));
  let worst = 0;
  let measured = 0;
  const bad: string[] = [];
  const segs: Array<{ id: string; a: [number, number]; b: [number, number] }> = [];
  for (const b of balloons) {
    if (!b.tailTipMm) continue;
    const [cx, cy] = centre(b.bboxMm);
    const tip = b.tailTipMm;
    segs.push({ id: b.id, a: boundaryToward(shapeOf(b), tip[0], tip[1]), b: [tip[0], tip[1]] });
    const face = b.speakerId ? panelById.get(b.panelId)?.faces.find((f) => f.characterId === b.speakerId) : undefined;
    if (!face) continue;
    const mouth: PointMm = [face.faceMm[0] + face.faceMm[2] / 2, face.faceMm[1] + face.faceMm[3] * 0.75];
    const err = angleBetween([tip[0] - cx, tip[1] - cy], [mouth[0] - cx, mouth[1] - cy]);
    measured++;
    if (err > 20) bad.push(`${b.id} off by ${err.toFixed(0)}°`);
    worst = Math.max(worst, err);
  }
  let crossings = 0;
  const crossed: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      if (segmentsCross(segs[i].a, segs[i].b, segs[j].a, segs[j].b)) {
        crossings++;
        crossed.push(`${segs[i].id} × ${segs[j].id}`);
      }
    }
  }
  return [
    { id: 'M12.angle', value: measured ? r3(worst) : null, target: '≤ 20°', pass: worst <= 20, ...(bad.length ? { detail: bad.join('; ') } : {}) },
    { id: 'M12.crossings', value: crossings, target: '0', pass: crossings === 0, ...(crossed.length ? { detail: crossed.join('; ') } : {}) },
  ];
}

