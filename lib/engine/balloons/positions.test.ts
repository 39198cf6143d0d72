import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BBoxMm, DialogueLine, FacePlacement, LaidPanel, PointMm } from '../types';
import { setTextVariants } from '../lettering/index';
import { area, bodyHitsRect, containsRect, ellipseExit, grow, overlapArea, right } from './geom';
import { balloonSize } from './shape';
import { FACE_CLEARANCE_MM, FACE_TOUCH, LINK_COST, Positions, TAIL_FRACTION, ellipseRectArea, grid, mouthOf, tailFor } from './positions';
import type { PanelGeometry, StaticRelax, Variant } from './positions';
import { jaText, panel, face as faceAt, randomPage } from './fixtures';

/**
 * The direct formulas, written the obvious way with geom.ts (boxes and points as arrays,
 * one object per position): Positions must produce exactly these, in the same order.
 */
function directTail(box: BBoxMm, face: FacePlacement): { base: PointMm; tip: PointMm } {
  const mouth = mouthOf(face.faceMm);
  const base = ellipseExit(box, mouth);
  const r = face.faceMm;
  const dx = mouth[0] - base[0];
  const dy = mouth[1] - base[1];
  let t = 0;
  if (dx !== 0) t = Math.max(t, ((dx > 0 ? r[0] : right(r)) - base[0]) / dx);
  if (dy !== 0) t = Math.max(t, ((dy > 0 ? r[1] : r[1] + r[3]) - base[1]) / dy);
  t = Math.min(1, Math.max(0, t));
  const head: PointMm = [base[0] + dx * t, base[1] + dy * t];
  return { base, tip: [base[0] + (head[0] - base[0]) * TAIL_FRACTION, base[1] + (head[1] - base[1]) * TAIL_FRACTION] };
}

interface Direct {
  box: BBoxMm;
  tail: { base: PointMm; tip: PointMm } | null;
  border: boolean;
  onSpeaker: boolean;
  onOther: number;
  linked: boolean;
  cost: number;
}

function direct(g: PanelGeometry, line: DialogueLine, index: number, variants: Variant[], withBorder: boolean, prev: DialogueLine | undefined): Direct[] {
  const { panel: p, region, wide, dir, count } = g;
  const face = line.speakerId === null ? undefined : p.faces.find((f) => f.characterId === line.speakerId);
  const tailed = face !== undefined && line.kind !== 'narration' && line.kind !== 'sfx';
  const faceBox = face && line.kind !== 'sfx' ? grow(face.faceMm, FACE_CLEARANCE_MM) : null;
  const oval = line.kind !== 'narration' && line.kind !== 'broadcast' && line.kind !== 'sfx';
  const out: Direct[] = [];
  // Area a balloon really covers: the inscribed ellipse for ovals, the box otherwise.
  const covers = (box: BBoxMm, r: BBoxMm): number => (overlapArea(box, r) > 0 && oval ? ellipseRectArea(box[0], box[1], box[2], box[3], r) : overlapArea(box, r));
  const cost = (box: BBoxMm, tail: Direct['tail'], rank: number): number => {
    let c = 0;
    const fy = region[3] > box[3] ? (box[1] - region[1]) / (region[3] - box[3]) : 0;
    const slackX = region[2] - box[2];
    const fx = slackX > 0 ? (dir === 'rtl' ? right(region) - right(box) : box[0] - region[0]) / slackX : 0;
    c += (line.kind === 'sfx' ? 5 : 40) * fy;
    c += (line.kind === 'narration' ? 30 : 12) * Math.abs(fx - (count > 1 ? index / (count - 1) : 0));
    if (tail) {
      const len = Math.hypot(tail.tip[0] - tail.base[0], tail.tip[1] - tail.base[1]) / TAIL_FRACTION;
      c += 0.8 * len;
      if (len < 4) c += (4 - len) * 3;
    }
    for (const f of p.faces) {
      if (area(f.faceMm) > 0) {
        let term = 400 * (overlapArea(f.faceMm, box) / area(f.faceMm));
        // The speaker's own face, as really covered, costs 2000 a face.
        if (f === face && faceBox && covers(box, f.faceMm) > 0) term += 2000 * (covers(box, f.faceMm) / area(f.faceMm));
        c += term;
      }
      if (area(f.bodyMm) > 0) c += 15 * (overlapArea(f.bodyMm, box) / area(f.bodyMm));
    }
    return c + 20 * rank;
  };
  for (const v of variants) {
    const spots: Array<[number, number, boolean]> = [];
    for (const x of grid(region[0], region[0] + region[2] - v.w, 12)) for (const y of grid(region[1], region[1] + region[3] - v.h, 10)) spots.push([x, y, false]);
    if (withBorder && v.w <= wide[2] && v.h <= wide[3]) {
      for (const x of grid(wide[0], wide[0] + wide[2] - v.w, 12)) {
        for (const y of grid(wide[1], wide[1] + wide[3] - v.h, 10)) {
          const box: BBoxMm = [x, y, v.w, v.h];
          if (!containsRect(region, box) && overlapArea(box, p.bboxMm) / area(box) >= 0.9) spots.push([x, y, true]);
        }
      }
    }
    for (const [x, y, border] of spots) {
      const box: BBoxMm = [x, y, v.w, v.h];
      const body = { box, oval };
      const onSpeaker = faceBox !== null && bodyHitsRect(body, faceBox);
      let onOther = 0;
      for (const f of p.faces) {
        if ((f === face && faceBox) || !bodyHitsRect(body, f.faceMm)) continue;
        onOther = Math.max(onOther, covers(box, f.faceMm) / Math.max(1e-9, area(f.faceMm)));
      }
      const tail = tailed && face ? directTail(box, face) : null;
      out.push({ box, tail, border, onSpeaker, onOther, linked: false, cost: cost(box, tail, v.rank) + (border ? 15 : 0) });
      if (tail && prev && prev.speakerId === line.speakerId && prev.kind !== 'narration' && prev.kind !== 'sfx') {
        out.push({ box, tail: null, border, onSpeaker, onOther, linked: true, cost: cost(box, null, v.rank) + (border ? 15 : 0) + LINK_COST });
      }
    }
  }
  return out.sort((a, b) => a.cost - b.cost);
}

