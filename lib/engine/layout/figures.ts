/**
 * Where each character's face and body sit in a panel, so balloon placement can avoid faces and
 * aim tails at mouths. Sizes follow the shot type (a close-up is a big face, a wide shot small
 * figures); several characters stand side by side, the first (most prominent) on the side read
 * first — right for rtl, left for ltr — because the first speaker's balloon goes there.
 */
import type { BBoxMm, FacePlacement, PageFormat, ReadingDirection, ShotType } from '../types';
import { intersect } from './geom';
import type { Rng } from './rng';

interface FigureSpec {
  /** Face height as a fraction of the panel's visible height. */
  face: number;
  /** Face centre, fraction of the height from the top. */
  faceY: number;
  /** Body bottom, fraction of the height from the top (≥ 1 runs out of the panel: cropped). */
  bodyBottom: number;
  /** Body width in face widths. */
  bodyW: number;
}

/** Figure scale per shot type (head ≈ 1/7 of a standing figure in a full shot). */
const SPEC: Readonly<Record<ShotType, FigureSpec>> = {
  // Heads sit in the lower-middle of close and medium shots, keeping the top of the panel for
  // the balloons (MANGA-CRAFT.md "Balloons": place balloons high, never over the speaker's
  // face); a close-up is still a big face (≈ 40 % of the panel height).
  'extreme-closeup': { face: 0.55, faceY: 0.66, bodyBottom: 1, bodyW: 1.1 },
  closeup: { face: 0.42, faceY: 0.64, bodyBottom: 1, bodyW: 2.2 },
  'over-shoulder': { face: 0.28, faceY: 0.55, bodyBottom: 1, bodyW: 2.4 },
  medium: { face: 0.2, faceY: 0.5, bodyBottom: 1, bodyW: 2.6 },
  insert: { face: 0.14, faceY: 0.5, bodyBottom: 1, bodyW: 2.4 },
  action: { face: 0.11, faceY: 0.3, bodyBottom: 0.92, bodyW: 3 },
  full: { face: 0.1, faceY: 0.22, bodyBottom: 0.94, bodyW: 2.6 },
  wide: { face: 0.055, faceY: 0.6, bodyBottom: 0.92, bodyW: 2.6 },
  establishing: { face: 0.035, faceY: 0.7, bodyBottom: 0.9, bodyW: 2.6 },
};
const FACE_ASPECT = 0.8; // width / height of a head
/** Share of the panel width a lone figure moves off-centre. */
const LONE_OFFSET = 0.08;

function clampInto(b: BBoxMm, area: BBoxMm): BBoxMm {
  const w = Math.min(b[2], area[2]);
  const h = Math.min(b[3], area[3]);
  const x = Math.min(Math.max(b[0], area[0]), area[0] + area[2] - w);
  const y = Math.min(Math.max(b[1], area[1]), area[1] + area[3] - h);
  return [x, y, w, h];
}

export function placeFigures(
  panel: BBoxMm,
  characters: readonly string[],
  shot: ShotType,
  format: PageFormat,
  direction: ReadingDirection,
  rng: Rng,
): FacePlacement[] {
  if (characters.length === 0) return [];
  // Figures live in the visible part of the panel (bleed beyond the trim is cut off).
  const vis = intersect(panel, [0, 0, format.trimMm.w, format.trimMm.h]) ?? panel;
  const [vx, vy, vw, vh] = vis;
  const n = characters.length;
  const slot = vw / n;
  const spec = SPEC[shot];
  return characters.map((characterId, i) => {
    // Slot 0 is on the reading-first side.
    const slotIdx = direction === 'rtl' ? n - 1 - i : i;
    const jitter = (rng() - 0.5) * 0.16 * slot;
    // A lone figure stands off-centre toward the reading-later side: the panel's first balloon
    // goes in the reading-first top corner (right for rtl), so that side keeps a clear column.
    const lone = n === 1 ? (direction === 'rtl' ? -LONE_OFFSET : LONE_OFFSET) * vw : 0;
    const cx = vx + slot * (slotIdx + 0.5) + jitter + lone;
    let fh = spec.face * vh * (i === 0 ? 1 : 0.92); // the lead is a touch bigger
    let fw = fh * FACE_ASPECT;
    // Leave air between heads: balloons of a dialogue often sit between the speakers.
    if (fw > slot * 0.62) {
      fw = slot * 0.62;
      fh = fw / FACE_ASPECT;
    }
    const fcy = vy + spec.faceY * vh + (rng() - 0.5) * 0.04 * vh;
    const face = clampInto([cx - fw / 2, fcy - fh / 2, fw, fh], vis);
    const bw = Math.min(fw * spec.bodyW, slot * 0.95);
    const bodyTop = face[1];
    const bodyBottom = Math.min(vy + vh, vy + spec.bodyBottom * vh);
    const body = clampInto([face[0] + fw / 2 - bw / 2, bodyTop, bw, Math.max(fh, bodyBottom - bodyTop)], vis);
    return { characterId, faceMm: face, bodyMm: body };
  });
}
