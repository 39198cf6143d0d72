/**
 * Type sizes and faces per balloon kind (MANGA-CRAFT.md, "Page geometry" and "Balloons and
 * lettering"): dialogue at 18Q (4.5 mm), never below 16Q (4 mm); shouts 24–32Q (6–8 mm);
 * SFX big. 1Q = 0.25 mm (JIS Z 8305 typographic unit, "級").
 */
import type { BalloonKind, Language } from '../types';
import type { LetteringFace } from '../fonts';

export const Q_MM = 0.25;
/** 18Q: the base dialogue size. */
export const BASE_SIZE_MM = 18 * Q_MM;
/** 16Q: the smallest size we ever set (M14: font ≥ 16Q). */
export const MIN_SIZE_MM = 16 * Q_MM;
/** JLReq §3.3: in vertical balloons columns sit ¼–½ em apart; we take 0.4 em. */
export const COLUMN_GAP_EM = 0.4;
/** Horizontal (English) leading: line pitch 1.2 em. */
export const LINE_PITCH_EM = 1.2;
/** Manga balloons: at most about 10 characters a column and 6 columns (MANGA-CRAFT.md). */
export const MAX_COLUMN_CHARS = 10;
export const MAX_COLUMNS = 6;
/** English rows: a balloon with more than this many rows is reported as overflow. */
export const MAX_ROWS = 8;

/** Preferred size of a kind, before any shrinking. Shouts get bigger when they are short. */
export function baseSizeMm(kind: BalloonKind, textLength: number): number {
  switch (kind) {
    case 'shout':
      // 32Q for a short cry, 24Q for a long one.
      return textLength <= 4 ? 32 * Q_MM : textLength <= 8 ? 28 * Q_MM : 24 * Q_MM;
    case 'sfx':
      // SFX are drawn big; 48Q for one or two sounds, 40Q otherwise.
      return textLength <= 3 ? 48 * Q_MM : 40 * Q_MM;
    default:
      return BASE_SIZE_MM;
  }
}

/** Sizes to try, largest first, down to 16Q in 1Q steps. */
export function sizeLadder(kind: BalloonKind, textLength: number): number[] {
  const out: number[] = [];
  for (let q = Math.round(baseSizeMm(kind, textLength) / Q_MM); q >= 16; q--) out.push(q * Q_MM);
  return out;
}

/**
 * Faces: dialogue in Noto Sans (JP) Bold (legible at 16–18Q, close to the gothic of manga
 * lettering), whispers and narration in Regular, shouts and SFX in Black.
 */
export function faceFor(language: Language, kind: BalloonKind): LetteringFace {
  const weight = kind === 'shout' || kind === 'sfx' ? 'black' : kind === 'whisper' || kind === 'narration' ? 'regular' : 'bold';
  return `${language === 'ja' ? 'ja' : 'latin'}-${weight}` as LetteringFace;
}

/** Manga practice (MANGA-CRAFT.md): 。 and 、 are dropped inside balloons; ？ and ！ stay. Narration keeps them. */
export function dropsStops(kind: BalloonKind): boolean {
  return kind !== 'narration';
}