const KINDS = ['speech', 'thought', 'shout', 'whisper', 'narration', 'broadcast', 'sfx'] as const;

function variantsOf(text: string, kind: DialogueLine['kind'], region: BBoxMm): Variant[] {
  return setTextVariants(text, { language: 'ja', kind, maxWidthMm: region[2] / 2, maxHeightMm: region[3] / 1.6 })
    .slice(0, 3)
    .map((block, rank) => ({ block, ...balloonSize(kind, block.widthMm, block.heightMm), rank }));
}

describe('Positions (typed, lazily built candidate positions)', () => {
  it('gives exactly the directly computed positions, costs, tails and face tests, cheapest first', () => {
    fc.assert(
      fc.property(
        randomPage(),
        fc.constantFrom(...KINDS),
        fc.constantFrom('a', 'b', null),
        jaText(4),
        fc.boolean(),
        fc.constantFrom<'rtl' | 'ltr'>('rtl', 'ltr'),
        fc.nat(),
        (page, kind, speaker, text, withBorder, dir, pick) => {
          const p: LaidPanel = page.panels[pick % page.panels.length];
          const region: BBoxMm = [p.bboxMm[0] + 1.5, p.bboxMm[1] + 1.5, p.bboxMm[2] - 3, p.bboxMm[3] - 3];
          const wide: BBoxMm = [p.bboxMm[0] - 4, p.bboxMm[1] - 4, p.bboxMm[2] + 8, p.bboxMm[3] + 8];
          const g: PanelGeometry = { panel: p, region, wide, dir, count: 3 };
          const line: DialogueLine = { id: 'l1', panelId: p.id, speakerId: speaker, kind, text, order: 1 };
          const prev: DialogueLine = { ...line, id: 'l0', order: 0, text: 'はい' };
          const variants = variantsOf(text, kind, region);
          const face = speaker === null ? undefined : p.faces.find((f) => f.characterId === speaker);
          const tailed = face !== undefined && kind !== 'narration' && kind !== 'sfx';
          const got = new Positions(g, line, 1, variants, withBorder, prev, face, tailed);
          const want = direct(g, line, 1, variants, withBorder, prev);
          expect(got.length).toBe(want.length);
          for (let k = 0; k < want.length; k++) {
            const b = got.at(k);
            expect({ box: b.box, tail: b.tail, border: b.border, onSpeaker: b.onSpeaker, onOther: b.onOther, linked: b.linked, cost: b.cost }).toEqual(want[k]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('usable(): exactly the positions the static relaxations allow, in cost order', () => {
    const p = panel('p', 0, [20, 20, 90, 70], [faceAt('a', 60, 40, 18, 20), faceAt('b', 30, 45, 16, 18)]);
    const region: BBoxMm = [21.5, 21.5, 87, 67];
    const g: PanelGeometry = { panel: p, region, wide: [12, 12, 106, 86], dir: 'rtl', count: 1 };
    const line: DialogueLine = { id: 'l', panelId: 'p', speakerId: 'a', kind: 'speech', text: 'ちょっと待って、それはどういうことなの', order: 0 };
    const variants = variantsOf(line.text, 'speech', region);
    const pos = new Positions(g, line, 0, variants, true, undefined, p.faces[0], true);
    const all = Array.from({ length: pos.length }, (_, k) => pos.at(k));
    const flags: Array<keyof StaticRelax> = ['region', 'border', 'speakerFace', 'faceTouch', 'otherFace'];
    let sawFiltered = false;
    for (let mask = 0; mask < 32; mask++) {
      const r = Object.fromEntries(flags.map((f, i) => [f, (mask & (1 << i)) !== 0])) as unknown as StaticRelax;
      const want = all.filter((b) => {
        return !(b.outside && !r.region) && !(b.border && !r.border) && !(b.onSpeaker && !r.speakerFace)
          && !(b.onOther > 0 && !r.faceTouch) && !(b.onOther > FACE_TOUCH && !r.otherFace);
      });
      const view = pos.usable(r);
      const got = Array.from({ length: view.size }, (_, k) => view.at(k));
      // Same objects, same order.
      expect(got.length).toBe(want.length);
      got.forEach((b, k) => expect(b).toBe(want[k]));
      // Asked again: the same (cached) view.
      expect(pos.usable(r)).toBe(view);
      if (want.length < all.length) sawFiltered = true;
    }
    expect(sawFiltered).toBe(true);
    for (let k = 1; k < pos.length; k++) expect(pos.at(k).cost).toBeGreaterThanOrEqual(pos.at(k - 1).cost);
  });

  it('ellipseRectArea: the ellipse area inside a rectangle (against fine sampling)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 1, max: 25, noNaN: true }), fc.double({ min: 1, max: 25, noNaN: true })),
        fc.tuple(fc.double({ min: -5, max: 40, noNaN: true }), fc.double({ min: -5, max: 40, noNaN: true }), fc.double({ min: 0.5, max: 20, noNaN: true }), fc.double({ min: 0.5, max: 20, noNaN: true })),
        ([x, y, w, h], r) => {
          const N = 160;
          let hits = 0;
          for (let i = 0; i < N; i++) {
            for (let j = 0; j < N; j++) {
              const px = r[0] + ((i + 0.5) / N) * r[2];
              const py = r[1] + ((j + 0.5) / N) * r[3];
              const dx = (px - x - w / 2) / (w / 2);
              const dy = (py - y - h / 2) / (h / 2);
              if (dx * dx + dy * dy <= 1) hits++;
            }
          }
          const sampled = (hits / (N * N)) * r[2] * r[3];
          const exact = ellipseRectArea(x, y, w, h, r as BBoxMm);
          expect(Math.abs(exact - sampled)).toBeLessThan(0.01 * r[2] * r[3] + 1e-9);
          expect(exact).toBeLessThanOrEqual(Math.min(Math.PI * w * h / 4, r[2] * r[3]) + 1e-9);
        },
      ),
      { numRuns: 150 },
    );
    // Whole ellipse inside: πab; rectangle in a box corner outside the ellipse: 0.
    expect(ellipseRectArea(0, 0, 4, 2, [-1, -1, 10, 10])).toBeCloseTo(2 * Math.PI, 12);
    expect(ellipseRectArea(0, 0, 10, 10, [0, 0, 1, 1])).toBe(0);
  });

  it('tailFor: the tip lies TAIL_FRACTION of the way from the balloon edge to the head', () => {
    const f = faceAt('a', 60, 60, 20, 20);
    const t = tailFor([10, 10, 30, 20], f);
    const d = directTail([10, 10, 30, 20], f);
    expect(t).toEqual(d);
    expect(t.tip[0]).toBeGreaterThan(t.base[0]);
    expect(t.tip[1]).toBeGreaterThan(t.base[1]);
  });
});
