/**
 * What a shot wants from its panel (MANGA-CRAFT.md "Panel layout": shot type shapes the panel —
 * wide for establishing shots, tall for falls and full figures; bigger panel = more important
 * moment, small panels for close-ups speed the tempo).
 */
import type { ShotInput, ShotType } from '../types';

/** Preferred aspect ratio (width / height) per shot type. */
export const PREFERRED_ASPECT: Readonly<Record<ShotType, number>> = {
  establishing: 2.2,
  wide: 1.8,
  full: 0.6,
  action: 0.75,
  medium: 1.1,
  closeup: 1.0,
  // Extreme close-ups are the classic thin strip across the eyes.
  'extreme-closeup': 1.7,
  'over-shoulder': 1.2,
  insert: 1.0,
};

/** Area multiplier per shot type: mild, so importance stays the main driver of area (M6). */
const AREA_FACTOR: Readonly<Record<ShotType, number>> = {
  establishing: 1.2,
  wide: 1.12,
  full: 1.08,
  action: 1.08,
  medium: 1,
  closeup: 0.9,
  'extreme-closeup': 0.85,
  'over-shoulder': 0.95,
  insert: 0.8,
};

/** Relative area for importance alone (0.25..1.25, 5×). */
export function importanceWeight(s: ShotInput): number {
  return 0.25 + Math.min(1, Math.max(0, Number.isFinite(s.importance) ? s.importance : 0.5));
}

/** Relative area a shot asks for: importance first, then the shot type. */
export function areaWeight(s: ShotInput): number {
  return importanceWeight(s) * AREA_FACTOR[s.shot];
}

/** Shots that read as a whole-width tier (establishing/wide). */
export function wantsFullWidth(t: ShotType): boolean {
  return t === 'establishing' || t === 'wide';
}
